"""The teaching example: 2 minerals, 4 countries, 2 projects, a refinery and a recycler.

Run `python examples/teaching_workbook.py` to (re)write examples/teaching.xlsx, then
`planner solve examples/teaching.xlsx`. examples/README.md walks through the optimal plan.
All figures are illustrative round numbers, not data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl

from planner.io.atomic import write_atomically
from planner.io.schema import column_names

SETTINGS = [
    ("schema_version", 1, "workbook contract version"),
    ("home_country", "India", "the planning country"),
    ("first_year", 2025, ""),
    ("last_year", 2030, ""),
    ("discount_rate", 0.08, "8% real per year"),
    ("inr_per_usd", 85, "INR per USD"),
    ("risk_weight", 0, "pure cost"),
    ("demand_scenario", "base", ""),
    ("mip_gap", 0.0001, "0.01%"),
    ("time_limit_s", 60, "seconds"),
]

TABLES: dict[str, list[list]] = {
    "Minerals": [
        ["mineral", "unit", "shortfall_penalty_usd_per_t", "stock_holding_cost_pct"],
        ["lithium", "t LCE", 100_000, 10],
        ["cobalt", "t Co", 150_000, 10],
    ],
    "Countries": [
        ["country", "risk_score", "of_concern", "partner", "tariff_pct"],
        ["Australia", 0.1, "no", "yes", 0],
        ["Chile", 0.3, "no", "yes", 0],
        ["China", 0.6, "yes", "no", 5],
        ["DR Congo", 0.9, "no", "no", 0],
        ["India", 0.4, "no", "no", 0],
    ],
    "Demand": [
        ["mineral", "scenario", 2025, 2030],
        ["lithium", "base", 4_000, 12_000],
        ["cobalt", "base", 1_000, 2_000],
    ],
    "Supply": [
        column_names("Supply"),
        ["China", "lithium", "refined", 10_000, 5, 11_000, 0, 300],
        ["Chile", "lithium", "refined", 3_000, 5, 12_500, 0, 600],
        ["Australia", "lithium", "concentrate", 8_000, 5, 6_000, 0, 400],
        ["China", "cobalt", "refined", 2_000, 0, 30_000, 0, 300],
        ["DR Congo", "cobalt", "concentrate", 3_000, 0, 18_000, 0, 900],
        ["Australia", "cobalt", "refined", 300, 0, 34_000, 0, 500],
    ],
    "Projects": [
        column_names("Projects"),
        [
            "Chile lithium JV",
            "Chile",
            "lithium",
            "refined",
            10_000,
            300,
            5,
            6_000,
            0.2,
            0.5,
            2025,
            2,
            20,
            "govt",
        ],
        [
            "DRC cobalt JV",
            "DR Congo",
            "cobalt",
            "concentrate",
            4_000,
            200,
            4,
            9_000,
            0.25,
            0.5,
            2025,
            2,
            15,
            "govt",
        ],
    ],
    "Processing": [
        column_names("Processing"),
        [
            "li_refinery",
            "lithium",
            "concentrate",
            2_000,
            0.9,
            40,
            1,
            1_500,
            0,
            4,
            2025,
            1,
            20,
            "govt",
        ],
        ["co_recycler", "cobalt", "scrap", 200, 0.9, 6, 0.2, 4_000, 0, 3, 2025, 1, 15, "recycling"],
    ],
    "Scrap": [
        ["mineral", 2025, 2030],
        ["cobalt", 100, 500],
    ],
    "Budgets": [
        ["funding", "first_year", "last_year", "limit_inr_crore"],
        ["govt", 2025, 2030, 1_500],
        ["recycling", 2025, 2030, 100],
    ],
    "Policy": [
        ["rule", "mineral", "country", "first_year", "last_year", "value"],
        ["max_country_share", "*", "*", 2027, 2030, 0.6],
        ["min_stock_days", "cobalt", "*", 2026, 2030, 30],
    ],
    "Sources": [
        ["sheet", "field", "value", "source", "year", "url_or_reference"],
        ["*", "*", "", "assumption: illustrative round numbers for teaching", 2026, ""],
    ],
}


def build() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Settings"
    ws.append(["key", "value", "note"])
    for row in SETTINGS:
        ws.append(list(row))
    for name, rows in TABLES.items():
        sheet = wb.create_sheet(name)
        for row in rows:
            sheet.append(row)
    return wb


def write(path: str | Path) -> Path:
    return write_atomically(path, lambda tmp: build().save(tmp))


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("teaching.xlsx")
    print(f"wrote {write(target)}")
