"""The Countries sheet: governance risk from the World Bank WGI, partners, concern, tariffs.

country_map.csv names each country in the WGI and USGS tables, its freight class and, for a
country of concern, the cited reason.
"""

from __future__ import annotations

import pandas as pd

from inputs.india.sources import Ledger, Raw

HOME = "India"
WGI = ("wgi_pv_pctrank", "wgi_ge_pctrank", "wgi_rq_pctrank", "wgi_rl_pctrank")


def country_map(raw: Raw) -> pd.DataFrame:
    return raw.table("country_map").set_index("country")


def wgi_risk(raw: Raw, wgi_name: str) -> float:
    """1 - mean(PV, GE, RQ, RL percentile ranks) / 100: 0 = best governed, 1 = worst."""
    return round(1 - sum(raw.wgi(wgi_name, i) for i in WGI) / len(WGI) / 100, 3)


def partner(raw: Raw, country: str, wgi_name: str) -> str:
    """Partner = MSP member, or a signed bilateral critical-minerals agreement with India."""
    if country == HOME:
        return "no"
    signed = raw.flag(wgi_name, "india_agreement") != ""
    return "yes" if raw.flag(wgi_name, "msp_member") == "yes" or signed else "no"


def countries_sheet(raw: Raw, led: Ledger) -> list[dict]:
    s = "Countries"
    rows = []
    for name, c in country_map(raw).iterrows():
        rows.append(
            {
                "country": name,
                "risk_score": 0.0 if name == HOME else wgi_risk(raw, c.wgi_name),
                "of_concern": "yes" if c.concern else "no",
                "partner": partner(raw, str(name), c.wgi_name),
                "tariff_pct": 0.0,
            }
        )
        if c.concern:
            led.add(s, f"of_concern {name}", "yes", c.concern, "2025", "inputs/SOURCES.md")
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
        f"{msp_source} (members to 2025-01-20) or India's agreements (countries.csv "
        "india_agreement)",
        "2025",
        msp_url,
    )
    led.fact(
        s,
        "tariff_pct",
        raw.fact("Budget 2024-25: full customs duty exemption on critical minerals"),
        "0% basic customs duty on 25 critical minerals incl. lithium, cobalt, nickel, copper, "
        "REE since 23 Jul 2024; applied to every country",
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
        "home: domestic output carries no foreign supply risk; the model's default for the "
        "home country",
    )
    return rows
