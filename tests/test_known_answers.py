"""Known-answer models: tiny workbooks whose optimum is derived by hand in each docstring.

Unless a test says otherwise: one year (2025), no discounting, inr_per_usd = 100 (so one million
USD is 10 INR crore), no tariff or freight, shortfall penalty 1e6 USD/t.
"""

from __future__ import annotations

import pytest

from planner.api import load_input, solve
from planner.solve.dispatch import SolveError
from tests.builders import countries, demand, minerals, supply, write_workbook

MUSD = 1e6


def run(tmp_path, sheets, **settings):
    path = write_workbook(tmp_path / "case.xlsx", sheets, settings)
    return solve(load_input(path))


def tonnes(plan, country, year=2025, form="refined"):
    s = plan.sourcing
    rows = s[(s["country"] == country) & (s["year"] == year) & (s["form"] == form)]
    return float(rows["tonnes_t"].sum())


def test_share_cap_forces_split_between_cheap_and_dear_supplier(tmp_path):
    """Demand 100 t; A sells at 10 USD/t, B at 8; no country may exceed 60%.

    Without the cap B supplies all 100 t. With it, B supplies 60 t and A the other 40 t:
    cost = 60 x 8 + 40 x 10 = 880 USD. One more tonne of demand is bought 60/40 as well, so
    the marginal cost of demand is 0.6 x 8 + 0.4 x 10 = 8.8 USD/t.
    """
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("li"),
            "Countries": countries(("A", 0.2), ("B", 0.5)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": [
                supply("A", "li", "refined", 1000, 10),
                supply("B", "li", "refined", 1000, 8),
            ],
            "Policy": [{"rule": "max_country_share", "mineral": "*", "country": "*", "value": 0.6}],
        },
    )
    assert tonnes(plan, "B") == pytest.approx(60)
    assert tonnes(plan, "A") == pytest.approx(40)
    assert plan.summary["objective_musd"] * MUSD == pytest.approx(880)
    assert plan.marginal_costs["marginal_cost_usd_per_t"].iloc[0] == pytest.approx(8.8)
    assert plan.risk["hhi"].iloc[0] == pytest.approx(0.6**2 + 0.4**2)
    assert plan.risk["governance_hhi"].iloc[0] == pytest.approx(0.36 * 0.5 + 0.16 * 0.2)


def _lumpy_project(tmp_path, demand_t, min_stake=1.0):
    return run(
        tmp_path,
        {
            "Minerals": minerals("li"),
            "Countries": countries(("A", 0.0), ("P", 0.0)),
            "Demand": [demand("li", {2025: demand_t})],
            "Supply": [supply("A", "li", "refined", 1e6, 2000)],
            "Projects": [
                {
                    "project": "mine",
                    "country": "P",
                    "mineral": "li",
                    "form": "refined",
                    "capacity_t": 1000,
                    "capex_musd": 1.0,
                    "fixed_opex_musd": 0,
                    "unit_cost_usd_per_t": 0,
                    "min_stake": min_stake,
                    "max_stake": 1.0,
                    "earliest_year": 2025,
                    "lead_time_years": 0,
                    "life_years": 1,
                    "funding": "",
                }
            ],
        },
    )


@pytest.mark.parametrize("demand_t, built", [(400, False), (600, True)])
def test_lumpy_project_built_only_above_break_even(tmp_path, demand_t, built):
    """A whole project (stake 1) costs 1 MUSD for up to 1000 t; the market sells at 2000 USD/t.

    Life 1 year and no discounting make the annuity the full capex. Break-even demand is
    1e6 / 2000 = 500 t: at 400 t buying costs 0.8 MUSD (< 1), at 600 t it would cost 1.2 MUSD
    (> 1), so the project is built and supplies all 600 t.
    """
    plan = _lumpy_project(tmp_path, demand_t)
    assert (len(plan.projects) == 1) is built
    expected = 1.0 if built else demand_t * 2000 / MUSD
    assert plan.summary["objective_musd"] == pytest.approx(expected)


@pytest.mark.parametrize("demand_t, stake", [(200, None), (300, 0.5)])
def test_semicontinuous_stake(tmp_path, demand_t, stake):
    """Stake between 0.5 and 1: the smallest stake buys 500 t of offtake for 0.5 MUSD.

    At 300 t the market costs 0.6 MUSD, so a 0.5 stake (0.5 MUSD) wins; a stake of 0.3, which
    would cost only 0.3 MUSD, is not allowed. At 200 t the market costs 0.4 MUSD < 0.5: no stake.
    """
    plan = _lumpy_project(tmp_path, demand_t, min_stake=0.5)
    if stake is None:
        assert plan.projects.empty
        assert plan.summary["objective_musd"] == pytest.approx(0.4)
    else:
        assert plan.projects["stake"].iloc[0] == pytest.approx(stake)
        assert plan.summary["objective_musd"] == pytest.approx(0.5)


def _budget_case(tmp_path, budget: dict, **settings):
    """No market; one project of 1000 t at 10 MUSD (100% stake, life 1 year) funded by F."""
    return run(
        tmp_path,
        {
            "Minerals": minerals("co"),
            "Countries": countries(("P", 0.0)),
            "Demand": [demand("co", {2025: 1000})],
            "Supply": [supply("P", "co", "refined", 0, 1)],
            "Projects": [
                {
                    "project": "jv",
                    "country": "P",
                    "mineral": "co",
                    "form": "refined",
                    "capacity_t": 1000,
                    "capex_musd": 10.0,
                    "min_stake": 0,
                    "max_stake": 1,
                    "life_years": 1,
                    "funding": "F",
                }
            ],
            "Budgets": [{"funding": "F", "first_year": 2025, "last_year": 2025, **budget}],
        },
        **settings,
    )


def test_binding_budget_gives_exact_shortfall(tmp_path):
    """No market; a project of 1000 t costs 10 MUSD (= 100 crore at 100 INR/USD) at 100% stake.

    The budget allows 40 crore, so the stake is at most 0.4 and offtake at most 400 t; demand is
    1000 t, so 600 t are short. One more crore buys 0.01 stake = 10 t more, saving
    10 t x (1e6 penalty - 1e4 capital per t) = 9.9e6 USD: the budget is worth 9.9 MUSD/crore.
    """
    plan = _budget_case(tmp_path, {"limit_inr_crore": 40})
    assert plan.shortfall["unmet_t"].sum() == pytest.approx(600)
    assert plan.projects["stake"].iloc[0] == pytest.approx(0.4)
    budget = plan.budgets.iloc[0]
    assert budget["spent_inr_crore"] == pytest.approx(40)
    assert bool(budget["binding"])
    assert budget["value_musd_per_inr_crore"] == pytest.approx(9.9)


def test_capital_subsidy_draws_only_its_share_of_the_budget(tmp_path):
    """The budget test above, but the source is a 20% capital subsidy with 10 crore.

    A stake s costs 10 MUSD x s = 100 s crore of capital, of which the source pays 20 s crore:
    20 s <= 10 gives s = 0.5, offtake 500 t, 500 t short. One more crore pays for 0.05 stake =
    50 t more, saving 50 t x (1e6 - 1e4) USD = 49.5 MUSD per crore. The objective still counts
    the whole capital (5 MUSD at stake 0.5).
    """
    plan = _budget_case(tmp_path, {"limit_inr_crore": 10, "capex_share_pct": 20}, schema_version=4)
    assert plan.projects["stake"].iloc[0] == pytest.approx(0.5)
    assert plan.shortfall["unmet_t"].sum() == pytest.approx(500)
    budget = plan.budgets.iloc[0]
    assert budget["spent_inr_crore"] == pytest.approx(10)
    assert budget["value_musd_per_inr_crore"] == pytest.approx(49.5)
    assert plan.summary["cost_project_capital_and_fixed_discounted_musd"] == pytest.approx(5.0)


def test_integer_modules_round_up(tmp_path):
    """Refined demand 250 t; a refinery module makes 100 t/yr for 1 MUSD (life 1 year).

    Concentrate costs 1 USD/t (yield 1); refined imports cost 1e5 USD/t. Refining is far
    cheaper, so 250 t need ceil(250 / 100) = 3 modules: cost 3 MUSD + 250 USD of concentrate.
    """
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("ni"),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("ni", {2025: 250})],
            "Supply": [
                supply("A", "ni", "concentrate", 1e4, 1),
                supply("A", "ni", "refined", 1e4, 1e5),
            ],
            "Processing": [
                {
                    "technology": "ni_refinery",
                    "mineral": "ni",
                    "feed": "concentrate",
                    "module_t": 100,
                    "yield": 1.0,
                    "capex_musd_per_module": 1.0,
                    "max_modules": 10,
                    "life_years": 1,
                }
            ],
        },
    )
    row = plan.processing.iloc[0]
    assert row["modules_built"] == 3
    assert row["output_t"] == pytest.approx(250)
    assert row["utilisation"] == pytest.approx(250 / 300)
    assert plan.summary["objective_musd"] * MUSD == pytest.approx(3e6 + 250)
    assert plan.risk["self_sufficiency"].iloc[0] == pytest.approx(1.0)


def test_scrap_displaces_dearer_imports(tmp_path):
    """500 t of scrap, an existing recycler (yield 0.8, 1000 t/yr, 100 USD/t output).

    The recycler can make at most 0.8 x 500 = 400 t at 100 USD/t, cheaper than imports at
    1000 USD/t; demand 1000 t takes 400 t recycled + 600 t imported:
    cost = 400 x 100 + 600 x 1000 = 640,000 USD.
    """
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("co"),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("co", {2025: 1000})],
            "Supply": [supply("A", "co", "refined", 1e4, 1000)],
            "Processing": [
                {
                    "technology": "co_recycler",
                    "mineral": "co",
                    "feed": "scrap",
                    "module_t": 1000,
                    "yield": 0.8,
                    "capex_musd_per_module": 5,
                    "unit_cost_usd_per_t": 100,
                    "existing_modules": 1,
                    "max_modules": 1,
                    "life_years": 10,
                }
            ],
            "Scrap": [{"mineral": "co", 2025: 500}],
        },
    )
    assert plan.processing["output_t"].iloc[0] == pytest.approx(400)
    assert plan.processing["feed_t"].iloc[0] == pytest.approx(500)
    assert tonnes(plan, "A") == pytest.approx(600)
    assert plan.summary["objective_musd"] * MUSD == pytest.approx(640_000)


@pytest.mark.parametrize("weight, country", [(0.4, "B"), (0.6, "A")])
def test_risk_weight_moves_purchases_to_safer_dearer_supplier(tmp_path, weight, country):
    """A: 10 USD/t, risk 0. B: 8 USD/t, risk 0.5. Risk exposure of a tonne = price x risk.

    Weighted cost per tonne: A = 10, B = 8 + w x 8 x 0.5 = 8 + 4w; B is chosen while
    8 + 4w < 10, i.e. w < 0.5. At w = 0.4 all 100 t come from B, at w = 0.6 from A.
    """
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("li"),
            "Countries": countries(("A", 0.0), ("B", 0.5)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": [
                supply("A", "li", "refined", 1000, 10),
                supply("B", "li", "refined", 1000, 8),
            ],
        },
        risk_weight=weight,
    )
    assert tonnes(plan, country) == pytest.approx(100)
    risk_per_t = 0.0 if country == "A" else 4.0
    assert plan.summary["risk_exposure_discounted_musd"] * MUSD == pytest.approx(100 * risk_per_t)


def test_milestones_interpolate_linearly_and_hold_flat(tmp_path):
    """Milestones 2026: 100 t and 2030: 200 t over a 2025-2032 horizon.

    2025 holds the first milestone (100), 2028 lies halfway (150), 2031-2032 hold 200. With
    ample supply, each year's purchase equals its demand.
    """
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("cu"),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("cu", {2026: 100, 2030: 200})],
            "Supply": [supply("A", "cu", "refined", 1e6, 1)],
        },
        last_year=2032,
    )
    bought = {y: tonnes(plan, "A", y) for y in range(2025, 2033)}
    assert bought == pytest.approx(
        {2025: 100, 2026: 100, 2027: 125, 2028: 150, 2029: 175, 2030: 200, 2031: 200, 2032: 200}
    )


def test_growth_landed_cost_and_discounting_conventions(tmp_path):
    """Price 100 USD/t growing 10%/yr, discount rate 10%, tariff 10%, freight 5 USD/t.

    Year t (n = t - 2025) costs (100 x 1.1^n x 1.1 + 5) x 1.1^-n per tonne, discounted:
    n=0: 115; n=1: 110 + 5/1.1; n=2: 110 + 5/1.21. Demand 1 t each year. Availability
    starts at 1 t and grows 10%/yr, enough every year.
    """
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("cu"),
            "Countries": countries(("A", 0.0, "no", 10)),
            "Demand": [demand("cu", {2025: 1})],
            "Supply": [
                supply(
                    "A",
                    "cu",
                    "refined",
                    1,
                    100,
                    growth_pct=10,
                    price_growth_pct=10,
                    freight_usd_per_t=5,
                )
            ],
        },
        last_year=2027,
        discount_rate=0.1,
    )
    expected = 115 + (110 + 5 / 1.1) + (110 + 5 / 1.21)
    assert plan.summary["objective_musd"] * MUSD == pytest.approx(expected)
    mc = plan.marginal_costs.set_index("year")["marginal_cost_usd_per_t"]
    assert mc[2027] == pytest.approx(100 * 1.21 * 1.1 + 5)  # money of the year


def test_capital_is_an_annuity_over_online_years_inside_horizon(tmp_path):
    """A 10 MUSD project (life 10, lead 2) can be invested in from 2027, horizon 2025-2029.

    Only 2029 is online inside the horizon, so the plan pays one annuity,
    10 x CRF(0.1, 10) = 10 x 0.1 / (1 - 1.1^-10) = 1.62745 MUSD, discounted by 1.1^-4:
    1.11157 MUSD. Demand appears in 2029 only and the market is dearer than that.
    """
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("co"),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("co", {2028: 0, 2029: 1000})],
            "Supply": [supply("A", "co", "refined", 1e6, 5000)],
            "Projects": [
                {
                    "project": "jv",
                    "country": "A",
                    "mineral": "co",
                    "form": "refined",
                    "capacity_t": 1000,
                    "capex_musd": 10.0,
                    "min_stake": 1,
                    "max_stake": 1,
                    "earliest_year": 2027,
                    "lead_time_years": 2,
                    "life_years": 10,
                }
            ],
        },
        last_year=2029,
        discount_rate=0.1,
    )
    crf = 0.1 / (1 - 1.1**-10)
    assert plan.projects["build_year"].iloc[0] == 2027
    assert plan.summary["objective_musd"] == pytest.approx(10 * crf * 1.1**-4)


def test_minimum_stock_days_and_holding_cost(tmp_path):
    """Demand 365 t, at least 10 days of stock (10 t) at the end of the year.

    365 + 10 t are bought at 100 USD/t; holding costs 10% of the mean refined price (10 USD/t)
    on the 10 t held: cost = 375 x 100 + 10 x 10 = 37,600 USD.
    """
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("ree", holding_pct=10),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("ree", {2025: 365})],
            "Supply": [supply("A", "ree", "refined", 1e4, 100)],
            "Policy": [{"rule": "min_stock_days", "mineral": "ree", "value": 10}],
        },
    )
    assert plan.stock["stock_t"].iloc[0] == pytest.approx(10)
    assert plan.stock["required_t"].iloc[0] == pytest.approx(10)
    assert plan.summary["objective_musd"] * MUSD == pytest.approx(37_600)


def test_concern_cap_and_domestic_share(tmp_path):
    """C (of concern) sells refined at 5, A at 10; concentrate at 1 feeds an existing refinery
    (yield 1, 100 t/yr, no running cost). Demand 200 t; concern share <= 25%; domestic >= 50%.

    Home refines its full 100 t (50%, the cheapest). Of the other 100 t, C may supply at most
    25% of 200 = 50 t; A supplies 50 t. Cost = 100 x 1 + 50 x 5 + 50 x 10 = 850 USD.
    """
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("gr"),
            "Countries": countries(("A", 0.0), ("C", 0.9, "yes")),
            "Demand": [demand("gr", {2025: 200})],
            "Supply": [
                supply("A", "gr", "refined", 1e4, 10),
                supply("C", "gr", "refined", 1e4, 5),
                supply("A", "gr", "concentrate", 1e4, 1),
            ],
            "Processing": [
                {
                    "technology": "gr_ref",
                    "mineral": "gr",
                    "feed": "concentrate",
                    "module_t": 100,
                    "yield": 1,
                    "capex_musd_per_module": 1,
                    "existing_modules": 1,
                    "max_modules": 1,
                    "life_years": 30,
                }
            ],
            "Policy": [
                {"rule": "max_concern_share", "value": 0.25},
                {"rule": "min_domestic_share", "mineral": "gr", "value": 0.5},
            ],
        },
    )
    assert tonnes(plan, "C") == pytest.approx(50)
    assert tonnes(plan, "A") == pytest.approx(50)
    assert plan.summary["objective_musd"] * MUSD == pytest.approx(850)
    risk = plan.risk.iloc[0]
    assert risk["concern_share"] == pytest.approx(0.25)
    assert risk["self_sufficiency"] == pytest.approx(0.5)


def _ree_infeasibility(tmp_path, available_t: float, policy: list[dict]) -> str:
    """The message of a one-country rare-earth case (demand 365 t in 2025) that has no plan."""
    with pytest.raises(SolveError) as info:
        run(
            tmp_path,
            {
                "Minerals": minerals("ree"),
                "Countries": countries(("A", 0.0)),
                "Demand": [demand("ree", {2025: 365})],
                "Supply": [supply("A", "ree", "refined", available_t, 100)],
                "Policy": policy,
            },
        )
    return str(info.value)


def test_infeasible_policy_is_explained(tmp_path):
    """Stock must cover 30 days of demand, but nothing can be bought: the stock rule cannot
    hold (unmet demand covers the balance, not the stock). The explanation names Policy row 2."""
    message = _ree_infeasibility(
        tmp_path, 0, [{"rule": "min_stock_days", "mineral": "ree", "value": 30}]
    )
    assert "Policy row 2" in message
    assert "min_stock_days" in message
    assert "ree" in message


def test_infeasibility_names_only_the_rules_that_must_move_with_units(tmp_path):
    """Demand 365 t; country A sells at most 100 t. Rule 1 caps A at half of refined supply,
    so with A the only source nothing may be bought; rule 2 wants a year of stock (365 t).

    The least total relaxation bends both (the cap by 50 t so that 100 t can be bought, the
    stock by 265 t), but the cap need not move: with nothing bought, the stock rule alone is
    short by its whole 365 t. Only rule 2 is named, in tonnes of stock."""
    message = _ree_infeasibility(
        tmp_path,
        100,
        [
            {"rule": "max_country_share", "mineral": "ree", "country": "A", "value": 0.5},
            {"rule": "min_stock_days", "mineral": "ree", "value": 365},
        ],
    )
    assert "Policy row 3 (min_stock_days 365)" in message
    assert "short by 365.0 t of stock in total" in message
    assert "Policy row 2" not in message


def test_infeasibility_analysis_leaves_the_model_as_it_was(tmp_path):
    """The elastic solve runs on a copy of the HiGHS instance: after the explanation, the
    model's own instance has its columns, costs and rows unchanged."""
    import numpy as np

    from models.build import build_model
    from planner.solve.highs import HighsModel
    from planner.solve.infeasibility import explain_infeasibility

    path = write_workbook(
        tmp_path / "infeasible.xlsx",
        {
            "Minerals": minerals("ree"),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("ree", {2025: 365})],
            "Supply": [supply("A", "ree", "refined", 0, 100)],
            "Policy": [{"rule": "min_stock_days", "mineral": "ree", "value": 30}],
        },
    )
    data = load_input(path)
    model = build_model(data)
    hm = HighsModel(model)
    before = hm.highs.getLp()
    cost, cols, rows = np.array(before.col_cost_), hm.num_columns, hm.num_rows
    message = explain_infeasibility(hm, model, model.ix)
    assert "Policy row 2" in message
    after = hm.highs.getLp()
    assert (hm.num_columns, hm.num_rows) == (cols, rows)
    np.testing.assert_array_equal(np.array(after.col_cost_), cost)
