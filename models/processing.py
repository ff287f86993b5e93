"""Domestic processing: integer modules of refineries (concentrate feed) and recyclers (scrap).

Symbols: k technology of mineral m, n_k^0 existing modules, N_k max_modules, Q_k module_t
(output per module), yield_k its yield (t refined per t of feed), modules_built[k,y] new
modules built in y, online in t when y + lead <= t < y + lead + life (the set Y(k,t));
output[k,t] refined output (t/yr); for a refinery, refine_origin[k,c,t] its output from
concentrate of origin c (models/supply_terms.py).
"""

from __future__ import annotations

from models.expr import eq, le
from models.index import ModelIndex
from models.variables import VariableView


def _online(m: VariableView, ix: ModelIndex, k: str, t: int, coef: float) -> list:
    return [(coef, m.modules_built[k, y]) for y in ix.modules_online_from[k, t]]


def refinery_split(m: VariableView, ix: ModelIndex, _terms) -> dict:
    """output[k,t] - sum_c refine_origin[k,c,t] = 0 for every refinery k (feed concentrate):
    its output by the mine origin of its feed adds up to its output."""
    parts: dict = {(k, t): [] for k, t in ix.tech_online if ix.technology[k].feed != "scrap"}
    for (k, _c, t), var in m.refine_origin.items():
        parts[k, t].append((-1.0, var))
    return {key: eq([(1.0, m.output[key]), *terms], 0.0) for key, terms in parts.items()}


def throughput(m: VariableView, ix: ModelIndex, _terms) -> dict:
    """output[k,t] - Q_k x sum_{y in Y(k,t)} modules_built[k,y] <= Q_k x n_k^0."""
    rows = {}
    for k, t in ix.tech_online:
        rec = ix.technology[k]
        q = rec.module_t
        terms = [(1.0, m.output[k, t]), *_online(m, ix, k, t, -q)]
        rows[k, t] = le(terms, q * rec.existing_modules)
    return rows


def max_modules(m: VariableView, ix: ModelIndex, _terms) -> dict:
    """sum_{y in Y(k,t)} modules_built[k,y] <= N_k - n_k^0 in every year t (modules online at
    once)."""
    return {
        (k, t): le(
            _online(m, ix, k, t, 1.0),
            ix.technology[k].max_modules - ix.technology[k].existing_modules,
        )
        for k, t in ix.tech_online
        if ix.modules_online_from[k, t]
    }
