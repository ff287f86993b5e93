"""Policy rules, each binding on the minerals and years its Policy row names.

Shares are of the mineral's sourced refined supply R[m,t] = refined purchases + refined
offtake + home processing output (unmet demand and stock drawn excluded):
  max_country_share   sum of refined supply from country c <= v x R[m,t]
                      (country * = every foreign country supplying refined m)
  max_concern_share   sum of refined supply from countries of concern <= v x R[m,t]
  min_domestic_share  home refinery and recycler output + home refined supply >= v x R[m,t]
  min_stock_days      stock[m,t] >= v / 365 x D[m,t]
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.expr import linear
from models.index import ModelIndex
from models.supply_terms import SupplyTerms

ANY = "*"


def policy_rows(ix: ModelIndex, terms: SupplyTerms) -> list[tuple]:
    """Expand every Policy row into (row number, rule, mineral, country, year, value)."""
    rows = []
    for i, rec in enumerate(ix.policy):
        minerals = ix.minerals if rec["mineral"] == ANY else [rec["mineral"]]
        years = [t for t in ix.years if rec["first_year"] <= t <= rec["last_year"]]
        for mineral in minerals:
            for t in years:
                for country in _countries(rec, ix, terms, mineral, t):
                    rows.append((i, rec["rule"], mineral, country, t, float(rec["value"])))
    return rows


def _countries(rec: dict, ix: ModelIndex, terms: SupplyTerms, mineral: str, t: int) -> list:
    if rec["rule"] != "max_country_share":
        return [ANY]
    if rec["country"] != ANY:
        return [rec["country"]] if (mineral, t, rec["country"]) in terms.by_origin else []
    return sorted(c for c in terms.origins.get((mineral, t), ()) if c != ix.home)


def add_policy(m: pyo.ConcreteModel, ix: ModelIndex, terms: SupplyTerms) -> None:
    rows = policy_rows(ix, terms)
    m.policy_index = rows
    keys = list(range(len(rows)))

    def rule(m, r):
        _, name, mineral, country, t, v = rows[r]
        total = terms.sourced[mineral, t]
        if name == "min_stock_days":
            return linear([(1.0, m.stock[mineral, t])]) >= v / 365 * ix.demand_t.get(
                (mineral, t), 0.0
            )
        if name == "max_country_share":
            part = terms.by_origin[mineral, t, country]
        elif name == "max_concern_share":
            part = [
                term for c in ix.of_concern for term in terms.by_origin.get((mineral, t, c), [])
            ]
        else:
            part = terms.domestic[mineral, t]
        row = [(c, x) for c, x in part] + [(-v * c, x) for c, x in total]
        expr = linear(row)
        return expr >= 0 if name == "min_domestic_share" else expr <= 0

    m.policy = pyo.Constraint(keys, rule=rule)
