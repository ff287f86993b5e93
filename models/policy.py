"""Policy rules, each binding on the minerals and years its Policy row names.

Shares are of the mineral's sourced refined supply R[m,t] = refined purchases + refined
offtake + home processing output (unmet demand and stock drawn excluded), by origin on the
rule's basis (models/supply_terms.py): `refining` (where a tonne was refined; the default) or
`mine` (where it was mined). q[m,c,t] is the supply of origin c on that basis:
  max_country_share   q[m,c,t] - v x R[m,t] <= 0
                      (country * = every foreign origin of refined m on the basis)
  max_concern_share   sum_{c of concern} q[m,c,t] - v x R[m,t] <= 0
  min_domestic_share  q[m,home,t] - v x R[m,t] >= 0
  min_stock_days      stock[m,t] >= v / 365 x D[m,t]
                      (after a disruption: stock[m,t] + stock_gap[m,t] >= v / 365 x D[m,t],
                      see models/disruption.py)

R[m,t] is a variable defined once per mineral-year that some share rule uses,
    R[m,t] - sum of sourced refined supply terms = 0,
so that each share row holds its own few terms plus R, not every supplier again (with a cap
on each of C countries that would be C^2 nonzeros per mineral-year instead of 3C).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import pyomo.environ as pyo

from models.data import ANY, SHARE_RULES
from models.expr import Row, eq, ge, le
from models.index import ModelIndex
from models.records import PolicyRow
from models.supply_terms import REFINING, SupplyTerms
from models.variables import VariableView, declare


class PolicyBinding(NamedTuple):
    """One Policy row applied to one mineral, year (and country, for max_country_share)."""

    row: int  # position in ix.policy
    rule: str  # the rule, with "_soft" appended when the row is made elastic
    mineral: str
    country: str
    year: int
    value: float
    basis: str

    def structure(self) -> tuple:
        """Everything but the value: what an in-place re-solve must keep."""
        return (self.row, self.rule, self.mineral, self.country, self.year, self.basis)


def expand_policy(ix: ModelIndex, terms: SupplyTerms) -> list[PolicyBinding]:
    """Every Policy row as bindings per mineral, year and (max_country_share) country (kept
    with `terms` when they were collected for `ix`, and then computed once)."""
    if terms.ix is ix and terms.policy_bindings is not None:
        return terms.policy_bindings
    rows = [
        PolicyBinding(i, rule, mineral, country, t, float(rec.value), basis)
        for i, rec, rule, mineral, t, basis in _rule_years(ix)
        for country in _countries(rec, ix, terms, basis, mineral, t)
    ]
    if terms.ix is ix:
        terms.policy_bindings = rows
    return rows


def _rule_years(ix: ModelIndex) -> Iterator[tuple[int, PolicyRow, str, str, int, str]]:
    """(row, rule record, rule name, mineral, year, basis) of every mineral and year each
    Policy row covers."""
    for i, rec in enumerate(ix.policy):
        rule = rec.rule + ("_soft" if rec.soft else "")
        minerals = ix.minerals if rec.mineral == ANY else [rec.mineral]
        years = [t for t in ix.years if rec.first_year <= t <= rec.last_year]
        basis = rec.basis or REFINING
        for mineral in minerals:
            for t in years:
                yield i, rec, rule, mineral, t, basis


def _countries(
    rec: PolicyRow, ix: ModelIndex, terms: SupplyTerms, basis: str, mineral: str, t: int
) -> list:
    if rec.rule != "max_country_share":
        return [ANY]
    origins = terms.origin_set(basis).get((mineral, t), set())
    if rec.country != ANY:
        return [rec.country] if rec.country in origins else []
    return sorted(c for c in origins if c != ix.home)


def declare_policy(
    m: pyo.ConcreteModel, ix: ModelIndex, terms: SupplyTerms, bindings: bool = True
) -> None:
    """R[m,t] >= 0 where a share rule needs it; m.policy_index lists the rule bindings
    (without `bindings`, for a model built without its policy rows, an empty list: R's keys
    are found without making the bindings, one per mineral, year and country)."""
    if bindings:
        m.policy_index = expand_policy(ix, terms)
        keys = sorted({(r.mineral, r.year) for r in m.policy_index if r.rule in SHARE_RULES})
    else:
        m.policy_index = []
        keys = sorted(_share_rule_keys(ix, terms))
    declare(m, "sourced", keys)


def _share_rule_keys(ix: ModelIndex, terms: SupplyTerms) -> set[tuple[str, int]]:
    """The (mineral, year) of every binding of a share rule `expand_policy` would make."""
    keys: set[tuple[str, int]] = set()
    for _, rec, rule, mineral, t, basis in _rule_years(ix):
        new = rule in SHARE_RULES and (mineral, t) not in keys
        if new and _countries(rec, ix, terms, basis, mineral, t):
            keys.add((mineral, t))
    return keys


def sourced_total(m: VariableView, ix: ModelIndex, terms: SupplyTerms) -> dict:
    """R[m,t] - (refined purchases + refined offtake + home output) = 0."""
    return {
        (mineral, t): eq([(1.0, var)] + [(-c, x) for c, x in terms.sourced[mineral, t]], 0.0)
        for (mineral, t), var in m.sourced.items()
    }


def policy(m: VariableView, ix: ModelIndex, terms: SupplyTerms) -> dict:
    """One row per binding of a Policy rule on mineral m, year t (country c), value v:
      max_country_share   q[m,c,t] - v x R[m,t] <= 0
      max_concern_share   sum_{c of concern} q[m,c,t] - v x R[m,t] <= 0
      min_domestic_share  q[m,home,t] - v x R[m,t] >= 0
      min_stock_days      stock[m,t] (+ stock_gap[m,t] after a disruption) >= v / 365 x D[m,t]
    with q[m,c,t] the supply of origin c on the rule's basis (refining or mine)."""
    rows = {}
    bindings = expand_policy(ix, terms)
    by_basis = {basis: terms.origin_terms(basis) for basis in {b.basis for b in bindings}}
    sourced = m.sourced
    for r, b in enumerate(bindings):
        mineral, t = b.mineral, b.year
        if b.rule == "max_country_share":  # most bindings: one per origin, written directly
            part = by_basis[b.basis][mineral, t, b.country]
            rows[r] = Row([*part, (-b.value, sourced[mineral, t])], None, 0.0)
            continue
        if b.rule in ("min_stock_days", "min_stock_days_soft"):
            demand = ix.demand_t.get((mineral, t), 0.0)
            row = [(1.0, m.stock[mineral, t])]
            if b.rule == "min_stock_days_soft":
                row.append((1.0, m.stock_gap[mineral, t]))
            rows[r] = ge(row, b.value / 365 * demand)
            continue
        by_origin = by_basis[b.basis]
        if b.rule == "max_concern_share":
            part = [term for c in ix.of_concern for term in by_origin.get((mineral, t, c), [])]
        else:
            part = terms.domestic(b.basis, mineral, t, ix.home)
        row = [*part, (-b.value, sourced[mineral, t])]
        rows[r] = ge(row, 0.0) if b.rule == "min_domestic_share" else le(row, 0.0)
    return rows
