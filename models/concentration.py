"""Concentration of supply origins, priced in the objective by tangent cuts.

For mineral m, year t with demand D[m,t] > 0 and an origin c with risk_score r_c > 0 on the
`concentration_basis` (models/supply_terms.py), the share of demand sourced from c is

    share[m,c,t] = q[m,c,t] / D[m,t]         (row: D x share - q = 0)

and the concentration term, in discounted million USD, is

    K = sum_{m,t} d_t x V[m,t] x sum_c r_c x share[m,c,t]^2,    V[m,t] = D[m,t] x P[m,t] / 1e6

with P[m,t] the year's mean refined price (the stock holding cost's convention) and d_t the
discount factor. share^2 is convex, so it is replaced by its epigraph variable sq[m,c,t] and
tangent cuts at points s_k,

    sq[m,c,t] - 2 s_k x share[m,c,t] >= -s_k^2                 for every cut point s_k,

which are exact at the cut points and below share^2 elsewhere (the model's K never exceeds
the true K). Unmet demand counts linearly, as 2 x d_t x V x unmet[m,t] / D[m,t]: a tonne left
unmet adds 2 V / D, the most a sourced tonne can add (the marginal of r s^2 is 2 r s / D per
tonne, at most 2 / D with r, s <= 1), so leaving demand unmet never lowers K. (Squared, a small
unmet share would add almost nothing and spread the other shares: the low-concentration end
of a frontier bought safety by leaving demand unmet.)

The cut points start at CUT_SHARES; planner/solve/concentration_cuts.py adds cuts at the
solution's shares until the model's K is within a tolerance of the true K.

The objective adds concentration_weight x K; a `concentration_cap_musd` bounds K (the
epsilon constraint). The variables and rows exist only when one of the two is set.

By hand: two suppliers at the same landed price with r1, r2 > 0 and a weight large enough to
dominate: minimise r1 s^2 + r2 (1 - s)^2, so s = r2 / (r1 + r2) from the first supplier.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.expr import eq, ge, le
from models.index import USD_PER_MUSD, ModelIndex
from models.supply_terms import SupplyTerms
from models.variables import declare

UNMET = "(unmet demand)"  # the origin of unmet demand in K
# per share of demand left unmet, linear: the largest marginal of r s^2 (r, s <= 1)
UNMET_CONCENTRATION_FACTOR = 2.0

# starting tangent points (shares of demand); finer near 0 where shares of small suppliers lie
CUT_SHARES = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def priced(ix: ModelIndex) -> bool:
    """Does the model carry the concentration term (a weight, a cap, or a later cap)?"""
    return (
        ix.concentration_weight > 0
        or ix.concentration_cap_musd is not None
        or ix.carry_concentration
    )


def pieces(ix: ModelIndex, terms: SupplyTerms) -> list[tuple]:
    """(mineral, origin, year) with demand and an origin of risk_score > 0 on the basis."""
    origins = terms.origin_set(ix.concentration_basis)
    out = []
    for mineral in ix.minerals:
        for t in ix.years:
            if ix.demand_t.get((mineral, t), 0.0) <= 0:
                continue
            for c in sorted(origins.get((mineral, t), ())):
                if ix.risk_score.get(c, 0.0) > 0:
                    out.append((mineral, c, t))
    return out


def origin_risk(ix: ModelIndex, origin: str) -> float:
    """risk_score of an origin in K (for unmet demand UNMET_CONCENTRATION_FACTOR, linear in
    the share)."""
    return UNMET_CONCENTRATION_FACTOR if origin == UNMET else ix.risk_score.get(origin, 0.0)


def declared_pieces(ix: ModelIndex, terms: SupplyTerms) -> list[tuple]:
    """The pieces the model declares: all of them when K is priced or capped, else none."""
    return pieces(ix, terms) if priced(ix) else []


def piece_coefficient(ix: ModelIndex, mineral: str, origin: str, t: int) -> float:
    """d_t x V[m,t] x r_c in million USD: the weight of share^2 in K."""
    value_musd = ix.demand_t[mineral, t] * ix.mean_price_usd_per_t[mineral, t] / USD_PER_MUSD
    return ix.discount[t] * value_musd * origin_risk(ix, origin)


def declare_concentration(m: pyo.ConcreteModel, ix: ModelIndex, terms: SupplyTerms) -> None:
    """share[m,c,t] >= 0 and sq[m,c,t] >= 0 where priced; m.cut_points[m,c,t] the tangent
    points (kept with the model: cuts added later stay valid for any data)."""
    keys = declared_pieces(ix, terms)
    declare(m, "origin_share", keys)
    declare(m, "share_sq", keys)
    if not hasattr(m, "cut_points"):
        m.cut_points = {key: CUT_SHARES for key in keys}


def origin_share_rows(m: pyo.ConcreteModel, ix: ModelIndex, terms: SupplyTerms) -> dict:
    """D[m,t] x share[m,c,t] - q[m,c,t] = 0."""
    if not len(m.origin_share):
        return {}  # unpriced: no need to group the supply by origin (on the mine basis, slow)
    by_origin = terms.origin_terms(ix.concentration_basis)
    rows = {}
    for (mineral, c, t), var in m.origin_share.items():
        q = by_origin.get((mineral, t, c), [])
        rows[mineral, c, t] = eq(
            [(ix.demand_t[mineral, t], var), *((-coef, v) for coef, v in q)], 0.0
        )
    return rows


def concentration_cut(m: pyo.ConcreteModel, ix: ModelIndex, _terms) -> dict:
    """sq[m,c,t] - 2 s_k x share[m,c,t] >= -s_k^2 for every cut point s_k of the piece."""
    rows = {}
    for key, sq in m.share_sq.items():
        share = m.origin_share[key]
        for s in m.cut_points[key]:
            rows[(*key, s)] = ge([(1.0, sq), (-2.0 * s, share)], -s * s)
    return rows


def unmet_terms(m: pyo.ConcreteModel, ix: ModelIndex) -> list:
    """The unmet-demand part of K, linear: (2 d_t V / D, unmet[m,t]) as (coef, var)."""
    terms = []
    for (mineral, t), var in m.unmet.items():
        demand = ix.demand_t.get((mineral, t), 0.0)
        if demand > 0:
            terms.append((piece_coefficient(ix, mineral, UNMET, t) / demand, var))
    return terms


def concentration_terms(m: pyo.ConcreteModel, ix: ModelIndex) -> list:
    """K as (coef, var): the epigraph variables and unmet demand (linear), discounted
    million USD, unweighted; empty when K is neither priced nor capped."""
    if not priced(ix):
        return []
    epigraph = [(piece_coefficient(ix, *key), var) for key, var in m.share_sq.items()]
    return epigraph + unmet_terms(m, ix)


def concentration_cap(m: pyo.ConcreteModel, ix: ModelIndex, _terms) -> dict:
    """K <= concentration_cap_musd, when Settings sets a cap."""
    if ix.concentration_cap_musd is None:
        return {}
    return {0: le(concentration_terms(m, ix), ix.concentration_cap_musd)}
