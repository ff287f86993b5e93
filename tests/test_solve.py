"""Solver limits: a stopped run still gives its best plan with its gap; no plan is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.api import load_input, solve, write_plan
from planner.export.plan import read_plan_summary
from planner.solve.dispatch import SolveError

INDIA = Path(__file__).resolve().parents[1] / "inputs" / "india_2040.xlsx"


@pytest.fixture(scope="module")
def india():
    return load_input(INDIA)


def test_stopped_run_exports_best_plan_with_its_gap(india, tmp_path):
    """Stop HiGHS at its first improving solution (a deterministic stand-in for a time limit):
    the plan is the incumbent, the summary says why it stopped and how far from optimal."""
    plan = solve(india, mip_gap=0.0, highs_options={"mip_max_improving_sols": 1})
    assert plan.summary["status"] == "solution_limit"
    gap = plan.summary["gap"]
    assert gap is not None and gap > 0
    assert plan.summary["best_bound_musd"] <= plan.summary["objective_musd"]
    assert plan.notes and "best plan found" in plan.notes[0]
    out = write_plan(plan, tmp_path / "plan.xlsx")
    summary, _ = read_plan_summary(out)
    assert summary["status"] == "solution_limit"
    assert float(summary["gap"]) == pytest.approx(gap)


def test_no_solution_within_the_time_limit_is_an_error(india):
    with pytest.raises(SolveError, match="no plan"):
        solve(india, time_limit_s=1e-6)
