"""Risk measures of a plan, each computed once, from the model's own terms.

Every sheet that shows a share, an HHI, a concern share, a risk exposure or the concentration
term (plan, sweep, frontier, stress, stochastic) takes it from these functions, which read the
solution through the model's supply terms (models/supply_terms.py) and objective terms
(models/objective.py, models/concentration.py), never from arithmetic of their own.

A `flows` table has one row per (year, mineral, mine_country, refining_country) of sourced
refined supply, tonnes_t > 0; an `origins` table one row per (year, mineral, origin) on one
basis, with the origin's tonnes and share of the mineral-year's sourced refined supply.
"""

from __future__ import annotations

import itertools

import pandas as pd

from models.concentration import UNMET, origin_risk, piece_coefficient
from models.index import ModelIndex
from models.objective import risk_terms_by_mineral_year
from models.supply_terms import MINE, REFINING, SupplyTerms
from planner.results.solution import Solution

TOL = 1e-6  # tonnes below this are solver noise
BASIS_COLUMN = {REFINING: "refining_country", MINE: "mine_country"}
FLOW_COLUMNS = ["year", "mineral", "mine_country", "refining_country", "tonnes_t"]
KEY = ["year", "mineral"]


def flow_table(hm: Solution, terms: SupplyTerms) -> pd.DataFrame:
    """Sourced refined tonnes by mine and refining origin, per mineral and year."""
    values = hm.activities(terms.flows())
    rows = [(t, m, mine, refining, q) for (m, t, mine, refining), q in values.items() if q > TOL]
    frame = pd.DataFrame(rows, columns=FLOW_COLUMNS)
    return frame.sort_values([*KEY, "tonnes_t"], ascending=[True, True, False]).reset_index(
        drop=True
    )


def origin_shares(flows: pd.DataFrame, basis: str) -> pd.DataFrame:
    """year, mineral, origin, tonnes_t, share: each origin's share of the mineral-year's
    sourced refined supply, on `basis` (refining or mine)."""
    origins = (
        flows.groupby([*KEY, BASIS_COLUMN[basis]], as_index=False)["tonnes_t"]
        .sum()
        .rename(columns={BASIS_COLUMN[basis]: "origin"})
    )
    total = origins.groupby(KEY)["tonnes_t"].transform("sum")
    origins["share"] = origins["tonnes_t"] / total
    return origins


def supply_total(origins: pd.DataFrame) -> pd.Series:
    """Sourced refined supply per (year, mineral), t (the same on both bases)."""
    return origins.groupby(KEY)["tonnes_t"].sum()


def hhi(origins: pd.DataFrame) -> pd.Series:
    """Herfindahl-Hirschman index per (year, mineral): sum over origins of share^2 (0-1)."""
    return (origins["share"] ** 2).groupby([origins["year"], origins["mineral"]]).sum()


def governance_hhi(origins: pd.DataFrame, ix: ModelIndex) -> pd.Series:
    """EU CRM method: sum over origins of share^2 x risk_score, per (year, mineral)."""
    risk = origins["origin"].map(ix.risk_score).fillna(0.0)
    return (origins["share"] ** 2 * risk).groupby([origins["year"], origins["mineral"]]).sum()


def concern_share(origins: pd.DataFrame, ix: ModelIndex) -> pd.Series:
    """Share from countries of concern, per (year, mineral)."""
    concern = origins["share"].where(origins["origin"].isin(ix.of_concern), 0.0)
    return concern.groupby([origins["year"], origins["mineral"]]).sum()


def home_share(origins: pd.DataFrame, ix: ModelIndex) -> pd.Series:
    """Share whose origin is the home country, per (year, mineral): self-sufficiency
    (refining basis: refined at home; mine basis: mined at home)."""
    home = origins["share"].where(origins["origin"] == ix.home, 0.0)
    return home.groupby([origins["year"], origins["mineral"]]).sum()


def concentration(
    origins: pd.DataFrame, unmet_t: dict, ix: ModelIndex, discounted: bool
) -> pd.Series:
    """The concentration term per (year, mineral), million USD: V x sum_c r_c (q_c / D)^2
    (times d_t when discounted), with q_c the origin's tonnes on the basis of `origins` and
    unmet demand (unmet_t, keyed (mineral, year)) counted linearly, 2 x V x unmet / D
    (models/concentration.py; the coefficient is the model's own)."""
    out: dict[tuple, float] = {}
    # the columns as lists, not itertuples: a named tuple per row was a third of the time
    columns = [origins[c].tolist() for c in ("year", "mineral", "origin", "tonnes_t")]
    parts = zip(*columns, strict=True)
    unmet = ((t, m, UNMET, q) for (m, t), q in unmet_t.items() if q > TOL)
    for t, m, c, q in itertools.chain(parts, unmet):
        demand = ix.demand_t.get((m, t), 0.0)
        out.setdefault((t, m), 0.0)
        if demand <= 0 or origin_risk(ix, c) <= 0:
            continue
        coef = piece_coefficient(ix, m, c, t) / (1.0 if discounted else ix.discount[t])
        share = q / demand
        out[t, m] += coef * (share if c == UNMET else share**2)
    return pd.Series(out, dtype=float).rename_axis(KEY)


def exposure(
    hm: Solution, variables, ix: ModelIndex, discounted: bool, groups: dict | None = None
) -> pd.Series:
    """Risk exposure per (year, mineral), million USD, from the objective's risk terms
    (purchases, project offtake and unmet demand; models/objective.py); `groups` are those
    terms (risk_terms_by_mineral_year) when the caller has them."""
    values = hm.activities(risk_terms_by_mineral_year(variables, ix) if groups is None else groups)
    out = {(t, m): v / (1.0 if discounted else ix.discount[t]) for (m, t), v in values.items()}
    return pd.Series(out, dtype=float).rename_axis(KEY)
