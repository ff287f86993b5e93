"""Disruption scenarios: what each one does to the model's data, and what it reveals when.

An event of a scenario matches the supply rows and projects of its country (`*`: every foreign
country; the home country only when named), mineral (`*`: all) and form (`*`: both), and in
each year from first_year to last_year

    available_t[c,m,f,t]  x (1 - supply_cut_pct/100)          purchases
    capacity of project p x (1 - supply_cut_pct/100)          offtake (an export ban stops a
                                                              joint venture's shipments too)
    price[c,m,f,t]        x (1 + price_shock_pct/100)         landed cost and risk exposure

Several events on one row and year compound: the factors multiply.

Information (non-anticipativity): a scenario is told apart from another in year t only by what
has happened by t, that is by its factors in the years up to t. `history_nodes` gives each
scenario one node per year; scenarios that share a node share every recourse decision of that
year, so that no decision can depend on a disruption before it starts (or on when an ongoing
one will end).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace

import pandas as pd

from models.data import ANY, UNDISRUPTED, InputData
from models.index import ModelIndex
from models.records import PolicyRow

PROBABILITY_TOL = 1e-9


@dataclass(frozen=True)
class Event:
    country: str
    mineral: str
    form: str
    first_year: int
    last_year: int
    supply_cut_pct: float
    price_shock_pct: float = 0.0

    def matches(self, country: str, mineral: str, form: str, home: str) -> bool:
        if self.country == ANY:
            if country == home:
                return False
        elif self.country != country:
            return False
        return self.mineral in (ANY, mineral) and self.form in (ANY, form)

    def active(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


@dataclass(frozen=True)
class Scenario:
    name: str
    probability: float
    events: tuple[Event, ...] = ()


def disruption_scenarios(disruptions: pd.DataFrame) -> list[Scenario]:
    """The Disruptions rows grouped into scenarios, in order of first appearance."""
    if disruptions is None or disruptions.empty:
        return []
    grouped: dict[str, list[Event]] = {}
    probability: dict[str, float] = {}
    for rec in disruptions.to_dict("records"):
        name = rec["scenario"]
        probability.setdefault(name, float(rec["probability"]))
        grouped.setdefault(name, []).append(
            Event(
                country=rec["country"],
                mineral=rec["mineral"],
                form=rec["form"],
                first_year=int(rec["first_year"]),
                last_year=int(rec["last_year"]),
                supply_cut_pct=float(rec["supply_cut_pct"]),
                price_shock_pct=float(rec.get("price_shock_pct") or 0.0),
            )
        )
    return [Scenario(name, probability[name], tuple(events)) for name, events in grouped.items()]


def undisrupted(scenarios: list[Scenario]) -> Scenario:
    """The case without disruption, with the probability the scenarios leave."""
    rest = 1.0 - sum(s.probability for s in scenarios)
    return Scenario(UNDISRUPTED, max(rest, 0.0) if rest > PROBABILITY_TOL else 0.0)


@dataclass
class Effects:
    """A scenario's factors, only where they differ from 1."""

    available: dict[tuple, float]  # (c, m, f, t)
    price: dict[tuple, float]  # (c, m, f, t)
    offtake: dict[tuple, float]  # (p, t)

    def by_year(self) -> dict[int, tuple]:
        """year -> the year's factors, as a sorted tuple (the year's observable facts)."""
        out: dict[int, list] = {}
        for kind, table in (("a", self.available), ("p", self.price), ("o", self.offtake)):
            for key, value in table.items():
                out.setdefault(key[-1], []).append((kind, key, round(value, 12)))
        return {t: tuple(sorted(facts)) for t, facts in out.items()}

    @property
    def first_year(self) -> int | None:
        years = [key[-1] for table in (self.available, self.price, self.offtake) for key in table]
        return min(years) if years else None


def scenario_effects(ix: ModelIndex, scenario: Scenario) -> Effects:
    """Multiply the factors of every event of `scenario` on the rows and years it matches."""
    available: dict[tuple, float] = {}
    price: dict[tuple, float] = {}
    offtake: dict[tuple, float] = {}
    years = set(ix.years)
    for event in scenario.events:
        cut = 1.0 - event.supply_cut_pct / 100.0
        shock = 1.0 + event.price_shock_pct / 100.0
        active = [t for t in range(event.first_year, event.last_year + 1) if t in years]
        if not active:
            continue
        # every Supply row, bought or not: its cut counts in the tonnes lost (supply_lost)
        rows = {k[:3] for k in ix.available_t if event.matches(k[0], k[1], k[2], ix.home)}
        for c, m, f in rows:
            for t in active:
                if cut != 1.0:
                    available[c, m, f, t] = available.get((c, m, f, t), 1.0) * cut
                if shock != 1.0:
                    price[c, m, f, t] = price.get((c, m, f, t), 1.0) * shock
        if cut == 1.0:
            continue
        for p, rec in ix.project.items():
            if event.matches(rec.country, rec.mineral, rec.form, ix.home):
                for t in active:
                    offtake[p, t] = offtake.get((p, t), 1.0) * cut
    return Effects(available, price, offtake)


def supply_lost(ix: ModelIndex, effects: Effects) -> dict[tuple, float]:
    """(mineral, year) -> tonnes a scenario's cuts remove: purchases no longer available plus
    project capacity (at the largest stake) no longer shipped. Only cut mineral-years."""
    lost: dict[tuple, float] = {}
    for (c, mineral, f, t), factor in effects.available.items():
        if factor < 1.0:
            lost[mineral, t] = lost.get((mineral, t), 0.0) + ix.available_t[c, mineral, f, t] * (
                1.0 - factor
            )
    for (p, t), factor in effects.offtake.items():
        if factor < 1.0:
            rec = ix.project[p]
            tonnes = rec.capacity_t * rec.max_stake * (1.0 - factor)
            lost[rec.mineral, t] = lost.get((rec.mineral, t), 0.0) + tonnes
    return lost


def apply_effects(ix: ModelIndex, effects: Effects) -> ModelIndex:
    """A copy of `ix` with the scenario's availability, prices and offtake factors.

    Stock after a cut (see `stock_rules`): until a scenario first cuts a mineral, its stock
    follows the plan's path (injections and draws are first-stage); from then on the stock may
    be drawn as a recourse decision, below a min_stock_days level in cut years (up to the supply
    lost), and bought back up to the planned level, a gap below the level costing the
    shortfall penalty in the years without a cut.
    """
    available = dict(ix.available_t)
    price = dict(ix.price_usd_per_t)
    landed = dict(ix.landed_usd_per_t)
    for key, factor in effects.available.items():
        available[key] = ix.available_t[key] * factor
    for key, factor in effects.price.items():
        extra = ix.price_usd_per_t[key] * (factor - 1.0)
        price[key] = ix.price_usd_per_t[key] + extra
        landed[key] = ix.landed_usd_per_t[key] + extra * (1 + ix.tariff_pct.get(key[0], 0.0) / 100)
    lost = supply_lost(ix, effects)
    starts = first_cut_years(lost)
    policy, replenish, gaps, free = stock_rules(ix, lost, starts)
    return dataclasses.replace(
        ix,
        available_t=available,
        price_usd_per_t=price,
        landed_usd_per_t=landed,
        offtake_factor={**ix.offtake_factor, **effects.offtake},
        policy=policy,
        replenish=replenish,
        stock_gap=gaps,
        stock_gap_free_t=free,
        cut_start=starts,
    )


def first_cut_years(lost: dict[tuple, float]) -> dict[str, int]:
    """mineral -> the first year a scenario's cuts remove some of its supply."""
    starts: dict[str, int] = {}
    for m, t in lost:
        starts[m] = min(t, starts.get(m, t))
    return starts


def stock_rules(
    ix: ModelIndex, lost: dict[tuple, float], starts: dict[str, int]
) -> tuple[list, list, list, dict]:
    """The policy records, replenishment keys, stock-gap keys and free gaps of a scenario
    whose cuts remove lost[m,t] tonnes of mineral m in year t, first in year starts[m].

    A min_stock_days rule on a cut mineral m, with s_m its first cut year, binds as written
    before s_m, and from s_m on as the soft rule
        stock[m,t] + stock_gap[m,t] >= days / 365 x D[m,t]
    where in a cut year the gap is free up to the supply lost (the stockpile is released to
    replace what the disruption removes, no more), and in other years costs the shortfall
    penalty per tonne. Stock may be replenished from s_m on: a drawn stockpile is bought back.
    """
    policy: list[PolicyRow] = []
    gaps: set = set()
    for rec in ix.policy:
        minerals = ix.minerals if rec.mineral == ANY else [rec.mineral]
        if rec.rule != "min_stock_days" or not any(m in starts for m in minerals):
            policy.append(rec)
            continue
        for m in minerals:
            start = starts.get(m, ix.years[-1] + 1)
            first, last = rec.first_year, rec.last_year
            if first <= min(last, start - 1):
                policy.append(replace(rec, mineral=m, last_year=min(last, start - 1)))
            if max(first, start) <= last:
                policy.append(replace(rec, mineral=m, first_year=max(first, start), soft=True))
                gaps.update((m, t) for t in range(max(first, start), last + 1))
    free = {key: tonnes for key, tonnes in lost.items() if key in gaps}
    replenish = [(m, t) for m in ix.minerals if m in starts for t in ix.years if t >= starts[m]]
    return policy, replenish, sorted(gaps), free


def history_nodes(effects: list[Effects], years: list[int]) -> list[dict[int, int]]:
    """node[s][t]: scenarios with equal factors in every year up to t share the node of t.

    Nodes are numbered in order of first appearance (scenario 0's nodes first)."""
    ids: dict[tuple, int] = {}
    nodes: list[dict[int, int]] = []
    for eff in effects:
        facts = eff.by_year()
        parent: int | None = None
        mine: dict[int, int] = {}
        for t in years:
            key = (parent, t, facts.get(t, ()))
            parent = mine[t] = ids.setdefault(key, len(ids))
        nodes.append(mine)
    return nodes


def scenario_set(data: InputData) -> tuple[list[Scenario], list[str]]:
    """The modelled scenarios (the undisrupted case first, if it has probability left) and
    the names of scenarios left out for a probability of 0."""
    disrupted = disruption_scenarios(data.disruptions)
    kept = [s for s in disrupted if s.probability > 0]
    dropped = [s.name for s in disrupted if s.probability <= 0]
    base = undisrupted(disrupted)
    return ([base] if base.probability > 0 else []) + kept, dropped
