"""Equity projects: a binary build-year decision with a semi-continuous stake, and offtake.

Symbols: p project, y build year (earliest_year <= y <= last_year - lead_time), t year,
K_p capacity_t at 100%, [s_min, s_max] stake bounds, B(p,t) the build years whose asset is
online in t (y + lead <= t < y + lead + life).
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.expr import linear
from models.index import ModelIndex


def add_projects(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """build[p,y] binary, stake[p,y] >= 0, offtake[p,t] >= 0 (t/yr)."""
    m.build = pyo.Var(ix.project_build, domain=pyo.Binary, dense=True)
    m.stake = pyo.Var(ix.project_build, domain=pyo.NonNegativeReals, bounds=(0, 1), dense=True)
    m.offtake = pyo.Var(ix.project_online, domain=pyo.NonNegativeReals, dense=True)
    _build_once(m, ix)
    _stake_bounds(m, ix)
    _offtake_capacity(m, ix)


def _build_once(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """sum_y build[p,y] <= 1: a project is invested in at most once."""
    years: dict[str, list] = {}
    for p, y in ix.project_build:
        years.setdefault(p, []).append(m.build[p, y])
    m.build_once = pyo.Constraint(
        list(years), rule=lambda m, p: linear((1.0, v) for v in years[p]) <= 1
    )


def _stake_bounds(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """s_min x build[p,y] <= stake[p,y] <= s_max x build[p,y] (semi-continuous stake)."""

    def lower(m, p, y):
        s_min = ix.project[p]["min_stake"]
        if s_min <= 0:
            return pyo.Constraint.Skip
        return linear([(1.0, m.stake[p, y]), (-s_min, m.build[p, y])]) >= 0

    def upper(m, p, y):
        s_max = ix.project[p]["max_stake"]
        return linear([(1.0, m.stake[p, y]), (-s_max, m.build[p, y])]) <= 0

    m.stake_min = pyo.Constraint(ix.project_build, rule=lower)
    m.stake_max = pyo.Constraint(ix.project_build, rule=upper)


def _offtake_capacity(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """offtake[p,t] <= K_p x sum_{y in B(p,t)} stake[p,y]."""

    def rule(m, p, t):
        cap = ix.project[p]["capacity_t"]
        terms = [(1.0, m.offtake[p, t])] + [(-cap, m.stake[p, y]) for y in ix.builds_online[p, t]]
        return linear(terms) <= 0

    m.offtake_capacity = pyo.Constraint(ix.project_online, rule=rule)
