"""Build `inputs/india_2040.xlsx`: the cited India 2040 case (input schema version 4).

Run from the repository root:

    .venv/bin/python inputs/build_india_2040.py

Every figure comes from a CSV in `inputs/data/` with a source column: the raw data copied from
the project (USGS, World Bank, India's budget, trade and project facts, real disruptions) and
the case's own tables (demand drivers, exports and export restrictions, 2025 calibration,
plants, project stages and lead times, budgets, policy, constants). An assumption is a row
marked `assumption = yes` with its reasoning. The modules in `inputs/india/` only read, derive
and write; each figure is recorded on the workbook's `Sources` sheet. The output is
deterministic: the same data give the same workbook.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from inputs.india import assets, countries, demand, disruptions, money, origins, prices, supply  # noqa: E402
from inputs.india.sources import Ledger, Raw  # noqa: E402
from inputs.india.workbook import write_workbook  # noqa: E402
from planner.io.schema import column_names  # noqa: E402

DATA = HERE / "data"
OUT = HERE / "india_2040.xlsx"


def build(data: Path = DATA, out: Path = OUT) -> dict[str, list[dict]]:
    raw = Raw(data)
    led = Ledger()
    settings = money.settings_sheet(raw, led)
    country_rows = countries.countries_sheet(raw, led)
    tariffs = {r["country"]: r["tariff_pct"] for r in country_rows}
    demand_rows, _ = demand.demand_sheet(raw, led)
    supply_rows = supply.supply_sheet(raw, led)
    projects = assets.projects_sheet(raw, led, column_names("Projects"))
    sheets = {
        "Settings": settings,
        "Minerals": prices.minerals_sheet(raw, supply_rows, tariffs, led),
        "Countries": country_rows,
        "Demand": demand_rows,
        "Supply": supply_rows,
        "Projects": projects,
        "Processing": assets.processing_sheet(raw, led, column_names("Processing")),
        "Scrap": demand.scrap_sheet(raw, demand_rows, led),
        "Budgets": money.budgets_sheet(raw, led),
        "Policy": money.policy_sheet(raw, led),
        "Disruptions": disruptions.disruptions_sheet(raw, led, column_names("Disruptions")),
        "MineOrigins": origins.mine_origins_sheet(raw, supply_rows, led),
    }
    disruptions.check_disruptions(sheets["Disruptions"], supply_rows, projects)
    sheets["Sources"] = led.rows
    write_workbook(sheets, out)
    return sheets


def main() -> None:
    sheets = build()
    counts = ", ".join(f"{name} {len(rows)}" for name, rows in sheets.items())
    print(f"wrote {OUT.relative_to(HERE.parent)}: {counts}")


if __name__ == "__main__":
    main()
