"""Strategic stock of refined mineral and priced unmet demand.

    stock[m,t] = stock[m,t-1] + inject[m,t] + replenish[m,t] - draw[m,t],
    stock[m,first_year - 1] = 0,   0 <= unmet[m,t] <= D[m,t]

replenish (stock bought back after a disruption) and stock_gap (stock below a min_stock_days level
after a disruption) exist only in a disruption scenario's data (models/disruption.py).

All in t of the mineral's unit; stock is counted at the end of the year. Bounding unmet demand
by demand keeps the priced slack from filling the stockpile.
"""

from __future__ import annotations

from models.expr import eq
from models.index import ModelIndex, mineral_years
from models.variables import VariableView


def unmet_bounds(m: VariableView, ix: ModelIndex) -> list:
    """(var, lower, upper): 0 <= unmet[m,t] <= D[m,t]."""
    return [(var, 0.0, ix.demand_t.get(k, 0.0)) for k, var in m.unmet.items()]


def gap_bounds(m: VariableView, ix: ModelIndex) -> list:
    """(var, 0, lost): in a cut year the free stock gap is at most the supply lost."""
    return [(m.stock_gap[k], 0.0, tonnes) for k, tonnes in ix.stock_gap_free_t.items()]


def stock_flow(m: VariableView, ix: ModelIndex, _terms) -> dict:
    """stock[m,t] - stock[m,t-1] - inject[m,t] - replenish[m,t] + draw[m,t] = 0."""
    rows = {}
    for mineral, t in mineral_years(ix):
        terms = [
            (1.0, m.stock[mineral, t]),
            (-1.0, m.inject[mineral, t]),
            (1.0, m.draw[mineral, t]),
        ]
        if (mineral, t) in m.replenish:
            terms.append((-1.0, m.replenish[mineral, t]))
        if t > ix.first_year:
            terms.append((-1.0, m.stock[mineral, t - 1]))
        rows[mineral, t] = eq(terms, 0.0)
    return rows
