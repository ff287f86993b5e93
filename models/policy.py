"""Policy rules, each binding on the minerals and years its Policy row names.

Shares are of the mineral's sourced refined supply R[m,t] = refined purchases + refined
offtake + home processing output (unmet demand and stock drawn excluded):
  max_country_share   sum of refined supply from country c <= v x R[m,t]
                      (country * = every foreign country supplying refined m)
  max_concern_share   sum of refined supply from countries of concern <= v x R[m,t]
  min_domestic_share  home refinery and recycler output + home refined supply >= v x R[m,t]
  min_stock_days      stock[m,t] >= v / 365 x D[m,t]

R[m,t] is a variable defined once per mineral-year that some share rule uses,
    R[m,t] = sum of sourced refined supply terms,
so that each share row holds its own few terms plus R, not every supplier again (with a cap
on each of C countries that would be C^2 nonzeros per mineral-year instead of 3C).
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
    _sourced_total(m, terms, sorted({(r[2], r[4]) for r in rows if r[1] in SHARE_RULES}))

    def rule(m, r):
        _, name, mineral, country, t, v = rows[r]
        if name == "min_stock_days":
            demand = ix.demand_t.get((mineral, t), 0.0)
            return linear([(1.0, m.stock[mineral, t])]) >= v / 365 * demand
        if name == "max_country_share":
            part = terms.by_origin[mineral, t, country]
        elif name == "max_concern_share":
            part = [
                term for c in ix.of_concern for term in terms.by_origin.get((mineral, t, c), [])
            ]
        else:
            part = terms.domestic[mineral, t]
        expr = linear([*part, (-v, m.sourced[mineral, t])])
        return expr >= 0 if name == "min_domestic_share" else expr <= 0

    m.policy = pyo.Constraint(list(range(len(rows))), rule=rule)


SHARE_RULES = ("max_country_share", "max_concern_share", "min_domestic_share")


def _sourced_total(m: pyo.ConcreteModel, terms: SupplyTerms, keys: list[tuple]) -> None:
    """R[m,t] - (refined purchases + refined offtake + home output) = 0, where a share rule
    needs it."""
    m.sourced = pyo.Var(keys, domain=pyo.NonNegativeReals, dense=True)

    def rule(m, mineral, t):
        row = [(1.0, m.sourced[mineral, t])] + [(-c, x) for c, x in terms.sourced[mineral, t]]
        return linear(row) == 0

    m.sourced_total = pyo.Constraint(keys, rule=rule)
