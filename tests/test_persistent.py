"""Re-solving a built model in place gives the same plans as solving from scratch."""

from __future__ import annotations

import pytest

from examples.teaching_workbook import write as write_teaching
from planner.api import load_input, solve
from planner.solve.persistent import PersistentModel


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    data = load_input(write_teaching(tmp_path_factory.mktemp("p") / "teaching.xlsx"))
    data.settings.mip_gap = 0.0
    return data


def _variants(base):
    """A sequence of changed inputs touching costs, bounds, coefficients and right-hand sides."""
    out = []
    d = base.copy()
    d.settings.risk_weight = 0.5  # objective coefficients
    out.append(("risk weight 0.5", d))
    d = base.copy()
    d.demand["demand_t"] *= 1.3  # balance right-hand sides, unmet bounds, stock-days rows
    out.append(("demand x1.3", d))
    d = base.copy()
    rows = (d.supply["country"] == "China") & (d.supply["mineral"] == "lithium")
    d.supply.loc[rows, "price_usd_per_t"] = 20_000  # objective
    d.supply.loc[rows, "available_t"] = 2_000  # variable bounds
    out.append(("China lithium dear and scarce", d))
    d = base.copy()
    d.budgets.loc[0, "limit_inr_crore"] = 600  # budget right-hand side
    d.projects.loc[0, "capacity_t"] = 14_000  # offtake coefficients
    out.append(("budget cut, bigger JV", d))
    d = base.copy()
    d.policy.loc[0, "value"] = 0.45  # share coefficients
    d.processing.loc[0, "yield"] = 0.8  # feed coefficients
    out.append(("tighter cap, lower yield", d))
    out.append(("back to base", base.copy()))
    return out


def test_resolved_points_equal_fresh_solves(base):
    persistent = PersistentModel(base)
    persistent.solve(base)
    for label, data in _variants(base):
        again = persistent.solve(data)
        fresh = solve(data)
        assert again.summary["objective_musd"] == pytest.approx(
            fresh.summary["objective_musd"], rel=1e-7
        ), label
        assert again.summary["total_shortfall_t"] == pytest.approx(
            fresh.summary["total_shortfall_t"], abs=1e-6
        ), label
    assert persistent.rebuilds == 1  # every point was an in-place update


def test_structure_change_falls_back_to_a_rebuild(base):
    persistent = PersistentModel(base)
    data = base.copy()
    data.projects.loc[0, "earliest_year"] = 2027  # fewer build years: other sets
    plan = persistent.solve(data)
    assert persistent.rebuilds == 2
    assert plan.summary["objective_musd"] == pytest.approx(
        solve(data).summary["objective_musd"], rel=1e-7
    )


def test_updated_pyomo_model_matches_the_live_solver(base):
    """After in-place updates the Pyomo model itself is the new model: compiling it afresh
    gives the same optimum as the updated HiGHS instance."""
    from planner.solve.highs import HighsModel

    persistent = PersistentModel(base)
    *_, (_, changed) = _variants(base)[:5]
    plan = persistent.solve(changed)
    recompiled = HighsModel(persistent.model).solve(mip_gap=0.0)
    assert recompiled.objective == pytest.approx(plan.summary["objective_musd"], rel=1e-7)


def test_warm_started_plan_prices_to_its_objective():
    """Regression: HiGHS 1.16 given a full dense MIP start could return the start unchanged
    with a lower objective than the plan's cost (DR Congo cobalt x0.8 on the India case at gap
    1e-4, found by the tornado example). The plan must price to its objective and agree with a
    fresh solve within the gap."""
    from pathlib import Path

    from planner.analysis import params

    india = load_input(Path(__file__).resolve().parents[1] / "inputs" / "india_2040.xlsx")
    india.settings.mip_gap = 1e-4
    persistent = PersistentModel(india)
    persistent.solve(india)
    data = india.copy()
    key = params.parse_key("Supply[country=DR Congo,mineral=cobalt].price_usd_per_t")
    params.apply(data, key, "scale", 0.8)
    again = persistent.solve(data)
    s = again.summary
    priced = (
        s["total_cost_discounted_musd"]
        + s["concentration_weight"] * s["concentration_discounted_musd"]
        + s["risk_weight"] * s["risk_exposure_discounted_musd"]
    )
    assert s["objective_musd"] == pytest.approx(priced, rel=1e-9)
    fresh = solve(data).summary["objective_musd"]
    assert s["objective_musd"] == pytest.approx(fresh, rel=2e-4)


def test_resolved_points_with_priced_concentration_equal_fresh_solves(base):
    """With the concentration term priced, an in-place re-solve keeps the tangent cuts added
    so far (valid for any data: they are tangents of share^2) and refines them again; the
    plans agree with fresh solves to the cut refinement's tolerance."""
    priced = base.copy()
    priced.settings.concentration_weight = 0.5
    persistent = PersistentModel(priced)
    persistent.solve(priced)
    variants = []
    d = priced.copy()
    d.demand["demand_t"] *= 1.3  # the share rows' demand coefficients
    variants.append(("demand x1.3", d))
    d = priced.copy()
    d.settings.concentration_weight = 2.0  # objective coefficients of the epigraph
    variants.append(("weight 2", d))
    variants.append(("back to base", priced.copy()))
    for label, data in variants:
        again = persistent.solve(data)
        fresh = solve(data)
        assert again.summary["objective_musd"] == pytest.approx(
            fresh.summary["objective_musd"], rel=1e-4
        ), label
        assert again.summary["concentration_approximation_error_pct"] < 0.1, label
    assert persistent.rebuilds == 1


def test_a_cap_row_is_added_and_removed_in_place(base):
    """A risk cap is an optional block: capping adds its one row to the live HiGHS instance,
    lifting the cap removes it (no stand-in bound), with no rebuild; each plan equals a fresh
    solve of the same data."""
    persistent = PersistentModel(base)
    rows = persistent.hm.num_rows
    uncapped = persistent.solve(base)
    exposure = uncapped.summary["risk_exposure_discounted_musd"]
    capped_data = base.copy()
    capped_data.settings.risk_cap_musd = 0.9 * exposure
    capped = persistent.solve(capped_data)
    assert persistent.hm.num_rows == rows + 1 and len(persistent.model.risk_cap) == 1
    assert capped.summary["risk_exposure_discounted_musd"] <= 0.9 * exposure * (1 + 1e-6)
    fresh = solve(capped_data).summary["objective_musd"]
    assert capped.summary["objective_musd"] == pytest.approx(fresh, rel=1e-7)
    again = persistent.solve(base)
    assert persistent.hm.num_rows == rows and len(persistent.model.risk_cap) == 0
    assert again.summary["objective_musd"] == pytest.approx(
        uncapped.summary["objective_musd"], rel=1e-7
    )
    assert persistent.rebuilds == 1
