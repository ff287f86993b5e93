"""Build once, re-solve many times: update a solved model in place for new input data.

A sweep point changes some input (a price, a demand scale, a budget, a policy value, the risk
weight). The new data are turned into coefficients by the very functions that built the model
(the blocks of models/registry.py, variable_bounds and the objective terms); only the entries that
differ are pushed into the live HiGHS instance, and the Pyomo model is updated to match. HiGHS
keeps its basis (a warm start for the LP parts) and gets the previous plan as a starting
solution. A change that alters the model's structure (different sets: a new supply row, a
project's earliest year moving, another horizon) falls back to a fresh build.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from models.build import build_model, variable_bounds
from models.concentration import declared_pieces
from models.data import InputData
from models.expr import Row, grow_rows, linear, relational
from models.index import ModelIndex, build_index
from models.objective import objective_terms
from models.policy import expand_policy
from models.registry import Model, blocks_of, index_sets
from models.supply_terms import collect_supply_terms
from planner.results.plan import Plan
from planner.solve.deterministic import SolveError, extract_plan, solve_model
from planner.solve.highs import INF, HighsModel


class StructureChanged(Exception):
    """The new data need a different model (other sets); rebuild instead of updating."""


@dataclass
class UpdateStats:
    costs: int = 0
    bounds: int = 0
    coefficients: int = 0
    row_bounds: int = 0
    rows_changed: int = 0  # rows of optional blocks added or removed
    seconds: float = 0.0


def _structure(ix: ModelIndex) -> tuple:
    """What must stay the same for an in-place update to be valid."""
    return (
        tuple(ix.years),
        tuple(ix.minerals),
        ix.home,
        len(ix.budgets),
        len(ix.policy),
        *index_sets(ix),
    )


class PersistentModel:
    """A model built once for `data`, re-solved for changed copies of it."""

    def __init__(
        self, data: InputData, threads: int | None = None, carry_concentration: bool = False
    ):
        """`carry_concentration` keeps the concentration term's pieces in the model while it
        is neither priced nor capped, so that a concentration cap can be added in place."""
        self.threads = threads
        self.carry_concentration = carry_concentration
        self.rebuilds = 0
        self._build(data)

    def _build(self, data: InputData) -> None:
        t0 = time.perf_counter()
        self.ix = self._index(data)
        self.model = build_model(data, self.ix)
        self.build_s = time.perf_counter() - t0
        self.hm = HighsModel(self.model, threads=self.threads)
        self.risk_weight = data.settings.risk_weight
        self._rows = self.hm.matrix_by_row()
        self.rebuilds += 1

    def _index(self, data: InputData) -> ModelIndex:
        ix = build_index(data)
        ix.carry_concentration = self.carry_concentration
        return ix

    # --- updating ------------------------------------------------------------------------
    def update(self, data: InputData) -> UpdateStats:
        """Make the live model the model of `data` (in place if the structure allows)."""
        t0 = time.perf_counter()
        ix = self._index(data)
        if _structure(ix) != _structure(self.ix):
            self._build(data)
            return UpdateStats(seconds=time.perf_counter() - t0)
        stats = UpdateStats()
        try:
            self._update_in_place(data, ix, stats)
        except StructureChanged:
            self._build(data)
            return UpdateStats(seconds=time.perf_counter() - t0)
        stats.seconds = time.perf_counter() - t0
        return stats

    def _update_in_place(self, data: InputData, ix: ModelIndex, stats: UpdateStats) -> None:
        m = self.model
        terms = collect_supply_terms(m, ix)
        new_policy = expand_policy(ix, terms)
        if [r.structure() for r in new_policy] != [r.structure() for r in m.policy_index]:
            raise StructureChanged
        if declared_pieces(ix, terms) != list(m.origin_share.keys()):
            raise StructureChanged
        for block in blocks_of(Model.DETERMINISTIC):
            con, rows = getattr(m, block.name), block.rows(m, ix, terms)
            if block.optional:
                self._add_or_remove_rows(con, rows, stats)
            self._update_rows(con, rows, stats)
        self._update_bounds(variable_bounds(m, ix), stats)
        self._update_objective(ix, data.settings.risk_weight, stats)
        m.ix, m.terms, m.policy_index = ix, terms, new_policy
        self.ix, self.risk_weight = ix, data.settings.risk_weight

    def _add_or_remove_rows(self, con: pyo.Constraint, rows: dict, stats: UpdateStats) -> None:
        """An optional block (a cap) gains the rows the new data ask for and loses the others,
        in HiGHS and in the Pyomo model alike: no stand-in bound for "no cap"."""
        hm = self.hm
        gone = [key for key in con if key not in rows]
        new = {key: row for key, row in rows.items() if key not in con}
        if any(c != 0 and hm.key(v) not in hm.col_of for row in new.values() for c, v in row.terms):
            raise StructureChanged  # the row names a variable HiGHS does not have
        if gone:
            hm.delete_rows([r for key in gone for r in hm.rows_of.get(id(con[key]), [])])
            for key in gone:
                del con[key]
        if new:
            kept = {
                k: [(c, v) for c, v in row.terms if hm.key(v) in hm.col_of]
                for k, row in new.items()
            }
            rows_in = [Row(kept[k], row.lower, row.upper) for k, row in new.items()]
            hm.add_rows(grow_rows(con, new), rows_in)
        if gone or new:
            self._rows = hm.matrix_by_row()
            stats.rows_changed += len(gone) + len(new)

    def _update_rows(self, con: pyo.Constraint, rows: dict, stats: UpdateStats) -> None:
        hm = self.hm
        if set(rows) != set(con.keys()):
            raise StructureChanged
        for key, row in rows.items():
            data = con[key]
            positions = hm.rows_of.get(id(data))
            new: dict[int, float] = {}
            for coef, var in row.terms:
                col = hm.col_of.get(hm.key(var))
                if col is None:
                    if coef != 0:
                        raise StructureChanged
                    continue
                new[col] = new.get(col, 0.0) + coef
            if not positions:
                if any(new.values()):
                    raise StructureChanged
                continue
            if len(positions) != 1:
                raise StructureChanged  # ranged rows are not produced by the blocks
            r = positions[0]
            old = self._rows[r]
            changed = False
            for col in new.keys() | old.keys():
                value = new.get(col, 0.0)
                if old.get(col, 0.0) != value:
                    hm.change_coefficient(r, col, value)
                    old[col] = value
                    stats.coefficients += 1
                    changed = True
            lower = -INF if row.lower is None else row.lower
            upper = INF if row.upper is None else row.upper
            if lower != hm.row_lower[r] or upper != hm.row_upper[r]:
                hm.change_row_bounds(r, lower, upper)
                stats.row_bounds += 1
                changed = True
            if changed:
                data.set_value(relational(row))

    def _update_bounds(self, bounds: list, stats: UpdateStats) -> None:
        hm = self.hm
        cols, lows, ups = [], [], []
        for var, lower, upper in bounds:
            col = hm.col_of.get(hm.key(var))
            var.setlb(lower)
            var.setub(upper)
            if col is None:
                continue
            if hm.lower[col] != lower or hm.upper[col] != upper:
                cols.append(col)
                lows.append(lower)
                ups.append(upper)
        hm.set_model_bounds(cols, lows, ups)
        stats.bounds += len(cols)

    def _update_objective(self, ix: ModelIndex, risk_weight: float, stats: UpdateStats) -> None:
        m, hm = self.model, self.hm
        terms = objective_terms(m, ix, risk_weight)
        cost = np.zeros(len(hm.columns))
        for coef, var in terms:
            col = hm.col_of.get(hm.key(var))
            if col is None:
                raise StructureChanged
            cost[col] += coef
        stats.costs += hm.change_costs(cost, ix.existing_fixed_cost_musd)
        m.objective.set_value(linear(terms, constant=ix.existing_fixed_cost_musd))

    # --- solving -------------------------------------------------------------------------
    def solve(
        self,
        data: InputData,
        mip_gap: float | None = None,
        time_limit_s: float | None = None,
        highs_options: dict | None = None,
    ) -> Plan:
        """Update to `data`, re-solve from the previous plan, and return the new Plan."""
        with PauseGC():  # see planner/solve/dispatch.py
            return self._solve(data, mip_gap, time_limit_s, highs_options)

    def _solve(self, data, mip_gap, time_limit_s, highs_options) -> Plan:
        s = data.settings
        mip_gap = s.mip_gap if mip_gap is None else mip_gap
        time_limit_s = s.time_limit_s if time_limit_s is None else time_limit_s
        abs_gap = s.mip_abs_gap_musd
        stats = self.update(data)
        hm = self.hm
        t0 = time.perf_counter()
        # start from the previous plan's integer decisions (see HighsModel.solve_from)
        try:
            status, cuts = solve_model(
                self.model, hm, mip_gap, abs_gap, time_limit_s, highs_options, warm=True
            )
        finally:
            if len(self._rows) != hm.num_rows:
                self._rows = hm.matrix_by_row()  # tangent cuts were added
        if not status.has_solution:
            raise SolveError(f"no plan (status {status.status})", status)
        status.solver_time_s = time.perf_counter() - t0
        duals, dual_s = hm.duals_with_integers_fixed()
        timings = {
            "build_s": self.build_s,
            "handover_s": hm.handover_s,
            "solve_s": status.solver_time_s,
            "dual_solve_s": dual_s,
            "update_s": stats.seconds,
        }
        plan = extract_plan(data, self.model, hm, status, duals, mip_gap, timings, cuts)
        plan.summary["update_s"] = round(stats.seconds, 4)
        plan.summary["rebuilds"] = self.rebuilds
        return plan
