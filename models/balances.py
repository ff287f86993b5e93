"""Mineral balances: refined supply meets demand; processing feed within what is available.

Symbols: A[m,t] refined supply in hand = refined purchases + refined offtake + processing
output + draw[m,t] (the policy total R[m,t] of models/policy.py is A without the stock drawn);
D[m,t] demand; S[m,t] scrap available at home.
"""

from __future__ import annotations

from models.expr import eq, le
from models.index import ModelIndex, mineral_years
from models.supply_terms import SupplyTerms
from models.variables import VariableView


def balance(m: VariableView, ix: ModelIndex, terms: SupplyTerms) -> dict:
    """A[m,t] + unmet[m,t] - inject[m,t] - replenish[m,t] = D[m,t]  (its dual is the marginal
    cost of demand; replenish exists only after a disruption, see models/stock.py)."""
    rows = {}
    for mineral, t in mineral_years(ix):
        row = [*terms.refined[mineral, t], (1.0, m.unmet[mineral, t]), (-1.0, m.inject[mineral, t])]
        if (mineral, t) in m.replenish:
            row.append((-1.0, m.replenish[mineral, t]))
        rows[mineral, t] = eq(row, ix.demand_t.get((mineral, t), 0.0))
    return rows


def refinery_feed(m: VariableView, ix: ModelIndex, terms: SupplyTerms) -> dict:
    """Per concentrate origin c: sum_k refine_origin[k,c,t] / yield_k - concentrate bought from c
    - concentrate offtake of projects hosted in c <= 0 (summed over c, the feed of all
    refineries of m is at most the concentrate available)."""
    return {
        key: le(
            terms.refinery_feed[key] + [(-c, v) for c, v in terms.concentrate.get(key, [])], 0.0
        )
        for key in sorted(terms.refinery_feed)
    }


def recycler_feed(m: VariableView, ix: ModelIndex, terms: SupplyTerms) -> dict:
    """sum_k output[k,t] / yield_k <= S[m,t] (recyclers of m)."""
    return {
        key: le(terms.recycler_feed[key], ix.scrap_t.get(key, 0.0))
        for key in sorted(terms.recycler_feed)
    }
