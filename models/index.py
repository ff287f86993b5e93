"""Sparse index sets and precomputed coefficients, derived from validated input data.

Nothing here touches Pyomo: every set holds only the combinations that exist (a supply row, a
project's feasible build years, a technology's online years), and every coefficient the blocks
need is computed once, so that constraint rules do no arithmetic of their own.

Conventions (DESIGN.md): growth compounds yearly from first_year; a tonne bought costs
price x (1 + tariff_pct/100) + freight; a cost in year t is discounted by
(1 + r)^-(t - first_year); capital is an annuity over the asset's life, paid in each online
year inside the horizon. All money in the model is in million USD (MUSD).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pyomo.common.gc_manager import PauseGC

from models.data import InputData
from models.records import BudgetRow, PolicyRow, Project, Technology

USD_PER_MUSD = 1e6
INR_PER_CRORE = 1e7

Key = tuple


def mineral_years(ix: ModelIndex) -> list[tuple]:
    """(mineral, year) for every mineral and year of the horizon."""
    return [(mineral, t) for mineral in ix.minerals for t in ix.years]


def capital_recovery_factor(rate: float, life_years: int) -> float:
    """Annuity per unit of capital: r / (1 - (1 + r)^-n), or 1/n when r = 0."""
    if rate == 0:
        return 1.0 / life_years
    return rate / (1.0 - (1.0 + rate) ** -life_years)


def crore_per_musd(inr_per_usd: float) -> float:
    """INR crore per million USD: 1e6 x inr_per_usd / 1e7."""
    return USD_PER_MUSD * inr_per_usd / INR_PER_CRORE


@dataclass
class ModelIndex:
    """Sets (lists of tuples) and coefficients (dicts keyed by those tuples)."""

    years: list[int]
    first_year: int
    discount: dict[int, float]
    minerals: list[str]
    home: str
    risk_score: dict[str, float]
    of_concern: set[str]
    demand_t: dict[Key, float]
    scrap_t: dict[Key, float]
    # purchases: (country, mineral, form, year)
    buy: list[Key] = field(default_factory=list)
    available_t: dict[Key, float] = field(default_factory=dict)
    price_usd_per_t: dict[Key, float] = field(default_factory=dict)
    landed_usd_per_t: dict[Key, float] = field(default_factory=dict)
    tariff_pct: dict[str, float] = field(default_factory=dict)  # per country
    # projects
    project: dict[str, Project] = field(default_factory=dict)
    project_build: list[Key] = field(default_factory=list)  # (project, build year)
    project_online: list[Key] = field(default_factory=list)  # (project, year) output possible
    builds_online: dict[Key, list[int]] = field(default_factory=dict)  # (p, t) -> build years
    # share of capacity that can be taken in (p, t) (1 unless a disruption cuts it)
    offtake_factor: dict[Key, float] = field(default_factory=dict)
    project_build_cost_musd: dict[Key, float] = field(default_factory=dict)  # per unit stake
    # processing
    technology: dict[str, Technology] = field(default_factory=dict)
    module_build: list[Key] = field(default_factory=list)  # (technology, build year)
    tech_online: list[Key] = field(default_factory=list)  # (technology, year)
    # (technology, concentrate origin country, year): refinery output by the mine origin of
    # its feed (concentrate bought from or mined by a project in that country)
    refine_origin: list[Key] = field(default_factory=list)
    modules_online_from: dict[Key, list[int]] = field(default_factory=dict)
    module_build_cost_musd: dict[Key, float] = field(default_factory=dict)  # per module
    existing_fixed_cost_musd: float = 0.0  # discounted, constant
    # refined supply from (country, mineral) mined in each country: [(mine_country, share)]
    mine_share: dict[Key, list[tuple[str, float]]] = field(default_factory=dict)
    # stock and shortfall; mean price of the mineral's refined Supply rows in the year
    mean_price_usd_per_t: dict[Key, float] = field(default_factory=dict)
    holding_usd_per_t: dict[Key, float] = field(default_factory=dict)
    # after a disruption cuts a mineral (models/disruption.py): (mineral, year) where stock
    # may be replenished, and where a min_stock_days gap is allowed at the shortfall penalty
    replenish: list[Key] = field(default_factory=list)
    stock_gap: list[Key] = field(default_factory=list)
    stock_gap_free_t: dict[Key, float] = field(default_factory=dict)  # free up to, in cut years
    cut_start: dict[str, int] = field(default_factory=dict)  # mineral -> first cut year
    shortfall_usd_per_t: dict[str, float] = field(default_factory=dict)
    # budgets and policy rows, as records
    budgets: list[BudgetRow] = field(default_factory=list)
    policy: list[PolicyRow] = field(default_factory=list)
    crore_per_musd: float = 0.0
    risk_cap_musd: float | None = None
    # concentration priced in the objective (models/concentration.py)
    concentration_weight: float = 0.0
    concentration_basis: str = "mine"
    concentration_cap_musd: float | None = None
    # declare the concentration pieces even while K is neither priced nor capped, so that a
    # cap can be added in place later (the frontier of K, planner/analysis/frontier.py)
    carry_concentration: bool = False

    def mine_split(self, country: str, mineral: str) -> list[tuple[str, float]]:
        """[(mine country, share)] of refined supply from `country`; itself when not given."""
        return self.mine_share.get((country, mineral), [(country, 1.0)])

    def online_years(self, build_year: int, lead: int, life: int) -> range:
        """Years inside the horizon in which an asset built in build_year produces."""
        start = build_year + lead
        return range(start, min(start + life, self.years[-1] + 1))

    def discounted_years(self, years: range) -> float:
        return sum(self.discount[t] for t in years)


def build_index(data: InputData) -> ModelIndex:
    """Derive every sparse set and coefficient of the model from `data`."""
    with PauseGC():  # as in models/build.py: many small objects, no cycles worth a scan
        return _build_index(data)


def _build_index(data: InputData) -> ModelIndex:
    s = data.settings
    years = s.years
    discount = {t: (1.0 + s.discount_rate) ** -(t - s.first_year) for t in years}
    countries = data.countries.set_index("country")
    risk = countries["risk_score"].astype(float).to_dict()
    risk.setdefault(s.home_country, 0.0)
    demand = data.demand_for_scenario()
    index = ModelIndex(
        years=years,
        first_year=s.first_year,
        discount=discount,
        minerals=list(data.minerals["mineral"]),
        home=s.home_country,
        risk_score=risk,
        of_concern={c for c, flag in countries["of_concern"].items() if flag},
        demand_t={(m, int(y)): float(v) for m, y, v in demand.itertuples(index=False)},
        scrap_t={
            (m, int(y)): float(v) for m, y, v in data.scrap[["mineral", "year", "scrap_t"]].values
        },
        crore_per_musd=crore_per_musd(s.inr_per_usd),
        risk_cap_musd=s.risk_cap_musd,
        concentration_weight=s.concentration_weight,
        concentration_basis=s.concentration_basis,
        concentration_cap_musd=s.concentration_cap_musd,
    )
    _projects(index, data, s.discount_rate)
    _processing(index, data, s.discount_rate)
    _purchases(index, data)
    _refine_origins(index)
    _mine_shares(index, data)
    _stock(index, data)
    index.budgets = [BudgetRow.from_record(r) for r in data.budgets.to_dict("records")]
    index.policy = [PolicyRow.from_record(r) for r in data.policy.to_dict("records")]
    return index


def _purchases(index: ModelIndex, data: InputData) -> None:
    """available_t and price grow yearly: x_t = x_0 (1 + g/100)^(t - first_year).

    Vectorised over supply rows x years; available_t and the prices are kept for every row
    and year. The purchase set (`index.buy`) has every refined row and year, but a
    concentrate row only in the years some refinery of its mineral can run (`_processing`
    ran before): elsewhere concentrate has no use, and its column would be in no row, a cost
    the solver can only price at zero."""
    supply = data.supply
    if supply.empty:
        return
    tariff = data.countries.set_index("country")["tariff_pct"].astype(float)
    index.tariff_pct = tariff.to_dict()
    available = _grown(supply, "available_t", "growth_pct", len(index.years))
    price = _grown(supply, "price_usd_per_t", "price_growth_pct", len(index.years))
    country_tariff = supply["country"].map(tariff).fillna(0.0).to_numpy(dtype=float)[:, None]
    freight = supply["freight_usd_per_t"].to_numpy(dtype=float)[:, None]
    landed = price * (1 + country_tariff / 100) + freight
    keys = [
        (c, m, f, t)
        for c, m, f in zip(supply["country"], supply["mineral"], supply["form"], strict=True)
        for t in index.years
    ]
    # the figures of every row and year: mean prices and a disruption's lost tonnes use them
    index.available_t = dict(zip(keys, available.ravel().tolist(), strict=True))
    index.price_usd_per_t = dict(zip(keys, price.ravel().tolist(), strict=True))
    index.landed_usd_per_t = dict(zip(keys, landed.ravel().tolist(), strict=True))
    usable = _usable_purchases(index, supply).ravel().tolist()
    index.buy = [k for k, keep in zip(keys, usable, strict=True) if keep]


def _grown(supply: pd.DataFrame, column: str, growth_column: str, years: int) -> np.ndarray:
    """Supply rows x years: x_t = x_0 (1 + g/100)^(t - first_year) of a column and its
    growth rate in % a year."""
    n = np.arange(years, dtype=float)[None, :]
    base = supply[column].to_numpy(dtype=float)[:, None]
    growth = supply[growth_column].to_numpy(dtype=float)[:, None]
    return base * (1 + growth / 100) ** n


def _usable_purchases(index: ModelIndex, supply: pd.DataFrame) -> np.ndarray:
    """Supply rows x years: True where the purchase can be used (refined: always;
    concentrate: in a year a refinery of the mineral is online)."""
    refinery_years: dict[str, set[int]] = defaultdict(set)
    for k, t in index.tech_online:
        rec = index.technology[k]
        if rec.feed == "concentrate":
            refinery_years[rec.mineral].add(t)
    online = {
        mineral: np.array([t in years for t in index.years], dtype=bool)
        for mineral, years in refinery_years.items()
    }
    never = np.zeros(len(index.years), dtype=bool)
    usable = np.ones((len(supply), len(index.years)), dtype=bool)
    concentrate = np.flatnonzero(supply["form"].to_numpy() == "concentrate")
    if len(concentrate):
        minerals = supply["mineral"].to_numpy()[concentrate]
        usable[concentrate] = np.array([online.get(m, never) for m in minerals])
    return usable


def _asset_years(
    index: ModelIndex,
    rec: Project | Technology,
    rate: float,
    capex_musd: float,
    can_build: bool = True,
) -> tuple[dict[int, float], dict[int, list[int]]]:
    """For an asset (project or processing module): the cost of building it in each allowed
    year y (earliest_year <= y, first output y + lead inside the horizon), as a discounted
    annuity plus fixed opex over its online years, and the build years online in each year t."""
    lead, life = int(rec.lead_time_years), int(rec.life_years)
    per_unit = capex_musd * capital_recovery_factor(rate, life) + rec.fixed_opex_musd
    cost: dict[int, float] = {}
    online: dict[int, list[int]] = defaultdict(list)
    first = max(int(rec.earliest_year), index.first_year)
    for y in range(first, index.years[-1] - lead + 1) if can_build else ():
        years_on = index.online_years(y, lead, life)
        cost[y] = per_unit * index.discounted_years(years_on)
        for t in years_on:
            online[t].append(y)
    return cost, online


def _projects(index: ModelIndex, data: InputData, rate: float) -> None:
    """Build years and online years of every candidate project (costs per unit of stake)."""
    for rec in map(Project.from_record, data.projects.to_dict("records")):
        p = rec.project
        index.project[p] = rec
        cost, online = _asset_years(index, rec, rate, rec.capex_musd)
        for y, c in cost.items():
            index.project_build.append((p, y))
            index.project_build_cost_musd[(p, y)] = c
        for t in sorted(online):
            index.project_online.append((p, t))
            index.builds_online[(p, t)] = online[t]


def _processing(index: ModelIndex, data: InputData, rate: float) -> None:
    """Existing modules run every year; new ones from build year + lead for life years."""
    for rec in map(Technology.from_record, data.processing.to_dict("records")):
        k = rec.technology
        index.technology[k] = rec
        can_build = rec.max_modules > rec.existing_modules
        cost, online = _asset_years(index, rec, rate, rec.capex_musd_per_module, can_build)
        for y, c in cost.items():
            index.module_build.append((k, y))
            index.module_build_cost_musd[(k, y)] = c
        for t in index.years:
            if rec.existing_modules > 0 or online.get(t):
                index.tech_online.append((k, t))
                index.modules_online_from[(k, t)] = online.get(t, [])
        index.existing_fixed_cost_musd += (
            rec.existing_modules * rec.fixed_opex_musd * sum(index.discount.values())
        )


def concentrate_origins(ix: ModelIndex) -> dict[Key, set[str]]:
    """(mineral, year) -> countries concentrate can come from: concentrate Supply rows and
    the host countries of concentrate projects online that year (the home country for a
    domestic mine)."""
    origins: dict[Key, set[str]] = defaultdict(set)
    for c, m, f, t in ix.buy:
        if f == "concentrate":
            origins[m, t].add(c)
    for p, t in ix.project_online:
        rec = ix.project[p]
        if rec.form == "concentrate":
            origins[rec.mineral, t].add(rec.country)
    return origins


def _refine_origins(index: ModelIndex) -> None:
    """(k, c, t) for every refinery k online in t and concentrate origin c of its mineral."""
    origins = concentrate_origins(index)
    for k, t in index.tech_online:
        rec = index.technology[k]
        if rec.feed == "concentrate":
            for c in sorted(origins.get((rec.mineral, t), ())):
                index.refine_origin.append((k, c, t))


def _mine_shares(index: ModelIndex, data: InputData) -> None:
    """MineOrigins rows as (country, mineral) -> [(mine_country, share)], shares > 0."""
    for (c, m), rows in data.mine_origins.groupby(["country", "mineral"], sort=False):
        split = [
            (mc, float(sh))
            for mc, sh in zip(rows["mine_country"], rows["share"], strict=True)
            if sh > 0
        ]
        index.mine_share[c, m] = split


def _stock(index: ModelIndex, data: InputData) -> None:
    """Holding cost per tonne-year: stock_holding_cost_pct/100 x the year's mean refined price
    over the mineral's refined Supply rows (all its rows if it has no refined one)."""
    mean_price = _mean_price(data.supply, index.years)
    minerals = data.minerals.set_index("mineral")
    for m in index.minerals:
        index.shortfall_usd_per_t[m] = float(minerals.at[m, "shortfall_penalty_usd_per_t"])
        pct = float(minerals.at[m, "stock_holding_cost_pct"])
        for t in index.years:
            index.mean_price_usd_per_t[m, t] = mean_price.get((m, t), 0.0)
            index.holding_usd_per_t[m, t] = pct / 100 * mean_price.get((m, t), 0.0)


def _mean_price(supply: pd.DataFrame, years: list[int]) -> dict[tuple[str, int], float]:
    """(mineral, year) -> the year's mean price over the mineral's refined Supply rows (all
    its rows if it has no refined one). Built from the rows x years array in the keyed
    prices' order (row by row, each row's years), so the means are those of the keyed
    prices to the last bit, without a tuple per row and year."""
    if supply.empty:
        return {}
    n_years = len(years)
    prices = pd.DataFrame(
        {
            "mineral": np.repeat(supply["mineral"].to_numpy(), n_years),
            "refined": np.repeat(supply["form"].to_numpy() == "refined", n_years),
            "year": np.tile(np.asarray(years), len(supply)),
            "price": _grown(supply, "price_usd_per_t", "price_growth_pct", n_years).ravel(),
        }
    )
    has_refined = prices.groupby("mineral")["refined"].transform("any")
    # keep refined rows where the mineral has any, else every row
    chosen = prices[prices["refined"] | ~has_refined]
    return chosen.groupby(["mineral", "year"])["price"].mean().to_dict()
