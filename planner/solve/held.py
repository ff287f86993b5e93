"""Solve a model with a plan's first stage held (its investments and stock build-up).

The stress test re-optimises the recourse of each disruption scenario this way, and the
stochastic pipeline uses it for the undisrupted plan of a fixed first stage. Purchases,
offtake, processing output, stock draws and unmet demand stay free; after a scenario's first
cut of a mineral, its stock is bought back at most to the planned level.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from models.build import build_matrix_model
from models.data import InputData
from models.index import ModelIndex, build_index
from models.registry import recourse_positions
from planner.results.plan import Plan
from planner.solve.deterministic import plan_tables, summary
from planner.solve.first_stage import (
    FirstStage,
    fixed_bounds,
    planned_level,
)
from planner.solve.highs import HighsModel, SolveStatus


class StressError(Exception):
    """The plan cannot be evaluated in a scenario (HiGHS found no solution with it held)."""


@dataclass
class Evaluation:
    model: pyo.ConcreteModel
    hm: HighsModel
    status: SolveStatus


def evaluate(
    data: InputData,
    ix: ModelIndex,
    first: FirstStage,
    fixed_until: int | None = None,
    base_values: dict | None = None,
) -> Evaluation:
    """Solve the model of `ix` with the first stage held; with `fixed_until`, the recourse of
    every year before it is held at `base_values` (name -> {key: value})."""
    model = build_matrix_model(data, ix)
    hm = HighsModel(model)
    fixes = fixed_bounds(model, first, ix)
    if fixed_until is not None and base_values:
        for name, position in recourse_positions().items():
            var = getattr(model, name)
            fixes += [
                (var[k], value)
                for k, value in base_values[name].items()
                if k[position] < fixed_until
            ]
    hm.fix_columns(fixes)
    level = planned_level(first, ix)
    caps = [
        (model.stock[k], level[k])
        for k in model.stock
        if k[1] >= ix.cut_start.get(k[0], ix.years[-1] + 1)
    ]
    hm.cap_columns(caps)
    s = data.settings
    status = hm.solve(s.mip_gap, s.time_limit_s, None, s.mip_abs_gap_musd)
    if not status.has_solution:
        raise StressError(f"HiGHS found no solution with the plan held (status {status.status})")
    return Evaluation(model, hm, status)


def undisrupted_plan(data: InputData, first: FirstStage) -> Plan:
    """The plan tables of the undisrupted case with `first` held (summary included)."""
    ev = evaluate(data, build_index(data), first)
    duals, dual_s = ev.hm.duals_with_integers_fixed()
    plan = plan_tables(
        ev.model.ix,
        ev.model,
        ev.hm,
        ev.hm.duals(ev.model.balance, duals),
        ev.hm.duals(ev.model.budget, duals),
    )
    timings = {"solve_s": ev.status.solver_time_s, "build_s": 0.0, "handover_s": ev.hm.handover_s}
    timings["dual_solve_s"] = dual_s
    plan.summary = summary(data, ev.model, ev.hm, ev.status, data.settings.mip_gap, timings, plan)
    return plan
