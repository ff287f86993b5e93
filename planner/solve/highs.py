"""Everything that talks to HiGHS: the one class `HighsModel`.

The model is compiled to matrix form (models/build.py:standard_form: from its rows, or by
Pyomo's LinearStandardFormCompiler; mixed form, each row keeps its sense) and passed to highspy
as whole numpy arrays (`addVars`, `addRows`: they take buffers, where filling a HighsLp's fields
converts element by element); this is several times faster than a row-by-row hand-over (see
SOLVER-NOTES.md). Results are read back by column and row position.
No other module calls highspy: changes to bounds, costs, coefficients and rows, warm starts,
fixed-integer LPs and the elastic solve that explains infeasibility all go through this class,
which keeps its own copy of bounds and rows in step with the live instance.
A matrix model's columns are looked up in a numpy array (no dict of every column); its row
handles can be released for a one-shot solve and attached again from a rebuild of the same
model (`release`, `attach`; planner/solve/deterministic.py).

Workarounds for the HiGHS version in use (highspy is pinned in pyproject.toml to the range
they were tested on; tests/test_highs_workarounds.py shows whether each is still needed):
- BANNER: highspy prints its "Running HiGHS ..." banner to the process's stdout at the first
  `Highs()` of a process, before any option can be set (ERGO-Code/HiGHS#1702, #2749; still so
  in 1.16.0). The first instance is created with file descriptor 1 sent to /dev/null.
- DENSE_START: given a full dense MIP start after a data change, HiGHS 1.16.0 once returned
  the start unchanged with an objective value other than its cost (found on the v1 India case,
  commit 476adb7; not reported upstream, and not reproduced on the current workbooks). Only
  the integer columns are given as the start, and every plan is checked to price to its
  reported objective (`solve_from`).
- REPEATED_COLUMNS: `changeColsBounds` refuses a column set that names a column twice (HiGHS
  returns kError); `fix_columns` passes each column once.
- LP_CLOCK: an LP run compares `time_limit` with the instance's total run time over all its
  runs (`getRunTime`), where a MIP run compares it with its own time (HiGHS 1.16.0, measured).
  An LP after a MIP that ran longer than the LP's limit would stop at once with no solution
  (the duals, the held plan's LP, the value of the stochastic solution). Every LP run here is
  given its limit on top of the instance's run time so far (`_limit_lp`).
- THREADS: HiGHS starts one thread scheduler per process, for the first run's `threads`; a
  later run asking for another count stops at once with no solution (HiGHS 1.16.0: `solve`
  with highs_options {"threads": 1} after any default run failed with "status other"). The
  scheduler is restarted before a run whose instance asks for another count than the last
  run's (`use_threads`, called by `HighsModel._run`).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain
from operator import itemgetter
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from models.build import row_blocks, standard_form
from models.registry import Model, blocks_of
from planner.results.solution import Term

INF = highspy.kHighsInf
HIGHS_ABS_GAP = 1e-6  # HiGHS's default mip_abs_gap


class _Banner:
    """BANNER workaround (module docstring): the first Highs() of a process prints."""

    printed = False
    lock = threading.Lock()


class _Scheduler:
    """HiGHS keeps one thread scheduler per process, started by the first run for that run's
    `threads` option; a later run asking for another count stops at once without a plan
    (status "other"). `use_threads` restarts it when the count asked for changes. Threads
    of one process that run HiGHS side by side (a sweep's dask threads) all ask for the same
    count, so only the first of them restarts it, before any of them runs; a process that
    ran HiGHS side by side with different counts could not be served by HiGHS at all."""

    threads = 0  # the count the scheduler was last (re)started for; 0 is HiGHS's default
    lock = threading.Lock()


def use_threads(threads: int) -> None:
    """Have HiGHS's next run use `threads` threads (0: HiGHS's default)."""
    with _Scheduler.lock:
        if threads != _Scheduler.threads:
            highspy.Highs.resetGlobalScheduler(True)
            _Scheduler.threads = threads


def new_highs() -> highspy.Highs:
    """A silent Highs instance."""
    with _Banner.lock:
        if _Banner.printed:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(io.StringIO()):
                    os.dup2(devnull.fileno(), 1)
                    h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _Banner.printed = True
    h.setOptionValue("output_flag", False)
    return h


class Outcome(StrEnum):
    """How a HiGHS run ended, in the words plans and sweeps report."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    SOLUTION_LIMIT = "solution_limit"
    INTERRUPTED = "interrupted"
    OTHER = "other"  # any other HiGHS model status (its name is in SolveStatus.message)


@dataclass(frozen=True)
class MipProgress:
    """Where a running MIP stands, as HiGHS reports it to its callbacks."""

    elapsed_s: float
    incumbent: float | None  # the best plan's objective so far (None before the first)
    bound: float | None  # the best bound so far
    gap: float | None  # relative gap between them

    def words(self) -> str:
        """A one-line account for a progress display."""
        if self.incumbent is None:
            return f"{self.elapsed_s:,.0f} s, no plan yet"
        text = f"{self.elapsed_s:,.0f} s, best plan {self.incumbent:,.1f} MUSD"
        if self.bound is not None:
            text += f", bound {self.bound:,.1f}"
        if self.gap is not None:
            text += f", gap {100 * self.gap:.3g}%"
        return text


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


@dataclass
class SolveStatus:
    """What HiGHS reported: status word, objective, best bound, relative gap, HiGHS seconds."""

    status: Outcome
    has_solution: bool
    objective: float | None
    bound: float | None
    gap: float | None
    solver_time_s: float
    message: str = ""


STATUS_WORDS = {
    highspy.HighsModelStatus.kOptimal: Outcome.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: Outcome.INFEASIBLE,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: Outcome.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: Outcome.UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: Outcome.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: Outcome.ITERATION_LIMIT,
    highspy.HighsModelStatus.kSolutionLimit: Outcome.SOLUTION_LIMIT,
    highspy.HighsModelStatus.kInterrupt: Outcome.INTERRUPTED,
}
FEASIBLE = int(highspy.SolutionStatus.kSolutionStatusFeasible)
INTEGER = int(highspy.HighsVarType.kInteger)


def _outcome(h: highspy.Highs) -> tuple[Outcome, str]:
    """The run's outcome and, for an unlisted status, HiGHS's own name for it."""
    model_status = h.getModelStatus()
    word = STATUS_WORDS.get(model_status, Outcome.OTHER)
    return word, "" if word is not Outcome.OTHER else h.modelStatusToString(model_status)


class HighsModel:
    """A Pyomo model compiled once into a highspy.Highs instance."""

    # seconds between progress reports (an improved plan is always reported)
    PROGRESS_EVERY_S = 0.5

    def __init__(self, model: pyo.ConcreteModel, threads: int | None = None):
        self.on_progress: Callable[[MipProgress], None] | None = None
        # called in `_run` just before HiGHS runs, when Python's lock is about to be released
        self.before_run: Callable[[], None] | None = None
        t0 = time.perf_counter()
        with PauseGC():  # see models/build.py: no cycles worth a full-heap scan here
            self._compile(model, threads)
        self.handover_s = time.perf_counter() - t0
        self.x = np.zeros(len(self.columns))
        self.row_dual: np.ndarray | None = None

    def _compile(self, model: pyo.ConcreteModel, threads: int | None) -> None:
        form = standard_form(model)
        # a matrix model's columns are numbers (models/columns.py), a Pyomo model's are
        # variable objects, found by identity
        numbered = hasattr(model, "column_space")
        self.key: Callable[[Any], Any] = int if numbered else id
        # a matrix model's column number -> instance column (-1: not in the matrix), so that
        # values are read with numpy, and col_of reads the same array (no dict of every column)
        self._lookup: np.ndarray | None = None
        self.col_of: Mapping[Any, int]
        if numbered:
            self.columns: Any = np.asarray(form.columns, dtype=np.int64)
            self._lookup = np.full(model.column_space.size, -1, dtype=np.int64)
            self._lookup[self.columns] = np.arange(len(self.columns))
            self.col_of = NumberedColumns(self._lookup)
        else:
            self.columns = form.columns
            keys = list(map(id, form.columns))
            self.col_of = dict(zip(keys, range(len(keys)), strict=True))
        self._set_rows(form.rows)
        # what `attach` needs to find the rows of a rebuilt model (compile_rows only)
        self._source, self._block_sizes = form.source, form.block_sizes
        self.released = False
        n_col, n_row = len(form.columns), len(form.rows)
        self.objective_offset = form.c_offset
        lower, upper = form.lower, form.upper
        self.integer = form.integer
        sense = np.fromiter(map(itemgetter(1), form.rows), dtype=np.int8, count=n_row)
        self._sense = sense
        # sense: 1 means row <= rhs, -1 means row >= rhs, 0 means row == rhs
        row_lower = np.where(sense == 1, -INF, form.rhs)
        row_upper = np.where(sense == -1, INF, form.rhs)

        self.lower, self.upper = lower, upper
        self.row_lower, self.row_upper = row_lower, row_upper
        self.highs = h = new_highs()
        if threads:
            h.setOptionValue("threads", int(threads))
        a = form.A.tocsr()
        statuses = [
            h.addVars(n_col, lower, upper),
            h.changeColsCost(n_col, np.arange(n_col, dtype=np.int32), np.asarray(form.c, float)),
            h.changeObjectiveOffset(float(self.objective_offset)),
            h.addRows(
                n_row,
                row_lower,
                row_upper,
                a.nnz,
                a.indptr.astype(np.int32),
                a.indices.astype(np.int32),
                np.asarray(a.data, float),
            ),
        ]
        if self.integer.any():
            columns = np.flatnonzero(self.integer).astype(np.int32)
            statuses.append(
                h.changeColsIntegrality(
                    len(columns), columns, np.full(len(columns), INTEGER, dtype=np.uint8)
                )
            )
        # HiGHS refuses a part (a coefficient beyond large_matrix_value, say) and keeps the
        # rest: a model without its rows would solve. Hold nothing instead, as passModel does
        # when it refuses a model, so that no plan comes out of it.
        self.refused = highspy.HighsStatus.kError in statuses
        if self.refused:
            h.clearModel()

    def _set_rows(self, rows: list[tuple[Any, int]]) -> None:
        """The (handle, sense) of each matrix row, and each handle's rows (by identity; a
        None handle, a row of a block an attached model does not have, has none)."""
        self.rows = rows
        self.rows_of: dict[int, list[int]] = {}
        for i, (con, _) in enumerate(rows):
            if con is not None:
                self.rows_of.setdefault(id(con), []).append(i)

    def release(self) -> None:
        """For a one-shot solve of a matrix model (models/build.py:build_matrix_model): forget
        the row handles (`rows`, `rows_of`), which hold every Row of the model, so that the
        model can be freed while HiGHS solves. Values are still read by column number; row
        duals, added rows and deleted rows need `attach` first."""
        if self._source is None:
            raise ValueError("only a matrix model (build_matrix_model) can be released")
        self.rows, self.rows_of = [], {}
        self.released = True

    def attach(self, model: Any) -> None:
        """Give a released instance its row handles back from `model`, a rebuild of the matrix
        model it was compiled from (the same data give the same rows, in the same order).
        A model built with only some blocks (build_matrix_model's `blocks`) gives those
        blocks' rows their handles, the others None. Refuses a model whose blocks, columns or
        row bounds differ from the instance's."""
        if self._source is None or self._lookup is None or self._block_sizes is None:
            raise ValueError("only a matrix model (build_matrix_model) can be attached")
        if len(self._source) != self.num_rows:
            raise ValueError("rows were added or deleted since the hand-over")
        built = getattr(model, "blocks_built", None)
        keyed: list = []
        names = [block.name for block in blocks_of(Model.DETERMINISTIC)]
        for name, rows, size in zip(names, row_blocks(model), self._block_sizes, strict=True):
            if built is None or name in built:
                before = len(keyed)
                keyed.extend(row for _key, row in rows)
                if len(keyed) - before != size:
                    raise ValueError(f"the model's block {name} differs from the instance's")
            else:
                keyed.extend([None] * size)
        if model.column_space.size != len(self._lookup):
            raise ValueError("the model's columns differ from the instance's")
        handles = list(map(keyed.__getitem__, self._source.tolist()))
        held = np.fromiter((r is not None for r in handles), dtype=bool, count=len(handles))
        # each held row's right-hand side: its lower bound if a >= row, else its upper one
        rhs = np.array(
            [
                r.lower if sense == -1 else r.upper
                for r, sense in zip(handles, self._sense.tolist(), strict=True)
                if r is not None
            ],
            dtype=float,
        )
        instance_rhs = np.where(self._sense == -1, self.row_lower, self.row_upper)[held]
        column_lower, column_upper = model.column_space.bounds()
        if not (
            np.array_equal(rhs, instance_rhs)
            and np.array_equal(column_lower[self.columns], self.lower)
            and np.array_equal(column_upper[self.columns], self.upper)
        ):
            raise ValueError("the model's row or column bounds differ from the instance's")
        self._set_rows(list(zip(handles, self._sense.tolist(), strict=True)))
        self.released = False

    def _require_rows(self) -> None:
        if self.released:
            raise RuntimeError("the row handles were released: attach a rebuilt model first")

    @property
    def is_mip(self) -> bool:
        return bool(self.integer.any())

    def solve(
        self,
        mip_gap: float = 1e-3,
        time_limit_s: float = 300.0,
        options: dict | None = None,
        mip_abs_gap: float | None = None,
    ) -> SolveStatus:
        """Run HiGHS; keep the best solution found (also at a time limit).

        HiGHS stops at whichever gap is met first: mip_gap (relative) or mip_abs_gap (in the
        objective's unit, million USD; None = HiGHS's default of 1e-6).
        `options` are passed to HiGHS as they are (e.g. {"threads": 1, "mip_max_nodes": 10}).
        """
        h = self.highs
        for name, value in (options or {}).items():
            h.setOptionValue(name, value)
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        h.setOptionValue(
            "mip_abs_gap", HIGHS_ABS_GAP if mip_abs_gap is None else float(mip_abs_gap)
        )
        if self.is_mip:
            h.setOptionValue("time_limit", float(time_limit_s))
        else:
            _limit_lp(h, time_limit_s)
        t0 = time.perf_counter()
        with self._reporting():
            self._run()
        elapsed = time.perf_counter() - t0
        word, message = _outcome(h)
        info = h.getInfo()
        has_solution = info.primal_solution_status == FEASIBLE
        objective = bound = gap = None
        if has_solution:
            solution = h.getSolution()
            x = np.asarray(solution.col_value, dtype=float)
            # round solver noise (|x| < 1e-9) to zero so reports never show -1e-12 t
            x[np.abs(x) < 1e-9] = 0.0
            self.x = x
            objective = float(info.objective_function_value)
            if self.is_mip:
                bound = float(info.mip_dual_bound)
                gap = float(info.mip_gap) if np.isfinite(info.mip_gap) else None
            else:
                bound, gap = objective, 0.0
                self.row_dual = np.asarray(solution.row_dual, dtype=float)
        return SolveStatus(word, has_solution, objective, bound, gap, elapsed, message)

    @contextlib.contextmanager
    def _reporting(self):
        """While a MIP runs: pass its incumbent, bound and gap to `on_progress` (HiGHS's
        improving-solution callback, and its interrupt check at most every PROGRESS_EVERY_S;
        HiGHS's logging callback is silent with output off)."""
        report = self.on_progress
        if report is None or not self.is_mip:
            yield
            return
        last = [-float("inf")]

        def forward(event, always: bool) -> None:
            data = event.data_out
            now = float(data.running_time)
            if always or now - last[0] >= self.PROGRESS_EVERY_S:
                last[0] = now
                incumbent = _finite(data.mip_primal_bound)
                if always:
                    incumbent = _finite(data.objective_function_value)
                gap = _finite(data.mip_gap) if incumbent is not None else None
                report(MipProgress(now, incumbent, _finite(data.mip_dual_bound), gap))

        def improved(event) -> None:
            forward(event, True)

        def checked(event) -> None:
            forward(event, False)

        h = self.highs
        h.cbMipImprovingSolution.subscribe(improved)
        h.cbMipInterrupt.subscribe(checked)
        try:
            yield
        finally:
            h.cbMipImprovingSolution.unsubscribe(improved)
            h.cbMipInterrupt.unsubscribe(checked)

    def priced_objective(self) -> float:
        """The objective of the held solution, computed from its values."""
        lp = self.highs.getLp()
        return float(np.asarray(lp.col_cost_) @ self.x) + lp.offset_

    def objective_consistent(self, status: SolveStatus) -> bool:
        """Does the returned plan price to the objective HiGHS reports (to 1e-7 relative)?"""
        if status.objective is None:
            return False
        priced = self.priced_objective()
        return abs(priced - status.objective) <= 1e-7 * max(1.0, abs(status.objective))

    def solve_from(
        self,
        start: np.ndarray,
        mip_gap: float = 1e-3,
        time_limit_s: float = 300.0,
        options: dict | None = None,
        mip_abs_gap: float | None = None,
    ) -> SolveStatus:
        """Solve starting from the integer decisions of `start` (a full column vector).

        Only the integer columns are given (DENSE_START workaround, module docstring). A plan
        that does not price to its reported objective gets its priced objective if that is
        still within the gap of the bound, and is re-solved cold otherwise."""
        if self.is_mip:
            cols = np.flatnonzero(self.integer).astype(np.int32)
            self.highs.setSolution(len(cols), cols, np.round(start[cols]))
        status = self.solve(mip_gap, time_limit_s, options, mip_abs_gap)
        if status.has_solution and not self.objective_consistent(status):
            priced = self.priced_objective()
            scale = max(1.0, abs(priced))
            allowed = max(mip_gap * scale, mip_abs_gap or 0.0)
            # a bound above the cost of a plan is no bound (seen with a start on a large
            # model: benchmarks/highs_presolve_bound.py)
            if status.bound is not None and status.bound > priced + 1e-9 * scale:
                status.bound = None
            if status.bound is not None and priced - status.bound <= allowed:
                # the plan is within the gap; report what it costs, not HiGHS's figure
                status.objective, status.gap = priced, (priced - status.bound) / scale
            else:  # solve cold, and keep the better of the two plans by what they cost
                first_x, first_bound = self.x.copy(), status.bound
                self.highs.clearSolver()
                status = self.solve(mip_gap, time_limit_s, options, mip_abs_gap)
                if not status.has_solution or self.priced_objective() > priced:
                    self.x = first_x
                    bounds = [
                        b
                        for b in (first_bound, status.bound)
                        if b is not None and b <= priced + 1e-9 * scale
                    ]
                    bound = max(bounds) if bounds else None
                    status.objective, status.bound, status.has_solution = priced, bound, True
                    status.gap = None if bound is None else (priced - bound) / scale
                    if status.status not in (Outcome.OPTIMAL, Outcome.TIME_LIMIT):
                        status.status = Outcome.TIME_LIMIT
        return status

    def add_rows(self, condatas: list, rows: list) -> None:
        """Append rows (models/expr.Row, with their Pyomo constraint data) to the live
        instance; every variable they name must already be a column."""
        self._require_rows()
        if not rows:
            return
        lower = np.array([-INF if r.lower is None else r.lower for r in rows], dtype=float)
        upper = np.array([INF if r.upper is None else r.upper for r in rows], dtype=float)
        starts: list[int] = []
        index: list[int] = []
        value: list[float] = []
        for row in rows:
            starts.append(len(index))
            for coef, var in row.terms:
                index.append(self.col_of[self.key(var)])
                value.append(coef)
        first = len(self.rows)
        self.highs.addRows(
            len(rows),
            lower,
            upper,
            len(index),
            np.array(starts, dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(value, dtype=float),
        )
        sense = [0 if r.lower == r.upper else (1 if r.lower is None else -1) for r in rows]
        for i, (con, kind) in enumerate(zip(condatas, sense, strict=True)):
            self.rows.append((con, kind))
            self.rows_of.setdefault(id(con), []).append(first + i)
        self.row_lower = np.concatenate([self.row_lower, lower])
        self.row_upper = np.concatenate([self.row_upper, upper])
        self._sense = np.concatenate([self._sense, np.asarray(sense, dtype=np.int8)])

    @contextlib.contextmanager
    def _integers_continuous(self, fix: bool):
        """Inside: the integer columns are continuous, and with `fix` held at their (rounded)
        values in the held solution; integrality and the bounds in force on entering (a column
        fixed by `fix_columns` stays fixed) are restored on leaving."""
        h = self.highs
        cols = np.flatnonzero(self.integer).astype(np.int32)
        if len(cols):
            _, _, _, entry_lower, entry_upper, _ = h.getCols(len(cols), cols)
            entry_lower, entry_upper = np.array(entry_lower), np.array(entry_upper)
            if fix:
                fixed = np.round(self.x[cols])
                h.changeColsBounds(len(cols), cols, fixed, fixed)
            continuous = np.full(len(cols), highspy.HighsVarType.kContinuous)
            h.changeColsIntegrality(len(cols), cols, continuous)
        try:
            yield
        finally:
            if len(cols):
                integer = np.full(len(cols), highspy.HighsVarType.kInteger)
                h.changeColsIntegrality(len(cols), cols, integer)
                h.changeColsBounds(len(cols), cols, entry_lower, entry_upper)

    def solve_with_integers_fixed(
        self, time_limit_s: float = 300.0, relax: bool = False
    ) -> SolveStatus:
        """Fix the integer columns at their (rounded) values in the held solution (or, with
        `relax`, only drop their integrality: the LP relaxation), solve the LP (warm, from the
        current basis), keep its solution; integrality and bounds are restored afterwards."""
        h = self.highs
        _limit_lp(h, time_limit_s)
        with self._integers_continuous(fix=not relax):
            t0 = time.perf_counter()
            self._run()
            elapsed = time.perf_counter() - t0
            word, message = _outcome(h)
            has_solution = h.getInfo().primal_solution_status == FEASIBLE
            objective = None
            if has_solution:
                x = np.asarray(h.getSolution().col_value, dtype=float)
                x[np.abs(x) < 1e-9] = 0.0
                self.x = x
                objective = float(h.getInfo().objective_function_value)
        return SolveStatus(word, has_solution, objective, None, None, elapsed, message)

    def duals_with_integers_fixed(self, time_limit_s: float = 300.0) -> tuple[np.ndarray, float]:
        """Fix integer columns at their (rounded) values, solve the LP, return row duals.

        The integrality and bounds are restored afterwards so that the model can be re-solved.
        """
        if not self.is_mip:
            return (self.row_dual if self.row_dual is not None else np.zeros(self.num_rows)), 0.0
        _limit_lp(self.highs, time_limit_s)
        with self._integers_continuous(fix=True):
            t0 = time.perf_counter()
            self._run()
            elapsed = time.perf_counter() - t0
            duals = np.asarray(self.highs.getSolution().row_dual, dtype=float)
        return duals, elapsed

    def _run(self) -> None:
        """Run HiGHS on the instance, its scheduler (re)started for the instance's own thread
        count (THREADS): every run of an instance goes through here, whenever its count was
        set and whatever ran before it in this process."""
        use_threads(int(self.highs.getOptionValue("threads")[1]))
        if self.before_run is not None:
            self.before_run()
        self.highs.run()

    def clear_solver(self) -> None:
        """Drop HiGHS's solver data (basis, factorisation, solution) and keep the model: for
        when no more runs follow. The held values (`x`) and duals already read stay."""
        self.highs.clearSolver()

    def announce(self, say: Callable[[str], None], progress: Callable[[str], None] | None):
        """Say the model's size as the solve starts, and pass `progress` the running MIP's
        state in words (elapsed time, best plan, bound, gap)."""
        say(f"solving ({self.num_columns} variables, {self.num_rows} constraints)")
        if progress is not None:
            self.on_progress = lambda p: progress(f"solving: {p.words()}")

    # --- changing the live instance ------------------------------------------------------
    @property
    def num_columns(self) -> int:
        return int(self.highs.getNumCol())

    @property
    def num_rows(self) -> int:
        return int(self.highs.getNumRow())

    def _set_bounds(self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        status = self.highs.changeColsBounds(len(cols), cols, lower, upper)
        if status == highspy.HighsStatus.kError:
            raise RuntimeError(f"HiGHS refused a change of column bounds ({status})")

    def fix_columns(self, fixes: list[tuple]) -> np.ndarray:
        """Fix columns at values: fixes are (vardata, value); returns the columns fixed
        (restore them with `release_columns`). Variables not in the matrix are skipped; a
        column named twice takes its last value (REPEATED_COLUMNS workaround)."""
        value_of: dict[int, float] = {}
        for var, value in fixes:
            col = self.col_of.get(self.key(var))
            if col is not None:
                value_of[col] = value
        cols = np.asarray(sorted(value_of), dtype=np.int32)
        if len(cols):
            values = np.asarray([value_of[c] for c in cols], dtype=float)
            self._set_bounds(cols, values, values)
        return cols

    def cap_columns(self, caps: list[tuple]) -> None:
        """Lower the upper bound of columns: caps are (vardata, upper), upper >= 0."""
        upper_of = {self.col_of[self.key(v)]: u for v, u in caps if self.key(v) in self.col_of}
        if upper_of:
            cols = np.asarray(sorted(upper_of), dtype=np.int32)
            upper = np.maximum(np.asarray([upper_of[c] for c in cols], dtype=float), 0.0)
            self._set_bounds(cols, self.lower[cols], upper)

    def release_columns(self, cols: np.ndarray) -> None:
        """Give columns fixed by `fix_columns` their model bounds back."""
        if len(cols):
            self._set_bounds(cols, self.lower[cols], self.upper[cols])

    def set_model_bounds(self, cols: list[int], lower: list[float], upper: list[float]) -> None:
        """New model bounds of columns (kept as the bounds `release_columns` restores)."""
        if cols:
            index = np.asarray(cols, dtype=np.int32)
            self.lower[index], self.upper[index] = lower, upper
            self._set_bounds(index, np.asarray(lower, dtype=float), np.asarray(upper, float))

    def matrix_by_row(self) -> list[dict[int, float]]:
        """The current constraint matrix by row: {column: coefficient}."""
        lp = self.highs.getLp()
        a = lp.a_matrix_
        starts, index, value = np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_)
        # HiGHS keeps rows added by addRows row-wise until a solve needs the columns
        by_row = a.format_ == highspy.MatrixFormat.kRowwise
        rows: list[dict[int, float]] = [{} for _ in range(lp.num_row_)]
        for major in range(lp.num_row_ if by_row else lp.num_col_):
            for k in range(starts[major], starts[major + 1]):
                if by_row:
                    rows[major][int(index[k])] = float(value[k])
                else:
                    rows[index[k]][major] = float(value[k])
        return rows

    def change_coefficient(self, row: int, col: int, value: float) -> None:
        self.highs.changeCoeff(row, col, value)

    def change_row_bounds(self, row: int, lower: float, upper: float) -> None:
        self.highs.changeRowBounds(row, lower, upper)
        self.row_lower[row], self.row_upper[row] = lower, upper

    def change_costs(self, cost: np.ndarray, offset: float) -> int:
        """Set the objective to cost (one entry per column) + offset; returns how many column
        costs changed."""
        current = np.asarray(self.highs.getLp().col_cost_)
        changed = np.flatnonzero(cost != current).astype(np.int32)
        if len(changed):
            self.highs.changeColsCost(len(changed), changed, cost[changed])
        self.highs.changeObjectiveOffset(offset)
        return len(changed)

    def delete_rows(self, positions: list[int]) -> None:
        """Remove rows from the live instance; later rows move up (bookkeeping follows)."""
        self._require_rows()
        if not positions:
            return
        gone = sorted(set(positions))
        self.highs.deleteRows(len(gone), np.asarray(gone, dtype=np.int32))
        keep = np.ones(len(self.rows), dtype=bool)
        keep[gone] = False
        self._set_rows([r for r, k in zip(self.rows, keep, strict=True) if k])
        self.row_lower, self.row_upper = self.row_lower[keep], self.row_upper[keep]
        self._sense = self._sense[keep]
        self.row_dual = None

    def run_statistics(self) -> dict[str, float]:
        """HiGHS's own run time (s) and branch-and-bound nodes of the last run."""
        nodes = int(self.highs.getInfo().mip_node_count) if self.is_mip else 0
        return {"highs_run_time_s": float(self.highs.getRunTime()), "mip_nodes": nodes}

    def nonzeros(self) -> int:
        return int(self.highs.getNumNz())

    # --- infeasibility --------------------------------------------------------------------
    def least_relaxation(
        self, rows: list[int], time_limit_s: float = 60.0, budget_s: float = 60.0
    ) -> np.ndarray | None:
        """On a copy of the instance (this one is left as it is): give each listed row a
        nonnegative slack that relaxes it, minimise the total slack with every other cost at
        zero, then keep only the rows that must move (`_only_what_must_move`). Returns each
        row's slack, or None when no relaxation of these rows gives a plan."""
        h = new_highs()
        h.passModel(self.highs.getLp())
        n_col = h.getNumCol()
        h.changeColsCost(n_col, np.arange(n_col, dtype=np.int32), np.zeros(n_col))
        for r in rows:
            # a <= row is relaxed by -s, a >= row by +s; an equality row never occurs here
            coef = -1.0 if self.row_upper[r] < INF else 1.0
            h.addCol(1.0, 0.0, INF, 1, np.array([r], dtype=np.int32), np.array([coef]))
        _limit_lp(h, time_limit_s)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        slack = np.asarray(h.getSolution().col_value)[n_col:]
        return _only_what_must_move(h, n_col, slack, budget_s)

    # --- reading values back -------------------------------------------------------------
    def _instance_columns(self, handles: Sequence) -> np.ndarray:
        """The instance column of each variable handle; -1 where it is not in the matrix."""
        if self._lookup is not None:
            return self._lookup[np.fromiter(handles, dtype=np.int64, count=len(handles))]
        get = self.col_of.get
        return np.fromiter((get(id(v), -1) for v in handles), dtype=np.int64, count=len(handles))

    def _values_at(self, handles: Sequence) -> np.ndarray:
        """The held value of each variable handle (0 where it is not in the matrix)."""
        padded = np.append(self.x, 0.0)  # column -1 reads the 0 appended
        return padded[self._instance_columns(handles)]

    def values(self, var: Any) -> dict:
        """index -> value of every element of a Var component (0 if not in the matrix)."""
        values = self._values_at(list(var.values()))
        return dict(zip(var.keys(), values.tolist(), strict=True))

    def value_of(self, vardata: Any) -> float:
        i = self.col_of.get(self.key(vardata))
        return 0.0 if i is None else float(self.x[i])

    def activity(self, terms: list) -> float:
        """sum of coef x value over (coef, var) terms, at the held solution."""
        return self.activities({0: terms})[0]

    def activities(self, groups: Mapping[Any, Sequence[Term]]) -> dict:
        """key -> sum of coef x value over each group of (coef, var) terms (vectorised)."""
        keys = list(groups)
        parts = [groups[key] for key in keys]
        sizes = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        if not sizes.sum():
            return dict.fromkeys(keys, 0.0)
        coefs, handles = zip(*chain.from_iterable(parts), strict=True)
        weights = np.asarray(coefs, dtype=float) * self._values_at(handles)
        totals = np.bincount(
            np.repeat(np.arange(len(keys)), sizes), weights=weights, minlength=len(keys)
        )
        return dict(zip(keys, totals.tolist(), strict=True))

    def duals(self, con: pyo.Constraint, row_dual: np.ndarray) -> dict:
        """index -> dual of each element of a Constraint (sum over its rows); d obj / d rhs."""
        self._require_rows()
        out = {}
        for k, c in con.items():
            rows = self.rows_of.get(id(c), [])
            out[k] = float(sum(row_dual[r] for r in rows))
        return out


class NumberedColumns(Mapping[int, int]):
    """A matrix model's column number -> instance column, read from the lookup array
    (column number -> instance column, -1 where not in the matrix) rather than a dict with an
    entry per column."""

    def __init__(self, lookup: np.ndarray):
        self._lookup = lookup
        self._in_matrix = lookup >= 0

    def __getitem__(self, column: int) -> int:
        if isinstance(column, int | np.integer) and 0 <= column < len(self._lookup):
            position = int(self._lookup[column])
            if position >= 0:
                return position
        raise KeyError(column)

    def __iter__(self) -> Iterator[int]:
        return iter(np.flatnonzero(self._in_matrix).tolist())

    def __len__(self) -> int:
        return int(self._in_matrix.sum())


def _limit_lp(h: highspy.Highs, seconds: float) -> None:
    """LP_CLOCK workaround (module docstring): the next LP run may take `seconds`."""
    h.setOptionValue("time_limit", h.getRunTime() + float(seconds))


SLACK_TOL = 1e-6
MAX_RULE_CHECKS = 30


def _only_what_must_move(
    h: highspy.Highs, n_col: int, slack: np.ndarray, budget_s: float
) -> np.ndarray:
    """Drop rules that need not move: for each relaxed rule in turn, forbid its slack and
    re-solve; if a plan still exists, that rule stays whole. What is left is a set of rules
    each of which must give (a minimal set, found greedily, smallest relaxation first)."""
    start = time.perf_counter()
    order = [i for i in np.argsort(slack) if slack[i] > SLACK_TOL]
    for i in order[:MAX_RULE_CHECKS]:
        if time.perf_counter() - start > budget_s:
            break
        h.changeColBounds(n_col + int(i), 0.0, 0.0)
        _limit_lp(h, budget_s)
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            slack = np.asarray(h.getSolution().col_value)[n_col:].copy()
        else:
            h.changeColBounds(n_col + int(i), 0.0, INF)
    _limit_lp(h, budget_s)
    h.run()  # the last accepted state, so that the reported amounts are consistent
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        slack = np.asarray(h.getSolution().col_value)[n_col:]
    return slack
