"""Policy rules, each binding on the minerals and years its Policy row names.

Shares are of the mineral's sourced refined supply R[m,t] = refined purchases + refined
offtake + home processing output (unmet demand and stock drawn excluded):
  max_country_share   sum of refined supply from country c - v x R[m,t] <= 0
                      (country * = every foreign country supplying refined m)
  max_concern_share   sum of refined supply from countries of concern - v x R[m,t] <= 0
  min_domestic_share  home refinery and recycler output + home refined supply - v x R >= 0
  min_stock_days      stock[m,t] >= v / 365 x D[m,t]
                      (after a disruption: stock[m,t] + gap[m,t] >= v / 365 x D[m,t],
                      see models/disruption.py)

R[m,t] is a variable defined once per mineral-year that some share rule uses,
    R[m,t] - sum of sourced refined supply terms = 0,
so that each share row holds its own few terms plus R, not every supplier again (with a cap
on each of C countries that would be C^2 nonzeros per mineral-year instead of 3C).
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.expr import eq, ge, le
from models.index import ModelIndex
from models.supply_terms import SupplyTerms

ANY = "*"
SHARE_RULES = ("max_country_share", "max_concern_share", "min_domestic_share")


def expand_policy(ix: ModelIndex, terms: SupplyTerms) -> list[tuple]:
    """Every Policy row as (row number, rule, mineral, country, year, value) bindings."""
    rows = []
    for i, rec in enumerate(ix.policy):
        minerals = ix.minerals if rec["mineral"] == ANY else [rec["mineral"]]
        years = [t for t in ix.years if rec["first_year"] <= t <= rec["last_year"]]
        for mineral in minerals:
            for t in years:
                for country in _countries(rec, ix, terms, mineral, t):
                    rule = rec["rule"] + ("_soft" if rec.get("soft") else "")
                    rows.append((i, rule, mineral, country, t, float(rec["value"])))
    return rows


def _countries(rec: dict, ix: ModelIndex, terms: SupplyTerms, mineral: str, t: int) -> list:
    if rec["rule"] != "max_country_share":
        return [ANY]
    if rec["country"] != ANY:
        return [rec["country"]] if (mineral, t, rec["country"]) in terms.by_origin else []
    return sorted(c for c in terms.origins.get((mineral, t), ()) if c != ix.home)


def declare_policy(m: pyo.ConcreteModel, ix: ModelIndex, terms: SupplyTerms) -> None:
    """R[m,t] >= 0 where a share rule needs it; m.policy_index lists the rule bindings."""
    m.policy_index = expand_policy(ix, terms)
    keys = sorted({(r[2], r[4]) for r in m.policy_index if r[1] in SHARE_RULES})
    m.sourced = pyo.Var(keys, domain=pyo.NonNegativeReals, dense=True)


def sourced_total(m: pyo.ConcreteModel, ix: ModelIndex, terms: SupplyTerms) -> dict:
    """R[m,t] - (refined purchases + refined offtake + home output) = 0."""
    return {
        (mineral, t): eq([(1.0, var)] + [(-c, x) for c, x in terms.sourced[mineral, t]], 0.0)
        for (mineral, t), var in m.sourced.items()
    }


def policy(m: pyo.ConcreteModel, ix: ModelIndex, terms: SupplyTerms) -> dict:
    """One row per binding of a Policy rule (see the module docstring)."""
    rows = {}
    for r, (_, name, mineral, country, t, v) in enumerate(expand_policy(ix, terms)):
        if name in ("min_stock_days", "min_stock_days_soft"):
            demand = ix.demand_t.get((mineral, t), 0.0)
            row = [(1.0, m.stock[mineral, t])]
            if name == "min_stock_days_soft":
                row.append((1.0, m.stock_gap[mineral, t]))
            rows[r] = ge(row, v / 365 * demand)
            continue
        if name == "max_country_share":
            part = terms.by_origin[mineral, t, country]
        elif name == "max_concern_share":
            part = [
                term for c in ix.of_concern for term in terms.by_origin.get((mineral, t, c), [])
            ]
        else:
            part = terms.domestic[mineral, t]
        row = [*part, (-v, m.sourced[mineral, t])]
        rows[r] = ge(row, 0.0) if name == "min_domestic_share" else le(row, 0.0)
    return rows
