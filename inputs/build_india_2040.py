"""Build `inputs/india_2040.xlsx`: the cited India 2040 base case (input schema version 2).

Run from the repository root:

    .venv/bin/python inputs/build_india_2040.py

Every figure comes either from the raw data copied into `inputs/data/` (USGS Mineral Commodity
Summaries, World Bank governance indicators, India's budget, trade and project facts, real
supply-disruption events; each CSV row carries its source and URL) or from a named assumption
in the tables below. Each figure is recorded on the workbook's `Sources` sheet, and
`inputs/SOURCES.md` explains the derivation sheet by sheet. The output is deterministic: the
same data give the same workbook.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from planner.schema import column_names

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
OUT = HERE / "india_2040.xlsx"

HOME = "India"
FIRST_YEAR, LAST_YEAR = 2025, 2040
MILESTONES = (2025, 2030, 2035, 2040)
SCENARIOS = ("stated", "pledges", "accelerated")
ASSUMPTION = "assumption"
STAMP = datetime(2025, 1, 1)  # document date written into the workbook (reproducible output)

INR_PER_USD = 87.84  # market close, 24 Oct 2025 (Business Standard, Bloomberg data)
INR_PER_CRORE = 1e7
LB_PER_T = 2204.62
LI_TO_LCE = 5.323  # t Li2CO3 per t Li: 73.89 / (2 x 6.941), the molar-mass ratio
BAUXITE_PER_ALUMINA = 3.0  # t bauxite per t alumina (india.csv, industry rule of thumb)
PURCHASABLE = 0.10  # share of a supplier's output India could contract for (assumption)

USGS_2026 = "USGS MCS 2026"
USGS_2025 = "USGS MCS 2025"


# ----------------------------------------------------------------------------- citations


@dataclass(frozen=True)
class Fact:
    """A figure with its provenance."""

    value: float
    source: str
    year: str
    url: str
    text: str = ""  # the value as written, when it is not a single number (e.g. "50-60")


@dataclass
class Ledger:
    """Rows of the Sources sheet, in the order they were recorded."""

    rows: list[dict] = field(default_factory=list)

    def add(
        self, sheet: str, fld: str, value: object, source: str, year: object = "", url: str = ""
    ) -> None:
        self.rows.append(
            {
                "sheet": sheet,
                "field": fld,
                "value": _text(value),
                "source": source,
                "year": _text(year),
                "url_or_reference": url,
            }
        )

    def fact(self, sheet: str, fld: str, fact: Fact, note: str = "", value: object = None) -> None:
        """Record a raw-data figure; `value` overrides it when the field shows a derived one."""
        source = f"{fact.source}; {note}" if note else fact.source
        shown = value if value is not None else (fact.text or fact.value)
        self.add(sheet, fld, shown, source, fact.year, fact.url)

    def assume(self, sheet: str, fld: str, value: object, why: str) -> None:
        self.add(sheet, fld, value, f"{ASSUMPTION}: {why}", FIRST_YEAR, "inputs/SOURCES.md")


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


# ----------------------------------------------------------------------------- raw data


class Raw:
    """The raw CSVs in inputs/data (copies of the project's cited raw data)."""

    def __init__(self, folder: Path) -> None:
        self.world = pd.read_csv(folder / "world_production.csv", dtype={"year": str})
        self.prices = pd.read_csv(folder / "prices.csv", dtype={"year": str})
        self.countries = pd.read_csv(folder / "countries.csv", dtype={"year": str})
        self.india = pd.read_csv(folder / "india.csv", dtype=str)
        self.events = pd.read_csv(folder / "disruptions.csv", dtype=str, keep_default_na=False)
        self.mine_origins = pd.read_csv(folder / "mine_origins.csv", keep_default_na=False)

    def usgs(self, mineral: str, stage: str, country: str, year: int) -> Fact:
        """USGS production: MCS 2026 for 2025 (est.), MCS 2025 for 2024 (copper, bauxite)."""
        edition = USGS_2026 if year == 2025 else USGS_2025
        w = self.world
        rows = w[
            (w.mineral == mineral)
            & (w.stage == stage)
            & (w.country == country)
            & (w.year == str(year))
            & w.source.str.startswith(edition)
        ]
        if len(rows) != 1:
            raise LookupError(f"USGS {mineral} {stage} {country} {year}: {len(rows)} rows")
        r = rows.iloc[0]
        return Fact(float(r.value), f"{r.source} ({r.unit})", str(year), r.url)

    def price(self, mineral: str, product: str, unit: str, year: int = 2025) -> Fact:
        p = self.prices
        rows = p[
            (p.mineral == mineral)
            & (p["product"] == product)
            & (p.unit == unit)
            & (p.year == str(year))
        ]
        if len(rows) != 1:
            raise LookupError(f"price {mineral} {product} {unit} {year}: {len(rows)} rows")
        r = rows.iloc[0]
        return Fact(float(r.value), f"{r.source}: {product}, {r.unit}", str(year), r.url)

    def fact(self, item: str, year: str | None = None) -> Fact:
        """One row of india.csv, by its item (and year when the item repeats)."""
        d = self.india
        rows = d[d["item"] == item]
        if year is not None:
            rows = rows[rows["year"] == year]
        if len(rows) != 1:
            raise LookupError(f"india.csv {item!r} {year}: {len(rows)} rows")
        r = rows.iloc[0]
        try:
            value, text = float(r.value), ""
        except ValueError:
            value, text = math.nan, str(r.value)
        return Fact(value, f"{r.source}: {item} ({r.unit})", r.year, r.url, text)

    def event(self, name: str) -> Fact:
        """One row of disruptions.csv, by its event name; the text is its magnitude."""
        rows = self.events[self.events["event"] == name]
        if len(rows) != 1:
            raise LookupError(f"disruptions.csv {name!r}: {len(rows)} rows")
        r = rows.iloc[0]
        end = f" to {r.end}" if r.end else " (ongoing)"
        source = f"{r.source}: {r.event}, {r.start}{end}"
        return Fact(math.nan, source, r.start[:4], r.url, r.magnitude or r.measure)

    def event_days(self, name: str) -> int:
        """Days from an event's start to its end, both included (the event must have ended)."""
        r = self.events[self.events["event"] == name].iloc[0]
        return (date.fromisoformat(r.end) - date.fromisoformat(r.start)).days + 1

    def wgi(self, country: str, indicator: str) -> float:
        c = self.countries
        rows = c[(c.country == country) & (c.indicator == indicator)]
        if len(rows) != 1:
            raise LookupError(f"countries.csv {country} {indicator}: {len(rows)} rows")
        return float(rows.iloc[0].value)

    def flag(self, country: str, indicator: str) -> str:
        c = self.countries
        rows = c[(c.country == country) & (c.indicator == indicator)]
        return "" if rows.empty else str(rows.iloc[0].value)

    def countries_url(self, indicator: str) -> tuple[str, str]:
        row = self.countries[self.countries.indicator == indicator].iloc[0]
        return row.source, row.url


# ----------------------------------------------------------------------------- settings


def settings_sheet(led: Ledger) -> list[dict]:
    s = "Settings"
    # fmt: off
    rows = [
        ("schema_version", 3, "input workbook contract version (3: MineOrigins, risk bases)"),
        ("home_country", HOME, "imports come into India; refining is done in India"),
        ("first_year", FIRST_YEAR, "first plan year"),
        ("last_year", LAST_YEAR, "last plan year"),
        ("discount_rate", 0.08, "real rate per year; assumption (sensitivity 0.05-0.12)"),
        ("inr_per_usd", INR_PER_USD, "market close 24 Oct 2025 (Business Standard)"),
        ("risk_weight", 0, "pure cost; a frontier sweeps this"),
        ("demand_scenario", "stated", "one of Demand.scenario: stated, pledges, accelerated"),
        ("mode", "deterministic", "plan for the undisrupted case; stochastic: plan once for "
         "every Disruptions scenario"),
        ("cvar_alpha", 0.9, "stochastic mode: CVaR averages the worst 10% of scenario cost"),
        ("cvar_weight", 0, "stochastic mode: 0 = minimise expected cost"),
        ("concentration_weight", 0, "supply concentration reported, not priced (README: the "
         "plan at 0.1 and 0.3, and the cost-concentration frontier)"),
        ("concentration_basis", "mine", "concentration counted by where a tonne was mined"),
        ("mip_gap", 0, "relative MIP gap: 0, so that the absolute gap below decides"),
        ("mip_abs_gap_musd", 5, "stop when the plan is within 5 million USD of the optimum "
         "(plans that differ by more are told apart)"),
        ("time_limit_s", 120, "solver time limit, seconds"),
    ]
    # fmt: on
    led.assume(
        s,
        "discount_rate",
        0.08,
        "real social discount rate for public investment; "
        "no official figure in the raw data; test 0.05-0.12",
    )
    led.add(
        s,
        "inr_per_usd",
        INR_PER_USD,
        "Business Standard: rupee closed at 87.84 per USD on 24 Oct 2025 (Bloomberg data); "
        "RBI reference rates were 86.6-88.1 through 2025",
        "2025",
        "https://www.business-standard.com/markets/news/rupee-gives-up-early-gains-to-end-"
        "near-2-month-high-closes-at-87-84-per-dollar-125102400725_1.html",
    )
    led.add(
        s,
        "first_year..last_year",
        "2025..2040",
        "project brief (India's transition to 2040; IEA GCMO 2025 horizon)",
        "2025",
    )
    led.assume(s, "demand_scenario", "stated", "base case plans for the stated-policies demand")
    led.assume(
        s,
        "concentration_weight",
        0,
        "the base case is the cheapest plan; pricing concentration is a policy choice, not a "
        "measured figure (inputs/README.md gives the plan at 0.1 and 0.3 and the frontier)",
    )
    led.assume(
        s,
        "mip_gap / mip_abs_gap_musd",
        "0 / 5",
        "plans are solved to within 5 million USD of the optimum (about 0.003% of the "
        "objective): at the former 0.1% gap (about 180 MUSD) plans flipped between solves",
    )
    led.assume(
        s,
        "mode / cvar_alpha / cvar_weight",
        "deterministic / 0.9 / 0",
        "the base case plans for the undisrupted case; set mode to stochastic to plan against "
        "the Disruptions scenarios (expected cost unless cvar_weight > 0)",
    )
    return [{"key": k, "value": v, "note": n} for k, v, n in rows]


# ----------------------------------------------------------------------------- minerals


@dataclass(frozen=True)
class MineralSpec:
    """Per-mineral conversion and market assumptions (all marked assumptions in Sources).

    payability: concentrate price as a fraction of the refined price (per t of contained
    mineral); ship_conc: tonnes shipped per t of contained mineral in concentrate; growth_pct
    and price_growth_pct: yearly growth of availability and real price.
    """

    name: str
    unit: str
    payability: float
    ship_conc: float
    growth_pct: float
    price_growth_pct: float
    why_payability: str
    why_ship: str


# fmt: off
SPECS: dict[str, MineralSpec] = {
    s.name: s
    for s in (
        MineralSpec("lithium", "t LCE", 0.65, 7.5, 8.0, 3.0,
                    "spodumene (SC6) sells at ~60-70% of the carbonate value of its LCE",
                    "~7.5 t of 6% Li2O spodumene concentrate per t LCE after losses"),
        MineralSpec("cobalt", "t Co", 0.65, 3.0, 3.0, 1.0,
                    "cobalt hydroxide/MHP payables ~55-80% of metal price",
                    "hydroxide ~33% Co: ~3 t shipped per t Co"),
        MineralSpec("nickel", "t Ni", 0.80, 2.5, 3.0, 1.0,
                    "MHP / matte payables ~75-85% of LME nickel",
                    "MHP ~40% Ni: 2.5 t shipped per t Ni"),
        MineralSpec("graphite", "t natural graphite", 1000 / 3000, 1.0, 6.0, 1.0,
                    "flake concentrate (USGS 1,000 USD/t) vs purified/spherical 3,000 USD/t",
                    "flake concentrate is ~95% C: 1 t shipped per t"),
        MineralSpec("rare_earths", "t REO", 0.45, 1.7, 4.0, 2.0,
                    "mixed RE concentrate sells at ~40-50% of separated-oxide basket value",
                    "mixed concentrate / monazite ~60% REO: 1.7 t shipped per t REO"),
        MineralSpec("copper", "t Cu", 0.92, 4.0, 2.5, 1.5,
                    "96.5% payable less treatment and refining charges ~4-5%",
                    "concentrate ~25% Cu (india.csv, Hindalco Dahej): 4 t per t Cu"),
        MineralSpec("bauxite", "t bauxite", 50 / 150, 1.0, 2.5, 0.5,
                    "bauxite 50 USD/t FOB vs alumina 450 USD/t = 150 USD per t bauxite-eq",
                    "bauxite shipped as mined; alumina 1/3 t per t bauxite-equivalent"),
    )
}
# fmt: on

STOCK_HOLDING_PCT = 12.0  # cost of capital ~8% + storage and insurance ~4% (assumption)
PENALTY_MULTIPLE = 4.0  # shortfall penalty = 4 x the dearest landed price in last_year


def refined_prices(raw: Raw, led: Ledger) -> dict[str, float]:
    """Refined price in first_year, USD per t of the mineral's unit, from prices.csv."""
    s = "Supply"
    li = raw.price("lithium", "battery-grade lithium carbonate", "dollars per metric ton")
    co = raw.price("cobalt", "London Metal Exchange (LME), cash", "dollars per pound")
    ni = raw.price("nickel", "LME cash", "dollars per metric ton")
    cu = raw.price("copper", "London Metal Exchange, grade A, cash", "cents per pound")
    ndpr = raw.price(
        "rare_earths", "Neodymium-praseodymium (NdPr) oxide, 99% minimum", "dollars per kilogram"
    )
    la = raw.price("rare_earths", "Lanthanum oxide, 99.5% minimum", "dollars per kilogram")
    ce = raw.price("rare_earths", "Cerium oxide, 99.5% minimum", "dollars per kilogram")
    basket = 1000 * (0.25 * ndpr.value + 0.75 * (la.value + ce.value) / 2)
    prices = {
        "lithium": li.value,
        "cobalt": round(co.value * LB_PER_T),
        "nickel": ni.value,
        "graphite": 3000.0,
        "rare_earths": round(basket),
        "copper": round(cu.value / 100 * LB_PER_T),
        "bauxite": round(450 / BAUXITE_PER_ALUMINA),
    }
    led.fact(s, "price_usd_per_t lithium refined", li, "t of carbonate = t LCE")
    led.fact(s, "price_usd_per_t cobalt refined", co, f"x {LB_PER_T} lb/t = {prices['cobalt']}")
    led.fact(s, "price_usd_per_t nickel refined", ni)
    led.fact(
        s, "price_usd_per_t copper refined", cu, f"/100 x {LB_PER_T} lb/t = {prices['copper']}"
    )
    for f in (ndpr, la, ce):
        led.fact(s, "price_usd_per_t rare_earths refined (basket input)", f)
    led.assume(
        s,
        "price_usd_per_t rare_earths refined",
        prices["rare_earths"],
        "REO basket = 25% NdPr oxide + 75% mean(La, Ce oxide), USGS 2025 prices "
        "(NdPr share of a typical REO mix, e.g. Mt Weld)",
    )
    led.assume(
        s,
        "price_usd_per_t graphite refined",
        3000,
        "purified / spherical graphite; no price in the raw data",
    )
    led.assume(
        s,
        "price_usd_per_t bauxite refined",
        prices["bauxite"],
        "alumina 450 USD/t / 3 t bauxite per t alumina (bauxite-equivalent unit)",
    )
    return prices


def concentrate_price(mineral: str, refined: float, raw: Raw, led: Ledger) -> float:
    if mineral == "graphite":
        flake = raw.price(
            "graphite", "natural graphite flake", "dollars per metric ton at foreign ports"
        )
        led.fact("Supply", "price_usd_per_t graphite concentrate", flake)
        return flake.value
    if mineral == "bauxite":
        led.assume(
            "Supply",
            "price_usd_per_t bauxite concentrate",
            50,
            "bauxite FOB ~50 USD/t (Guinea/Australia); no bauxite price in raw data",
        )
        return 50.0
    spec = SPECS[mineral]
    price = round(refined * spec.payability)
    led.assume(
        "Supply",
        f"price_usd_per_t {mineral} concentrate",
        price,
        f"payability {spec.payability:g} x refined price: {spec.why_payability}",
    )
    return float(price)


def minerals_sheet(supply: list[dict], tariffs: dict[str, float], led: Ledger) -> list[dict]:
    """Penalty = PENALTY_MULTIPLE x the dearest landed price of the mineral in last_year."""
    rows = []
    n = LAST_YEAR - FIRST_YEAR
    for name, spec in SPECS.items():
        landed = [
            r["price_usd_per_t"]
            * (1 + r["price_growth_pct"] / 100) ** n
            * (1 + tariffs[r["country"]] / 100)
            + r["freight_usd_per_t"]
            for r in supply
            if r["mineral"] == name
        ]
        penalty = _round_up(PENALTY_MULTIPLE * max(landed), 2)
        rows.append(
            {
                "mineral": name,
                "unit": spec.unit,
                "shortfall_penalty_usd_per_t": penalty,
                "stock_holding_cost_pct": STOCK_HOLDING_PCT,
            }
        )
    led.assume(
        "Minerals",
        "shortfall_penalty_usd_per_t",
        f"{PENALTY_MULTIPLE:g}x",
        "4 x the dearest landed price of the mineral in 2040, rounded up to 2 "
        "significant figures: unmet demand is always the last resort",
    )
    led.assume(
        "Minerals",
        "stock_holding_cost_pct",
        STOCK_HOLDING_PCT,
        "cost of capital ~8% plus storage and insurance ~4% per year",
    )
    led.add(
        "Minerals",
        "unit t LCE",
        LI_TO_LCE,
        "USGS lithium is contained Li; 1 t Li = 5.323 t Li2CO3 (molar masses 73.89 / "
        "(2 x 6.941)); conversion table in Battery Industry dictionary 'LCE'",
        "n.d.",
        "https://batteryindustry.tech/dictionary/lithium-carbonate-equivalent-or-lce/",
    )
    led.assume(
        "Minerals",
        "unit t bauxite",
        "bauxite-equivalent",
        "alumina is counted as bauxite-equivalent at 3 t bauxite per t alumina "
        "(india.csv rule of thumb), so refining keeps the mineral's unit",
    )
    return rows


def _round_up(x: float, digits: int) -> float:
    scale = 10 ** (digits - 1 - math.floor(math.log10(x)))
    return math.ceil(x * scale) / scale


# ----------------------------------------------------------------------------- countries


@dataclass(frozen=True)
class CountrySpec:
    name: str
    wgi: str  # name in countries.csv (World Bank WGI)
    usgs: str  # name in world_production.csv (USGS)
    region: str  # freight class: home, near, mid, far
    landlocked: bool = False  # overland leg to the port (trucking / rail)
    concern: str = ""  # reason the country is of concern, "" if not


# fmt: off
COUNTRIES: tuple[CountrySpec, ...] = (
    CountrySpec("India", "India", "India", "home"),
    CountrySpec("China", "China", "China", "near",
                concern="export controls on graphite (2023), rare earths and battery "
                "materials (2025), rare-earth embargo on Japan (2010) - disruptions.csv"),
    CountrySpec("Australia", "Australia", "Australia", "mid"),
    CountrySpec("Chile", "Chile", "Chile", "far"),
    CountrySpec("Argentina", "Argentina", "Argentina", "far"),
    CountrySpec("Bolivia", "Bolivia", "Bolivia", "far", landlocked=True),
    CountrySpec("DR Congo", "Democratic Republic of the Congo", "Congo (Kinshasa)", "mid",
                landlocked=True),
    CountrySpec("Zambia", "Zambia", "Zambia", "mid", landlocked=True),
    CountrySpec("Indonesia", "Indonesia", "Indonesia", "near"),
    CountrySpec("Philippines", "Philippines", "Philippines", "near"),
    CountrySpec("Guinea", "Guinea", "Guinea", "far"),
    CountrySpec("USA", "United States", "United States", "far"),
    CountrySpec("Japan", "Japan", "Japan", "mid"),
    CountrySpec("Canada", "Canada", "Canada", "far"),
    CountrySpec("Brazil", "Brazil", "Brazil", "far"),
    CountrySpec("Russia", "Russia", "Russia", "mid",
                concern="US/UK sanctions on Russian aluminium, copper and nickel (Apr 2024) - "
                "disruptions.csv"),
    CountrySpec("South Africa", "South Africa", "South Africa", "mid"),
    CountrySpec("Mozambique", "Mozambique", "Mozambique", "mid"),
    CountrySpec("Madagascar", "Madagascar", "Madagascar", "mid"),
    CountrySpec("Myanmar", "Myanmar", "Burma", "near",
                concern="armed conflict: KIA seized the Kachin rare-earth belt (Oct 2024) - "
                "disruptions.csv"),
    CountrySpec("Vietnam", "Vietnam", "Vietnam", "near"),
    CountrySpec("Malaysia", "Malaysia", "Malaysia", "near"),
    CountrySpec("Tanzania", "Tanzania", "Tanzania", "mid"),
    CountrySpec("Peru", "Peru", "Peru", "far"),
)
# fmt: on
COUNTRY = {c.name: c for c in COUNTRIES}
WGI = ("wgi_pv_pctrank", "wgi_ge_pctrank", "wgi_rq_pctrank", "wgi_rl_pctrank")


def wgi_risk(raw: Raw, c: CountrySpec) -> float:
    """1 - mean(PV, GE, RQ, RL percentile ranks) / 100: 0 = best governed, 1 = worst."""
    return round(1 - sum(raw.wgi(c.wgi, i) for i in WGI) / len(WGI) / 100, 3)


def risk_score(raw: Raw, c: CountrySpec) -> float:
    """Foreign supply risk; the home country's own output carries none."""
    return 0.0 if c.name == HOME else wgi_risk(raw, c)


def partner(raw: Raw, c: CountrySpec) -> str:
    """Partner = MSP member, or a signed bilateral critical-minerals agreement with India."""
    if c.name == HOME:
        return "no"
    signed = raw.flag(c.wgi, "india_agreement") != ""
    return "yes" if raw.flag(c.wgi, "msp_member") == "yes" or signed else "no"


def countries_sheet(raw: Raw, led: Ledger) -> tuple[list[dict], dict[str, float]]:
    s = "Countries"
    rows, tariffs = [], {}
    for c in COUNTRIES:
        rows.append(
            {
                "country": c.name,
                "risk_score": risk_score(raw, c),
                "of_concern": "yes" if c.concern else "no",
                "partner": partner(raw, c),
                "tariff_pct": 0.0,
            }
        )
        tariffs[c.name] = 0.0
        if c.concern:
            led.add(s, f"of_concern {c.name}", "yes", c.concern, "2025", "inputs/SOURCES.md")
    wgi_source, wgi_url = raw.countries_url("wgi_pv_pctrank")
    led.add(
        s,
        "risk_score",
        "1 - mean(PV, GE, RQ, RL percentile rank)/100",
        f"{wgi_source}: Political Stability (PV), Government Effectiveness (GE), "
        "Regulatory Quality (RQ), Rule of Law (RL), 2023 data; formula suggested in "
        "inputs/data/SOURCES-risk.md",
        "2024",
        wgi_url,
    )
    msp_source, msp_url = raw.countries_url("msp_member")
    led.add(
        s,
        "partner",
        "MSP member or signed agreement with India",
        f"{msp_source} (members to 2025-01-20); India's agreements: Argentina (KABIL-CAMYEN "
        "2024), Australia (CMIP 2022), Japan (MoC 2025), USA (TRUST 2025), Zambia (2025), "
        "Brazil (MoU 2026); Chile, Peru, DR Congo only in talks",
        "2025",
        msp_url,
    )
    bcd = raw.fact("Budget 2024-25: full customs duty exemption on critical minerals")
    led.fact(
        s,
        "tariff_pct",
        bcd,
        "0% basic customs duty on 25 critical minerals incl. lithium, "
        "cobalt, nickel, copper, REE since 23 Jul 2024; applied to every country",
        value=0,
    )
    led.fact(
        s,
        "tariff_pct (copper concentrate)",
        raw.fact("BCD on copper ores and concentrates removed in Budget 2024 (was 2.5%)"),
    )
    led.fact(
        s,
        "tariff_pct (graphite, folded into Supply freight)",
        raw.fact("BCD on graphite after Budget 2024 (from 5-7.5%)"),
        "2.5% BCD on graphite: the schema's tariff is per country, so 2.5% of the price is "
        "added to graphite freight_usd_per_t instead (same landed cost)",
    )
    led.assume(s, "tariff_pct (bauxite)", 0, "no bauxite duty figure found; taken as 0")
    led.assume(
        s,
        "risk_score India",
        0.0,
        f"home: domestic output carries no foreign supply risk (its WGI-formula score "
        f"would be {wgi_risk(raw, COUNTRY[HOME])}); the model's default for the home",
    )
    return rows, tariffs


# ----------------------------------------------------------------------------- demand


@dataclass(frozen=True)
class DemandBase:
    mineral: str
    base_t: float  # 2025, rounded
    derivation: str
    facts: tuple[tuple[str, str | None], ...]  # india.csv (item, year) used


# fmt: off
DEMAND_BASE: tuple[DemandBase, ...] = (
    DemandBase("lithium", 3600,
               "FY23 imports of lithium oxides and carbonates 2,144 t (taken as t LCE) x 1.3^2 "
               "(world lithium demand grew ~30% in 2024, IEA GCMO 2025) = 3,623 -> 3,600",
               (("India imports of lithium oxides and carbonates volume", None),
                ("World lithium demand growth in 2024", None))),
    DemandBase("cobalt", 2000,
               "assumption of the order of India's cobalt refining capacity (~2,060 t/yr); "
               "the 172 t FY23 import figure covers a single customs line only",
               (("India cobalt refining capacity", None),
                ("India imports of cobalt volume", None))),
    DemandBase("nickel", 50000,
               "pure nickel demand ~45,000 t in 2023 x 1.05^2 = 49,600 -> 50,000 "
               "(the 80,000 t Moneycontrol figure includes NPI/alloys)",
               (("India nickel demand (pure nickel)", None),
                ("India imports of unwrought nickel volume", None))),
    DemandBase("graphite", 54000,
               "natural graphite: domestic output 17,000 t (USGS 2025e) + total graphite imports "
               "37,044 t (FY17, latest total) = 54,044 -> 54,000",
               (("India total graphite imports", None),)),
    DemandBase("rare_earths", 6200,
               "IREL output 2,900 t REO (USGS) + imports of REEs and compounds 2,270 t (FY24) "
               "+ rare-earth metals 1,064 t (FY25) = 6,234 -> 6,200",
               (("India imports of REEs and REE compounds", None),
                ("India imports of rare earth metals", "2024-25"))),
    DemandBase("copper", 930000,
               "refined copper consumption 840,000 t (FY24) x 1.11 (forecast growth ~11%/yr) "
               "= 932,400 -> 930,000",
               (("India refined copper consumption", None),
                ("India refined copper demand growth forecast FY24 and FY25", None))),
    DemandBase("bauxite", 24100000,
               "primary aluminium 4.159 Mt (FY24) x 1.93 t alumina per t Al (assumption) x 3 t "
               "bauxite per t alumina = 24.08 Mt bauxite-equivalent -> 24.1 Mt",
               (("India primary aluminium production", "2023-24"),
                ("Bauxite-to-alumina ratio (industry rule of thumb)", None))),
)
# fmt: on

# Demand multiple of 2025 at 2030, 2035, 2040 per scenario (see SOURCES.md, Demand).
# fmt: off
MULTIPLES: dict[str, dict[str, tuple[float, float, float]]] = {
    "lithium": {"stated": (2.0, 3.5, 5.0), "pledges": (2.3, 4.3, 6.5),
                "accelerated": (2.5, 5.0, 8.0)},
    "cobalt": {"stated": (1.25, 1.4, 1.55), "pledges": (1.35, 1.6, 1.8),
               "accelerated": (1.5, 1.85, 2.2)},
    "nickel": {"stated": (1.4, 1.7, 2.0), "pledges": (1.5, 1.95, 2.4),
               "accelerated": (1.6, 2.2, 2.8)},
    "graphite": {"stated": (1.4, 1.7, 2.0), "pledges": (1.5, 2.0, 2.5),
                 "accelerated": (1.6, 2.3, 3.0)},
    "rare_earths": {"stated": (1.5, 1.75, 2.0), "pledges": (1.75, 2.1, 2.5),
                    "accelerated": (2.0, 2.5, 3.0)},
    "copper": {"stated": (1.35, 1.65, 2.0), "pledges": (1.4, 1.85, 2.3),
               "accelerated": (1.5, 2.0, 2.6)},
    "bauxite": {"stated": (1.3, 1.6, 2.0), "pledges": (1.35, 1.8, 2.5),
                "accelerated": (1.4, 2.1, 3.0)},
}
# fmt: on

# fmt: off
MULTIPLE_SOURCES: tuple[tuple[str, str, str | None], ...] = (
    ("lithium stated 2040 = 5x", "World lithium demand multiple 2040 vs today (STEPS)", None),
    ("lithium accelerated 2030 = 2.5x",
     "World lithium demand growth 2024-2030 (IEA baseline)", None),
    ("nickel stated 2040 = 2x", "World nickel demand multiple 2040 vs today (STEPS)", None),
    ("graphite stated 2040 = 2x", "World graphite demand multiple 2040 vs today (STEPS)", None),
    ("cobalt stated 2040 = 1.55x", "World cobalt demand growth 2024-2040 (STEPS)", None),
    ("rare_earths 2030 (2x in accelerated)",
     "India rare earth permanent magnet consumption expected to double by 2030", None),
    ("copper (world STEPS +26% by 2040; India faster)",
     "World copper demand 2040 (IEA GCMO 2025 STEPS)", None),
    ("bauxite accelerated (aluminium 6x by 2047)",
     "India aluminium demand growth to 2047 (National Aluminium Vision Document)", None),
)
# fmt: on


def demand_sheet(raw: Raw, led: Ledger) -> list[dict]:
    s = "Demand"
    rows = []
    for base in DEMAND_BASE:
        for scenario in SCENARIOS:
            mult = (1.0, *MULTIPLES[base.mineral][scenario])
            row: dict[str, object] = {"mineral": base.mineral, "scenario": scenario}
            for year, k in zip(MILESTONES, mult, strict=True):
                row[year] = _sig(base.base_t * k, 3)
            rows.append(row)
        led.add(
            s,
            f"{base.mineral} 2025",
            base.base_t,
            f"derived: {base.derivation}",
            "2025",
            "inputs/SOURCES.md",
        )
        for item, year in base.facts:
            led.fact(s, f"{base.mineral} 2025 (input)", raw.fact(item, year))
    for what, item, year in MULTIPLE_SOURCES:
        led.fact(s, f"multiple: {what}", raw.fact(item, year))
    led.add(
        s,
        "lithium accelerated 2040 = 8x; copper and nickel ~2x",
        "8",
        "project founding brief citing IEA Global Critical Minerals Outlook 2025 (lithium "
        "about eightfold by 2040, copper and nickel about twice); not found on iea.org",
        "2026",
        "inputs/data/RAW-SOURCES.md, 'Figures from the project's founding brief'",
    )
    led.assume(
        s,
        "pledges scenario and unsourced milestones",
        "see SOURCES.md",
        "pledges lies between stated and accelerated; 2030/2035 multiples interpolated "
        "by judgement; cobalt/nickel/graphite/REE/copper/bauxite faster cases assumed",
    )
    return rows


def _sig(x: float, digits: int) -> float:
    """Round x to `digits` significant figures (integers stay integers)."""
    if x == 0:
        return 0
    value = round(x, digits - 1 - math.floor(math.log10(abs(x))))
    return int(value) if value == int(value) else value


# ----------------------------------------------------------------------------- supply


@dataclass(frozen=True)
class Route:
    """A real supply route: (country, mineral, form) with the basis of its volume.

    basis: "mine" (USGS mine production), "refined" (USGS refinery production: copper,
    alumina), "share" (world mine production x arg, an assumed refining share), "fixed" (arg
    tonnes in the USGS unit, an assumption).
    """

    country: str
    mineral: str
    form: str
    basis: str
    arg: float = 0.0
    growth_pct: float | None = None
    note: str = ""


# fmt: off
ROUTES: tuple[Route, ...] = (
    # lithium (USGS: t of contained Li; refined = lithium chemicals)
    Route("Australia", "lithium", "concentrate", "mine", note="spodumene concentrate"),
    Route("Australia", "lithium", "refined", "share", 0.02, note="WA hydroxide plants"),
    Route("Chile", "lithium", "refined", "mine", note="brine carbonate refined at home"),
    Route("Argentina", "lithium", "refined", "mine", growth_pct=12.0,
          note="brine carbonate; output 8,630 -> 23,000 t Li 2023-2025 (USGS)"),
    Route("China", "lithium", "refined", "share", 0.70,
          note="China ~70% of lithium refining (IEA GCMO 2025)"),
    Route("Brazil", "lithium", "concentrate", "mine"),
    Route("Canada", "lithium", "concentrate", "mine"),
    Route("Bolivia", "lithium", "refined", "fixed", 300.0,
          note="YLB pilot carbonate; USGS lists no Bolivian output"),
    # cobalt (t Co)
    Route("DR Congo", "cobalt", "concentrate", "mine", growth_pct=0.0,
          note="hydroxide; export quotas 2025-2027 (disruptions.csv)"),
    Route("Indonesia", "cobalt", "concentrate", "mine", note="MHP by-product"),
    Route("Philippines", "cobalt", "concentrate", "mine", note="MHP by-product"),
    Route("Australia", "cobalt", "concentrate", "mine"),
    Route("China", "cobalt", "refined", "share", 0.78, note="China refines most cobalt"),
    Route("Japan", "cobalt", "refined", "share", 0.015, note="Sumitomo Metal Mining"),
    Route("Canada", "cobalt", "refined", "mine", note="refined at home (Sherritt, Vale)"),
    Route("Madagascar", "cobalt", "refined", "mine", note="Ambatovy refines on site"),
    Route("Russia", "cobalt", "refined", "mine", note="Nornickel"),
    # nickel (t Ni)
    Route("Indonesia", "nickel", "concentrate", "share", 0.10, growth_pct=1.0,
          note="MHP / matte; 2026 ore quota cut (disruptions.csv)"),
    Route("Indonesia", "nickel", "refined", "share", 0.45, growth_pct=1.0,
          note="Indonesia is the top nickel refiner (IEA)"),
    Route("Philippines", "nickel", "concentrate", "share", 0.015, note="HPAL MHP"),
    Route("Australia", "nickel", "refined", "mine", note="after Nickel West suspension"),
    Route("China", "nickel", "refined", "share", 0.20),
    Route("Russia", "nickel", "refined", "mine", note="Nornickel class-1"),
    Route("Canada", "nickel", "refined", "mine"),
    Route("Japan", "nickel", "refined", "share", 0.04, note="Sumitomo Metal Mining"),
    Route("Brazil", "nickel", "refined", "mine", note="ferronickel"),
    Route("South Africa", "nickel", "refined", "fixed", 40000.0,
          note="PGM by-product nickel; USGS 'other countries'"),
    # graphite (t natural graphite; refined = purified / spherical)
    Route("China", "graphite", "concentrate", "mine", growth_pct=0.0,
          note="39% of India's natural graphite imports (FY24); export licensing since Dec 2023"),
    Route("China", "graphite", "refined", "share", 0.93, growth_pct=0.0,
          note="China dominates anode graphite; export licensing since Dec 2023"),
    Route("Japan", "graphite", "refined", "share", 0.01),
    Route("Mozambique", "graphite", "concentrate", "mine", note="Balama"),
    Route("Madagascar", "graphite", "concentrate", "mine"),
    Route("Tanzania", "graphite", "concentrate", "mine"),
    Route("Brazil", "graphite", "concentrate", "mine"),
    Route("Canada", "graphite", "concentrate", "mine"),
    Route("India", "graphite", "concentrate", "mine", growth_pct=3.0, note="domestic mines"),
    # rare earths (t REO)
    Route("China", "rare_earths", "refined", "share", 0.88, growth_pct=0.0,
          note="~90% of separation; export controls Apr and Oct 2025"),
    Route("Malaysia", "rare_earths", "refined", "share", 0.04, note="Lynas Kuantan"),
    Route("USA", "rare_earths", "concentrate", "mine", note="Mountain Pass"),
    Route("USA", "rare_earths", "refined", "share", 0.01, note="MP Materials separation"),
    Route("Australia", "rare_earths", "concentrate", "mine", note="Mt Weld and others"),
    Route("Myanmar", "rare_earths", "concentrate", "mine", growth_pct=0.0,
          note="Kachin clays; conflict (disruptions.csv)"),
    Route("Vietnam", "rare_earths", "refined", "fixed", 2000.0,
          note="India's REEs come mainly from Myanmar and Vietnam (Livemint 2025)"),
    Route("Madagascar", "rare_earths", "concentrate", "mine"),
    Route("Brazil", "rare_earths", "concentrate", "mine"),
    Route("India", "rare_earths", "concentrate", "mine", growth_pct=0.0,
          note="IREL beach-sand monazite; expansion is a Project"),
    # copper (USGS: thousand t Cu)
    Route("Chile", "copper", "concentrate", "mine", growth_pct=1.0,
          note="El Teniente collapse 2025 (disruptions.csv)"),
    Route("Chile", "copper", "refined", "refined", growth_pct=1.0),
    Route("Peru", "copper", "concentrate", "mine"),
    Route("Peru", "copper", "refined", "refined"),
    Route("Australia", "copper", "concentrate", "mine"),
    Route("Australia", "copper", "refined", "refined"),
    Route("Indonesia", "copper", "refined", "refined",
          note="concentrate exports stopped from 2025: refined only"),
    Route("DR Congo", "copper", "refined", "refined", note="SX-EW cathode"),
    Route("Zambia", "copper", "concentrate", "mine"),
    Route("Zambia", "copper", "refined", "refined"),
    Route("Japan", "copper", "refined", "refined",
          note="71% of India's refined copper imports (2018-19)"),
    Route("Canada", "copper", "concentrate", "mine"),
    Route("USA", "copper", "concentrate", "mine"),
    Route("Russia", "copper", "refined", "refined"),
    Route("India", "copper", "concentrate", "mine", growth_pct=0.0,
          note="Hindustan Copper; its expansion is a Project"),
    # bauxite (USGS: thousand dry t; refined = alumina as bauxite-equivalent)
    Route("India", "bauxite", "concentrate", "mine", growth_pct=3.0, note="domestic mines"),
    Route("Guinea", "bauxite", "concentrate", "mine", note="world's largest bauxite exporter"),
    Route("Australia", "bauxite", "concentrate", "mine"),
    Route("Brazil", "bauxite", "concentrate", "mine"),
    Route("Australia", "bauxite", "refined", "refined"),
    Route("Brazil", "bauxite", "refined", "refined"),
    Route("Indonesia", "bauxite", "refined", "refined", note="ore exports banned 2023"),
    Route("Vietnam", "bauxite", "refined", "refined"),
    Route("Russia", "bauxite", "refined", "refined"),
    Route("Guinea", "bauxite", "refined", "refined"),
)
# fmt: on

# USGS year, stage names and factor to the mineral's unit, per mineral.
# fmt: off
USGS_YEAR = {"lithium": 2025, "cobalt": 2025, "nickel": 2025, "graphite": 2025,
             "rare_earths": 2025, "copper": 2024, "bauxite": 2024}
# fmt: on
# fmt: off
USGS_FACTOR = {"lithium": LI_TO_LCE, "cobalt": 1.0, "nickel": 1.0, "graphite": 1.0,
               "rare_earths": 1.0, "copper": 1000.0, "bauxite": 1000.0}
# fmt: on

# Freight and insurance to India, USD per t shipped: (bulk, container); overland leg extra.
# fmt: off
FREIGHT = {"home": (8.0, 15.0), "near": (15.0, 50.0), "mid": (22.0, 80.0),
           "far": (35.0, 120.0)}
# fmt: on
OVERLAND = 120.0
GRAPHITE_BCD = 0.025


def route_volume(raw: Raw, r: Route) -> tuple[float, str]:
    """Supplier output in the mineral's unit, and how it was obtained."""
    year, factor = USGS_YEAR[r.mineral], USGS_FACTOR[r.mineral]
    usgs_country = COUNTRY[r.country].usgs
    if r.basis == "mine":
        f = raw.usgs(r.mineral, "mine", usgs_country, year)
        return f.value * factor, f"USGS mine {year}: {f.value:g}"
    if r.basis == "refined":
        stage_mineral = "alumina" if r.mineral == "bauxite" else r.mineral
        f = raw.usgs(stage_mineral, "refined", usgs_country, year)
        extra = BAUXITE_PER_ALUMINA if r.mineral == "bauxite" else 1.0
        return f.value * factor * extra, f"USGS refinery {year}: {f.value:g}"
    if r.basis == "share":
        f = raw.usgs(r.mineral, "mine", "World total", year)
        return f.value * factor * r.arg, f"{r.arg:g} x USGS world mine {year} (share assumed)"
    return r.arg * factor, f"{r.arg:g} (assumed)"


def freight(r: Route, price: float) -> float:
    spec = SPECS[r.mineral]
    c = COUNTRY[r.country]
    bulk, container = FREIGHT[c.region]
    if r.form == "concentrate":
        shipped, rate = spec.ship_conc, bulk
    elif r.mineral == "bauxite":
        shipped, rate = 1 / BAUXITE_PER_ALUMINA, bulk
    else:
        shipped, rate = 1.0, container
    cost = shipped * (rate + (OVERLAND if c.landlocked else 0.0))
    if r.mineral == "graphite" and r.country != HOME:
        cost += GRAPHITE_BCD * price
    return round(cost)


def supply_sheet(raw: Raw, led: Ledger) -> list[dict]:
    s = "Supply"
    refined = refined_prices(raw, led)
    conc = {m: concentrate_price(m, refined[m], raw, led) for m in SPECS}
    rows = []
    for r in ROUTES:
        volume, how = route_volume(raw, r)
        fraction = 1.0 if r.country == HOME else PURCHASABLE
        spec = SPECS[r.mineral]
        price = refined[r.mineral] if r.form == "refined" else conc[r.mineral]
        if r.country == HOME and r.mineral == "bauxite":
            price = 30.0
        rows.append(
            {
                "country": r.country,
                "mineral": r.mineral,
                "form": r.form,
                "available_t": _sig(volume * fraction, 3),
                "growth_pct": spec.growth_pct if r.growth_pct is None else r.growth_pct,
                "price_usd_per_t": price,
                "price_growth_pct": spec.price_growth_pct,
                "freight_usd_per_t": freight(r, price),
            }
        )
        tag = f"available_t {r.country} {r.mineral} {r.form}"
        detail = f"{how} x {fraction:g} purchasable" + (f"; {r.note}" if r.note else "")
        if r.basis in ("mine", "refined"):
            f = _usgs_fact(raw, r)
            led.add(s, tag, rows[-1]["available_t"], f"{f.source}; {detail}", f.year, f.url)
        else:
            led.assume(s, tag, rows[-1]["available_t"], detail)
    _supply_assumptions(led)
    return rows


def _usgs_fact(raw: Raw, r: Route) -> Fact:
    stage = "mine" if r.basis == "mine" else "refined"
    mineral = "alumina" if (r.mineral == "bauxite" and stage == "refined") else r.mineral
    return raw.usgs(mineral, stage, COUNTRY[r.country].usgs, USGS_YEAR[r.mineral])


def _supply_assumptions(led: Ledger) -> None:
    s = "Supply"
    led.assume(
        s,
        "available_t (fraction)",
        PURCHASABLE,
        "India can contract ~10% of a supplier's output (NITI Aayog: India ~9% of world "
        "Cu/Li/Co/Ni demand by 2050); India's own mines 100%",
    )
    led.assume(
        s,
        "available_t (refining shares)",
        "share rows",
        "refining output by country not in the raw data: world mine output x an assumed "
        "share (China ~70% lithium per IEA, cobalt 0.78, graphite 0.93, REE 0.88; "
        "Indonesia nickel 0.45), consistent with IEA: top-3 refiners hold 86%",
    )
    for spec in SPECS.values():
        led.assume(
            s,
            f"growth_pct {spec.name}",
            spec.growth_pct,
            "yearly growth of purchasable supply (per-route exceptions noted)",
        )
        led.assume(
            s,
            f"price_growth_pct {spec.name}",
            spec.price_growth_pct,
            "real price drift from 2025 (2025 prices are near cyclical lows)",
        )
        led.assume(s, f"freight ship ratio {spec.name}", spec.ship_conc, spec.why_ship)
    led.assume(
        s,
        "freight_usd_per_t",
        "bulk/container USD per t shipped",
        f"{FREIGHT}; +{OVERLAND:g} per t shipped overland for DR Congo, Zambia, Bolivia",
    )
    led.assume(s, "price_usd_per_t India bauxite", 30, "captive mine-gate cost")


# ----------------------------------------------------------------------------- projects


def hcl_expansion(raw: Raw, led: Ledger) -> tuple[float, float]:
    """Hindustan Copper: ore capacity 3.47 -> 12.2 Mt/yr by FY31 at FY24 metal per t ore."""
    now = raw.fact("Hindustan Copper mine (ore) capacity")
    target = raw.fact("Hindustan Copper target mine capacity (phase I)")
    metal = raw.fact("Hindustan Copper metal-in-concentrate production")
    ore = raw.fact("Hindustan Copper ore production", "2023-24")
    capex = raw.fact("Hindustan Copper expansion capex (next 5-6 years)")
    capacity = _sig((target.value - now.value) * metal.value / ore.value, 3)
    capex_musd = round(capex.value * INR_PER_CRORE / INR_PER_USD / 1e6)
    for f in (now, target, metal, ore, capex):
        led.fact("Projects", "hcl_copper_expansion (input)", f)
    led.add(
        "Projects",
        "hcl_copper_expansion capacity_t / capex_musd",
        f"{capacity:g} / {capex_musd}",
        "derived: (12.2 - 3.47) Mt ore x 27,404 t Cu / 3.78 Mt ore; Rs 2,000 crore at "
        f"{INR_PER_USD} INR/USD",
        "2025",
        "inputs/SOURCES.md",
    )
    return float(capacity), float(capex_musd)


def projects_sheet(raw: Raw, led: Ledger) -> list[dict]:
    hcl_t, hcl_capex = hcl_expansion(raw, led)
    pottangi = raw.fact("NALCO Pottangi bauxite mine capacity")
    cols = tuple(column_names("Projects"))
    # fmt: off
    table = (
        ("kabil_catamarca_li", "Argentina", "lithium", "refined", 20000, 700, 20, 5500,
         0.25, 0.75, 2027, 5, 25, "NCMM_PSU"),
        ("kabil_australia_li", "Australia", "lithium", "concentrate", 25000, 450, 12, 4000,
         0.10, 0.49, 2026, 3, 20, "NCMM_PSU"),
        ("kabil_australia_co", "Australia", "cobalt", "concentrate", 2000, 350, 8, 14000,
         0.10, 0.49, 2026, 4, 20, "NCMM_PSU"),
        ("cil_chile_li", "Chile", "lithium", "refined", 30000, 1000, 25, 5000,
         0.10, 0.49, 2026, 5, 25, "NCMM_PSU"),
        ("hcl_codelco_cu", "Chile", "copper", "concentrate", 100000, 1600, 40, 5500,
         0.10, 0.49, 2027, 6, 30, "NCMM_PSU"),
        ("drc_cobalt", "DR Congo", "cobalt", "concentrate", 6000, 450, 10, 12000,
         0.10, 0.49, 2027, 4, 20, "NCMM_PSU"),
        ("zambia_copper", "Zambia", "copper", "concentrate", 60000, 1000, 25, 6000,
         0.10, 0.51, 2028, 5, 25, "NCMM_PSU"),
        ("zambia_cobalt", "Zambia", "cobalt", "concentrate", 2500, 200, 5, 14000,
         0.10, 0.51, 2028, 5, 20, "NCMM_PSU"),
        ("indonesia_ni_hpal", "Indonesia", "nickel", "concentrate", 40000, 1100, 30, 9000,
         0.10, 0.40, 2026, 3, 25, "NCMM_PSU"),
        ("reasi_li_mine", "India", "lithium", "concentrate", 5000, 300, 8, 7500,
         0.50, 1.00, 2030, 6, 20, "NCMM_PSU"),
        ("irel_ree_expansion", "India", "rare_earths", "concentrate", 4000, 150, 5, 5000,
         1.00, 1.00, 2026, 3, 25, "NCMM_govt"),
        ("hcl_copper_expansion", "India", "copper", "concentrate", hcl_t, hcl_capex, 10, 5000,
         1.00, 1.00, 2025, 5, 25, "NCMM_PSU"),
        ("cil_graphite_mp", "India", "graphite", "concentrate", 10000, 50, 2, 500,
         1.00, 1.00, 2026, 4, 20, "NCMM_PSU"),
        ("nalco_pottangi_bauxite", "India", "bauxite", "concentrate",
         pottangi.value * 1e6, 130, 5, 20, 1.00, 1.00, 2026, 3, 30, ""),
        ("guinea_bauxite", "Guinea", "bauxite", "concentrate", 5000000, 450, 15, 25,
         0.10, 0.49, 2026, 4, 25, ""),
    )
    # fmt: on
    _project_citations(raw, led, pottangi)
    return [dict(zip(cols, row, strict=True)) for row in table]


def _project_citations(raw: Raw, led: Ledger, pottangi: Fact) -> None:
    s = "Projects"
    # fmt: off
    cite = (
        ("kabil_catamarca_li", "KABIL-CAMYEN lithium brine blocks Catamarca Argentina: area",
         None),
        ("kabil_catamarca_li", "KABIL-CAMYEN Catamarca deal value (USD)", None),
        ("kabil_catamarca_li (earliest_year 2027)",
         "KABIL Argentina commercial-volume clarity expected", None),
        ("kabil_australia_li / _co", "India-Australia CMIP target projects identified for "
         "due diligence", None),
        ("kabil_australia_li / _co",
         "KABIL-CMFO joint due diligence funding (lithium and cobalt assets in Australia)",
         None),
        ("cil_chile_li", "Coal India board approves Chile intermediate holding company "
         "(lithium and copper)", None),
        ("hcl_codelco_cu", "Hindustan Copper - CODELCO MoU (Apr 2025); possible JV; HCL team "
         "to assess two virgin blocks in Chile", None),
        ("zambia_copper / zambia_cobalt",
         "Zambia greenfield area allocated to India for cobalt and copper exploration", None),
        ("zambia_copper (earliest_year 2028)", "Zambia exploration programme duration", None),
        ("reasi_li_mine", "Reasi (Salal-Haimana) J&K lithium inferred resource (G3)", None),
        ("reasi_li_mine (earliest_year 2030)",
         "Salal-Haimana (Reasi J&K) lithium-titanium-bauxite block auction annulled", None),
        ("irel_ree_expansion", "India rare earth oxide reserves", None),
    )
    # fmt: on
    for what, item, year in cite:
        led.fact(s, what, raw.fact(item, year))
    led.fact(s, "nalco_pottangi_bauxite capacity_t", pottangi, "3.5 Mt/yr")
    led.add(
        s,
        "drc_cobalt",
        "draft G2G MoU",
        "India-DRC G2G MoU on copper and cobalt (draft; exploration and offtake), KNN India "
        "13 Apr 2024; negotiations reported Mar 2025",
        "2024",
        "https://knnindia.co.in/news/newsdetails/sectors/others/india-to-secure-copper-"
        "cobalt-supply-with-new-deal-with-congo",
    )
    led.assume(
        s,
        "capacity_t, capex_musd, fixed_opex_musd, unit_cost_usd_per_t",
        "all but HCL and Pottangi",
        "typical project sizes and capital intensities (brine Li ~35k USD per t LCE/yr, "
        "hard-rock Li ~18k, HPAL Ni ~27k USD per t Ni/yr, Cu ~16k USD per t Cu/yr); "
        "fixed opex ~2-3% of capex; unit cost = cash cost per t of offtake",
    )
    led.assume(
        s,
        "min_stake / max_stake",
        "0.10-0.75",
        "minority JV stakes abroad (Chile's lithium strategy and Bolivia's YLB law "
        "require state majority: max 0.49); domestic PSU mines 100%",
    )
    led.assume(
        s,
        "indonesia_ni_hpal, guinea_bauxite",
        "no Indian deal in the raw data",
        "candidate JVs added so that nickel and bauxite have an equity option",
    )
    led.assume(
        s,
        "funding",
        "NCMM_PSU / NCMM_govt / blank",
        "JVs and PSU mines draw on the PSU share of NCMM; IREL (DAE) on the government "
        "share; bauxite is outside NCMM (blank = no budget)",
    )


# ----------------------------------------------------------------------------- processing


RECYCLING_INR_PER_T = 8000 * INR_PER_CRORE / 40000  # induced investment per t/yr of output


def processing_sheet(raw: Raw, led: Ledger) -> list[dict]:
    recycle_musd_per_t = RECYCLING_INR_PER_T / INR_PER_USD / 1e6
    alumina_capex = raw.fact("Vedanta Lanjigarh expansion cost (2 to 5 Mtpa)")
    alumina_module = round(alumina_capex.value * INR_PER_CRORE / 3 / INR_PER_USD / 1e6)
    rk = raw.fact("RecycleKaro nickel metal plant Palghar Maharashtra")
    rk_capex = round(100 * INR_PER_CRORE / INR_PER_USD / 1e6, 1)
    cols = tuple(column_names("Processing"))
    # fmt: off
    table = (
        ("li_refinery", "lithium", "concentrate", 5000, 0.88, 125, 4, 2500, 0, 8,
         2026, 3, 25, "NCMM_govt"),
        ("co_refinery", "cobalt", "concentrate", 1000, 0.92, 30, 1.5, 3000, 2, 8,
         2026, 2, 25, "NCMM_govt"),
        ("ni_refinery", "nickel", "concentrate", 5000, 0.95, 75, 3, 1500, 1, 20,
         2026, 3, 25, "NCMM_govt"),
        ("graphite_anode", "graphite", "concentrate", 10000, 0.70, 80, 3, 600, 2, 16,
         2026, 2, 20, "NCMM_govt"),
        ("ree_separation", "rare_earths", "concentrate", 2500, 0.90, 100, 3, 3000, 2, 10,
         2026, 3, 25, "NCMM_govt"),
        ("cu_smelter", "copper", "concentrate", 250000, 0.97, 375, 15, 350, 4, 12,
         2026, 3, 30, ""),
        ("alumina_refinery", "bauxite", "concentrate", 3000000, 0.98, alumina_module, 10, 50,
         13, 30, 2026, 3, 30, ""),
        ("li_recycler", "lithium", "scrap", 1000, 0.80, round(1000 * recycle_musd_per_t, 1),
         1, 3000, 0, 20, 2026, 2, 15, "recycling_scheme"),
        ("co_recycler", "cobalt", "scrap", 500, 0.90, round(500 * recycle_musd_per_t, 1),
         0.5, 4000, 0, 10, 2026, 2, 15, "recycling_scheme"),
        ("ni_recycler", "nickel", "scrap", rk.value, 0.90, rk_capex, 0.5, 2000, 0, 20,
         2026, 2, 15, "recycling_scheme"),
        ("ree_recycler", "rare_earths", "scrap", 200, 0.85, round(200 * recycle_musd_per_t, 1),
         0.3, 5000, 0, 10, 2026, 2, 15, "recycling_scheme"),
    )
    # fmt: on
    _processing_citations(raw, led, alumina_capex, alumina_module, rk, rk_capex)
    return [dict(zip(cols, row, strict=True)) for row in table]


def _processing_citations(
    raw: Raw, led: Ledger, alumina: Fact, alumina_module: float, rk: Fact, rk_capex: float
) -> None:
    s = "Processing"
    # fmt: off
    for what, item, year in (
        ("cu_smelter existing_modules 4 (555 kt)", "India refined copper production capacity",
         None),
        ("cu_smelter existing_modules 4 (+500 kt Adani)",
         "Adani Kutch Copper (Mundra) phase 1 smelter capacity", None),
        ("cu_smelter capex_musd_per_module 375 (750/2)",
         "Adani Kutch Copper expansion to 1 Mt investment", None),
        ("alumina_refinery existing_modules 13 (x 1 Mt alumina)",
         "India total alumina refining capacity", None),
        ("ree_separation existing_modules 2 (x 2,500 t REO)",
         "IREL REO-equivalent capacity (OSCOM MoPP)", None),
        ("co_refinery existing_modules 2 (x 1,000 t)", "India cobalt refining capacity", None),
        ("ni_refinery existing_modules 1 (Nicomet ~5,400 t Ni; restart uncertain)",
         "Vedanta Nicomet (Goa) nickel and cobalt capacity", None),
        ("li_refinery capex (Manikaran refinery cost; capacity not found)",
         "Manikaran Lithium refinery Gujarat (battery-grade lithium hydroxide) estimated cost",
         None),
        ("recyclers capex per t (induced investment)",
         "Recycling scheme expected investment induced", None),
        ("recyclers capex per t (mineral output)",
         "Recycling scheme expected critical mineral production", None),
    ):
        led.fact(s, what, raw.fact(item, year))
    # fmt: on
    led.fact(
        s,
        "alumina_refinery capex_musd_per_module",
        alumina,
        f"Rs 4,681 crore / 3 Mt alumina at {INR_PER_USD} INR/USD = {alumina_module} "
        "MUSD per 1 Mt alumina (3 Mt bauxite-eq) module",
    )
    led.fact(s, "ni_recycler module_t / capex", rk, f"Rs 100 crore = {rk_capex} MUSD")
    led.add(
        s,
        "recycler capex (USD per t/yr of output)",
        round(RECYCLING_INR_PER_T / INR_PER_USD),
        "derived: Rs 8,000 crore induced investment / 40,000 t/yr mineral output = "
        "Rs 20 lakh per t/yr of output; x module_t = capex_musd_per_module (li, co, ree "
        "recyclers)",
        "2025",
        "inputs/SOURCES.md",
    )
    led.assume(
        s,
        "yields, unit costs, fixed opex, module sizes",
        "see sheet",
        "typical plant figures: Li conversion 88%, Co/Ni sulphate 92-95%, spheronising "
        "+ purification 70%, REE separation 90%, smelting 97%, alumina (bauxite-eq) "
        "98%, recycling 80-90%; li_refinery 25k USD per t LCE/yr, graphite 8k USD per "
        "t/yr, REE separation 40k USD per t REO/yr",
    )
    led.assume(
        s,
        "graphite_anode existing_modules",
        2,
        "India already processes its own flake (17-26 kt/yr mined)",
    )
    led.assume(
        s,
        "funding",
        "NCMM_govt / recycling_scheme / blank",
        "new critical-mineral refineries via NCMM (processing parks); recyclers via "
        "the recycling scheme; copper smelters and alumina are private (no budget)",
    )


# ----------------------------------------------------------------------------- scrap


SCRAP_SHARE = (0.05, 0.10, 0.20, 0.30)  # of stated demand at each milestone
RECYCLED = ("lithium", "cobalt", "nickel", "rare_earths")


def scrap_sheet(demand: list[dict], raw: Raw, led: Ledger) -> list[dict]:
    rows = []
    for mineral in RECYCLED:
        d = next(r for r in demand if r["mineral"] == mineral and r["scenario"] == "stated")
        row: dict[str, object] = {"mineral": mineral}
        for year, share in zip(MILESTONES, SCRAP_SHARE, strict=True):
            row[year] = _sig(float(d[year]) * share, 3)
        rows.append(row)
    s = "Scrap"
    led.assume(
        s,
        "scrap (share of stated demand)",
        "5%, 10%, 20%, 30%",
        "end-of-life scrap at home in 2025/2030/2035/2040 as a share of stated demand",
    )
    # fmt: off
    for what, item in (
        ("2030: 10% of consumption", "NCMM proposal: recycling target share of annual "
         "consumption"),
        ("2040: up to 30%", "Recycling scale-up reduces need for new mining by 2040 (IEA GCMO "
         "2025)"),
        ("battery collection", "BWM Rules 2022: EV battery collection target"),
    ):
        led.fact(s, what, raw.fact(item))
    # fmt: on
    return rows


# ----------------------------------------------------------------------------- budgets


def budgets_sheet(raw: Raw, led: Ledger) -> list[dict]:
    s = "Budgets"
    govt = raw.fact("NCMM government budgetary support")
    psu = raw.fact("NCMM expected investment by PSUs and other entities")
    rec = raw.fact("Critical mineral recycling incentive scheme outlay")
    led.fact(s, "NCMM_govt 2025-2031", govt, "FY2024-25..FY2030-31 -> years ending 2025..2031")
    led.fact(s, "NCMM_PSU 2025-2031", psu, "FY2024-25..FY2030-31 -> 2025..2031")
    led.fact(
        s,
        "recycling_scheme 2026-2031",
        rec,
        "FY2025-26..FY2030-31 -> 2026..2031; the scheme pays 20% of capex, so capping "
        "all recycler capital at 1,500 crore is conservative",
    )
    led.assume(s, "after 2031", "no limit", "no budget row after the mission windows")
    return [
        {
            "funding": "NCMM_govt",
            "first_year": 2025,
            "last_year": 2031,
            "limit_inr_crore": govt.value,
        },
        {
            "funding": "NCMM_PSU",
            "first_year": 2025,
            "last_year": 2031,
            "limit_inr_crore": psu.value,
        },
        {
            "funding": "recycling_scheme",
            "first_year": 2026,
            "last_year": 2031,
            "limit_inr_crore": rec.value,
        },
    ]


# ----------------------------------------------------------------------------- policy


def policy_sheet(led: Ledger) -> list[dict]:
    # fmt: off
    rows = [
        ("max_country_share", "*", "*", 2030, 2040, 0.5),
        ("max_concern_share", "*", "*", 2030, 2040, 0.6),
        ("min_domestic_share", "lithium", "*", 2040, 2040, 0.2),
        ("min_stock_days", "*", "*", 2030, 2040, 30),
    ]
    # fmt: on
    led.assume(
        "Policy",
        "all rules",
        "illustrative",
        "illustrative caps in the spirit of NCMM (diversify, refine at home, stockpile); "
        "not enacted policy. NCMS plans a two-month rare-earth reserve (india.csv)",
    )
    cols = ("rule", "mineral", "country", "first_year", "last_year", "value")
    return [{**dict(zip(cols, r, strict=True)), "basis": "refining"} for r in rows]


# ----------------------------------------------------------------------------- mine origins


def mine_origins_sheet(raw: Raw, supply: list[dict], led: Ledger) -> list[dict]:
    """Where each refined supply row's product was mined (mine_origins.csv, one cited row per
    refining country, mineral and mine country; inputs/data/MINE-ORIGINS.md)."""
    refined = {(r["country"], r["mineral"]) for r in supply if r["form"] == "refined"}
    rows = []
    for rec in raw.mine_origins.itertuples(index=False):
        if (rec.country, rec.mineral) not in refined:
            continue
        share = float(rec.share)
        rows.append(
            {
                "country": rec.country,
                "mineral": rec.mineral,
                "mine_country": rec.mine_country,
                "share": share,
            }
        )
        fld = f"share {rec.country} {rec.mineral} <- {rec.mine_country}"
        if rec.assumption == "yes":
            led.assume("MineOrigins", fld, share, f"{rec.note} ({rec.source}: {rec.url})")
        else:
            led.add("MineOrigins", fld, share, f"{rec.source}; {rec.note}", rec.basis_year, rec.url)
    missing = refined - {(r["country"], r["mineral"]) for r in rows}
    if missing:
        raise ValueError(f"refined supply rows with no MineOrigins row: {sorted(missing)}")
    return rows


# ----------------------------------------------------------------------------- disruptions

# Event names in disruptions.csv (each row carries its source and URL).
EV_GRAPHITE = "China graphite export licensing"
EV_REE_APR = (
    "China medium/heavy rare-earth export controls (MOFCOM/GAC Announcement No. 18 of 2025)"
)
EV_REE_OCT = (
    "China expanded rare-earth, battery and superhard export controls "
    "(MOFCOM/GAC Announcements 55-58, 61, 62 of 2025)"
)
EV_BATTERY_OCT = (
    "China lithium-battery, cathode and graphite-anode export controls "
    "(MOFCOM/GAC Announcement 58 of 2025)"
)
EV_DRC_BAN = "DR Congo cobalt export suspension"
EV_DRC_QUOTA = "DR Congo cobalt export quota 2026"
EV_DRC_QUOTA_2025 = "DR Congo cobalt export quota 2025 (remainder of year)"
EV_NICKEL = "Indonesia nickel ore export ban"
EV_GUINEA_GAC = "Guinea suspension of GAC (EGA) bauxite exports"
EV_GUINEA_REVOKE = "Guinea revocation of GAC (EGA) bauxite concession"
EV_MYANMAR = "Myanmar Kachin rare-earth mining belt seized by KIA"
EV_GRASBERG = "Grasberg Block Cave mud rush and force majeure"

# Magnitudes as written in the cited disruptions.csv rows (the row's `magnitude` or `note`).
REE_PRODUCTS_YOY = -61.0  # China rare-earth product exports, May 2025, % y/y (Bloomberg)
REE_MAGNETS_YOY = -74.0  # China rare-earth magnet exports, May 2025, % y/y (WSJ)
DRC_QUOTA_T = 96600.0  # DR Congo cobalt export quota 2026 (and 2027), t/yr
DRC_OUTPUT_T = 280000.0  # DR Congo mined cobalt, ~t/yr (Devdiscourse, in the 2025 quota row)
GAC_EXPORTS_MT = 14.1  # GAC bauxite exports 2023, Mt (wet)
GUINEA_EXPORTS_MT = 130.0  # Guinea bauxite exports 2024, >130 Mt (gbc1.net, revocation row)
MYANMAR_YOY = -89.0  # China's RE oxide/compound imports from Myanmar, Feb 2025, % y/y
GRASBERG_2026_LOSS = 0.35  # PTFI 2026 output ~35% below the prior estimate
NICKEL_ORE_BAN_CUT = 100.0  # the 2020 ban stopped all nickel ore exports
# USGS annual average prices (prices.csv) behind the price shocks.
NDPR = ("rare_earths", "Neodymium-praseodymium (NdPr) oxide, 99% minimum", "dollars per kilogram")
COBALT_LME = ("cobalt", "London Metal Exchange (LME), cash", "dollars per pound")


@dataclass(frozen=True)
class Shock:
    """One Disruptions row: a cut (and price shock) of matching supply rows and projects."""

    country: str
    mineral: str
    form: str
    first_year: int
    last_year: int | None  # None = to the plan's last year
    cut_pct: float
    price_pct: float = 0.0


@dataclass(frozen=True)
class DisruptionSpec:
    """A forward-looking scenario patterned on real events (disruptions.csv).

    The events and the cut magnitudes are facts (cited); the timing in the horizon and the
    probability are assumptions (`why`).
    """

    name: str
    probability: float
    shocks: tuple[Shock, ...]
    why: str


def _pct(x: float) -> float:
    return float(round(x))


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _price_rise(raw: Raw, mineral: str, product: str, unit: str) -> tuple[float, Fact, Fact]:
    """The 2024 -> 2025 rise of a USGS annual average price, in %, and the two prices."""
    before = raw.price(mineral, product, unit, 2024)
    after = raw.price(mineral, product, unit, 2025)
    return _pct(100 * (after.value / before.value - 1)), before, after


def disruption_specs(raw: Raw) -> list[DisruptionSpec]:
    """The scenarios, their cuts derived from the cited magnitudes (see disruptions_sheet)."""
    ree_cut = _pct(-REE_PRODUCTS_YOY)
    magnet_cut = _pct(-REE_MAGNETS_YOY)
    graphite_cut = ree_cut  # no graphite export figure: same licensing intensity as REE
    ree_shock = _price_rise(raw, *NDPR)[0]
    cobalt_shock = _price_rise(raw, *COBALT_LME)[0]
    drc_ban_cut = _pct(100 * raw.event_days(EV_DRC_BAN) / 365)
    drc_quota_cut = _pct(100 * (1 - DRC_QUOTA_T / DRC_OUTPUT_T))
    guinea_cut = _pct(100 * GAC_EXPORTS_MT / GUINEA_EXPORTS_MT)
    # fmt: off
    return [
        DisruptionSpec("china_graphite_controls", 0.10, (
            Shock("China", "graphite", "*", 2027, 2029, graphite_cut),
        ), "China has licensed graphite exports since Dec 2023 and tightened anode controls "
           "again in Oct 2025; a three-year tightening from 2027 is the most likely event"),
        DisruptionSpec("china_rare_earth_controls", 0.10, (
            Shock("China", "rare_earths", "refined", 2028, 2029, ree_cut, ree_shock),
        ), "recurrence of the Apr 2025 licensing (still in force) at its first-months "
           "intensity for two years from 2028; China used rare earths as leverage in 2010 "
           "and 2025"),
        DisruptionSpec("china_graphite_and_rare_earths", 0.05, (
            Shock("China", "rare_earths", "refined", 2030, 2032, magnet_cut, ree_shock),
            Shock("China", "graphite", "*", 2030, 2032, graphite_cut),
        ), "re-activation of the Oct 2025 package (suspended only to Nov 2026; the legal "
           "framework remains) for three years from 2030; less likely than either control "
           "alone"),
        DisruptionSpec("drc_cobalt_suspension", 0.07, (
            Shock("DR Congo", "cobalt", "concentrate", 2029, 2029, drc_ban_cut, cobalt_shock),
            Shock("DR Congo", "cobalt", "concentrate", 2030, 2031, drc_quota_cut),
        ), "repeat of 2025-2027: a suspension year (2029) followed by two quota years; "
           "DR Congo has used both tools to support prices"),
        DisruptionSpec("indonesia_nickel_export_ban", 0.04, (
            Shock("Indonesia", "nickel", "concentrate", 2030, None, NICKEL_ORE_BAN_CUT),
        ), "the 2020 ore-ban policy (downstreaming) extended to MHP/matte from 2030 to the "
           "end of the plan, stopping intermediate exports and a JV's offtake; possible but "
           "a large step"),
        DisruptionSpec("guinea_bauxite_suspension", 0.05, (
            Shock("Guinea", "bauxite", "concentrate", 2032, 2033, guinea_cut),
        ), "repeat of the 2024-2025 GAC suspension and revocation against one large "
           "exporter, for two years (suspension, then transfer to a new operator) from 2032; "
           "Guinea repossessed 51 licences in 2025"),
        DisruptionSpec("myanmar_ree_conflict", 0.06, (
            Shock("Myanmar", "rare_earths", "concentrate", 2027, 2028, _pct(-MYANMAR_YOY)),
        ), "renewed fighting in Kachin (conflict ongoing since Oct 2024) closing the border "
           "trade for two years from 2027"),
        DisruptionSpec("grasberg_copper_outage", 0.03, (
            Shock("Indonesia", "copper", "refined", 2034, 2034,
                  _pct(100 * GRASBERG_2026_LOSS)),
        ), "a one-year mine accident at Grasberg in 2034 (large mine accidents are rare: "
           "Grasberg and El Teniente in 2025); Indonesia exports no concentrate, so the cut "
           "falls on its refined copper, smelted from Grasberg concentrate"),
    ]
    # fmt: on


def disruptions_sheet(raw: Raw, led: Ledger) -> list[dict]:
    """Forward-looking supply disruption scenarios, each patterned on real events."""
    specs = disruption_specs(raw)
    cols = tuple(column_names("Disruptions"))
    rows = []
    for spec in specs:
        for k in spec.shocks:
            row = (spec.name, spec.probability, k.country, k.mineral, k.form, k.first_year,
                   k.last_year, k.cut_pct, k.price_pct)  # fmt: skip
            rows.append(dict(zip(cols, row, strict=True)))
        years = ", ".join(
            f"{k.mineral} {_span(k.first_year, k.last_year or LAST_YEAR)}" for k in spec.shocks
        )
        led.assume(
            "Disruptions",
            f"{spec.name} years, probability",
            f"{years}; p = {spec.probability:g}",
            f"timing and probability assumed: {spec.why}",
        )
    _disruption_citations(raw, led, specs)
    total = sum(s.probability for s in specs)
    led.assume(
        "Disruptions",
        "probability (undisrupted case)",
        round(1 - total, 6),
        f"the scenarios' probabilities sum to {total:g} over 2025-2040, so the undisrupted "
        "case stays the most likely single outcome",
    )
    return rows


def _disruption_citations(raw: Raw, led: Ledger, specs: list[DisruptionSpec]) -> None:
    s = "Disruptions"
    cut = {(d.name, k.mineral, k.first_year): k.cut_pct for d in specs for k in d.shocks}
    # fmt: off
    for what, event, value, note in (
        ("china_rare_earth_controls supply_cut_pct", EV_REE_APR,
         cut["china_rare_earth_controls", "rare_earths", 2028],
         "cut = the -61% y/y of China's rare-earth product exports in May 2025 (Bloomberg), "
         "the first full month of licensing"),
        ("china_graphite_controls (event)", EV_GRAPHITE, None,
         "the event patterned on; the row gives no export drop (cut: see the assumption)"),
        ("china_graphite_and_rare_earths (event)", EV_REE_OCT, None,
         "the package patterned on (rare earths incl. magnets; suspended 2025-11-07 to "
         "2026-11-10, framework kept)"),
        ("china_graphite_and_rare_earths (event, graphite)", EV_BATTERY_OCT, None,
         "graphite-anode controls announced with the rare-earth package"),
        ("china_graphite_and_rare_earths rare_earths supply_cut_pct", EV_REE_APR,
         cut["china_graphite_and_rare_earths", "rare_earths", 2030],
         "the Oct 2025 package extends the controls to magnets: cut = the -74% y/y of China's "
         "rare-earth magnet exports in May 2025 (WSJ via Automotive World)"),
        ("drc_cobalt_suspension supply_cut_pct (suspension year)", EV_DRC_BAN,
         cut["drc_cobalt_suspension", "cobalt", 2029],
         f"share of the year lost: {raw.event_days(EV_DRC_BAN)} days (2025-02-22 to "
         "2025-10-15) / 365"),
        ("drc_cobalt_suspension supply_cut_pct (quota years)", EV_DRC_QUOTA,
         cut["drc_cobalt_suspension", "cobalt", 2030],
         f"1 - quota {DRC_QUOTA_T:,.0f} t / output ~{DRC_OUTPUT_T:,.0f} t/yr"),
        ("drc_cobalt_suspension (output ~280,000 t/yr; 2025 quota 18,125 t)",
         EV_DRC_QUOTA_2025, DRC_OUTPUT_T,
         "DR Congo mined cobalt ~280,000 t/yr (Devdiscourse, in the row's note)"),
        ("indonesia_nickel_export_ban supply_cut_pct", EV_NICKEL,
         cut["indonesia_nickel_export_ban", "nickel", 2030],
         "the ban stopped all ore exports (Indonesia 26% of world ore supply, 2018); here "
         "applied to MHP/matte (the model's Indonesian nickel concentrate and its HPAL JV)"),
        ("guinea_bauxite_suspension supply_cut_pct", EV_GUINEA_GAC,
         cut["guinea_bauxite_suspension", "bauxite", 2032],
         f"GAC's exports ({GAC_EXPORTS_MT:g} Mt in 2023) / Guinea's bauxite exports "
         f"(>{GUINEA_EXPORTS_MT:g} Mt in 2024, gbc1.net in the revocation row)"),
        ("guinea_bauxite_suspension (revocation, Guinea exports >130 Mt)", EV_GUINEA_REVOKE,
         GUINEA_EXPORTS_MT, "the concession was revoked and transferred after the suspension"),
        ("myanmar_ree_conflict supply_cut_pct", EV_MYANMAR,
         cut["myanmar_ree_conflict", "rare_earths", 2027],
         "cut = the -89% y/y of China's RE oxide/compound imports from Myanmar (Feb 2025)"),
        ("grasberg_copper_outage supply_cut_pct", EV_GRASBERG,
         cut["grasberg_copper_outage", "copper", 2034],
         "PTFI 2026 output ~35% below the prior estimate (cross-check: ~270 kt lost / "
         "816.4 kt in 2024 = 33%)"),
    ):
        led.fact(s, what, raw.event(event), note, value=value)
    # fmt: on
    graphite = cut["china_graphite_controls", "graphite", 2027]
    led.assume(
        s,
        "china_graphite_controls, china_graphite_and_rare_earths graphite supply_cut_pct",
        graphite,
        "no graphite export figure in the data: the cut is taken equal to the effect of "
        "China's rare-earth licensing on its rare-earth product exports (-61% y/y, May 2025)",
    )
    for name, spec, event in (
        ("drc_cobalt_suspension price_shock_pct (suspension year)", COBALT_LME, "DR Congo's "
         "cobalt export suspension (Feb-Oct 2025)"),
        ("china_rare_earth_controls, china_graphite_and_rare_earths price_shock_pct (rare "
         "earths)", NDPR, "China's rare-earth licensing (from Apr 2025)"),
    ):  # fmt: skip
        rise, before, after = _price_rise(raw, *spec)
        led.fact(s, f"{name}: 2024 price", before)
        led.fact(s, f"{name}: 2025 price", after)
        led.assume(
            s,
            name,
            rise,
            f"the rise of the USGS annual average price from 2024 to 2025 ({before.value:g} "
            f"to {after.value:g}), attributed to {event}: the data show the rise in the "
            "year of the event but not its cause",
        )
    led.assume(
        s,
        "price_shock_pct (others)",
        0,
        "no price rise in the data that the event explains: graphite flake fell 2023-2025 "
        "under licensing; copper and nickel prices have other drivers",
    )


def check_disruptions(rows: list[dict], supply: list[dict], projects: list[dict]) -> None:
    """Every Disruptions row matches some supply row or project (else it would cut nothing)."""
    targets = {(r["country"], r["mineral"], r["form"]) for r in (*supply, *projects)}
    for row in rows:
        hit = [
            t
            for t in targets
            if row["country"] in ("*", t[0])
            and row["mineral"] in ("*", t[1])
            and row["form"] in ("*", t[2])
        ]
        if not hit:
            raise ValueError(f"Disruptions row matches no supply row or project: {row}")


# ----------------------------------------------------------------------------- workbook


def write_workbook(sheets: dict[str, list[dict]], path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        header = list(rows[0])
        ws.append(header)
        for row in rows:
            ws.append([row[h] for h in header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for i, h in enumerate(header, start=1):
            width = max(len(str(h)), *(len(_text(r[h])) for r in rows))
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(width + 2, 60)
    wb.properties.creator = "inputs/build_india_2040.py"
    wb.properties.created = STAMP
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_reproducible(buffer.getvalue()))


def _reproducible(xlsx: bytes) -> bytes:
    """The same workbook bytes on every run: fixed zip entry times and document dates
    (openpyxl stamps both with the time of saving)."""
    out = io.BytesIO()
    modified = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
    iso = STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = modified.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()


def build(data: Path = DATA, out: Path = OUT) -> dict[str, list[dict]]:
    raw = Raw(data)
    led = Ledger()
    settings = settings_sheet(led)
    countries, tariffs = countries_sheet(raw, led)
    demand = demand_sheet(raw, led)
    supply = supply_sheet(raw, led)
    minerals = minerals_sheet(supply, tariffs, led)
    sheets = {
        "Settings": settings,
        "Minerals": minerals,
        "Countries": countries,
        "Demand": demand,
        "Supply": supply,
        "Projects": projects_sheet(raw, led),
        "Processing": processing_sheet(raw, led),
        "Scrap": scrap_sheet(demand, raw, led),
        "Budgets": budgets_sheet(raw, led),
        "Policy": policy_sheet(led),
        "Disruptions": disruptions_sheet(raw, led),
        "MineOrigins": mine_origins_sheet(raw, supply, led),
    }
    check_disruptions(sheets["Disruptions"], supply, sheets["Projects"])
    sheets["Sources"] = led.rows
    write_workbook(sheets, out)
    return sheets


def main() -> None:
    sheets = build()
    counts = ", ".join(f"{name} {len(rows)}" for name, rows in sheets.items())
    print(f"wrote {OUT.relative_to(HERE.parent)}: {counts}")


if __name__ == "__main__":
    main()
