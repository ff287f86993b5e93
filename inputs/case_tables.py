"""Tables of inputs/README.md for the India case, version 2, as Markdown rows:

    .venv/bin/python inputs/case_tables.py demand        # demand 2030/2040 vs published projections
    .venv/bin/python inputs/case_tables.py calibration PLAN.xlsx   # modelled 2025 vs reported

`demand` rebuilds the demand from the drivers (no solve); `calibration` reads a base-case plan
workbook (from `planner solve inputs/india_2040.xlsx -o PLAN.xlsx`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from inputs.india.demand import demand_frame  # noqa: E402
from inputs.india.sources import Ledger, Raw  # noqa: E402
from planner.export.plan import read_plan_tables  # noqa: E402

MINERALS = ("lithium", "cobalt", "nickel", "graphite", "rare_earths", "copper", "bauxite")
UNITS = {
    "lithium": "t LCE",
    "cobalt": "t Co",
    "nickel": "t Ni",
    "graphite": "t natural graphite",
    "rare_earths": "t REO",
    "copper": "t Cu (refined)",
    "bauxite": "t bauxite-eq",
    "ndpr_oxide": "t NdPr oxide",
    "copper_total": "t Cu (all uses)",
    "aluminium": "t Al (all uses)",
    "battery_gwh": "GWh/yr",
    "graphite_other": "t",
}
# published projections compared with each model line
PROJECTION_LINES = {
    "battery_gwh": "battery_gwh",
    "lithium": "lithium",
    "cobalt": "cobalt",
    "nickel": "nickel",
    "graphite": "graphite",
    "rare_earths": "rare_earths",
    "rare_earths_ndfeb": "ndpr_oxide",
    "copper": "copper_total",
    "aluminium": "aluminium",
}


def _n(x: float) -> str:
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x:,.0f}"


def demand_table() -> str:
    frame = demand_frame(Raw(HERE / "data"), Ledger())
    totals = frame.groupby(["mineral", "scenario", "year"])["t"].sum()
    projections = pd.read_csv(HERE / "data" / "demand_projections.csv", keep_default_na=False)
    lines = [
        "| line | unit | 2025 | 2030 stated / pledges / accelerated | 2040 stated / pledges / "
        "accelerated | published (year: value, publisher) |",
        "|---|---|---|---|---|---|",
    ]
    order = [
        "battery_gwh",
        *MINERALS[:4],
        "ndpr_oxide",
        "rare_earths",
        "copper_total",
        "copper",
        "aluminium",
        "bauxite",
    ]
    for line in order:
        cells = []
        for year in (2030, 2040):
            cells.append(
                " / ".join(_n(totals[line, s, year]) for s in ("stated", "pledges", "accelerated"))
            )
        pubs = [
            f"{r.year}: {r.value} {r.unit.split('(')[0].strip()} ({r.publisher})"
            for r in projections.itertuples(index=False)
            if PROJECTION_LINES.get(r.mineral) == line
        ]
        lines.append(
            f"| {line} | {UNITS[line]} | {_n(totals[line, 'stated', 2025])} | {cells[0]} "
            f"| {cells[1]} | {'; '.join(pubs) or '-'} |"
        )
    return "\n".join(lines)


def calibration_table(plan_path: str) -> str:
    tables = read_plan_tables(plan_path)
    src = tables["sourcing"]
    proc = tables["processing"]
    cal = pd.read_csv(HERE / "data" / "calibration_2025.csv", keep_default_na=False)
    cal["v"] = pd.to_numeric(cal.value_model_unit, errors="coerce")
    lines = [
        "| mineral | modelled 2025: refined supply (top origins, refining basis) | "
        "reported: imports (top origins) + home production |",
        "|---|---|---|",
    ]
    for m in MINERALS:
        s = src[(src.year == 2025) & (src.mineral == m) & (src.form == "refined")]
        by = s.groupby("country").tonnes_t.sum()
        home = proc[(proc.year == 2025) & (proc.mineral == m)].output_t.sum()
        if home > 0:
            by.loc["India"] = by.get("India", 0.0) + home
        total = by.sum()
        top = (
            ", ".join(
                f"{c} {100 * v / total:.0f}%"
                for c, v in by.sort_values(ascending=False).head(3).items()
            )
            if total
            else "-"
        )
        rows = cal[(cal.mineral == m) & cal.v.notna() & (cal.v > 0)]
        imp = rows[(rows.flow == "imports") & (rows.partner == "World")]
        made = rows[(rows.flow == "production") & (rows.partner == "India")]
        partners = rows[(rows.flow == "imports") & (rows.partner != "World")]
        rep = "; ".join(f"{r.form} imports {_n(r.v)} ({r.period})" for r in imp.itertuples())
        rep += "; " + "; ".join(
            f"{r.form} production {_n(r.v)} ({r.period})" for r in made.itertuples()
        )
        if not partners.empty:
            rep += "; origins " + ", ".join(
                f"{r.partner} {_n(r.v)} ({r.form})" for r in partners.itertuples()
            )
        lines.append(f"| {m} | {_n(total)}: {top} | {rep} |")
    return "\n".join(lines)


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "demand"
    print(demand_table() if what == "demand" else calibration_table(sys.argv[2]))


if __name__ == "__main__":
    main()
