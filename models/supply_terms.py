"""Who supplies what: the (coefficient, variable) lists that balances and policies sum.

Every sourced refined tonne has two origins:
- refining origin (where its last refining step ran): a refined purchase or refined project
  offtake comes from its country; home refinery and recycler output from the home country;
- mine origin (where it was mined): a refined purchase from country r is split by the
  MineOrigins shares of (r, mineral) (none given: r itself); refined project offtake comes
  from the host country; a home refinery's output takes the mine origin of its feed,
  out[k,c,t] from concentrate of origin c (bought from c, or mined by a project hosted in c,
  the home country for a domestic mine); recycler output is of home origin.

Concentrate feeds the home refineries and has no share of its own.

`refined` (what the balance sums) includes stock drawn; `sourced` (what policy shares and the
HHI divide by) does not: a stockpiled tonne was counted with its origin when it was bought, and
counting it again when drawn would let injecting and drawing in one year inflate the total.
The shares of a tonne's mine origins sum to 1, so both bases divide the same total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyomo.environ as pyo

from models.index import ModelIndex

REFINING, MINE = "refining", "mine"


def _lists() -> defaultdict:
    return defaultdict(list)


@dataclass
class SupplyTerms:
    """Per (mineral, year) lists of (coef, var); per (mineral, year, country) for origins.

    by_origin[basis][m, t, c]: sourced refined supply of origin c on that basis;
    origins[basis][m, t]: the countries that appear there;
    flows[m, t, mine_country, refining_country]: the same supply by both origins at once."""

    refined: dict = field(default_factory=_lists)
    sourced: dict = field(default_factory=_lists)
    by_origin: dict = field(default_factory=lambda: {REFINING: _lists(), MINE: _lists()})
    origins: dict = field(
        default_factory=lambda: {REFINING: defaultdict(set), MINE: defaultdict(set)}
    )
    flows: dict = field(default_factory=_lists)
    concentrate: dict = field(default_factory=_lists)  # (m, t, origin) -> concentrate supply
    refinery_feed: dict = field(default_factory=_lists)  # (m, t, origin) -> feed used
    recycler_feed: dict = field(default_factory=_lists)

    def domestic(self, basis: str, mineral: str, t: int, home: str) -> list:
        """Sourced refined supply whose origin on `basis` is the home country."""
        return self.by_origin[basis].get((mineral, t, home), [])


def collect_supply_terms(m: pyo.ConcreteModel, ix: ModelIndex) -> SupplyTerms:
    """Group every supply variable by the balance and origins it belongs to."""
    terms = SupplyTerms()
    for (c, mineral, form, t), var in m.buy.items():
        if form == "concentrate":
            terms.concentrate[mineral, t, c].append((1.0, var))
            continue
        _add_sourced(terms, mineral, t, var)
        _add_origin(terms, REFINING, mineral, t, c, 1.0, var)
        for mine_country, share in ix.mine_split(c, mineral):
            _add_origin(terms, MINE, mineral, t, mine_country, share, var)
            terms.flows[mineral, t, mine_country, c].append((share, var))
    for (p, t), var in m.offtake.items():
        rec = ix.project[p]
        mineral, c = rec["mineral"], rec["country"]
        if rec["form"] == "concentrate":
            terms.concentrate[mineral, t, c].append((1.0, var))
            continue
        _add_sourced(terms, mineral, t, var)
        _add_origin(terms, REFINING, mineral, t, c, 1.0, var)
        _add_origin(terms, MINE, mineral, t, c, 1.0, var)
        terms.flows[mineral, t, c, c].append((1.0, var))
    for (k, t), var in m.output.items():
        rec = ix.technology[k]
        mineral = rec["mineral"]
        _add_sourced(terms, mineral, t, var)
        _add_origin(terms, REFINING, mineral, t, ix.home, 1.0, var)
        if rec["feed"] == "scrap":
            _add_origin(terms, MINE, mineral, t, ix.home, 1.0, var)
            terms.flows[mineral, t, ix.home, ix.home].append((1.0, var))
            terms.recycler_feed[mineral, t].append((1.0 / rec["yield"], var))
    for (k, c, t), var in m.refine_origin.items():
        rec = ix.technology[k]
        _add_origin(terms, MINE, rec["mineral"], t, c, 1.0, var)
        terms.flows[rec["mineral"], t, c, ix.home].append((1.0, var))
        terms.refinery_feed[rec["mineral"], t, c].append((1.0 / rec["yield"], var))
    for (mineral, t), var in m.draw.items():
        terms.refined[mineral, t].append((1.0, var))
    return terms


def _add_sourced(terms: SupplyTerms, mineral: str, t: int, var) -> None:
    terms.refined[mineral, t].append((1.0, var))
    terms.sourced[mineral, t].append((1.0, var))


def _add_origin(
    terms: SupplyTerms, basis: str, mineral: str, t: int, country: str, coef: float, var
) -> None:
    terms.by_origin[basis][mineral, t, country].append((coef, var))
    terms.origins[basis][mineral, t].add(country)
