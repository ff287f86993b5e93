"""The deterministic pipeline: build the model, run HiGHS, read duals, return a Plan.

A one-shot solve frees its model while HiGHS solves: once the matrix model is handed over,
nothing reads it until the plan is assembled (unless the concentration term's tangent cuts are
refined between runs, or the model is too small for its memory to matter: `keep_model`), so
the model, its index and the instance's row handles are released (`BackgroundRelease`), the
solve runs with only the input data and HiGHS's copy in the process, and the model is built
again from the same data and attached to the instance for the extraction (`start_rebuild`,
`finish_rebuild`). The freeing
and the rebuild run on a helper thread while HiGHS runs (the solve, then the re-solve for the
duals), which it does without Python's lock: on two cores they cost little wall time. At the large
benchmark preset (639,272 columns, 544,221 rows) the process held 1,575 MiB before the solve
and 347 MiB after the release; HiGHS's MIP solve adds about 2.6 GiB on top of whatever the
process holds. Re-solves (planner/solve/persistent.py) keep their Pyomo model throughout.

`planner.solve.dispatch.solve` dispatches here or to the stochastic pipeline
(planner/solve/stochastic.py), which reuses this module's plan assembly and summary."""

from __future__ import annotations

import ctypes
import gc
import threading
import time
from collections.abc import Callable, Collection
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import numpy as np
import pyomo
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from models import budgets
from models.build import MatrixModel, build_matrix_model
from models.data import InputData
from models.index import ModelIndex, build_index
from models.objective import cost_terms, risk_terms, risk_terms_by_mineral_year
from models.registry import Model, decision_variables
from models.supply_terms import SupplyTerms, collect_supply_terms
from planner.results import measures, tables
from planner.results.plan import Plan
from planner.solve import concentration_cuts
from planner.solve.highs import HighsModel, Outcome, SolveStatus
from planner.solve.infeasibility import explain_infeasibility

Progress = Callable[[str], None]


class SolveError(Exception):
    """The model has no plan to export (infeasible, unbounded, or no solution in time)."""

    def __init__(self, message: str, status: SolveStatus | None = None):
        super().__init__(message)
        self.status = status


def program_version() -> str:
    try:
        return metadata.version("critical-minerals-planner")
    except metadata.PackageNotFoundError:
        return "unknown"


def highs_version() -> str:
    return metadata.version("highspy")


def solve_deterministic(data, mip_gap, time_limit_s, progress, highs_options) -> Plan:
    say = progress or (lambda _msg: None)
    s = data.settings
    mip_gap = s.mip_gap if mip_gap is None else mip_gap
    time_limit_s = s.time_limit_s if time_limit_s is None else time_limit_s
    timings: dict[str, float] = {}

    say("building the model")
    t0 = time.perf_counter()
    ix = build_index(data)
    model = build_matrix_model(data, ix)
    timings["build_s"] = time.perf_counter() - t0

    say("handing the model to HiGHS")
    hm = HighsModel(model)
    timings["handover_s"] = hm.handover_s
    # one shot: unless the model is read between HiGHS runs, it is freed while HiGHS solves
    # and rebuilt while HiGHS re-solves for the duals, each on a helper thread
    kept = model if keep_model(model) else None
    del ix  # the model holds the index: it goes with the model
    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner-model")
    try:
        freeing = prepared = None
        if kept is None:
            freeing = BackgroundRelease(hm, model, helper)
            highs_options = released_options(highs_options)
        else:
            prepared = helper.submit(prepare_extraction, kept)
        del model

        hm.announce(say, progress)
        t_solve = time.perf_counter()
        try:
            status, cuts = solve_model(
                kept, hm, mip_gap, s.mip_abs_gap_musd, time_limit_s, highs_options, warm=False
            )
            timings["solve_s"] = time.perf_counter() - t_solve
        finally:
            if freeing is not None:  # what of the freeing outlasts the solve
                t0 = time.perf_counter()
                freeing.finish()
                timings["handover_s"] += time.perf_counter() - t0
        check_solved(status, hm, kept, data, time_limit_s)

        rebuilding = start_rebuild(data, helper) if kept is None else None
        say("reading marginal costs (LP with the integer decisions fixed)")
        duals, dual_time = hm.duals_with_integers_fixed()
        timings["dual_solve_s"] = dual_time
        close_solver(hm)

        t0 = time.perf_counter()  # the plan's assembly includes the rebuild of a released model
        plan_model = finish_rebuild(rebuilding, hm) if rebuilding is not None else kept
    except BaseException:
        # an error or an interrupt: no waiting for a rebuild that nothing will read
        helper.shutdown(wait=False, cancel_futures=True)
        raise
    helper.shutdown()
    assert plan_model is not None  # kept, or released and rebuilt
    costs = prepared.result() if prepared is not None else None
    plan = extract_plan(data, plan_model, hm, status, duals, mip_gap, timings, cuts, costs)
    if kept is None:
        discard_rebuild(plan_model, hm)
    timings["report_s"] = time.perf_counter() - t0
    plan.summary["report_s"] = round(timings["report_s"], 3)
    return plan


def check_solved(
    status: SolveStatus,
    hm: HighsModel,
    kept: MatrixModel | None,
    data: InputData,
    time_limit_s: float,
) -> None:
    """Raise SolveError unless HiGHS left a plan: infeasible (with the explanation, read
    from the model rebuilt whole if it was released), refused, or no solution in time."""
    if status.status is Outcome.INFEASIBLE:
        model = kept if kept is not None else rebuild(data, hm)
        raise SolveError(explain_infeasibility(hm, model, model.ix), status)
    if hm.refused:
        raise SolveError(
            "HiGHS refused the model: a coefficient or bound is beyond its limits (above "
            "1e15 in size); check the units of the largest figures (capex_musd, "
            "inr_per_usd, limit_inr_crore)",
            status,
        )
    if not status.has_solution:
        raise SolveError(
            f"HiGHS found no plan (status {status.status}) within "
            f"{time_limit_s:g} s; raise time_limit_s or mip_gap",
            status,
        )


# A model of fewer columns is kept through the solve: it and its index hold a few hundred
# MiB at most (the 100k-variable LP of benchmarks/README.md: 300 MiB before the solve, 100 of
# them freed by a release), while the release and the rebuild cost it 0.36 s, as much as
# HiGHS's own solve. At the large preset (639,272 columns) the release frees 1.25 GiB.
RELEASE_FROM_COLUMNS = 250_000


def keep_model(model: MatrixModel) -> bool:
    """Is the model kept through the solve: read between HiGHS runs (a priced or capped
    concentration term: its tangent cuts are refined there, planner/solve/
    concentration_cuts.py), or too small for its memory to matter (RELEASE_FROM_COLUMNS)?
    If not, a one-shot solve releases it for the solve."""
    small = model.column_space.size < RELEASE_FROM_COLUMNS
    return small or concentration_cuts.has_pieces(model)


def released_options(options: dict | None) -> dict:
    """HiGHS's options for a model released for its solve: one thread unless `options` set
    the count. Such a model is large enough for memory to be what limits it: at the large
    preset one thread took HiGHS's MIP about 420 MiB less (2,529-2,544 MiB peak against
    2,948-2,968 MiB for the whole run) and no longer (35.2-40.9 s against 40.1-44.2 s, three
    alternating runs, benchmarks/README.md). Smaller models keep HiGHS's default, which ran
    the India case's MIP faster."""
    if options and "threads" in options:
        return dict(options)
    return {**(options or {}), "threads": 1}


class BackgroundRelease:
    """Before a one-shot solve: the instance's row handles dropped (`HighsModel.release`)
    and the model freed (`free_model`) on `helper`'s thread while HiGHS solves (it runs
    without Python's lock), so that the freeing costs the run no wall time.

    The freeing waits for HiGHS's run to start (`HighsModel.before_run`): emptying the model
    is one long call that holds Python's lock (0.5-0.7 s at the large preset), and begun
    first it kept this thread from reaching HiGHS for that long. HiGHS's memory grows slowly
    at first (the large preset: the process held 1.0 GiB 4 s into a 30 s solve, and peaked in
    its last second), so the peak is unchanged. Nor does the freeing hold up HiGHS: the MIP's
    callbacks (`HighsModel.on_progress`) need Python's lock, but its interrupt check first
    came 4.2 s into that solve, after presolve. The caller keeps no other reference to the
    model or its index."""

    def __init__(self, hm: HighsModel, model: MatrixModel, helper: Executor):
        hm.release()
        self._hm, self._started = hm, threading.Event()
        hm.before_run = self._started.set
        self.free_s = float("nan")  # the freeing's own time, once done
        self.future: Future[None] = helper.submit(self._free, model)

    def _free(self, model: MatrixModel) -> None:
        self._started.wait()
        t0 = time.perf_counter()
        free_model(model)
        self.free_s = time.perf_counter() - t0

    def finish(self) -> None:
        """Wait for the freeing (after the solve, or on an error before HiGHS ran)."""
        self._hm.before_run = None
        self._started.set()
        self.future.result()


def free_model(model: MatrixModel) -> None:
    """Empty `model` (its families, blocks, terms and index), so that all of it is freed by
    reference counting here, and give the freed memory back to the system for HiGHS's
    solve. Emptied, rather than left to the cyclic collector: the model's supply terms refer
    back to the model, and collecting that cycle meant a full collection over millions of
    objects (1.33 s at the large preset, against 0.74 s freeing the same by reference
    counts)."""
    vars(model).clear()
    gc.collect()  # any cycle left (none in a matrix model): a pass over what remains
    give_back_memory()


def close_solver(hm: HighsModel) -> None:
    """After the last HiGHS run (the duals read): drop HiGHS's solver data (at scale hundreds
    of MiB that glibc would otherwise keep) before the plan is assembled."""
    hm.clear_solver()
    give_back_memory()


# the blocks whose rows the plan reads (their duals: marginal costs and budget prices)
PLAN_BLOCKS = ("balance", "budget")


def rebuild(data: InputData, hm: HighsModel) -> MatrixModel:
    """The whole matrix model of `data` built again, attached to the instance it was compiled
    into before its release (`HighsModel.attach` checks that it is the same model): what the
    explanation of an infeasible model reads.

    The index is built again too rather than kept through the solve: at the large preset it
    held 259 MiB, which took the peak to 2,787 MiB (against 2,518) to save 0.95 s."""
    model = _build_again(data, None)
    hm.attach(model)
    return model


def prepare_extraction(model: MatrixModel) -> dict:
    """What the plan's assembly reads of a kept model that no solution changes, worked out on
    the helper thread while HiGHS solves: the supply flows by mine and refining origin
    (collected into the model's SupplyTerms) and the cost terms, returned for `summary`.
    Neither depends on HiGHS's values, and the solve adds no variables to the model."""
    model.terms.flows()
    return cost_terms(model, model.ix)


def start_rebuild(data: InputData, helper: Executor) -> Future[MatrixModel]:
    """The model for the plan (only PLAN_BLOCKS) built again on `helper`'s thread while HiGHS
    re-solves for the duals (without Python's lock); `finish_rebuild` attaches it."""
    return helper.submit(_build_again, data, PLAN_BLOCKS)


def _build_again(data: InputData, blocks: Collection[str] | None) -> MatrixModel:
    with PauseGC():
        return build_matrix_model(data, build_index(data), blocks)


def discard_rebuild(model: MatrixModel, hm: HighsModel) -> None:
    """Once the plan is read: free the rebuilt model now and give its memory back. It was
    built on the helper thread, so its C-heap memory (numpy arrays, large lists) came from
    that thread's malloc arena, which allocations on this thread (the export's) do not
    reuse: without this, the large preset held 530 MiB more through the export. Emptied
    rather than left to the cyclic collector, as in `free_model`."""
    hm.release()
    vars(model).clear()
    give_back_memory()


def finish_rebuild(rebuilding: Future[MatrixModel], hm: HighsModel) -> MatrixModel:
    """The model `start_rebuild` is building, attached to `hm` (after its last run)."""
    model = rebuilding.result()
    hm.attach(model)
    return model


def give_back_memory() -> None:
    """Return the C heap's free memory to the system (glibc's malloc_trim); elsewhere, a
    no-op."""
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


# a model with tangent cuts is solved to this share of the requested gap (see solve_model)
TIGHTER = 0.8


def solve_model(
    model: pyo.ConcreteModel | None,
    hm: HighsModel,
    mip_gap: float,
    mip_abs_gap: float | None,
    time_limit_s: float,
    options: dict | None,
    warm: bool,
) -> tuple[SolveStatus, concentration_cuts.CutReport | None]:
    """Run HiGHS on a built model (from the held plan's integer decisions when `warm`).

    A model that prices or caps the concentration term has its tangent cuts refined first on
    the LP relaxation, is solved to 0.8 x the requested gaps (the true term then costs a little
    more than the cuts' one), and its cuts are refined at the plan
    (planner/solve/concentration_cuts.py). `model` is None when it was released for a one-shot
    solve (`BackgroundRelease`; never a model with cuts)."""
    priced = model is not None and concentration_cuts.has_pieces(model)
    target = TIGHTER if priced else 1.0
    abs_target = None if mip_abs_gap is None else target * mip_abs_gap
    start = hm.x.copy()  # the previous plan; preparing the cuts solves the LP relaxation
    if priced:
        concentration_cuts.prepare(model, hm, time_limit_s)
    if warm and hm.is_mip and np.any(start):
        status = hm.solve_from(start, target * mip_gap, time_limit_s, options, abs_target)
    else:
        status = hm.solve(target * mip_gap, time_limit_s, options, abs_target)
    if not priced or not status.has_solution:
        return status, None
    return concentration_cuts.solve_priced(
        model, hm, status, mip_gap, mip_abs_gap, time_limit_s, options
    )


VALUE_NAMES = decision_variables(Model.DETERMINISTIC)


def extract_plan(
    data: InputData,
    model: pyo.ConcreteModel,
    hm: HighsModel,
    status: SolveStatus,
    duals: np.ndarray,
    mip_gap: float,
    timings: dict[str, float],
    cuts: concentration_cuts.CutReport | None = None,
    costs: dict | None = None,
) -> Plan:
    """Read every value the plan shows and assemble the Plan; `cuts` describes the
    concentration term's tangent cuts when the model priced or capped it; `costs` are the
    model's cost_terms when the caller has them (`prepare_extraction`)."""
    ix = model.ix
    # for the risk table and the summary: the build's own, or collected afresh
    risk_groups = getattr(model, "risk_groups", None) or risk_terms_by_mineral_year(model, ix)
    plan = plan_tables(
        ix,
        model,
        hm,
        balance_dual=hm.duals(model.balance, duals),
        budget_dual=hm.duals(model.budget, duals),
        risk_groups=risk_groups,
    )
    plan.summary = summary(
        data, model, hm, status, mip_gap, timings, plan, risk_groups=risk_groups, costs=costs
    )
    if cuts is not None:
        plan.summary |= {
            "concentration_model_discounted_musd": cuts.model_musd,
            "concentration_approximation_error_pct": 100 * cuts.error,
            "concentration_cuts": cuts.cuts,
            "concentration_cut_rounds": cuts.rounds,
        }
        cap = model.ix.concentration_cap_musd
        if cap is not None and cuts.true_musd > cap * (1 + 1e-6) + 1e-9:
            plan.notes.append(
                f"The concentration term is {cuts.true_musd:,.6g} MUSD, above its cap of "
                f"{cap:,.6g}: the cap binds on the tangent cuts, which stop "
                f"{100 * cuts.error:.2g}% below the true value."
            )
        if cuts.error > concentration_cuts.REPORT_TOLERANCE:
            plan.notes.append(
                f"The concentration term's tangent cuts are {100 * cuts.error:.2g}% below its "
                f"true value after {cuts.rounds} rounds; the plan's figures use the true value."
            )
    if status.status is not Outcome.OPTIMAL:
        plan.notes.append(
            f"HiGHS stopped with status {status.status}: this is the best plan "
            f"found, within {100 * (status.gap or 0):.3g}% of the optimum."
        )
    return plan


def plan_tables(
    ix,
    variables,
    hm: HighsModel,
    balance_dual: dict,
    budget_dual: dict,
    risk_groups: dict | None = None,
) -> Plan:
    """The plan tables (no summary) of the solution in `hm`; `variables` has the model's
    variable names (a Pyomo model, or a scenario's view of the stochastic model);
    `risk_groups` are its risk_terms_by_mineral_year when the caller has them."""
    v = {name: hm.values(getattr(variables, name)) for name in VALUE_NAMES}
    terms = _supply_terms(variables, ix)
    sourcing = tables.sourcing_table(ix, v["buy"], v["offtake"])
    processing = tables.processing_table(ix, v["modules_built"], v["output"])
    tables.add_shares(sourcing, hm.activities(terms.sourced), _concentrate_totals(hm, terms))
    stock, shortfall = tables.stock_and_shortfall(ix, v)
    flows = measures.flow_table(hm, terms)
    return Plan(
        summary={},
        sourcing=sourcing,
        mine_origin=tables.mine_origin_table(flows),
        projects=tables.projects_table(ix, v["build"], v["stake"]),
        processing=processing,
        stock=stock,
        shortfall=shortfall,
        risk=tables.risk_table(
            ix,
            flows,
            v["unmet"],
            measures.exposure(hm, variables, ix, discounted=False, groups=risk_groups),
        ),
        marginal_costs=tables.marginal_cost_table(ix, balance_dual),
        budgets=tables.budget_table(
            ix,
            {b: hm.activity(row.terms) for b, row in budgets.budget(variables, ix, None).items()},
            budget_dual,
        ),
    )


def _supply_terms(variables, ix: ModelIndex) -> SupplyTerms:
    """The model's own supply terms when they are of this data (kept by the build and by an
    in-place update), else collected afresh."""
    terms = getattr(variables, "terms", None)
    if isinstance(terms, SupplyTerms) and terms.ix is ix:
        return terms
    return collect_supply_terms(variables, ix)


def _concentrate_totals(hm: HighsModel, terms) -> dict:
    """(mineral, year) -> concentrate supply (purchases and offtake of every origin)."""
    out: dict = {}
    for (m, t, _c), value in hm.activities(terms.concentrate).items():
        out[m, t] = out.get((m, t), 0.0) + value
    return out


def summary(
    data: InputData,
    model: pyo.ConcreteModel,
    hm: HighsModel,
    status: SolveStatus,
    mip_gap: float,
    timings: dict[str, float],
    plan: Plan,
    ix: ModelIndex | None = None,
    risk_groups: dict | None = None,
    costs: dict | None = None,
) -> dict[str, object]:
    """Summary items; `model` may be a scenario's view, with `ix` its data; `risk_groups`
    are its risk_terms_by_mineral_year and `costs` its cost_terms when the caller has them."""
    s = data.settings
    ix = ix or model.ix
    costs = cost_terms(model, ix) if costs is None else costs
    parts = {name: hm.activity(terms) for name, terms in costs.items()}
    parts["processing_capital_and_fixed"] += ix.existing_fixed_cost_musd
    risk = hm.activity(risk_terms(model, ix, risk_groups))
    risk_by_year = plan.risk
    concentration_musd = float(
        (risk_by_year["concentration_musd"] * risk_by_year["year"].map(ix.discount)).sum()
    )
    out: dict[str, object] = {
        "status": str(status.status),
        "objective_musd": status.objective,
        "best_bound_musd": status.bound,
        "gap": status.gap,
        "mip_gap_setting": mip_gap,
        "mip_abs_gap_setting_musd": s.mip_abs_gap_musd,
        "total_cost_discounted_musd": sum(parts.values()),
    }
    out |= {f"cost_{name}_discounted_musd": value for name, value in parts.items()}
    out |= {
        "risk_exposure_discounted_musd": risk,
        "risk_weight": s.risk_weight,
        "concentration_discounted_musd": concentration_musd,
        "concentration_weight": s.concentration_weight,
        "concentration_basis": s.concentration_basis,
        "total_shortfall_t": float(plan.shortfall["unmet_t"].sum()),
        "home_country": s.home_country,
        "horizon": f"{s.first_year}-{s.last_year}",
        "demand_scenario": s.demand_scenario,
        "discount_rate": s.discount_rate,
        "inr_per_usd": s.inr_per_usd,
        "variables": hm.num_columns,
        "integer_variables": int(hm.integer.sum()),
        "constraints": hm.num_rows,
        "solve_time_s": round(timings["solve_s"], 3),
        "build_s": round(timings["build_s"], 3),
        "handover_s": round(timings["handover_s"], 3),
        "dual_solve_s": round(timings.get("dual_solve_s", 0.0), 3),
        "input_file": Path(data.source_file).name if data.source_file else "",
        "input_sha256": data.source_sha256,
        "program": f"critical-minerals-planner {program_version()}",
        "pyomo_version": pyomo.version.version,
        "highs_version": highs_version(),
    }
    return out
