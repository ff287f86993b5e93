"""Who supplies what: the (coefficient, variable) lists that balances and policies sum.

Every sourced refined tonne has two origins:
- refining origin (where its last refining step ran): a refined purchase or refined project
  offtake comes from its country; home refinery and recycler output from the home country;
- mine origin (where it was mined): a refined purchase from country r is split by the
  MineOrigins shares of (r, mineral) (none given: r itself); refined project offtake comes
  from the host country; a home refinery's output takes the mine origin of its feed,
  refine_origin[k,c,t] from concentrate of origin c (bought from c, or mined by a project
  hosted in c, the home country for a domestic mine); recycler output is of home origin.

Concentrate feeds the home refineries and has no share of its own.

`refined` (what the balance sums) includes stock drawn; `sourced` (what policy shares and the
HHI divide by) does not: a stockpiled tonne was counted with its origin when it was bought, and
counting it again when drawn would let injecting and drawing in one year inflate the total.
The shares of a tonne's mine origins sum to 1, so both bases divide the same total.

The mine basis and the flows (both origins at once) are collected on first use: a model with
no mine-basis rule and no priced concentration never needs them while it is built.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from models.index import ModelIndex
from models.variables import VariableView

REFINING, MINE = "refining", "mine"


def _lists() -> defaultdict:
    return defaultdict(list)


@dataclass
class SupplyTerms:
    """Per (mineral, year) lists of (coef, var); per (mineral, year, country) for origins.

    origin_terms(basis)[m, t, c]: sourced refined supply of origin c on that basis;
    origin_set(basis)[m, t]: the countries that appear there;
    flows()[m, t, mine_country, refining_country]: the same supply by both origins at once."""

    refined: dict = field(default_factory=_lists)
    sourced: dict = field(default_factory=_lists)
    concentrate: dict = field(default_factory=_lists)  # (m, t, origin) -> concentrate supply
    refinery_feed: dict = field(default_factory=_lists)  # (m, t, origin) -> feed used
    recycler_feed: dict = field(default_factory=_lists)
    by_refining: dict = field(default_factory=_lists)
    refining_origins: dict = field(default_factory=lambda: defaultdict(set))
    variables: object = None  # the model (or scenario view) the terms were collected from
    ix: ModelIndex | None = None
    _flows: dict | None = None
    _by_mine: dict | None = None
    _mine_origins: dict | None = None
    # models/policy.expand_policy's result for `ix`: declaring R and writing the rows both
    # need it
    policy_bindings: list | None = None

    def origin_terms(self, basis: str) -> dict:
        if basis == REFINING:
            return self.by_refining
        return self._collect_mine()[1]

    def origin_set(self, basis: str) -> dict:
        if basis == REFINING:
            return self.refining_origins
        return self._collect_mine()[2]

    def domestic(self, basis: str, mineral: str, t: int, home: str) -> list:
        """Sourced refined supply whose origin on `basis` is the home country."""
        return self.origin_terms(basis).get((mineral, t, home), [])

    def flows(self) -> dict:
        return self._collect_mine()[0]

    def _collect_mine(self) -> tuple[dict, dict, dict]:
        """(flows, terms by mine origin, mine origins), collected at the first call; under a
        lock, as a helper thread may collect them while the solve reads them
        (planner/solve/deterministic.py's prepare_extraction)."""
        with _MINE_LOCK:
            if self._flows is None or self._by_mine is None or self._mine_origins is None:
                if self.ix is None:
                    raise ValueError("supply terms without their ModelIndex have no mine basis")
                flows = _flows(self.variables, self.ix)
                by_mine: dict = defaultdict(list)
                mine_origins: dict = defaultdict(set)
                for (mineral, t, mine, _refining), part in flows.items():
                    by_mine[mineral, t, mine].extend(part)
                    mine_origins[mineral, t].add(mine)
                self._flows, self._by_mine, self._mine_origins = flows, by_mine, mine_origins
            return self._flows, self._by_mine, self._mine_origins


# one for all SupplyTerms: a lock in the dataclass would stop it being copied or pickled
_MINE_LOCK = threading.Lock()


def collect_supply_terms(m: VariableView, ix: ModelIndex) -> SupplyTerms:
    """Group every supply variable by the balance and refining origin it belongs to."""
    terms = SupplyTerms(variables=m, ix=ix)
    for (c, mineral, form, t), var in m.buy.items():
        if form == "concentrate":
            terms.concentrate[mineral, t, c].append((1.0, var))
            continue
        _add_sourced(terms, mineral, t, c, var)
    for (p, t), var in m.offtake.items():
        rec = ix.project[p]
        mineral, c = rec.mineral, rec.country
        if rec.form == "concentrate":
            terms.concentrate[mineral, t, c].append((1.0, var))
            continue
        _add_sourced(terms, mineral, t, c, var)
    for (k, t), var in m.output.items():
        tech = ix.technology[k]
        _add_sourced(terms, tech.mineral, t, ix.home, var)
        if tech.feed == "scrap":
            terms.recycler_feed[tech.mineral, t].append((1.0 / tech.yield_t_per_t, var))
    for (k, c, t), var in m.refine_origin.items():
        tech = ix.technology[k]
        terms.refinery_feed[tech.mineral, t, c].append((1.0 / tech.yield_t_per_t, var))
    for (mineral, t), var in m.draw.items():
        terms.refined[mineral, t].append((1.0, var))
    return terms


def _add_sourced(terms: SupplyTerms, mineral: str, t: int, refining_country: str, var) -> None:
    """A sourced refined tonne: in the balance, the shares' total and its refining origin."""
    term = (1.0, var)
    terms.refined[mineral, t].append(term)
    terms.sourced[mineral, t].append(term)
    terms.by_refining[mineral, t, refining_country].append(term)
    terms.refining_origins[mineral, t].add(refining_country)


def _flows(m, ix: ModelIndex) -> dict:
    """(mineral, year, mine country, refining country) -> sourced refined supply terms."""
    flows: dict = defaultdict(list)
    for (c, mineral, form, t), var in m.buy.items():
        if form == "refined":
            for mine_country, share in ix.mine_split(c, mineral):
                flows[mineral, t, mine_country, c].append((share, var))
    for (p, t), var in m.offtake.items():
        rec = ix.project[p]
        if rec.form == "refined":
            flows[rec.mineral, t, rec.country, rec.country].append((1.0, var))
    for (k, t), var in m.output.items():
        tech = ix.technology[k]
        if tech.feed == "scrap":
            flows[tech.mineral, t, ix.home, ix.home].append((1.0, var))
    for (k, c, t), var in m.refine_origin.items():
        flows[ix.technology[k].mineral, t, c, ix.home].append((1.0, var))
    return flows
