"""Validation: one test per class of bad input, each naming sheet, cell and what is wrong."""

from __future__ import annotations

import openpyxl
import pytest

from planner.io.problems import InputError
from planner.io.validate import load_input
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
    found = problems_of(tmp_path, settings={"schema_version": 5, "inr_per_usd": None})
    assert found == [
        "Settings!B2: schema_version is 5; this program reads workbooks up to "
        "version 4: update the planner"
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
    assert "is not an .xlsx workbook (an .xlsx file is a zip archive)" in str(info.value)


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


# --- Disruptions (schema version 2) ----------------------------------------------------------


def disruption(scenario="ban", probability=0.1, **extra) -> dict:
    return {
        "scenario": scenario,
        "probability": probability,
        "country": "China",
        "mineral": "cobalt",
        "form": "*",
        "first_year": 2027,
        "last_year": 2028,
        "supply_cut_pct": 50,
        "price_shock_pct": 20,
        **extra,
    }


def test_disruptions_are_read_with_probabilities_filled_in(tmp_path):
    sheets = base_sheets()
    sheets["Disruptions"] = [
        disruption("Ban", 0.2),
        disruption("ban", None, mineral="*", last_year=None),
        disruption("quota", 0.1, country="*", form="refined", price_shock_pct=None),
    ]
    path = write_workbook(tmp_path / "in.xlsx", sheets, {**SETTINGS, "schema_version": 2})
    data = load_input(path)
    d = data.disruptions
    assert list(d["scenario"]) == ["Ban", "Ban", "quota"]  # one spelling per scenario
    assert list(d["probability"]) == [0.2, 0.2, 0.1]
    assert list(d["last_year"]) == [2028, 2030, 2028]  # blank = the plan's last year
    assert list(d["price_shock_pct"]) == [20, 20, 0]
    assert data.warnings == []


def test_version_1_workbook_loads_unchanged_and_a_disruptions_sheet_is_flagged(tmp_path):
    path = write_workbook(tmp_path / "v1.xlsx", base_sheets(), SETTINGS)
    data = load_input(path)
    assert data.settings.schema_version == 1 and data.disruptions.empty
    assert data.settings.mode == "deterministic"
    sheets = base_sheets()
    sheets["Disruptions"] = [disruption()]
    data = load_input(write_workbook(tmp_path / "v1d.xlsx", sheets, SETTINGS))
    assert len(data.disruptions) == 1
    assert any("belongs to schema version 2" in w for w in data.warnings)


def test_disruption_problems_are_all_listed_with_their_cells(tmp_path):
    sheets = base_sheets()
    sheets["Disruptions"] = [
        disruption("a", 0.7),
        disruption("a", 0.6, last_year=2029),  # row 3: another probability for a
        disruption("b", 0.5, country="Atlantis"),  # row 4: unknown country; sum 1.2 > 1
        disruption("c", None, mineral="unobtainium"),  # row 5: no probability, unknown mineral
        disruption("d", 0.0, first_year=2029, last_year=2027),  # row 6
        disruption("e", 0.0, first_year=2035, last_year=2036),  # row 7: after the horizon
        disruption("Undisrupted", 0.0),  # row 8: reserved name
        disruption("f", 1.5, supply_cut_pct=120, form="ore"),  # row 9: bad values
    ]
    found = problems_of(tmp_path, sheets, {"schema_version": 2})
    assert found == [
        "Disruptions!B:B: the scenarios' probabilities sum to 1.2; they must sum to at most 1 "
        "(the undisrupted case has the rest)",
        "Disruptions!B3: probability 0.6 differs from 0.7 given for scenario 'a' at B2; a "
        "scenario has one probability",
        "Disruptions!C4: country 'Atlantis' is not a known country (see sheet Countries); "
        "known: Chile, China, Home",
        "Disruptions!B5: scenario 'c' has no probability on any of its rows; give it once",
        "Disruptions!D5: mineral 'unobtainium' is not a known mineral (see sheet Minerals); "
        "known: cobalt, lithium",
        "Disruptions!F6: first_year 2029 is after last_year 2027",
        "Disruptions!F7: the event (2035-2036) lies outside the plan's horizon 2025-2030",
        "Disruptions!A8: scenario name 'Undisrupted' is reserved for the case without "
        "disruption; choose another name",
        "Disruptions!B9: probability is 1.5; it must be between 0 and 1 (a fraction: 0.1 "
        "means 10%)",
        "Disruptions!E9: form is 'ore'; it must be one of concentrate, refined, *",
        "Disruptions!H9: supply_cut_pct is 120; it must be between 0 and 100",
    ]


def test_stochastic_mode_needs_scenarios(tmp_path):
    found = problems_of(tmp_path, settings={"schema_version": 2, "mode": "stochastic"})
    assert found == [
        "Settings!B11: mode is stochastic but sheet Disruptions has no scenario; add scenarios "
        "or set mode to deterministic"
    ]


def test_bad_stochastic_settings(tmp_path):
    found = problems_of(
        tmp_path,
        settings={"schema_version": 2, "mode": "robust", "cvar_alpha": 1, "cvar_weight": -1},
    )
    assert found == [
        "Settings!B11: mode is 'robust'; it must be one of deterministic, stochastic",
        "Settings!B12: cvar_alpha is 1; it must be between 0 and 0.999 (a fraction: 0.1 means 10%)",
        "Settings!B13: cvar_weight is -1; it must be 0 or more",
    ]


# --- schema version 3: mine origins, policy basis, concentration settings ----------------


def test_mine_origins_are_read_and_a_version_2_workbook_is_flagged(tmp_path):
    sheets = base_sheets()
    sheets["Countries"] = countries(("Chile", 0.2), ("China", 0.6, "yes", 5), ("Congo", 0.9))
    sheets["MineOrigins"] = [
        {"country": "china", "mineral": "Cobalt", "mine_country": "CONGO", "share": 0.8},
        {"country": "China", "mineral": "cobalt", "mine_country": "China", "share": 0.2},
    ]
    data = load_input(
        write_workbook(tmp_path / "v3.xlsx", sheets, {**SETTINGS, "schema_version": 3})
    )
    rows = data.mine_origins[["country", "mineral", "mine_country", "share"]]
    assert rows.values.tolist() == [
        ["China", "cobalt", "Congo", 0.8],
        ["China", "cobalt", "China", 0.2],
    ]
    assert data.warnings == []
    data = load_input(
        write_workbook(tmp_path / "v2.xlsx", sheets, {**SETTINGS, "schema_version": 2})
    )
    assert any("belongs to schema version 3" in w for w in data.warnings)


def test_mine_origin_problems_are_all_listed_with_their_cells(tmp_path):
    sheets = base_sheets()
    sheets["MineOrigins"] = [
        {"country": "China", "mineral": "cobalt", "mine_country": "Congo", "share": 0.7},  # row 2
        {"country": "China", "mineral": "cobalt", "mine_country": "China", "share": 0.2},  # row 3
        {"country": "Chile", "mineral": "lithium", "mine_country": "Chile", "share": 1.5},  # row 4
        {"country": "Chile", "mineral": "lithium", "mine_country": "Chile", "share": 0.5},  # row 5
    ]
    sheets["Policy"][0]["basis"] = "mined"
    sheets["Policy"].append(
        {"rule": "min_stock_days", "mineral": "*", "country": "*", "value": 30, "basis": "mine"}
    )
    found = problems_of(tmp_path, sheets, {"schema_version": 3})
    assert found == [
        "Policy!G2: basis is 'mined'; it must be one of refining, mine",
        "Policy!G3: basis mine applies to share rules only; min_stock_days has no origin",
        "MineOrigins!C2: mine_country 'Congo' is not a known country (see sheet Countries); "
        "known: Chile, China, Home",
        "MineOrigins!D2: the shares of China cobalt (rows 2, 3) sum to 0.9; they must sum to 1",
        "MineOrigins!D4: share is 1.5; it must be between 0 and 1 (a fraction: 0.1 means 10%)",
        "MineOrigins!A5: duplicate country, mineral, mine_country Chile, lithium, Chile "
        "(already in row 4); keep one row",
    ]


def test_a_concentration_cap_of_zero_is_refused_in_stochastic_mode(tmp_path):
    found = problems_of(
        tmp_path,
        base_sheets(),
        {"schema_version": 3, "mode": "stochastic", "concentration_cap_musd": 0},
    )
    assert found[-1] == (
        "Settings!B12: concentration_cap_musd is not supported in stochastic mode yet; leave "
        "it blank, or use mode deterministic"
    )


def test_concentration_is_refused_in_stochastic_mode(tmp_path):
    sheets = base_sheets()
    found = problems_of(
        tmp_path,
        sheets,
        {"schema_version": 3, "mode": "stochastic", "concentration_weight": 0.5},
    )
    assert found[-1] == (
        "Settings!B12: concentration_weight is not supported in stochastic mode yet; set it "
        "to 0, or use mode deterministic"
    )


def test_budget_capex_share_is_checked_and_a_version_3_workbook_is_flagged(tmp_path):
    sheets = base_sheets()
    sheets["Budgets"][0]["capex_share_pct"] = 20
    data = load_input(
        write_workbook(tmp_path / "v4.xlsx", sheets, {**SETTINGS, "schema_version": 4})
    )
    assert data.budgets["capex_share_pct"].tolist() == [20.0]
    assert data.warnings == []
    data = load_input(
        write_workbook(tmp_path / "v3.xlsx", sheets, {**SETTINGS, "schema_version": 3})
    )
    assert any("Budgets!E1" in w and "belongs to schema version 4" in w for w in data.warnings)
    sheets["Budgets"][0]["capex_share_pct"] = 120
    found = problems_of(tmp_path, sheets, {"schema_version": 4})
    assert any(p.startswith("Budgets!E2") and "100" in p for p in found), found
