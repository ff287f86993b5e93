"""Write small input workbooks for tests from plain Python records."""

from __future__ import annotations

from pathlib import Path

import openpyxl

BASE_SETTINGS = {
    "schema_version": 1,
    "home_country": "Home",
    "first_year": 2025,
    "last_year": 2025,
    "discount_rate": 0.0,
    "inr_per_usd": 100.0,
    "risk_weight": 0.0,
    "mip_gap": 0.0,
    "time_limit_s": 60,
}


def write_workbook(
    path: Path,
    sheets: dict[str, list[dict] | dict],
    settings: dict | None = None,
) -> Path:
    """sheets: name -> list of row dicts (header = union of keys, in first-seen order).

    Settings come from BASE_SETTINGS updated with `settings`.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet("Settings")
    ws.append(["key", "value", "note"])
    for key, value in {**BASE_SETTINGS, **(settings or {})}.items():
        ws.append([key, value, ""])
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        header: list = []
        for row in rows:
            for key in row:
                if key not in header:
                    header.append(key)
        ws.append(header)
        for row in rows:
            ws.append([row.get(key) for key in header])
    wb.save(path)
    return path


def minerals(*names: str, penalty: float = 1e6, holding_pct: float = 0.0) -> list[dict]:
    return [
        {
            "mineral": n,
            "unit": "t",
            "shortfall_penalty_usd_per_t": penalty,
            "stock_holding_cost_pct": holding_pct,
        }
        for n in names
    ]


def countries(*rows: tuple) -> list[dict]:
    """rows of (country, risk_score[, of_concern[, tariff_pct]])."""
    out = []
    for row in rows:
        rec = {
            "country": row[0],
            "risk_score": row[1],
            "of_concern": "no",
            "partner": "no",
            "tariff_pct": 0,
        }
        if len(row) > 2:
            rec["of_concern"] = row[2]
        if len(row) > 3:
            rec["tariff_pct"] = row[3]
        out.append(rec)
    return out


def demand(mineral: str, values: dict[int, float], scenario: str = "base") -> dict:
    return {"mineral": mineral, "scenario": scenario, **values}


def supply(country: str, mineral: str, form: str, available: float, price: float, **extra) -> dict:
    return {
        "country": country,
        "mineral": mineral,
        "form": form,
        "available_t": available,
        "growth_pct": 0,
        "price_usd_per_t": price,
        "price_growth_pct": 0,
        "freight_usd_per_t": 0,
        **extra,
    }
