"""Each HiGHS workaround of planner/solve/highs.py, and whether the HiGHS in use still needs it.

A test named `..._still_needed` checks the upstream behaviour the workaround exists for: when it
fails after a highspy upgrade, the behaviour is gone and the workaround can go (see the module
docstring of planner/solve/highs.py for the references)."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest

from models.build import build_model
from planner.api import load_input
from planner.solve.highs import HighsModel, Outcome

TEACHING = "examples/teaching.xlsx"


def _stdout_of(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


def test_banner_workaround_still_needed():
    """BANNER: a bare highspy.Highs() prints "Running HiGHS" on stdout (HiGHS#1702, #2749)."""
    assert "Running HiGHS" in _stdout_of("import highspy; highspy.Highs()")


def test_banner_workaround_keeps_stdout_clean():
    out = _stdout_of(
        "from planner.solve.highs import new_highs; new_highs(); new_highs(); print('done')"
    )
    assert out == "done\n"


def test_repeated_columns_workaround_still_needed():
    """REPEATED_COLUMNS: changeColsBounds with a column named twice is refused (kError)."""
    import highspy

    from planner.solve.highs import new_highs

    h = new_highs()
    h.addVars(2, np.zeros(2), np.ones(2))
    cols = np.array([0, 0], dtype=np.int32)
    status = h.changeColsBounds(2, cols, np.zeros(2), np.zeros(2))
    assert status == highspy.HighsStatus.kError


_ONE_COLUMN_LP = """
import numpy as np
from planner.solve.highs import new_highs

def run(threads):
    h = new_highs()
    h.setOptionValue("output_flag", False)
    h.addVars(1, np.zeros(1), np.ones(1))
    h.changeColsCost(1, np.array([0], dtype=np.int32), np.array([-1.0]))
    if threads:
        h.setOptionValue("threads", threads)
    h.run()
    return h.modelStatusToString(h.getModelStatus())
"""


def test_thread_count_workaround_still_needed():
    """THREADS: HiGHS starts one thread scheduler per process; a later run asking for another
    thread count stops without a plan."""
    out = _stdout_of(_ONE_COLUMN_LP + "print(run(None)); print(run(1))")
    assert out.split() == ["Optimal", "Not", "Set"]


def test_a_solve_may_ask_for_another_thread_count():
    """THREADS worked around (planner/solve/highs.py:use_threads): the same plan with HiGHS's
    default threads, with one thread, and with the default again, in one process."""
    out = _stdout_of(
        "from planner.api import load_input, solve\n"
        f"data = load_input({TEACHING!r})\n"
        "for options in (None, {'threads': 1}, None):\n"
        "    print(round(solve(data, highs_options=options).summary['objective_musd'], 6))\n"
    )
    objectives = out.split()
    assert len(objectives) == 3 and len(set(objectives)) == 1, out


@pytest.fixture(scope="module")
def teaching():
    data = load_input(TEACHING)
    model = build_model(data)
    return model, HighsModel(model)


def test_repeated_columns_are_fixed_once_at_the_last_value(teaching):
    model, hm = teaching
    var = next(iter(model.buy.values()))
    cols = hm.fix_columns([(var, 1.0), (var, 2.0)])
    col = hm.col_of[id(var)]
    assert list(cols) == [col]
    lp = hm.highs.getLp()
    assert lp.col_lower_[col] == 2.0 and lp.col_upper_[col] == 2.0
    hm.release_columns(cols)
    assert hm.highs.getLp().col_upper_[col] == hm.upper[col]


def test_dense_start_guard_plans_price_to_their_objective(teaching):
    """DENSE_START: a warm start from the integer decisions gives a plan that prices to the
    objective HiGHS reports, and the same objective as the cold solve."""
    _, hm = teaching
    cold = hm.solve(mip_gap=0.0)
    assert cold.status is Outcome.OPTIMAL and hm.objective_consistent(cold)
    warm = hm.solve_from(hm.x.copy(), mip_gap=0.0)
    assert hm.objective_consistent(warm)
    assert warm.objective == pytest.approx(cold.objective, rel=1e-9)


def test_status_is_an_outcome_word(teaching):
    _, hm = teaching
    status = hm.solve(mip_gap=1e-3)
    assert isinstance(status.status, Outcome) and status.status == "optimal"


def test_a_running_mip_reports_incumbent_bound_and_gap():
    """HighsModel.on_progress hears each improved plan (HiGHS's improving-solution callback):
    incumbents never rise (a minimisation), the last is the plan returned, and each report has
    its bound below it; no report comes after the solve."""
    data = load_input("inputs/india_2040.xlsx")
    hm = HighsModel(build_model(data))
    reports = []
    hm.on_progress = reports.append
    status = hm.solve(mip_gap=1e-3, time_limit_s=120, mip_abs_gap=100.0)
    plans = [r for r in reports if r.incumbent is not None]
    assert plans, "no progress reported"
    incumbents = [r.incumbent for r in plans]
    # HiGHS may report one plan twice, its objective recomputed a rounding error apart
    assert all(b <= a + 1e-9 * abs(a) for a, b in itertools.pairwise(incumbents))
    assert incumbents[-1] == pytest.approx(status.objective, rel=1e-9)
    assert all(r.bound is None or r.bound <= r.incumbent + 1e-6 for r in plans)
    assert "best plan" in plans[-1].words() and "gap" in plans[-1].words()
    count = len(reports)
    hm.on_progress = None
    hm.solve(mip_gap=1e-3, time_limit_s=120, mip_abs_gap=100.0)
    assert len(reports) == count


def _india_after_a_mip() -> HighsModel:
    """The India model (unpriced) after a MIP solve: a second or more of HiGHS run time."""
    data = load_input("inputs/india_2040.xlsx")
    data.settings.concentration_weight = 0.0
    hm = HighsModel(build_model(data))
    status = hm.solve(0.001, 120)
    assert status.status is Outcome.OPTIMAL
    return hm


def test_lp_clock_workaround_still_needed():
    """LP_CLOCK: an LP run compares time_limit with the instance's total run time, so after
    a MIP that ran longer, an LP given a limit below that total stops at once."""
    import highspy

    hm = _india_after_a_mip()
    h = hm.highs
    spent = h.getRunTime()
    assert spent > 0.05
    h.clearSolver()
    cols = np.flatnonzero(hm.integer).astype(np.int32)
    h.changeColsIntegrality(len(cols), cols, np.full(len(cols), highspy.HighsVarType.kContinuous))
    h.setOptionValue("time_limit", spent / 2)  # far more than the LP needs, less than `spent`
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit


def test_lps_after_a_mip_get_their_own_time():
    """With the workaround, the same LPs (relaxation, integers held, duals) solve to optimal
    with a limit below the instance's total run time."""
    hm = _india_after_a_mip()
    limit = hm.highs.getRunTime() / 2
    hm.highs.clearSolver()
    assert hm.solve_with_integers_fixed(limit).status is Outcome.OPTIMAL  # the MIP's plan
    duals, _ = hm.duals_with_integers_fixed(limit)
    reference, _ = hm.duals_with_integers_fixed(10_000.0)
    assert np.abs(reference).max() > 0
    np.testing.assert_allclose(duals, reference, rtol=1e-6, atol=1e-9)
    assert hm.solve_with_integers_fixed(limit, relax=True).status is Outcome.OPTIMAL


def test_a_model_highs_refuses_gives_no_plan(tmp_path):
    """HiGHS refuses a coefficient above 1e15 and, with addRows, keeps the columns without the
    rows: that model would solve to a plan that buys nothing. A budget row of capex 1e5 MUSD
    at 1e12 INR/USD (a budget coefficient of 1e16; both figures within the input limits) must
    give no plan, with the reason, not an empty one."""
    from planner.solve.deterministic import SolveError, solve_deterministic
    from tests.builders import write_workbook
    from tests.test_validate import SETTINGS, base_sheets

    sheets = base_sheets()
    sheets["Projects"][0]["capex_musd"] = 1e5
    path = write_workbook(tmp_path / "in.xlsx", sheets, {**SETTINGS, "inr_per_usd": 1e12})
    with pytest.raises(SolveError, match="refused the model"):
        solve_deterministic(load_input(path), None, 60, None, None)


def test_an_instance_keeps_its_thread_count_after_another_counts_run():
    """THREADS: an instance built for two threads solves after a one-thread run in the same
    process (each run restarts the scheduler for its instance's own count when it set one)."""
    out = _stdout_of(
        "from planner.api import load_input, solve\n"
        "from models.build import build_matrix_model\n"
        "from models.index import build_index\n"
        "from planner.solve.highs import HighsModel\n"
        f"data = load_input({TEACHING!r})\n"
        "two = HighsModel(build_matrix_model(data, build_index(data)), threads=2)\n"
        "print(solve(data, highs_options={'threads': 1}).summary['status'])\n"
        "print(two.solve(mip_gap=0.0, time_limit_s=60).status)\n"
    )
    assert out.split() == ["optimal", "optimal"], out
