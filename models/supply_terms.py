"""Who supplies what: the (coefficient, variable) lists that balances and policies sum.

Origins of refined supply: a refined purchase or refined project offtake comes from its
country; refinery and recycler output comes from the home country (it is refined at home).
Concentrate feeds the home refineries and has no share of its own.

`refined` (what the balance sums) includes stock drawn; `sourced` (what policy shares and the
HHI divide by) does not: a stockpiled tonne was counted with its origin when it was bought, and
counting it again when drawn would let injecting and drawing in one year inflate the total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyomo.environ as pyo

from models.index import ModelIndex


@dataclass
class SupplyTerms:
    """Per (mineral, year) lists of (coef, var); per (mineral, year, country) for origins."""

    refined: dict = field(default_factory=lambda: defaultdict(list))
    sourced: dict = field(default_factory=lambda: defaultdict(list))
    by_origin: dict = field(default_factory=lambda: defaultdict(list))
    domestic: dict = field(default_factory=lambda: defaultdict(list))
    concentrate: dict = field(default_factory=lambda: defaultdict(list))
    refinery_feed: dict = field(default_factory=lambda: defaultdict(list))
    recycler_feed: dict = field(default_factory=lambda: defaultdict(list))
    origins: dict = field(default_factory=lambda: defaultdict(set))  # (m, t) -> countries


def collect_supply_terms(m: pyo.ConcreteModel, ix: ModelIndex) -> SupplyTerms:
    """Group every supply variable by the balance and origin it belongs to."""
    terms = SupplyTerms()
    for (c, mineral, form, t), var in m.buy.items():
        _add_origin(terms, ix, mineral, form, t, c, var)
    for (p, t), var in m.offtake.items():
        rec = ix.project[p]
        _add_origin(terms, ix, rec["mineral"], rec["form"], t, rec["country"], var)
    for (k, t), var in m.output.items():
        rec = ix.technology[k]
        mineral = rec["mineral"]
        terms.refined[mineral, t].append((1.0, var))
        terms.sourced[mineral, t].append((1.0, var))
        terms.domestic[mineral, t].append((1.0, var))
        feed = terms.refinery_feed if rec["feed"] == "concentrate" else terms.recycler_feed
        feed[mineral, t].append((1.0 / rec["yield"], var))
    for (mineral, t), var in m.draw.items():
        terms.refined[mineral, t].append((1.0, var))
    return terms


def _add_origin(
    terms: SupplyTerms, ix: ModelIndex, mineral: str, form: str, t: int, country: str, var
) -> None:
    if form == "concentrate":
        terms.concentrate[mineral, t].append((1.0, var))
        return
    terms.refined[mineral, t].append((1.0, var))
    terms.sourced[mineral, t].append((1.0, var))
    terms.by_origin[mineral, t, country].append((1.0, var))
    terms.origins[mineral, t].add(country)
    if country == ix.home:
        terms.domestic[mineral, t].append((1.0, var))
