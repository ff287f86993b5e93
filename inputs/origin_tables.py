"""The tables of inputs/README.md, "What is bought where": refined supply by origin and the
concentrate fed to Indian refineries, 2030 and 2040, as Markdown rows. From the repository root:

    .venv/bin/python inputs/origin_tables.py                    # solves the base case first
    .venv/bin/python inputs/origin_tables.py /tmp/india_plan.xlsx   # reads a plan workbook
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from planner.api import load_input, solve
from planner.export.plan import read_plan_tables

MINERALS = ("lithium", "cobalt", "nickel", "graphite", "rare_earths", "copper", "bauxite")
YEARS = (2030, 2040)


def _tonnes(x: float) -> str:
    return f"{x / 1e6:.2f} Mt" if x >= 1e6 else f"{x:,.0f} t"


def _cell(parts: dict[str, float]) -> str:
    """'7,792 t: Australia 50%, China 50%' (origins of at least 0.5%, largest first)."""
    total = sum(parts.values())
    if total <= 0:
        return "-"
    items = sorted(parts.items(), key=lambda kv: -kv[1])
    shares = ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in items if v / total >= 0.005)
    return f"{_tonnes(total)}: {shares}"


def _table(parts_of) -> str:
    rows = []
    for m in MINERALS:
        cells = [_cell(parts_of(m, y)) for y in YEARS]
        rows.append(f"| {m.replace('_', ' ')} | {cells[0]} | {cells[1]} |")
    return "\n".join(rows)


def _purchases(src: pd.DataFrame, m: str, y: int, form: str, label) -> dict[str, float]:
    parts: dict[str, float] = {}
    rows = src[(src.year == y) & (src.mineral == m) & (src.form == form)]
    for country, channel, tonnes in rows[["country", "channel", "tonnes_t"]].itertuples(False):
        key = label(country, str(channel))
        parts[key] = parts.get(key, 0.0) + tonnes
    return parts


def main() -> None:
    if len(sys.argv) > 1:
        tables = read_plan_tables(sys.argv[1])
        src, proc = tables["sourcing"], tables["processing"]
    else:
        plan = solve(load_input(Path(__file__).resolve().parent / "india_2040.xlsx"))
        src, proc = plan.sourcing, plan.processing

    def refined(m: str, y: int) -> dict[str, float]:
        parts = _purchases(
            src, m, y, "refined", lambda c, ch: c + (" JV" if ch.startswith("project") else "")
        )
        rows = proc[(proc.year == y) & (proc.mineral == m)]
        for feed, output in rows[["feed", "output_t"]].itertuples(False):
            key = "home recycling" if feed == "scrap" else "home refining"
            parts[key] = parts.get(key, 0.0) + output
        return parts

    def concentrate(m: str, y: int) -> dict[str, float]:
        return _purchases(
            src,
            m,
            y,
            "concentrate",
            lambda c, ch: (
                c + (f" ({ch.removeprefix('project ')})" if ch.startswith("project") else "")
            ),
        )

    print(_table(refined))
    print()
    print(_table(concentrate))


if __name__ == "__main__":
    main()
