"""A one-shot solve frees its model while HiGHS solves and rebuilds it for the plan
(planner/solve/deterministic.py: BackgroundRelease, start_rebuild; HighsModel.release,
attach): the model is gone during the solve, and the plan is the one the model kept
throughout gives."""

from __future__ import annotations

import gc
import threading
import time
import weakref

import highspy
import numpy as np
import pandas as pd
import pytest

from examples.teaching_workbook import write as write_teaching
from models.build import build_matrix_model
from models.index import build_index
from planner.api import load_input, solve
from planner.results.plan import Plan
from planner.solve import deterministic
from planner.solve.highs import HighsModel
from planner.solve.persistent import PersistentModel

# summary items that are times, not results, and the persistent model's own run items
TIMES = {"solve_time_s", "build_s", "handover_s", "dual_solve_s", "report_s"}
PERSISTENT_ONLY = {"rebuilds", "update_s"}


@pytest.fixture(scope="module")
def teaching(tmp_path_factory):
    data = load_input(write_teaching(tmp_path_factory.mktemp("r") / "teaching.xlsx"))
    data.settings.mip_gap = 0.0
    assert data.settings.concentration_weight == 0  # not priced: the model is released
    return data


@pytest.fixture(autouse=True)
def release_any_size(monkeypatch):
    """These models are small: release them anyway (a one-shot solve keeps a model under
    RELEASE_FROM_COLUMNS columns)."""
    monkeypatch.setattr(deterministic, "RELEASE_FROM_COLUMNS", 0)


def test_a_small_model_is_kept_by_default(teaching, monkeypatch):
    monkeypatch.undo()
    model = build_matrix_model(teaching, build_index(teaching))
    assert model.column_space.size < deterministic.RELEASE_FROM_COLUMNS
    assert deterministic.keep_model(model)
    monkeypatch.setattr(deterministic, "RELEASE_FROM_COLUMNS", model.column_space.size)
    assert not deterministic.keep_model(model)


def _tables(plan: Plan) -> dict[str, pd.DataFrame]:
    return {name: value for name, value in vars(plan).items() if isinstance(value, pd.DataFrame)}


def _assert_same_plan(first: Plan, second: Plan) -> None:
    assert set(_tables(first)) == set(_tables(second))
    for name, frame in _tables(first).items():
        pd.testing.assert_frame_equal(frame, _tables(second)[name], obj=name)
    skip = TIMES | PERSISTENT_ONLY
    untimed = {k: v for k, v in first.summary.items() if k not in skip}
    assert untimed == {k: v for k, v in second.summary.items() if k not in skip}
    assert first.notes == second.notes


def test_the_model_is_freed_during_a_one_shot_solve(teaching, monkeypatch):
    """Once HiGHS's run starts, the matrix model and its index are freed by `free_model` on
    the helper thread (`BackgroundRelease`): HiGHS's run waits here for both to be gone,
    which would never happen if the freeing came after the solve, or left them to the
    cyclic collector (paused during a solve; the model's terms refer back to it); the
    instance holds no row handles; afterwards the plan reads a rebuilt model."""
    built: list[weakref.ref] = []
    seen: dict[str, object] = {}
    freed_on: list[str] = []
    build, free = deterministic.build_matrix_model, deterministic.free_model
    run, model_run = highspy.Highs.run, HighsModel._run

    def recorded_build(data, ix, blocks=None):
        model = build(data, ix, blocks)
        built.extend([weakref.ref(model), weakref.ref(ix)])
        return model

    def recorded_free(model):
        freed_on.append(threading.current_thread().name.split("_")[0])
        free(model)

    def checked_run(highs):
        if "alive" not in seen:  # the MIP's run, not the dual LP's
            assert not gc.isenabled()  # as under `solve`: only reference counting frees
            deadline = time.monotonic() + 30
            while any(ref() is not None for ref in built) and time.monotonic() < deadline:
                time.sleep(0.01)
            seen["alive"] = [ref() is not None for ref in built]
        return run(highs)

    def recorded_run(self):
        seen.setdefault("rows", len(self.rows))
        seen.setdefault("released", self.released)
        return model_run(self)

    monkeypatch.setattr(deterministic, "build_matrix_model", recorded_build)
    monkeypatch.setattr(deterministic, "free_model", recorded_free)
    monkeypatch.setattr(highspy.Highs, "run", checked_run)
    monkeypatch.setattr(HighsModel, "_run", recorded_run)
    plan = solve(teaching)
    assert seen == {"alive": [False, False], "rows": 0, "released": True}
    assert freed_on == ["planner-model"]
    assert plan.summary["status"] == "optimal"
    assert len(built) == 4  # the model and index handed over, and their rebuild for the plan


def test_the_freeing_waits_for_highs_to_run(teaching, monkeypatch):
    """The freeing starts only once HiGHS's run is about to start (`before_run`): emptying a
    model is one long call holding Python's lock, which begun earlier kept the solving
    thread from reaching HiGHS. Here the model is still whole when the solve is called."""
    seen: list[bool] = []
    built: list[weakref.ref] = []
    build, solve_call = deterministic.build_matrix_model, HighsModel.solve

    def recorded_build(data, ix, blocks=None):
        model = build(data, ix, blocks)
        built.append(weakref.ref(model))
        return model

    def checked_solve(self, *args, **kwargs):
        time.sleep(0.2)  # time enough for a freeing that did not wait to empty the model
        model = built[0]()
        seen.append(model is not None and hasattr(model, "ix"))
        del model
        return solve_call(self, *args, **kwargs)

    monkeypatch.setattr(deterministic, "build_matrix_model", recorded_build)
    monkeypatch.setattr(HighsModel, "solve", checked_solve)
    assert solve(teaching).summary["status"] == "optimal"
    assert seen == [True]


def test_the_rebuild_runs_while_highs_resolves_for_duals(teaching, monkeypatch):
    """The model for the plan is built on the helper thread while the re-solve for the
    duals runs (`start_rebuild`): the re-solve waits here until that build has started and
    finished, which would never happen if the build came after it; the plan's model is the
    one the helper built, attached after the re-solve."""
    started, finished = threading.Event(), threading.Event()
    order: list[str] = []
    build_again, duals = deterministic._build_again, HighsModel.duals_with_integers_fixed
    attach = HighsModel.attach

    def recorded_build_again(data, blocks):
        started.set()
        order.append(f"build on {threading.current_thread().name.split('_')[0]}")
        try:
            return build_again(data, blocks)
        finally:  # a failed build is raised where the model is attached, not waited out
            finished.set()

    def waiting_duals(self, *args, **kwargs):
        assert started.wait(30) and finished.wait(30)
        order.append("duals")
        return duals(self, *args, **kwargs)

    def recorded_attach(self, model):
        order.append("attach")
        return attach(self, model)

    monkeypatch.setattr(deterministic, "_build_again", recorded_build_again)
    monkeypatch.setattr(HighsModel, "duals_with_integers_fixed", waiting_duals)
    monkeypatch.setattr(HighsModel, "attach", recorded_attach)
    plan = solve(teaching)
    assert plan.summary["status"] == "optimal"
    assert order == ["build on planner-model", "duals", "attach"]


def test_one_shot_plan_equals_the_kept_models_plan(teaching, monkeypatch):
    """The same plan, table by table and cell by cell, whether the model is released and
    rebuilt or kept throughout (as a model with tangent cuts is), and the same as the
    persistent model's (a Pyomo model, never released)."""
    one = {"threads": 1}  # a released model runs one thread: all three alike (ties)
    released = solve(teaching, highs_options=one)
    persistent = PersistentModel(teaching, threads=1).solve(teaching)
    monkeypatch.setattr(deterministic, "keep_model", lambda model: True)
    monkeypatch.setattr(deterministic, "rebuild", None)  # never called
    kept = solve(teaching, highs_options=one)
    _assert_same_plan(released, kept)
    _assert_same_plan(released, persistent)


def test_the_small_benchmark_plan_is_the_same_released_or_kept(tmp_path, monkeypatch):
    """On a synthetic case with thousands of rows (many minerals, projects, modules, budgets
    and share rules), the released-and-rebuilt model gives the kept model's plan."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import bench_scale

    size = bench_scale.Size(minerals=4, countries=8, years=6, projects=8, technologies=4)
    path = bench_scale.write_instance(bench_scale.make_instance(size, 3), tmp_path / "b.xlsx")
    data = load_input(path)
    released = solve(data)
    monkeypatch.setattr(deterministic, "keep_model", lambda model: True)
    _assert_same_plan(released, solve(data, highs_options={"threads": 1}))


def test_released_rows_refuse_duals_until_attached(teaching):
    """After `release` the row handles are gone and duals are refused (not read as zeros);
    `attach` with a rebuilt model gives the same duals as before."""
    model = build_matrix_model(teaching, build_index(teaching))
    hm = HighsModel(model)
    hm.solve(0.0)
    duals, _ = hm.duals_with_integers_fixed()
    before = hm.duals(model.balance, duals)
    hm.release()
    assert hm.rows == [] and hm.rows_of == {}
    with pytest.raises(RuntimeError, match="released"):
        hm.duals(model.balance, duals)
    with pytest.raises(RuntimeError, match="released"):
        hm.add_rows([], [])
    values = hm.values(model.buy)  # values are read by column number all the same
    again = build_matrix_model(teaching, build_index(teaching))
    hm.attach(again)
    assert hm.duals(again.balance, duals) == before
    assert hm.values(again.buy) == values
    assert len(hm.rows) == hm.num_rows


def test_attach_refuses_a_model_of_other_data(teaching):
    """A rebuild must be the model the instance holds: other right-hand sides, bounds or
    blocks are refused."""
    hm = HighsModel(build_matrix_model(teaching, build_index(teaching)))
    hm.release()
    more = teaching.copy()
    more.demand["demand_t"] *= 1.3  # balance right-hand sides
    with pytest.raises(ValueError, match="bounds differ"):
        hm.attach(build_matrix_model(more, build_index(more)))
    fewer = teaching.copy()
    fewer.policy = fewer.policy.iloc[:0]  # no policy rows
    with pytest.raises(ValueError, match="differ"):
        hm.attach(build_matrix_model(fewer, build_index(fewer)))
    assert hm.released


def test_a_matrix_models_columns_are_looked_up_without_a_dict(teaching):
    """col_of of a matrix model reads the lookup array: the same answers as a dict of every
    column, KeyError (None from get) for a column number not in the matrix."""
    model = build_matrix_model(teaching, build_index(teaching))
    hm = HighsModel(model)
    expected = {int(column): i for i, column in enumerate(hm.columns)}
    assert dict(hm.col_of) == expected and len(hm.col_of) == len(expected)
    absent = [c for c in range(model.column_space.size) if c not in expected]
    for column in [*absent, -1, model.column_space.size]:
        assert hm.col_of.get(column) is None
        with pytest.raises(KeyError):
            hm.col_of[column]
    assert hm.col_of[np.int64(hm.columns[0])] == 0


def test_a_model_with_only_the_plans_blocks_attaches_those_rows(teaching):
    """The rebuild for the plan has only the balance and budget rows: they get their
    handles (the same duals as the full model's), every other row None, and such a model
    cannot be compiled."""
    from models.build import standard_form

    full = build_matrix_model(teaching, build_index(teaching))
    hm = HighsModel(full)
    hm.solve(0.0)
    duals, _ = hm.duals_with_integers_fixed()
    expected = (hm.duals(full.balance, duals), hm.duals(full.budget, duals))
    hm.release()
    plan_model = build_matrix_model(teaching, build_index(teaching), deterministic.PLAN_BLOCKS)
    assert len(plan_model.policy) == 0 and len(plan_model.balance) == len(full.balance)
    hm.attach(plan_model)
    assert (hm.duals(plan_model.balance, duals), hm.duals(plan_model.budget, duals)) == expected
    attached = {id(row) for row in [*plan_model.balance.values(), *plan_model.budget.values()]}
    for handle, _sense in hm.rows:
        assert handle is None or id(handle) in attached
    assert sum(handle is not None for handle, _ in hm.rows) == len(attached)
    with pytest.raises(ValueError, match="only some"):
        standard_form(plan_model)


@pytest.mark.parametrize("workbook", ["inputs/india_2040.xlsx", "bench"])
def test_a_model_without_policy_rows_declares_the_same_columns(workbook, tmp_path):
    """R's keys found without the bindings (a rebuild for the plan) are the keys the
    bindings give: every variable family, and so every column number, is the same."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    if workbook == "bench":
        import sys

        sys.path.insert(0, str(root / "benchmarks"))
        import bench_scale

        size = bench_scale.Size(minerals=4, countries=8, years=6, projects=8, technologies=4)
        path = bench_scale.write_instance(bench_scale.make_instance(size, 3), tmp_path / "b.xlsx")
    else:
        path = root / workbook
    data = load_input(path)
    full = build_matrix_model(data, build_index(data))
    partial = build_matrix_model(data, build_index(data), deterministic.PLAN_BLOCKS)
    assert full.sourced  # share rules bind somewhere
    assert partial.policy_index == [] and len(full.policy_index) > len(full.sourced)
    assert dict(full.sourced) == dict(partial.sourced)
    assert full.column_space.size == partial.column_space.size


def test_a_released_model_is_solved_with_one_thread(teaching, monkeypatch):
    """A released model's solve runs one HiGHS thread (deterministic.released_options),
    unless the caller's highs_options set the count; a kept model keeps HiGHS's default (0)."""
    seen: list[int] = []
    run = HighsModel.solve

    def checked_solve(self, *args, **kwargs):
        status = run(self, *args, **kwargs)
        seen.append(self.highs.getOptionValue("threads")[1])
        return status

    monkeypatch.setattr(HighsModel, "solve", checked_solve)
    plans = [solve(teaching), solve(teaching, highs_options={"threads": 2})]
    monkeypatch.setattr(deterministic, "keep_model", lambda model: True)
    plans.append(solve(teaching))
    assert seen == [1, 2, 0]
    # the same optimum (a tie may be broken otherwise with another thread count)
    assert [p.summary["status"] for p in plans] == ["optimal"] * 3
    objectives = [p.summary["objective_musd"] for p in plans]
    assert objectives[0] == pytest.approx(objectives[2], rel=1e-9)
    assert objectives[1] == pytest.approx(objectives[2], rel=1e-9)


def test_released_options_leave_the_callers_options_alone():
    """One thread added to a copy; a count the caller set is kept; the caller's dict is
    never changed."""
    nodes, two = {"mip_max_nodes": 5}, {"threads": 2, "mip_max_nodes": 5}
    assert deterministic.released_options(nodes) == {"mip_max_nodes": 5, "threads": 1}
    assert deterministic.released_options(two) == two
    assert deterministic.released_options(two) is not two
    assert deterministic.released_options(None) == {"threads": 1}
    assert nodes == {"mip_max_nodes": 5} and two == {"threads": 2, "mip_max_nodes": 5}


def test_a_kept_models_flows_are_collected_while_highs_solves(teaching, monkeypatch):
    """A kept model's flows by origin and its cost terms (what the plan reads of it and no
    solution changes) are worked out on the helper thread during HiGHS's run: the run waits
    here until the flows are there, which it never would if they were collected after the
    solve. The plan is the same as when the extraction collects them itself."""
    monkeypatch.setattr(deterministic, "keep_model", lambda model: True)
    one = {"threads": 1}
    prepare = deterministic.prepare_extraction
    monkeypatch.setattr(deterministic, "prepare_extraction", lambda model: None)
    unprepared_plan = solve(teaching, highs_options=one)

    prepared_on: list[str] = []
    models: list = []

    def recorded_prepare(model):
        models.append(model)
        prepared_on.append(threading.current_thread().name.split("_")[0])
        return prepare(model)

    run = highspy.Highs.run
    waited: list[bool] = []

    def waiting_run(highs):
        if not waited:
            deadline = time.monotonic() + 30
            while not (models and models[0].terms._flows is not None):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.005)
            waited.append(bool(models) and models[0].terms._flows is not None)
        return run(highs)

    monkeypatch.setattr(deterministic, "prepare_extraction", recorded_prepare)
    monkeypatch.setattr(highspy.Highs, "run", waiting_run)
    prepared_plan = solve(teaching, highs_options=one)
    assert waited == [True]
    assert prepared_on == ["planner-model"]
    _assert_same_plan(prepared_plan, unprepared_plan)


def test_mine_flows_are_collected_once_by_threads_at_once(teaching, monkeypatch):
    """Two threads asking a model's supply terms for the flows at the same moment (the
    helper preparing the plan, the solve reading the mine basis) get the one collection: the
    collecting, slowed here, runs once."""
    from models import supply_terms

    model = build_matrix_model(teaching, build_index(teaching))
    calls: list[int] = []
    collect = supply_terms._flows

    def slow_flows(m, ix):
        calls.append(1)
        time.sleep(0.2)
        return collect(m, ix)

    monkeypatch.setattr(supply_terms, "_flows", slow_flows)
    results: list = []
    threads = [
        threading.Thread(target=lambda: results.append(model.terms.flows())) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert results[0] is results[1] and len(results[0]) > 0
