"""Known answers for risk on two bases, the priced concentration term and shortfall as risk.

Unless a test says otherwise: one year (2025), no discounting, no tariff or freight, shortfall
penalty 1e6 USD/t, demand 100 t. V = demand x the year's mean refined price / 1e6 (million USD)
is the value the concentration term scales (models/concentration.py).
"""

from __future__ import annotations

import pytest

from planner.api import load_input, solve
from tests.builders import countries, demand, minerals, supply, write_workbook

MUSD = 1e6
V3 = {"schema_version": 3}


def run(tmp_path, sheets, **settings):
    path = write_workbook(tmp_path / "case.xlsx", sheets, {**V3, **settings})
    return solve(load_input(path))


def bought(plan, country, form="refined"):
    s = plan.sourcing
    return float(s.loc[(s["country"] == country) & (s["form"] == form), "tonnes_t"].sum())


def refinery(module_t=100, yield_=0.5, existing=1) -> dict:
    return {
        "technology": "refinery",
        "mineral": "co",
        "feed": "concentrate",
        "module_t": module_t,
        "yield": yield_,
        "capex_musd_per_module": 1,
        "existing_modules": existing,
        "max_modules": existing,
        "life_years": 10,
    }


@pytest.mark.parametrize(("r1", "r2"), [(0.2, 0.6), (0.5, 0.5), (0.1, 0.9)])
def test_two_equal_price_suppliers_split_by_inverse_risk(tmp_path, r1, r2):
    """A and B sell at the same 1000 USD/t (so cost is 0.1 MUSD whatever the split), with
    risk scores r1 and r2. With concentration_weight 1 the plan minimises
    K = V (r1 s^2 + r2 (1 - s)^2), V = 100 x 1000 / 1e6 = 0.1: dK/ds = 0 at s = r2 / (r1 + r2)
    from A, K* = V r1 r2 / (r1 + r2). The cuts' K is within 0.1% of the true K."""
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("li"),
            "Countries": countries(("A", r1), ("B", r2)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": [
                supply("A", "li", "refined", 1000, 1000),
                supply("B", "li", "refined", 1000, 1000),
            ],
        },
        concentration_weight=1.0,
    )
    share_a = r2 / (r1 + r2)
    assert bought(plan, "A") == pytest.approx(100 * share_a, abs=0.2)
    assert bought(plan, "B") == pytest.approx(100 * (1 - share_a), abs=0.2)
    k = 0.1 * r1 * r2 / (r1 + r2)
    s = plan.summary
    assert s["concentration_discounted_musd"] == pytest.approx(k, rel=1e-5)
    assert s["concentration_approximation_error_pct"] < 0.1
    assert s["concentration_model_discounted_musd"] <= s["concentration_discounted_musd"] + 1e-12
    assert s["objective_musd"] == pytest.approx(0.1 + k, rel=1e-5)
    assert plan.risk["concentration_musd"].iloc[0] == pytest.approx(k, rel=1e-5)


def test_concentration_reported_but_not_priced_at_weight_zero(tmp_path):
    """A sells at 1000 USD/t (risk 0.2), B at 1100 (risk 0.6): the cheapest plan buys all
    100 t from A. The mean refined price is 1050, so V = 0.105 MUSD and K = V x 0.2 x 1^2 =
    0.021 MUSD, reported though not priced (no cut is built)."""
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("li"),
            "Countries": countries(("A", 0.2), ("B", 0.6)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": [
                supply("A", "li", "refined", 1000, 1000),
                supply("B", "li", "refined", 1000, 1100),
            ],
        },
    )
    assert bought(plan, "A") == pytest.approx(100)
    assert plan.summary["concentration_discounted_musd"] == pytest.approx(0.021)
    assert "concentration_cuts" not in plan.summary
    assert plan.summary["objective_musd"] * MUSD == pytest.approx(100_000)


def test_concentration_cap_buys_the_cheapest_plan_within_it(tmp_path):
    """A at 10 USD/t (risk 0.5), B at 12 (risk 0.1); V = 100 x 11 / 1e6. With s the share
    from A, K = V (0.5 s^2 + 0.1 (1 - s)^2). A cap of 0.2 V binds: 0.6 s^2 - 0.2 s - 0.1 = 0,
    s = (0.2 + sqrt(0.28)) / 1.2 = 0.607625; cost = 1200 - 200 s USD."""
    v = 100 * 11 / MUSD
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("li"),
            "Countries": countries(("A", 0.5), ("B", 0.1)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": [
                supply("A", "li", "refined", 1000, 10),
                supply("B", "li", "refined", 1000, 12),
            ],
        },
        concentration_cap_musd=0.2 * v,
    )
    s = (0.2 + 0.28**0.5) / 1.2
    assert bought(plan, "A") == pytest.approx(100 * s, abs=1e-3)
    assert plan.summary["total_cost_discounted_musd"] * MUSD == pytest.approx(
        1200 - 200 * s, abs=1e-3
    )
    assert plan.summary["concentration_discounted_musd"] <= 0.2 * v * (1 + 1e-5)


def test_refined_imports_split_by_mine_origin(tmp_path):
    """China sells refined cobalt mined 80% in Congo and 20% in China (MineOrigins); the
    plan buys all 100 t there. Refining basis: HHI 1, concern share 1 (China is of concern).
    Mine basis: HHI 0.8^2 + 0.2^2 = 0.68, governance HHI 0.64 x 0.9 + 0.04 x 0.5 = 0.596,
    concern share 0.2. The MineOrigin sheet shows 80 t Congo -> China and 20 t China -> China."""
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("co"),
            "Countries": countries(("China", 0.5, "yes"), ("Congo", 0.9), ("Chile", 0.3)),
            "Demand": [demand("co", {2025: 100})],
            "Supply": [
                supply("China", "co", "refined", 1000, 10),
                supply("Chile", "co", "refined", 1000, 20),
            ],
            "MineOrigins": [
                {"country": "China", "mineral": "co", "mine_country": "Congo", "share": 0.8},
                {"country": "China", "mineral": "co", "mine_country": "China", "share": 0.2},
            ],
        },
    )
    r = plan.risk.iloc[0]
    assert (r["hhi"], r["concern_share"], r["self_sufficiency"]) == pytest.approx((1, 1, 0))
    assert r["hhi_mine"] == pytest.approx(0.68)
    assert r["governance_hhi_mine"] == pytest.approx(0.596)
    assert r["concern_share_mine"] == pytest.approx(0.2)
    flows = plan.mine_origin.set_index(["mine_country", "refining_country"])["tonnes_t"]
    assert flows.to_dict() == pytest.approx({("Congo", "China"): 80.0, ("China", "China"): 20.0})


def _home_refinery_case(tmp_path, basis: str | None):
    """Home refinery (one module of 100 t, yield 0.5) fed with concentrate from China (1 USD/t,
    of concern) or Chile (3 USD/t); demand 100 t refined."""
    sheets = {
        "Minerals": minerals("co"),
        "Countries": countries(("China", 0.5, "yes"), ("Chile", 0.3)),
        "Demand": [demand("co", {2025: 100})],
        "Supply": [
            supply("China", "co", "concentrate", 1000, 1),
            supply("Chile", "co", "concentrate", 1000, 3),
        ],
        "Processing": [refinery()],
    }
    if basis is not None:
        sheets["Policy"] = [
            {
                "rule": "max_concern_share",
                "mineral": "*",
                "country": "*",
                "value": 0.5,
                "basis": basis,
            }
        ]
    return run(tmp_path, sheets)


def test_home_refinery_output_takes_the_mine_origin_of_its_feed(tmp_path):
    """Without a rule the refinery runs on 200 t of Chinese concentrate (cost 200 USD):
    refined at home (self-sufficiency 1, concern share 0) but mined in China (concern share
    on the mine basis 1, home-mined share 0)."""
    plan = _home_refinery_case(tmp_path, None)
    assert bought(plan, "China", "concentrate") == pytest.approx(200)
    assert plan.summary["total_cost_discounted_musd"] * MUSD == pytest.approx(200)
    r = plan.risk.iloc[0]
    assert (r["self_sufficiency"], r["concern_share"]) == pytest.approx((1, 0))
    assert (r["self_sufficiency_mine"], r["concern_share_mine"]) == pytest.approx((0, 1))
    flows = plan.mine_origin.set_index(["mine_country", "refining_country"])["tonnes_t"]
    assert flows.to_dict() == pytest.approx({("China", "Home"): 100.0})


@pytest.mark.parametrize(
    ("basis", "china_t", "cost_usd"), [("refining", 200, 200), ("mine", 100, 400)]
)
def test_concern_cap_on_the_mine_basis_binds_on_home_refining(tmp_path, basis, china_t, cost_usd):
    """max_concern_share 0.5: on the refining basis home output is of home origin and the rule
    does not bind (200 t of Chinese concentrate, 200 USD). On the mine basis at most 50 t of
    the 100 t refined may come from Chinese feed: 100 t China concentrate + 100 t Chile
    concentrate = 100 x 1 + 100 x 3 = 400 USD."""
    plan = _home_refinery_case(tmp_path, basis)
    assert bought(plan, "China", "concentrate") == pytest.approx(china_t)
    assert plan.summary["total_cost_discounted_musd"] * MUSD == pytest.approx(cost_usd)


@pytest.mark.parametrize(("basis", "a_t"), [("refining", 100), ("mine", 50)])
def test_country_cap_on_the_mine_basis_caps_refined_imports_by_where_they_were_mined(
    tmp_path, basis, a_t
):
    """A refines at 10 USD/t what X mines (MineOrigins A <- X 1.0); B sells its own at 12.
    max_country_share of X 0.5: X is no refining origin, so on that basis the rule has no
    binding and A supplies all 100 t (1000 USD); on the mine basis A supplies 50 t (1100 USD)."""
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("li"),
            "Countries": countries(("A", 0.2), ("B", 0.2), ("X", 0.4)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": [
                supply("A", "li", "refined", 1000, 10),
                supply("B", "li", "refined", 1000, 12),
            ],
            "MineOrigins": [{"country": "A", "mineral": "li", "mine_country": "X", "share": 1.0}],
            "Policy": [
                {
                    "rule": "max_country_share",
                    "mineral": "li",
                    "country": "X",
                    "value": 0.5,
                    "basis": basis,
                }
            ],
        },
    )
    assert bought(plan, "A") == pytest.approx(a_t)
    assert plan.summary["total_cost_discounted_musd"] * MUSD == pytest.approx(
        a_t * 10 + (100 - a_t) * 12
    )


def test_unmet_demand_is_exposed_at_the_worst_risk_score(tmp_path):
    """A sells 40 t at 10 USD/t (risk 0.5); demand 100 t; the penalty is 1000 USD/t. A huge
    risk weight no longer buys safety by leaving demand unmet: unmet demand is exposed at the
    mean refined price x 1.0 = 10 USD/t against A's 10 x 0.5 = 5. The plan buys the 40 t;
    exposure = 40 x 5 + 60 x 10 = 800 USD."""
    plan = run(
        tmp_path,
        {
            "Minerals": minerals("li", penalty=1000),
            "Countries": countries(("A", 0.5)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": [supply("A", "li", "refined", 40, 10)],
        },
        risk_weight=1e6,
    )
    assert bought(plan, "A") == pytest.approx(40)
    assert plan.summary["total_shortfall_t"] == pytest.approx(60)
    assert plan.summary["risk_exposure_discounted_musd"] * MUSD == pytest.approx(800)
    assert plan.risk["risk_exposure_musd"].iloc[0] * MUSD == pytest.approx(800)


def _two_supplier_sheets() -> dict:
    return {
        "Minerals": minerals("li"),
        "Countries": countries(("A", 0.5), ("B", 0.1)),
        "Demand": [demand("li", {2025: 100})],
        "Supply": [supply("A", "li", "refined", 1000, 10), supply("B", "li", "refined", 1000, 12)],
    }


def test_an_impossible_concentration_cap_is_named_and_the_persistent_model_recovers(tmp_path):
    """V = 100 x 11 / 1e6. The least K splits 1/6 from A: K = V (0.5/36 + 0.1 x 25/36) =
    V / 12. A cap of V / 20 admits no plan: the explanation names the cap. The persistent
    model that failed on it (after adding cuts) re-solves the next point in place."""
    from planner.solve.dispatch import SolveError
    from planner.solve.persistent import PersistentModel

    v = 100 * 11 / MUSD
    path = write_workbook(
        tmp_path / "cap.xlsx", _two_supplier_sheets(), {**V3, "concentration_cap_musd": v / 20}
    )
    data = load_input(path)
    with pytest.raises(SolveError, match=r"Settings concentration_cap_musd"):
        solve(data)
    model = PersistentModel(data)
    with pytest.raises(SolveError):
        model.solve(data)
    loose = data.copy()
    loose.settings.concentration_cap_musd = v / 10
    assert model.solve(loose).summary["status"] == "optimal"
    assert model.rebuilds == 1


def test_stress_test_of_a_workbook_that_prices_concentration(tmp_path):
    """The stress test re-optimises at cost: a workbook's concentration weight is not
    carried into it (the two-stage model has no K), and it runs."""
    from planner.analysis.stress import stress_test
    from planner.solve.first_stage import from_tables

    sheets = _two_supplier_sheets()
    sheets["Disruptions"] = [
        {"scenario": "ban", "probability": 0.1, "country": "A", "first_year": 2025,
         "supply_cut_pct": 50}
    ]  # fmt: skip
    path = write_workbook(tmp_path / "s.xlsx", sheets, {**V3, "concentration_weight": 1.0})
    data = load_input(path)
    plan = solve(data)
    result = stress_test(data, from_tables(plan.projects, plan.processing, plan.stock))
    assert result.summary["scenarios"] == 1
    assert result.summary["undisrupted_shortfall_t"] == 0
