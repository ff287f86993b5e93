"""The India case's data: the builder reads cited CSVs only, and the workbook it writes keeps
the rules of version 2 of the case (real routes, 2025 calibration, budgets as they are,
project timelines by stage)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from planner.api import load_input

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "inputs" / "data"
INDIA = ROOT / "inputs" / "india_2040.xlsx"
# the copies of the project's raw data carry their own provenance columns
RAW_COPIES = {"world_production", "prices", "countries", "countries_add", "india", "disruptions"}


@pytest.fixture(scope="module")
def data():
    return load_input(INDIA)


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    """The workbook rebuilt from inputs/data into a temporary folder."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", ROOT / "inputs" / "build_india_2040.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("india") / "india_2040.xlsx"
    module.build(DATA, out)
    return out


def test_the_committed_workbook_is_what_the_builder_writes_from_the_csvs(rebuilt):
    assert rebuilt.read_bytes() == INDIA.read_bytes(), (
        "inputs/india_2040.xlsx is stale: run .venv/bin/python inputs/build_india_2040.py"
    )


def test_every_case_table_cites_a_source_and_marks_its_assumptions():
    for path in sorted(DATA.glob("*.csv")):
        if path.stem in RAW_COPIES:
            continue
        table = pd.read_csv(path, keep_default_na=False)
        cited = "source" in table.columns or "why" in table.columns
        assert cited, f"{path.name} has no source column"
        if "assumption" in table.columns:
            marks = set(table["assumption"].astype(str).str.lower()) - {""}
            assert marks <= {"yes", "no"}, (path.name, marks)
        column = "source" if "source" in table.columns else "why"
        blank = table[table[column].astype(str).str.strip() == ""]
        if "india_item" in table.columns:  # the figure is cited through india.csv
            blank = blank[blank["india_item"].astype(str).str.strip() == ""]
        if "url" in table.columns:
            blank = blank[blank["url"].astype(str).str.strip() == ""]
        assert blank.empty, f"{path.name}: rows without a source: {blank.index.tolist()}"


def test_no_mine_output_counted_as_both_concentrate_and_refined():
    """Where a country refines its own ore, concentrate + refined exports stay within its mine
    output (USGS, in the model's unit)."""
    exports = pd.read_csv(DATA / "exports.csv", keep_default_na=False)
    world = pd.read_csv(DATA / "world_production.csv", dtype={"year": str})
    for country, usgs, mineral, factor in (
        ("Chile", "Chile", "copper", 1000.0),
        ("Peru", "Peru", "copper", 1000.0),
        ("Australia", "Australia", "lithium", 5.323),
    ):
        rows = exports[(exports.country == country) & (exports.mineral == mineral)]
        total = pd.to_numeric(rows.exports_model_t).sum()
        mine = world[(world.mineral == mineral) & (world.stage == "mine") & (world.country == usgs)]
        most = pd.to_numeric(mine.value).max() * factor
        assert total <= 1.05 * most, (country, mineral, total, most)


def test_supply_follows_exports_restrictions_and_contract_share(data):
    """available_t = exports x the factor of the measures in force x contract share, or the
    2025 imports when India already buys more there; no route where exports are nil."""
    supply = data.supply.set_index(["country", "mineral", "form"])
    assert ("Myanmar", "rare_earths", "concentrate") not in supply.index  # overland to China
    assert ("Indonesia", "copper", "concentrate") not in supply.index  # export stop 2025
    assert ("India", "graphite", "concentrate") not in supply.index  # flake goes to refractories
    exports = pd.read_csv(DATA / "exports.csv", keep_default_na=False)
    share = pd.read_csv(DATA / "mineral_specs.csv").set_index("mineral")["contract_share"]
    flake = exports[
        (exports.country == "China")
        & (exports.mineral == "graphite")
        & (exports.form == "concentrate")
    ]
    expected = float(flake.exports_model_t.iloc[0]) * 0.7 * share["graphite"]
    got = supply.loc[("China", "graphite", "concentrate"), "available_t"]
    assert got == pytest.approx(expected, rel=5e-3)


def test_existing_plants_enter_at_their_real_output(data):
    plants = pd.read_csv(DATA / "domestic_plants.csv", keep_default_na=False)
    tech = data.processing.set_index("technology")
    for name, group in plants[plants.status == "operating"].groupby("technology"):
        output = pd.to_numeric(group.output_t, errors="coerce").fillna(0).sum()
        if name not in tech.index.str.replace("_existing", "") or output == 0:
            continue
        row = tech.loc[f"{name}_existing"]
        assert int(row["existing_modules"]) == 1
        assert row["module_t"] == pytest.approx(output, rel=5e-3)
    # no nameplate capacity of an idle or closed plant is online
    new_build = tech[~tech.index.str.contains("_")]
    assert (new_build["existing_modules"] == 0).all()
    assert "ni_refinery_existing" not in tech.index  # Nicomet is idle
    assert "co_refinery_existing" not in tech.index


def test_projects_produce_no_earlier_than_their_stage_allows(data):
    stages = pd.read_csv(DATA / "project_stages.csv", keep_default_na=False).set_index("project")
    leads = pd.read_csv(DATA / "stage_lead_times.csv", keep_default_na=False).set_index("stage")
    for p in data.projects.itertuples():
        stage = stages.loc[p.project]
        years = math.ceil(float(leads.loc[stage.stage, "min_years_to_first_output"]))
        first_output = int(p.earliest_year) + int(p.lead_time_years)
        assert first_output >= int(str(stage.stage_as_of)[:4]) + years, p.project


def test_budgets_pay_only_for_what_they_are_for(data):
    budgets = data.budgets
    assert "NCMM_govt" not in set(budgets["funding"])  # exploration, R&D: no plant capital
    recycling = budgets[budgets["funding"] == "recycling_scheme"].iloc[0]
    assert recycling["limit_inr_crore"] == 1500 and recycling["capex_share_pct"] == 20
    psu = budgets[budgets["funding"] == "PSU_investment"]
    assert psu["first_year"].min() == 2025 and psu["last_year"].max() == 2040  # after 2031 too
    funded = set(data.processing["funding"]) - {""}
    assert funded == {"recycling_scheme"}  # refineries and smelters draw on no mission budget


def test_the_knee_is_the_point_farthest_from_the_chord():
    """Cost rises slowly until w = 0.1, then steeply while K barely falls: the knee is 0.1."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("knee", ROOT / "inputs" / "concentration_knee.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    points = [(0.0, 100.0, 50.0), (0.05, 101.0, 30.0), (0.1, 102.0, 20.0), (1.0, 150.0, 18.0)]
    assert module.knee(points) == 0.1
    assert module.knee([(0.0, 0.0, 1.0), (1.0, 1.0, 0.0)]) == 0.0  # a straight line: the first
