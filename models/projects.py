"""Equity projects: a binary build-year decision with a semi-continuous stake, and offtake.

Symbols: p project, y build year (earliest_year <= y <= last_year - lead_time), t year,
cap_p capacity_t at 100%, [s_min, s_max] stake bounds, B(p,t) the build years whose asset is
online in t (y + lead <= t < y + lead + life).
"""

from __future__ import annotations

from models.expr import ge, le
from models.index import ModelIndex
from models.variables import VariableView


def build_once(m: VariableView, ix: ModelIndex, _terms) -> dict:
    """sum_y build[p,y] <= 1: a project is invested in at most once."""
    years: dict[str, list] = {}
    for p, y in ix.project_build:
        years.setdefault(p, []).append((1.0, m.build[p, y]))
    return {p: le(terms, 1.0) for p, terms in years.items()}


def stake_min(m: VariableView, ix: ModelIndex, _terms) -> dict:
    """stake[p,y] - s_min x build[p,y] >= 0 (the stake is 0 or at least s_min)."""
    return {
        (p, y): ge([(1.0, m.stake[p, y]), (-ix.project[p].min_stake, m.build[p, y])], 0.0)
        for p, y in ix.project_build
    }


def stake_max(m: VariableView, ix: ModelIndex, _terms) -> dict:
    """stake[p,y] - s_max x build[p,y] <= 0 (no stake without the build decision)."""
    return {
        (p, y): le([(1.0, m.stake[p, y]), (-ix.project[p].max_stake, m.build[p, y])], 0.0)
        for p, y in ix.project_build
    }


def offtake_capacity(m: VariableView, ix: ModelIndex, _terms) -> dict:
    """offtake[p,t] - cap_p x phi[p,t] x sum_{y in B(p,t)} stake[p,y] <= 0, where phi[p,t] = 1
    unless a disruption scenario cuts the project's output (models/disruption.py)."""
    rows = {}
    factor = ix.offtake_factor
    for p, t in ix.project_online:
        cap = ix.project[p].capacity_t * factor.get((p, t), 1.0)
        terms = [(1.0, m.offtake[p, t])] + [(-cap, m.stake[p, y]) for y in ix.builds_online[p, t]]
        rows[p, t] = le(terms, 0.0)
    return rows
