"""Named scenarios (the Scenarios sheet, solve --scenario) and plans compared side by side."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.analysis.compare import compare
from planner.analysis.scenarios import BASELINE, pick, read_scenarios
from planner.api import load_input, solve
from planner.cli import app
from planner.export.plan import read_plan
from planner.io.problems import InputError
from tests.builders import countries, demand, minerals, supply, write_workbook

HALVES = "China cut"
CHINA_LI = "Supply[country=China,mineral=li].available_t"


def _case(tmp_path, scenario_rows):
    """Demand 100 t of li in 2025. China sells 1,000 t at 1,000 USD/t, Chile 1,000 t at
    1,200 USD/t (no freight, no tariff, one year: no discounting)."""
    return write_workbook(
        tmp_path / "case.xlsx",
        {
            "Minerals": minerals("li"),
            "Countries": countries(("China", 0.5, "yes"), ("Chile", 0.1)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": [
                supply("China", "li", "refined", 1000, 1000),
                supply("Chile", "li", "refined", 1000, 1200),
            ],
            "Scenarios": scenario_rows,
        },
        {"schema_version": 3},
    )


GOOD = [
    {"scenario": HALVES, "parameter": CHINA_LI, "operation": "scale", "value": 0.04, "note": ""},
    {"scenario": "careful", "parameter": "Settings.risk_weight", "operation": "set", "value": 0},
]


def test_a_scenario_moves_supply_and_the_comparison_says_by_how_much(tmp_path):
    """Baseline: all 100 t from China, 0.100 MUSD. China cut to 4% of 1,000 t = 40 t: 40 t
    from China and 60 t from Chile, 40 x 1,000 + 60 x 1,200 = 112,000 USD = 0.112 MUSD, so
    cost rises by 0.012 MUSD (12%). On the refining basis China's share falls from 100% to
    40% (-60 points) and Chile's rises from 0 to 60%; the mine basis (no MineOrigins: each
    country mines what it refines) says the same."""
    path = _case(tmp_path, GOOD)
    data = load_input(path)
    scenarios = read_scenarios(path, data)
    assert list(scenarios) == [BASELINE, HALVES, "careful"]
    plans = {s.name: solve(s.apply(data)) for s in pick(scenarios, HALVES)}
    result = compare(plans)
    head = result.headline.set_index("plan")
    cost = "cost discounted (million USD)"
    assert head.loc[BASELINE, cost] == pytest.approx(0.100, rel=1e-9)
    assert head.loc[HALVES, cost] == pytest.approx(0.112, rel=1e-9)
    assert head.loc[HALVES, f"change of {cost}"] == pytest.approx(0.012, rel=1e-9)
    assert head.loc[HALVES, "cost change (%)"] == pytest.approx(12.0, rel=1e-9)
    assert not head.loc[HALVES, "cost change within the MIP gaps"]  # both solved to gap 0
    moves = result.origins.set_index(["basis", "origin"])
    for basis in ("refining", "mine"):
        assert moves.loc[(basis, "China"), "change"] == pytest.approx(-0.6, abs=1e-9)
        assert moves.loc[(basis, "Chile"), "share"] == pytest.approx(0.6, abs=1e-9)
    assert abs(result.origins["change"]).is_monotonic_decreasing
    assert result.projects.empty  # no projects in either plan


def test_bad_scenario_rows_are_all_listed_with_their_cells(tmp_path):
    rows = [
        {
            "scenario": "x",
            "parameter": "Supply[country=Peru].available_t",
            "operation": "scale",
            "value": 0.5,
        },
        {"scenario": "y", "parameter": CHINA_LI, "operation": "double", "value": 2},
        {"scenario": "z", "parameter": CHINA_LI, "operation": "set", "value": "lots"},
        {"scenario": "baseline", "parameter": CHINA_LI, "operation": "set", "value": 1},
        {"scenario": "w", "parameter": CHINA_LI, "operation": "set", "value": -5},
    ]
    path = _case(tmp_path, rows)
    with pytest.raises(InputError) as info:
        read_scenarios(path, load_input(path))
    cells = [p.cell for p in info.value.problems]
    assert cells == ["B2", "C3", "D4", "A5", "D6"]
    assert all(p.sheet == "Scenarios" for p in info.value.problems)
    result = CliRunner().invoke(app, ["solve", str(path), "--scenario", "x"])
    assert result.exit_code == 2 and "Scenarios!B2" in result.output
    assert not (tmp_path / "case_x_plan.xlsx").exists()


def test_solve_a_named_scenario_and_an_unknown_one(tmp_path):
    path = _case(tmp_path, GOOD)
    runner = CliRunner()
    done = runner.invoke(app, ["solve", str(path), "--scenario", "china CUT"])
    assert done.exit_code == 0, done.output
    plan = read_plan(tmp_path / "case_china_cut_plan.xlsx")
    assert plan.summary["scenario"] == HALVES
    assert plan.summary["total_cost_discounted_musd"] == pytest.approx(0.112, rel=1e-9)
    done = runner.invoke(app, ["solve", str(path), "--scenario", "nope"])
    assert done.exit_code == 2 and "no scenario named nope" in " ".join(done.output.split())


def test_cli_compare_scenarios_all_and_plan_files(tmp_path):
    path = _case(tmp_path, GOOD)
    out = tmp_path / "cmp.xlsx"
    runner = CliRunner()
    done = runner.invoke(app, ["compare", str(path), "--scenarios", "all", "-o", str(out)])
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(out)
    assert {"Summary", "Headline", "Origins", "Projects", "Budgets"} <= set(book.sheetnames)
    head = pd.read_excel(out, sheet_name="Headline", engine="openpyxl")
    assert list(head.iloc[:, 0]) == [BASELINE, HALVES, "careful"]  # the baseline first
    assert out.with_suffix(".html").is_file()
    plans = [tmp_path / "case_baseline_plan.xlsx", tmp_path / "case_china_cut_plan.xlsx"]
    assert all(p.is_file() for p in plans)
    again = tmp_path / "again.xlsx"
    done = runner.invoke(app, ["compare", *map(str, plans), "-o", str(again)])
    assert done.exit_code == 0, done.output
    head = pd.read_excel(again, sheet_name="Headline", engine="openpyxl")
    assert head.iloc[1, 0] == "case_china_cut_plan"
    done = runner.invoke(app, ["compare", str(plans[0])])
    assert done.exit_code == 2
