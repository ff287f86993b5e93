"""Domestic processing: integer modules of refineries (concentrate feed) and recyclers (scrap).

Symbols: k technology of mineral m, n_k^0 existing modules, N_k max_modules, Q_k module_t
(output per module), eta_k yield, build[k,y] new modules built in y, online in t when
y + lead <= t < y + lead + life (the set Y(k,t)); out[k,t] refined output (t/yr).
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.expr import linear
from models.index import ModelIndex


def add_processing(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """modules_built[k,y] integer >= 0 and output[k,t] >= 0, with capacity rows."""
    m.modules_built = pyo.Var(ix.module_build, domain=pyo.NonNegativeIntegers, dense=True)
    m.output = pyo.Var(ix.tech_online, domain=pyo.NonNegativeReals, dense=True)
    _throughput(m, ix)
    _max_modules(m, ix)


def modules_online_terms(m: pyo.ConcreteModel, ix: ModelIndex, k: str, t: int) -> list:
    return [(1.0, m.modules_built[k, y]) for y in ix.modules_online_from[k, t]]


def _throughput(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """out[k,t] <= Q_k x (n_k^0 + sum_{y in Y(k,t)} build[k,y])."""

    def rule(m, k, t):
        q = ix.technology[k]["module_t"]
        terms = [(1.0, m.output[k, t])] + [(-q, v) for _, v in modules_online_terms(m, ix, k, t)]
        return linear(terms) <= q * ix.technology[k]["existing_modules"]

    m.throughput = pyo.Constraint(ix.tech_online, rule=rule)


def _max_modules(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """n_k^0 + sum_{y in Y(k,t)} build[k,y] <= N_k in every year t (modules online at once)."""
    rows = [(k, t) for k, t in ix.tech_online if ix.modules_online_from[k, t]]

    def rule(m, k, t):
        rec = ix.technology[k]
        return linear(modules_online_terms(m, ix, k, t)) <= (
            rec["max_modules"] - rec["existing_modules"]
        )

    m.max_modules = pyo.Constraint(rows, rule=rule)
