"""Disruption scenarios: the stochastic mode and the stress test, on hand-solved cases.

Unless a test says otherwise: no discounting, no tariff or freight, one refined mineral,
shortfall penalty 10,000 USD/t, and every tonne drawn from stock costs the 1 USD/t release
(models/objective.py). Money in the summaries is million USD (MUSD).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.analysis.stress import stress_test
from planner.api import load_input, solve
from planner.export import column_notes
from planner.export.plan import read_plan_summary
from planner.solve.first_stage import FirstStage, from_tables
from tests.builders import countries, demand, minerals, supply, write_workbook

ROOT = Path(__file__).resolve().parents[1]

MUSD = 1e6
PENALTY = 10_000.0


def load(tmp_path, sheets, name="case.xlsx", **settings):
    settings = {"schema_version": 2, **settings}
    return load_input(write_workbook(tmp_path / name, sheets, settings))


def cut(scenario, probability, country, first, last, pct=100, **extra):
    return {
        "scenario": scenario,
        "probability": probability,
        "country": country,
        "mineral": "*",
        "form": "*",
        "first_year": first,
        "last_year": last,
        "supply_cut_pct": pct,
        **extra,
    }


def project(name, country, capex_musd, unit_cost):
    return {
        "project": name,
        "country": country,
        "mineral": "co",
        "form": "refined",
        "capacity_t": 100,
        "capex_musd": capex_musd,
        "unit_cost_usd_per_t": unit_cost,
        "min_stake": 1.0,
        "max_stake": 1.0,
        "earliest_year": 2025,
        "lead_time_years": 0,
        "life_years": 1,
    }


# --------------------------------------------------------------------------- stockpile


def _stockpile_case(tmp_path, probability):
    return load(
        tmp_path,
        {
            "Minerals": minerals("ree", penalty=PENALTY, holding_pct=9),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("ree", {2025: 100, 2026: 100})],
            "Supply": [supply("A", "ree", "refined", 1000, 1000)],
            "Disruptions": [cut("A stops", probability, "A", 2026, 2026)],
        },
        last_year=2026,
        mode="stochastic",
    )


@pytest.mark.parametrize("probability, stocked", [(0.02, 100.0), (0.005, 0.0)])
def test_stockpile_held_only_when_probability_times_shortage_cost_beats_holding(
    tmp_path, probability, stocked
):
    """Demand 100 t in 2025 and 2026; A sells 1,000 t/yr at 1,000 USD/t; holding 9% of the
    price = 90 USD per tonne-year; A's supply is cut entirely in 2026 with probability p.

    A tonne put in stock in 2025 costs 1,000 + 90 (held one year) + 1 (released in 2026, in
    both cases, since it is drawn either way). It saves a 1,000 USD purchase in 2026 if
    undisrupted and the 10,000 USD shortfall penalty if disrupted:
        stock iff 1,091 < (1 - p) 1,000 + p 10,000  <=>  p > 91 / 9,000 = 0.0101.
    p = 0.02: stock 100 t. Expected cost = 200 x 1,000 + 100 x 90 + 100 x 1 = 209,100 USD.
    The deterministic plan stocks nothing; under the scenarios it costs
        100,000 + 0.98 x 100,000 + 0.02 x 100 x 10,000 = 218,000 USD -> VSS 8,900 USD.
    p = 0.005: no stock; expected cost = 100,000 + 0.995 x 100,000 + 0.005 x 1,000,000
        = 204,500 USD (the deterministic plan: VSS 0).
    """
    plan = solve(_stockpile_case(tmp_path, probability))
    stock_2025 = plan.stock.set_index(["year", "mineral"]).at[(2025, "ree"), "stock_t"]
    assert stock_2025 == pytest.approx(stocked, abs=1e-6)
    s = plan.summary
    if stocked:
        assert s["stochastic_objective_musd"] * MUSD == pytest.approx(209_100, abs=1e-3)
        assert s["deterministic_plan_objective_musd"] * MUSD == pytest.approx(218_000, abs=1e-3)
        assert s["value_of_stochastic_solution_musd"] * MUSD == pytest.approx(8_900, abs=1e-3)
    else:
        assert s["stochastic_objective_musd"] * MUSD == pytest.approx(204_500, abs=1e-3)
        assert s["value_of_stochastic_solution_musd"] * MUSD == pytest.approx(0, abs=1e-3)
    scenarios = plan.extra["Scenarios"].set_index("scenario")
    assert scenarios.at["A stops", "probability"] == pytest.approx(probability)
    assert scenarios.at["undisrupted", "probability"] == pytest.approx(1 - probability)
    assert scenarios.at["A stops", "first_disruption_year"] == 2026
    expected_short = 0.0 if stocked else 100.0
    assert scenarios.at["A stops", "shortfall_t"] == pytest.approx(expected_short, abs=1e-6)


def test_scenarios_share_decisions_until_their_disruption_starts(tmp_path):
    """Non-anticipativity: in 2025 the disruption (from 2026) has not happened, so both
    scenarios pass through one history node and share every 2025 decision; in 2026 they part.
    """
    from models.disruption import disruption_scenarios, undisrupted
    from models.stochastic import stochastic_index

    data = _stockpile_case(tmp_path, 0.02)
    scenarios = disruption_scenarios(data.disruptions)
    sx = stochastic_index(data, [undisrupted(scenarios), *scenarios])
    assert sx.nodes[0][2025] == sx.nodes[1][2025]
    assert sx.nodes[0][2026] != sx.nodes[1][2026]
    assert sx.node_probability[sx.nodes[0][2025]] == pytest.approx(1.0)
    assert sx.node_probability[sx.nodes[1][2026]] == pytest.approx(0.02)


def test_no_effect_scenario_gives_the_deterministic_plan(tmp_path):
    """A scenario that cuts a country selling nothing changes nothing: the stochastic
    objective equals the deterministic one (100 t at 1,000 USD/t in each of two years)."""
    data = load(
        tmp_path,
        {
            "Minerals": minerals("ree", penalty=PENALTY),
            "Countries": countries(("A", 0.0), ("B", 0.0)),
            "Demand": [demand("ree", {2025: 100, 2026: 100})],
            "Supply": [supply("A", "ree", "refined", 1000, 1000)],
            "Disruptions": [cut("B stops", 0.5, "B", 2025, 2026)],
        },
        last_year=2026,
        mode="stochastic",
    )
    plan = solve(data)
    assert plan.summary["stochastic_objective_musd"] * MUSD == pytest.approx(200_000, abs=1e-3)
    assert plan.summary["value_of_stochastic_solution_musd"] == pytest.approx(0, abs=1e-9)


# --------------------------------------------------------------------------- joint ventures


def _jv_case(tmp_path, mode, **settings):
    return load(
        tmp_path,
        {
            "Minerals": minerals("co", penalty=PENALTY),
            "Countries": countries(("R", 0.8), ("S", 0.1)),
            "Demand": [demand("co", {2025: 100})],
            "Supply": [supply("R", "co", "refined", 1000, 1000)],
            "Projects": [
                project("risky JV", "R", 0.01, 500),
                project("safe JV", "S", 0.03, 500),
            ],
            "Disruptions": [cut("R export ban", 0.1, "R", 2025, 2025)],
        },
        mode=mode,
        **settings,
    )


def test_joint_venture_in_safer_country_chosen_only_under_disruption_risk(tmp_path):
    """Demand 100 t in 2025. Buying from R costs 1,000 USD/t. Two 100 t joint ventures with
    offtake at 500 USD/t: in R for 10,000 USD of capital, in S for 30,000 USD. R's export ban
    (probability 0.1) stops purchases from R and the R venture's shipments alike.

    Without disruptions: R venture 10,000 + 50,000 = 60,000 < S venture 80,000 < buying
    100,000: the R venture is chosen.
    Under the ban risk: R venture 10,000 + 0.9 x 50,000 + 0.1 x 100 x 10,000 = 155,000;
    S venture 80,000 in both cases; both 90,000; neither 190,000: the S venture is chosen.
    VSS = 155,000 - 80,000 = 75,000 USD.
    """
    deterministic = solve(_jv_case(tmp_path, "deterministic"))
    assert list(deterministic.projects["project"]) == ["risky JV"]
    stochastic = solve(_jv_case(tmp_path, "stochastic"))
    assert list(stochastic.projects["project"]) == ["safe JV"]
    s = stochastic.summary
    assert s["stochastic_objective_musd"] * MUSD == pytest.approx(80_000, abs=1e-3)
    assert s["deterministic_plan_objective_musd"] * MUSD == pytest.approx(155_000, abs=1e-3)
    assert s["value_of_stochastic_solution_musd"] * MUSD == pytest.approx(75_000, abs=1e-3)
    versus = stochastic.extra["VersusDeterministic"]
    stakes = versus[versus["decision"] == "project stake"].set_index("name")
    assert stakes.at["safe JV", "difference"] == pytest.approx(1.0)
    assert stakes.at["risky JV", "difference"] == pytest.approx(-1.0)


def test_cvar_weight_buys_insurance_that_expected_cost_does_not(tmp_path):
    """As above but only the S venture, at 60,000 USD of capital and 1,000 USD/t offtake,
    and a ban probability of 0.05.

    Expected cost: without the venture 0.95 x 100,000 + 0.05 x 1,000,000 = 145,000; with it
    160,000 in both cases: no venture.
    With cvar_weight 1 at cvar_alpha 0.9 the worst 10% is averaged: without the venture
    (0.05 x 1,000,000 + 0.05 x 100,000) / 0.1 = 550,000, objective 145,000 + 550,000 =
    695,000; with it 160,000 + 160,000 = 320,000: the venture is bought.
    """

    def case(weight, name):
        return load(
            tmp_path,
            {
                "Minerals": minerals("co", penalty=PENALTY),
                "Countries": countries(("R", 0.8), ("S", 0.1)),
                "Demand": [demand("co", {2025: 100})],
                "Supply": [supply("R", "co", "refined", 1000, 1000)],
                "Projects": [project("safe JV", "S", 0.06, 1000)],
                "Disruptions": [cut("R export ban", 0.05, "R", 2025, 2025)],
            },
            name=name,
            mode="stochastic",
            cvar_alpha=0.9,
            cvar_weight=weight,
        )

    neutral = solve(case(0.0, "neutral.xlsx"))
    assert neutral.projects.empty
    assert neutral.summary["stochastic_objective_musd"] * MUSD == pytest.approx(145_000, abs=1e-3)
    assert neutral.summary["cvar_of_scenario_objective_musd"] * MUSD == pytest.approx(
        550_000, abs=1e-3
    )
    averse = solve(case(1.0, "averse.xlsx"))
    assert list(averse.projects["project"]) == ["safe JV"]
    assert averse.summary["stochastic_objective_musd"] * MUSD == pytest.approx(320_000, abs=1e-3)
    assert averse.summary["cvar_of_scenario_objective_musd"] * MUSD == pytest.approx(
        160_000, abs=1e-3
    )


# --------------------------------------------------------------------------- stress test


def stress_case(tmp_path, name="stress.xlsx", probability=0.25):
    return load(
        tmp_path,
        {
            "Minerals": minerals("li", penalty=PENALTY, holding_pct=10),
            "Countries": countries(("A", 0.0), ("B", 0.0)),
            "Demand": [demand("li", {2025: 100, 2027: 100})],
            "Supply": [
                supply("A", "li", "refined", 100, 1000),
                supply("B", "li", "refined", 30, 1200),
            ],
            "Policy": [{"rule": "min_stock_days", "mineral": "li", "value": 73}],
            "Disruptions": [cut("A halves", probability, "A", 2026, 2027, pct=50)],
        },
        name=name,
        last_year=2027,
    )


@pytest.mark.parametrize("probability", [0.25, 0.0])
def test_stress_test_shortfall_extra_cost_and_stock_drawn(tmp_path, probability):
    """Demand 100 t/yr 2025-2027; A sells 100 t/yr at 1,000 USD/t, B 30 t/yr at 1,200.
    73 days of stock = 20 t must be held at every year's end; holding is 10% of the mean
    refined price (1,100) = 110 USD per tonne-year.

    The plan buys 100 t from A and 20 t from B in 2025 (stock 20 t) and 100 t from A later.
    Stress: A loses half its supply in 2026-2027. The stock rule stops binding from the cut,
    and the stock may be drawn in the cut years. 2026: 50 (A) + 30 (B) + 20 (drawn) = 100, no
    shortfall; drawing in 2026 rather than 2027 saves the 2026 holding. 2027: 50 + 30 = 80,
    shortfall 20 t. Total shortfall 20 t, stock drawn 20 t.
    Extra cost against the plan run undisrupted (100 t from A, 20 t held: 102,200 USD a year):
    2026: 50,000 + 36,000 + 20 x 1 (release) - 102,200 = -16,180 USD;
    2027: 50,000 + 36,000 + 20 x 10,000 - 102,200 = 183,800 USD.
    The same whether the scenario has a probability (solved with the undisrupted case in one
    model) or not (solved on its own, 2025 held as undisrupted).
    """
    data = stress_case(tmp_path, probability=probability)
    plan = solve(data)
    first = from_tables(plan.projects, plan.processing, plan.stock)
    assert first.inject_t == {("li", 2025): pytest.approx(20.0)}
    result = stress_test(data, first)
    detail = result.detail.set_index(["scenario", "year", "mineral"])
    hit = detail.loc["A halves"]
    assert hit.loc[(2025, "li"), "shortfall_t"] == pytest.approx(0, abs=1e-6)
    assert hit.loc[(2026, "li"), "shortfall_t"] == pytest.approx(0, abs=1e-6)
    assert hit.loc[(2027, "li"), "shortfall_t"] == pytest.approx(20, abs=1e-6)
    assert hit.loc[(2026, "li"), "stock_drawn_t"] == pytest.approx(20, abs=1e-6)
    assert hit.loc[(2025, "li"), "extra_cost_musd"] * MUSD == pytest.approx(0, abs=1e-3)
    assert hit.loc[(2026, "li"), "extra_cost_musd"] * MUSD == pytest.approx(-16_180, abs=1e-3)
    assert hit.loc[(2027, "li"), "extra_cost_musd"] * MUSD == pytest.approx(183_800, abs=1e-3)
    totals = result.scenarios.set_index("scenario")
    assert totals.at["A halves", "shortfall_t"] == pytest.approx(20, abs=1e-6)
    assert totals.at["A halves", "stock_drawn_t"] == pytest.approx(20, abs=1e-6)
    assert totals.at["A halves", "first_disruption_year"] == 2026
    assert totals.at["A halves", "extra_cost_discounted_musd"] * MUSD == pytest.approx(
        167_620, abs=1e-3
    )
    assert totals.at["undisrupted", "shortfall_t"] == pytest.approx(0, abs=1e-6)
    assert result.summary["expected_extra_cost_discounted_musd"] * MUSD == pytest.approx(
        probability * 167_620, abs=1e-3
    )


def test_stress_holds_the_years_before_the_disruption(tmp_path):
    """A plan with no stock held (FirstStage empty) where the policy asks for none: before
    the 2026 cut, 2025 runs exactly as undisrupted (100 t from A) even though buying ahead
    would be impossible anyway; from 2026: 50 (A) + 30 (B) = 80, shortfall 20 t each year."""
    data = stress_case(tmp_path)
    data.policy = data.policy.iloc[0:0]
    result = stress_test(data, FirstStage())
    hit = result.detail[result.detail["scenario"] == "A halves"].set_index("year")
    assert list(hit["shortfall_t"].round(6)) == [0.0, 20.0, 20.0]
    assert list(hit["stock_drawn_t"].round(6)) == [0.0, 0.0, 0.0]


# --------------------------------------------------------------------------- command line


def said(result) -> str:
    """What a command printed, with the console's line wrapping undone."""
    return " ".join(result.output.split())


def sheet_frame(path, sheet):
    """A sheet of a written workbook, columns named by their header comments."""
    import openpyxl
    import pandas as pd

    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    names = [column_notes.name_in(c.comment.text) if c.comment else c.value for c in ws[1]]
    return pd.DataFrame(rows[1:], columns=names)


def test_cli_solve_stochastic_then_stress(tmp_path):
    """The stress case end to end: `planner solve --stochastic`, then `planner stress` of the
    deterministic plan. The stress shortfall is the one derived in
    test_stress_test_shortfall_extra_cost_and_stock_drawn (20 t in 2027)."""
    import openpyxl
    from typer.testing import CliRunner

    from planner.cli import app

    runner = CliRunner()
    data = stress_case(tmp_path)
    workbook = tmp_path / "stress.xlsx"
    before = workbook.read_bytes()
    assert data.disruptions is not None
    result = runner.invoke(
        app, ["solve", str(workbook), "--stochastic", "-o", str(tmp_path / "s.xlsx")]
    )
    assert result.exit_code == 0, result.output
    assert "value of the stochastic solution" in said(result)
    sheets = openpyxl.load_workbook(tmp_path / "s.xlsx").sheetnames
    assert {"Scenarios", "ScenarioDetail", "VersusDeterministic"} <= set(sheets)

    plan = tmp_path / "plan.xlsx"
    assert runner.invoke(app, ["solve", str(workbook), "-o", str(plan)]).exit_code == 0
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["stress", str(plan), "--scenarios", str(workbook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert workbook.read_bytes() == before
    assert openpyxl.load_workbook(out).sheetnames == ["Summary", "Scenarios", "Stress", "Chart"]
    stress = sheet_frame(out, "Stress")
    hit = stress[stress["scenario"] == "A halves"].set_index("year")
    assert hit.loc[2027, "shortfall_t"] == pytest.approx(20, abs=1e-6)
    assert hit.loc[2026, "stock_drawn_t"] == pytest.approx(20, abs=1e-6)
    totals = sheet_frame(out, "Scenarios").set_index("scenario")
    assert totals.at["A halves", "extra_cost_discounted_musd"] * MUSD == pytest.approx(
        167_620, abs=1e-3
    )


def test_cli_stochastic_flag_plans_without_a_priced_concentration_and_says_so(tmp_path):
    """--stochastic on a workbook that prices concentration: the stochastic model has no
    concentration term, so the run plans with concentration_weight 0, says so, and succeeds;
    the input is not changed."""
    import openpyxl
    from typer.testing import CliRunner

    from planner.cli import app

    stress_case(tmp_path)
    workbook = tmp_path / "stress.xlsx"
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Settings"]
    ws.append(["concentration_weight", 0.5])
    wb.save(workbook)
    before = workbook.read_bytes()
    result = CliRunner().invoke(
        app, ["solve", str(workbook), "--stochastic", "-o", str(tmp_path / "s.xlsx")]
    )
    assert result.exit_code == 0, result.output
    assert "does not price concentration" in said(result)
    assert "was 0.5" in said(result)
    summary, _ = read_plan_summary(tmp_path / "s.xlsx")
    assert summary["concentration_weight"] == 0
    assert workbook.read_bytes() == before


def test_cli_stress_bad_inputs_exit_2_and_write_nothing(tmp_path):
    """Missing plan file; a scenarios workbook without Disruptions; a plan naming a project
    the workbook does not have; --stochastic without scenarios."""
    from typer.testing import CliRunner

    from planner.cli import app

    runner = CliRunner()
    stress_case(tmp_path)
    workbook = tmp_path / "stress.xlsx"
    plan = tmp_path / "plan.xlsx"
    assert runner.invoke(app, ["solve", str(workbook), "-o", str(plan)]).exit_code == 0
    out = tmp_path / "out.xlsx"

    result = runner.invoke(
        app, ["stress", str(tmp_path / "nope.xlsx"), "-s", str(workbook), "-o", str(out)]
    )
    assert result.exit_code == 2 and "file not found" in said(result)

    plain = write_workbook(
        tmp_path / "plain.xlsx",
        {
            "Minerals": minerals("li"),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": [supply("A", "li", "refined", 100, 1000)],
        },
        {"last_year": 2027},
    )
    result = runner.invoke(app, ["stress", str(plan), "-s", str(plain), "-o", str(out)])
    assert result.exit_code == 2 and "has no scenario" in said(result)
    csv = tmp_path / "out.csv"
    result = runner.invoke(app, ["stress", str(plan), "-s", str(workbook), "-o", str(csv)])
    assert result.exit_code == 2 and "name it .xlsx" in said(result)
    assert not csv.exists()
    result = runner.invoke(app, ["solve", str(plain), "--stochastic", "-o", str(out)])
    assert result.exit_code == 2 and "--stochastic needs scenarios" in said(result)

    other = tmp_path / "other.xlsx"
    write_workbook(
        other,
        {
            "Minerals": minerals("li"),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": [supply("A", "li", "refined", 100, 1000)],
            "Disruptions": [cut("A stops", 0.1, "A", 2026, 2026)],
        },
        {"last_year": 2027, "schema_version": 2},
    )
    import openpyxl

    book = openpyxl.load_workbook(plan)
    ws = book["Projects"]
    ws.append(["ghost JV", "A", "li", "refined", 2025, 2025, 1.0, 100, 1, ""])
    book.save(plan)
    result = runner.invoke(app, ["stress", str(plan), "-s", str(other), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "plan Projects: project 'ghost JV' is not in the workbook" in said(result)
    assert not out.exists()


def test_stockpile_drawn_in_a_disruption_is_bought_back_after_it(tmp_path):
    """Demand 100 t/yr 2025-2027; A sells 1,000 t/yr at 1,000 USD/t; 73 days of stock = 20 t
    at every year's end (no holding cost). The plan: 120 t in 2025 (stock 20), 100 t later.

    Stress: A sells nothing in 2026. 2026: the 20 t stock is drawn, 80 t short. 2027: the
    rule binds again (a gap would cost the 10,000 USD/t penalty), so 20 t are bought back:
    120 t from A. Extra cost: 2026: 20 x 1 (release) + 80 x 10,000 - 100,000 = 700,020 USD;
    2027: 120,000 - 100,000 = 20,000 USD. Without the buy-back the disruption would look
    20,000 USD cheaper, as if the stockpile had been free.
    """
    data = load(
        tmp_path,
        {
            "Minerals": minerals("li", penalty=PENALTY),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("li", {2025: 100, 2027: 100})],
            "Supply": [supply("A", "li", "refined", 1000, 1000)],
            "Policy": [{"rule": "min_stock_days", "mineral": "li", "value": 73}],
            "Disruptions": [cut("A stops", 0.1, "A", 2026, 2026)],
        },
        last_year=2027,
    )
    plan = solve(data)
    result = stress_test(data, from_tables(plan.projects, plan.processing, plan.stock))
    hit = result.detail[result.detail["scenario"] == "A stops"].set_index("year")
    assert list(hit["shortfall_t"].round(6)) == [0.0, 80.0, 0.0]
    assert list(hit["stock_drawn_t"].round(6)) == [0.0, 20.0, 0.0]
    assert list(hit["stock_replenished_t"].round(6)) == [0.0, 0.0, 20.0]
    assert list(hit["stock_t"].round(6)) == [20.0, 0.0, 20.0]
    assert list((hit["extra_cost_musd"] * MUSD).round(3)) == [0.0, 700_020.0, 20_000.0]


def test_sweep_over_a_scenario_probability(tmp_path):
    """Sweeping the probability p of the stockpile case (one process, a fresh solve per
    point): the value of the stochastic solution is 0 below the threshold p = 0.0101 and
    (100,000 + (1 - p) 100,000 + p 1,000,000) - 209,100 above it: 35,900 USD at p = 0.05."""
    from planner.api import sweep, zipped

    data = _stockpile_case(tmp_path, 0.02)
    key = "Disruptions[scenario=A stops].probability"
    frame = sweep(data, zipped((key, "set", [0.005, 0.05])))
    vss = (frame.set_index(key)["value_of_stochastic_solution_musd"] * MUSD).to_dict()
    assert vss[0.005] == pytest.approx(0.0, abs=1e-3)
    assert vss[0.05] == pytest.approx(35_900, abs=1e-3)


def test_a_disruption_reveals_its_start_but_not_its_end(tmp_path):
    """Two scenarios cut A from 2026, one for a year and one for two: in 2026 they cannot be
    told apart (one node), in 2027 they can; the undisrupted case parts from both in 2026."""
    from models.disruption import disruption_scenarios, undisrupted
    from models.stochastic import stochastic_index

    data = load(
        tmp_path,
        {
            "Minerals": minerals("li", penalty=PENALTY),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": [supply("A", "li", "refined", 1000, 1000)],
            "Disruptions": [
                cut("short", 0.1, "A", 2026, 2026),
                cut("long", 0.1, "A", 2026, 2027),
            ],
        },
        last_year=2027,
    )
    scenarios = disruption_scenarios(data.disruptions)
    nodes = stochastic_index(data, [undisrupted(scenarios), *scenarios]).nodes
    assert nodes[0][2025] == nodes[1][2025] == nodes[2][2025]
    assert nodes[1][2026] == nodes[2][2026] != nodes[0][2026]
    assert len({nodes[0][2027], nodes[1][2027], nodes[2][2027]}) == 3


@pytest.mark.parametrize("probability", [0.1, 0.0])
def test_stress_holds_the_plans_stockpile_until_the_disruption(tmp_path, probability):
    """Demand 100 t/yr 2025-2027; A sells 200 t/yr at 1,000 USD/t, B 60 t/yr at 3,000; no
    stock rule, no holding cost. The plan held: 50 t put in stock in 2025, never drawn.

    The undisrupted case keeps the 50 t (the plan's draws are part of its stock path; drawing
    them would save a purchase, but that is not the plan). A loses all supply in 2026: the
    50 t are drawn and 50 t bought from B: extra cost 50 x 3,000 + 50 x 1 (release)
    - 100 x 1,000 = 50,050 USD, no shortfall. The same with or without a probability.
    """
    data = load(
        tmp_path,
        {
            "Minerals": minerals("co", penalty=PENALTY),
            "Countries": countries(("A", 0.0), ("B", 0.0)),
            "Demand": [demand("co", {2025: 100, 2027: 100})],
            "Supply": [
                supply("A", "co", "refined", 200, 1000),
                supply("B", "co", "refined", 60, 3000),
            ],
            "Disruptions": [cut("A stops", probability, "A", 2026, 2026)],
        },
        last_year=2027,
    )
    result = stress_test(data, FirstStage(inject_t={("co", 2025): 50.0}))
    detail = result.detail.set_index(["scenario", "year"])
    assert list(detail.loc["undisrupted", "stock_t"].round(6)) == [50.0, 50.0, 50.0]
    hit = detail.loc["A stops"]
    assert list(hit["shortfall_t"].round(6)) == [0.0, 0.0, 0.0]
    assert list(hit["stock_drawn_t"].round(6)) == [0.0, 50.0, 0.0]
    assert list((hit["extra_cost_musd"] * MUSD).round(3)) == [0.0, 50_050.0, 0.0]


def _teaching_with_one_cut():
    """The teaching workbook in stochastic mode with one scenario (probability 0.3): its first
    supply row cut by 80% and its price up 20% in the second and third years."""
    data = load_input(ROOT / "examples/teaching.xlsx")
    data.disruptions = pd.DataFrame(
        [
            {
                "scenario": "cut",
                "probability": 0.3,
                "country": data.supply["country"].iloc[0],
                "mineral": data.supply["mineral"].iloc[0],
                "form": data.supply["form"].iloc[0],
                "first_year": data.settings.first_year + 1,
                "last_year": data.settings.first_year + 2,
                "supply_cut_pct": 80.0,
                "price_shock_pct": 20.0,
            }
        ]
    )
    data.settings.mode = "stochastic"
    return data


def test_the_value_of_the_stochastic_solution_is_bounded_by_the_best_bound():
    """VSS = EEV - RP, and RP >= the MIP's best bound, so VSS <= EEV - bound: the summary
    reports both, the proven ceiling never below the value."""
    data = _teaching_with_one_cut()
    s = solve(data).summary
    eev = s["deterministic_plan_objective_musd"]
    assert s["value_of_stochastic_solution_musd"] == pytest.approx(
        eev - s["stochastic_objective_musd"]
    )
    assert s["value_of_stochastic_solution_at_most_musd"] == pytest.approx(
        eev - s["best_bound_musd"]
    )
    assert (
        s["value_of_stochastic_solution_at_most_musd"]
        >= s["value_of_stochastic_solution_musd"] - 1e-9
    )


def test_a_stochastic_plan_within_the_gap_of_its_lp_relaxation_needs_no_branching():
    """With a gap as wide as 5%, the deterministic plan's integer decisions (everything else
    re-optimised) are within it of the LP relaxation: that plan is returned, its bound is the
    relaxation's (never above the plan's cost), and the notes say no branching was needed."""
    data = _teaching_with_one_cut()
    plan = solve(data, mip_gap=0.05)
    s = plan.summary
    assert s["best_bound_musd"] <= s["stochastic_objective_musd"]
    assert s["gap"] <= 0.05
    assert any("no branch and bound was needed" in note for note in plan.notes)
