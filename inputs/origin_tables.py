"""The tables of inputs/README.md, "What is bought where": refined supply by origin and the
concentrate fed to Indian refineries, 2030 and 2040, as Markdown rows. From the repository root:

    .venv/bin/python inputs/origin_tables.py
"""

from pathlib import Path

from planner.api import load_input, solve

d = load_input(Path(__file__).resolve().parent / "india_2040.xlsx")
p = solve(d)
src, proc = p.sourcing, p.processing


def fmt_t(x):
    return f"{x / 1e6:.2f} Mt" if x >= 1e6 else f"{x:,.0f} t"


rows = []
for m in ["lithium", "cobalt", "nickel", "graphite", "rare_earths", "copper", "bauxite"]:
    cells = []
    for y in (2030, 2040):
        parts = {}
        r = src[(src.year == y) & (src.mineral == m) & (src.form == "refined")]
        for _, x in r.iterrows():
            label = x.country + (" JV" if str(x.channel).startswith("project") else "")
            parts[label] = parts.get(label, 0) + x.tonnes_t
        pr = proc[(proc.year == y) & (proc.mineral == m)]
        for _, x in pr.iterrows():
            label = "home recycling" if x.feed == "scrap" else "home refining"
            parts[label] = parts.get(label, 0) + x.output_t
        total = sum(parts.values())
        items = sorted(parts.items(), key=lambda kv: -kv[1])
        cells.append(
            f"{fmt_t(total)}: "
            + ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in items if v / total >= 0.005)
        )
    rows.append(f"| {m.replace('_', ' ')} | {cells[0]} | {cells[1]} |")
print("\n".join(rows))
print()
rows = []
for m in ["lithium", "cobalt", "nickel", "graphite", "rare_earths", "copper", "bauxite"]:
    cells = []
    for y in (2030, 2040):
        r = src[(src.year == y) & (src.mineral == m) & (src.form == "concentrate")]
        if r.empty:
            cells.append("-")
            continue
        parts = {}
        for _, x in r.iterrows():
            label = x.country + (
                f" ({x.channel.removeprefix('project ')})"
                if str(x.channel).startswith("project")
                else ""
            )
            parts[label] = parts.get(label, 0) + x.tonnes_t
        total = sum(parts.values())
        items = sorted(parts.items(), key=lambda kv: -kv[1])
        cells.append(
            f"{fmt_t(total)}: "
            + ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in items if v / total >= 0.005)
        )
    rows.append(f"| {m.replace('_', ' ')} | {cells[0]} | {cells[1]} |")
print("\n".join(rows))
