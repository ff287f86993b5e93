"""Validation: one test per class of bad input, each naming sheet, cell and what is wrong."""

from __future__ import annotations

import openpyxl
import pytest

from planner.problems import InputError
from planner.validate import load_input
from tests.builders import countries, demand, minerals, supply, write_workbook


def base_sheets() -> dict:
    return {
        "Minerals": minerals("lithium", "cobalt"),
        "Countries": countries(("Chile", 0.2), ("China", 0.6, "yes", 5)),
        "Demand": [
            demand("lithium", {2025: 100, 2030: 200}),
            demand("cobalt", {2025: 10, 2030: 20}),
        ],
        "Supply": [
            supply("Chile", "lithium", "refined", 1000, 10),
            supply("China", "cobalt", "refined", 1000, 30),
        ],
        "Projects": [
            {
                "project": "jv",
                "country": "Chile",
                "mineral": "lithium",
                "form": "refined",
                "capacity_t": 100,
                "capex_musd": 5,
                "min_stake": 0.2,
                "max_stake": 0.5,
                "earliest_year": 2026,
                "lead_time_years": 1,
                "life_years": 10,
                "funding": "F",
            }
        ],
        "Budgets": [
            {"funding": "F", "first_year": 2025, "last_year": 2030, "limit_inr_crore": 100}
        ],
        "Policy": [
            {
                "rule": "max_country_share",
                "mineral": "*",
                "country": "*",
                "first_year": 2026,
                "last_year": 2030,
                "value": 0.7,
            }
        ],
    }


SETTINGS = {"last_year": 2030}


def problems_of(tmp_path, sheets=None, settings=None, edit=None) -> list[str]:
    path = write_workbook(
        tmp_path / "in.xlsx", sheets or base_sheets(), {**SETTINGS, **(settings or {})}
    )
    if edit:
        wb = openpyxl.load_workbook(path)
        edit(wb)
        wb.save(path)
    with pytest.raises(InputError) as info:
        load_input(path)
    return [str(p) for p in info.value.problems]


def test_base_workbook_is_valid_and_typed(tmp_path):
    path = write_workbook(tmp_path / "in.xlsx", base_sheets(), SETTINGS)
    data = load_input(path)
    assert data.settings.last_year == 2030
    assert data.settings.demand_scenario == "base"
    li = data.demand[data.demand["mineral"] == "lithium"].set_index("year")["demand_t"]
    assert li[2027] == pytest.approx(140)
    assert bool(data.countries.set_index("country").at["China", "of_concern"]) is True
    assert len(data.source_sha256) == 64


def test_names_are_case_insensitive_and_trimmed(tmp_path):
    sheets = base_sheets()
    sheets["Supply"][0]["mineral"] = "  LITHIUM "
    sheets["Supply"][0]["country"] = "chile"
    path = write_workbook(tmp_path / "in.xlsx", sheets, SETTINGS)
    wb = openpyxl.load_workbook(path)
    ws = wb["Supply"]
    ws.title = "tmp"
    ws.title = " SUPPLY"
    ws["A1"] = " Country "
    wb.save(path)
    data = load_input(path)
    assert data.supply["mineral"].iloc[0] == "lithium"
    assert data.supply["country"].iloc[0] == "Chile"


def test_missing_sheet(tmp_path):
    sheets = base_sheets()
    del sheets["Supply"]
    assert any(
        p.startswith("Supply: sheet Supply is missing") for p in problems_of(tmp_path, sheets)
    )


def test_missing_column(tmp_path):
    sheets = base_sheets()
    for row in sheets["Supply"]:
        del row["price_usd_per_t"]
    assert (
        "Supply!1:1: column price_usd_per_t is missing; add a header cell named "
        "price_usd_per_t in row 1" in problems_of(tmp_path, sheets)
    )


def test_wrong_type(tmp_path):
    sheets = base_sheets()
    sheets["Supply"][1]["price_usd_per_t"] = "cheap"
    assert "Supply!F3: price_usd_per_t is 'cheap'; it must be a number (USD/t)" in problems_of(
        tmp_path, sheets
    )


def test_negative_number(tmp_path):
    sheets = base_sheets()
    sheets["Supply"][0]["price_usd_per_t"] = -3
    assert "Supply!F2: price_usd_per_t is -3; it must be 0 or more" in problems_of(tmp_path, sheets)


def test_out_of_range_score(tmp_path):
    sheets = base_sheets()
    sheets["Countries"][0]["risk_score"] = 1.5
    found = problems_of(tmp_path, sheets)
    assert any(
        p.startswith("Countries!B2: risk_score is 1.5; it must be between 0 and 1") for p in found
    )


def test_shares_outside_zero_one(tmp_path):
    sheets = base_sheets()
    sheets["Projects"][0]["max_stake"] = 50
    sheets["Policy"][0]["value"] = 70
    found = problems_of(tmp_path, sheets)
    assert any(
        p.startswith("Projects!H2: max_stake is 50; it must be between 0 and 1") for p in found
    )
    assert any(p.startswith("Policy!F2: value is 70; max_country_share is a share") for p in found)


def test_min_stake_above_max_stake(tmp_path):
    sheets = base_sheets()
    sheets["Projects"][0]["min_stake"] = 0.8
    assert "Projects!G2: min_stake 0.8 is more than max_stake 0.5" in problems_of(tmp_path, sheets)


def test_unknown_references(tmp_path):
    sheets = base_sheets()
    sheets["Supply"][0]["mineral"] = "lithum"
    sheets["Supply"][1]["country"] = "Atlantis"
    found = problems_of(tmp_path, sheets)
    assert any(p.startswith("Supply!B2: mineral 'lithum' is not a known mineral") for p in found)
    assert any(p.startswith("Supply!A3: country 'Atlantis' is not a known country") for p in found)


def test_duplicate_keys(tmp_path):
    sheets = base_sheets()
    sheets["Supply"].append(supply("CHILE", "Lithium", "refined", 5, 5))
    assert (
        "Supply!A4: duplicate country, mineral, form CHILE, Lithium, refined (already in "
        "row 2); keep one row" in problems_of(tmp_path, sheets)
    )


def test_years_outside_horizon(tmp_path):
    sheets = base_sheets()
    sheets["Budgets"][0]["last_year"] = 2035
    sheets["Projects"][0]["earliest_year"] = 2031
    found = problems_of(tmp_path, sheets)
    assert "Budgets!C2: last_year 2035 is outside the plan's horizon 2025-2030" in found
    assert "Projects!I2: earliest_year 2031 is after the plan's last_year 2030" in found


def test_first_year_after_last_year(tmp_path):
    assert "Settings!B4: first_year 2031 is after last_year 2030" in problems_of(
        tmp_path, settings={"first_year": 2031}
    )
    sheets = base_sheets()
    sheets["Policy"][0]["first_year"] = 2029
    sheets["Policy"][0]["last_year"] = 2027
    assert "Policy!D2: first_year 2029 is after last_year 2027" in problems_of(tmp_path, sheets)


def test_blank_required_cells(tmp_path):
    sheets = base_sheets()
    sheets["Supply"][0]["available_t"] = None
    found = problems_of(tmp_path, sheets, settings={"inr_per_usd": None})
    assert "Supply!D2: available_t is blank; a value is required (t/yr)" in found
    assert "Settings!B7: inr_per_usd is blank; a value is required" in found


def test_formula_without_cached_value(tmp_path):
    def edit(wb):
        wb["Supply"]["F2"] = "=2*5"

    assert (
        "Supply!F2: formula with no cached value; open and save the workbook in Excel or "
        "LibreOffice, or type the value" in problems_of(tmp_path, edit=edit)
    )


def test_newer_schema_version_is_refused(tmp_path):
    found = problems_of(tmp_path, settings={"schema_version": 3, "inr_per_usd": None})
    assert found == [
        "Settings!B2: schema_version is 3; this program reads workbooks up to "
        "version 2: update the planner"
    ]


def test_bad_choice(tmp_path):
    sheets = base_sheets()
    sheets["Supply"][0]["form"] = "ore"
    assert "Supply!C2: form is 'ore'; it must be one of concentrate, refined" in problems_of(
        tmp_path, sheets
    )


def test_unknown_demand_scenario(tmp_path):
    found = problems_of(tmp_path, settings={"demand_scenario": "net_zero"})
    assert any(p.startswith("Settings!B11: demand_scenario 'net_zero' has no rows") for p in found)


def test_every_problem_is_listed_at_once_in_workbook_order(tmp_path):
    sheets = base_sheets()
    sheets["Countries"][1]["risk_score"] = -1
    sheets["Supply"][0]["price_usd_per_t"] = "n/a"
    sheets["Supply"][1]["mineral"] = "tin"
    sheets["Projects"][0]["life_years"] = 0
    found = problems_of(tmp_path, sheets)
    assert len(found) == 4
    assert [p.split("!")[0] for p in found] == ["Countries", "Supply", "Supply", "Projects"]


def test_not_a_workbook(tmp_path):
    path = tmp_path / "in.xlsx"
    path.write_text("not a zip")
    with pytest.raises(InputError) as info:
        load_input(path)
    assert "cannot be read as an .xlsx workbook" in str(info.value)


def test_unknown_settings_columns_and_sheets_are_warnings_not_errors(tmp_path):
    sheets = base_sheets()
    sheets["Supply"][0]["comment"] = "checked with the desk"
    sheets["Notes"] = [{"text": "scratch"}]
    path = write_workbook(tmp_path / "in.xlsx", sheets, {**SETTINGS, "risk_wieght": 0.5})
    data = load_input(path)
    assert data.settings.risk_weight == 0.0
    joined = "\n".join(data.warnings)
    assert "Settings!A11: setting 'risk_wieght' is unknown and ignored" in joined
    assert "Supply!I1: column 'comment' is not part of the workbook contract" in joined
    assert "notes: sheet is not part of the workbook contract" in joined
