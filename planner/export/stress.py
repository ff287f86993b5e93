"""The stress workbook: Summary, Scenarios, Stress and a Chart sheet, written atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.analysis.stress import StressResult
from planner.export.plan import ChartBlock, write_report


def write_stress(result: StressResult, path: str | Path) -> Path:
    """The stress workbook: Summary, Scenarios (totals), Stress (per scenario, mineral and
    year) and a Chart sheet with shortfall and extra cost by scenario and year; atomic."""
    detail = result.detail
    by_year = detail.groupby(["year", "scenario"], sort=False)[
        ["shortfall_t", "extra_cost_musd"]
    ].sum()
    order = list(dict.fromkeys(detail["scenario"]))

    def pivot(column: str) -> pd.DataFrame:
        table = by_year[column].unstack("scenario")[order].sort_index()
        table.index = table.index.astype(int)
        table.index.name = "year"
        return table

    charts = [
        ChartBlock("Shortfall by scenario (t, all minerals)", pivot("shortfall_t"), "tonnes"),
        ChartBlock(
            "Extra cost by scenario (million USD of the year)",
            pivot("extra_cost_musd"),
            "million USD",
        ),
    ]
    tables = {"Scenarios": result.scenarios, "Stress": result.detail}
    return write_report(path, result.summary, result.notes, tables, charts)
