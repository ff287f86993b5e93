"""Solve one input: dispatch to the deterministic or the stochastic pipeline by its mode.

`solve` and `SolveError` are the public names (planner.api re-exports them); the pipelines
live in planner/solve/deterministic.py and planner/solve/stochastic.py, which never import
this module.
"""

from __future__ import annotations

import dataclasses

from pyomo.common.gc_manager import PauseGC

from models.data import InputData
from planner.results.plan import Plan
from planner.solve.deterministic import Progress, SolveError, solve_deterministic
from planner.solve.stochastic import solve_stochastic

__all__ = ["SolveError", "solve"]


def solve(
    data: InputData,
    mip_gap: float | None = None,
    time_limit_s: float | None = None,
    progress: Progress | None = None,
    highs_options: dict | None = None,
    mip_abs_gap_musd: float | None = None,
) -> Plan:
    """Optimise `data` and return its Plan. Raises SolveError when there is no plan.

    mip_gap, mip_abs_gap_musd and time_limit_s override the workbook's Settings; highs_options
    go to HiGHS as they are. A run stopped by a limit returns its best plan, with its gap in
    the summary.
    """
    if mip_abs_gap_musd is not None:  # new settings only; the tables are not changed
        settings = dataclasses.replace(data.settings, mip_abs_gap_musd=mip_abs_gap_musd)
        data = dataclasses.replace(data, settings=settings)
    # The model's millions of small objects hold no garbage worth a full-heap scan: keep the
    # cyclic collector off for the whole pipeline (one collection runs when it ends).
    with PauseGC():
        if data.settings.mode == "stochastic":
            s = data.settings
            return solve_stochastic(
                data,
                s.mip_gap if mip_gap is None else mip_gap,
                s.time_limit_s if time_limit_s is None else time_limit_s,
                progress,
                highs_options,
            )
        return solve_deterministic(data, mip_gap, time_limit_s, progress, highs_options)
