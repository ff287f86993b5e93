"""Purchases: tonnes bought per supply row and year.

    0 <= buy[c,m,f,t] <= available_t[c,m,f] x (1 + growth_pct/100)^(t - first_year)

where a supply row (c, m, f) exists: country c sells mineral m in form f. The availability is a
variable bound, not a constraint row.
"""

from __future__ import annotations

from models.index import ModelIndex
from models.variables import VariableView


def purchase_bounds(m: VariableView, ix: ModelIndex) -> list:
    """(var, lower, upper): 0 <= buy <= available_t in year t."""
    return [(var, 0.0, ix.available_t[k]) for k, var in m.buy.items()]
