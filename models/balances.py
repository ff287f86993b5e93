"""Mineral balances: refined supply meets demand; processing feed within what is available.

Symbols: R[m,t] refined supply = refined purchases + refined offtake + processing output
+ draw[m,t]; D[m,t] demand; u unmet; S[m,t] scrap available at home.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.expr import linear
from models.index import ModelIndex
from models.supply_terms import SupplyTerms


def add_balances(m: pyo.ConcreteModel, ix: ModelIndex, terms: SupplyTerms) -> None:
    _refined_balance(m, ix, terms)
    _refinery_feed(m, ix, terms)
    _recycler_feed(m, ix, terms)


def _refined_balance(m: pyo.ConcreteModel, ix: ModelIndex, terms: SupplyTerms) -> None:
    """R[m,t] + unmet[m,t] - inject[m,t] = D[m,t]  (its dual is the marginal cost of demand)."""
    keys = [(mineral, t) for mineral in ix.minerals for t in ix.years]

    def rule(m, mineral, t):
        row = [*terms.refined[mineral, t], (1.0, m.unmet[mineral, t]), (-1.0, m.inject[mineral, t])]
        return linear(row) == ix.demand_t.get((mineral, t), 0.0)

    m.balance = pyo.Constraint(keys, rule=rule)


def _refinery_feed(m: pyo.ConcreteModel, ix: ModelIndex, terms: SupplyTerms) -> None:
    """sum_k out[k,t] / yield_k <= concentrate purchases + concentrate offtake (refineries of m)."""
    keys = sorted(terms.refinery_feed)

    def rule(m, mineral, t):
        row = terms.refinery_feed[mineral, t] + [
            (-c, v) for c, v in terms.concentrate.get((mineral, t), [])
        ]
        return linear(row) <= 0

    m.refinery_feed = pyo.Constraint(keys, rule=rule)


def _recycler_feed(m: pyo.ConcreteModel, ix: ModelIndex, terms: SupplyTerms) -> None:
    """sum_k out[k,t] / yield_k <= S[m,t] (recyclers of m)."""
    keys = sorted(terms.recycler_feed)

    def rule(m, mineral, t):
        return linear(terms.recycler_feed[mineral, t]) <= ix.scrap_t.get((mineral, t), 0.0)

    m.recycler_feed = pyo.Constraint(keys, rule=rule)
