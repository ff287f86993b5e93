"""The Supply sheet: what India can buy, per country, mineral and form.

    available_t = exports_t x restriction factor x contract share

exports_t (exports.csv) is what the country exports of that mineral in that form, in the
mineral's unit: from trade data, or production x an export share; a country's concentrate
excludes the mine output it refines at home, so no tonne is counted as both concentrate and
refined. The restriction factor (export_restrictions.csv) is the share still reachable under
the export measures in force in 2025 (a ban 0, licensing or quotas between). The contract
share (mineral_specs.csv) is the share of a supplier's exports India could contract for.
India's own mines (routes.csv, home rows) are available in full, at their 2025 production.
"""

from __future__ import annotations

import pandas as pd

from inputs.india.prices import (
    concentrate_price,
    freight_usd_per_t,
    record_freight,
    refined_prices,
    specs,
)
from inputs.india.sources import Ledger, Raw, sig

HOME = "India"
FIRST_YEAR = 2025


def restriction_factor(raw: Raw, country: str, mineral: str, form: str) -> tuple[float, list[dict]]:
    """Product of the available_factor of measures in force in 2025 on this route."""
    table = raw.table("export_restrictions")
    hits = table[
        (table.country == country)
        & (table.mineral == mineral)
        & (table.form.isin((form, "*", "both")))
        & (table.in_force_2025.astype(str).str.lower() == "yes")
    ]
    factor = 1.0
    for value in hits.available_factor:
        factor *= float(value)
    return factor, hits.to_dict("records")


def reported_imports(raw: Raw, country: str, mineral: str, form: str) -> tuple[float, dict | None]:
    """India's largest reported 2025 import figure from this route (calibration_2025.csv)."""
    cal = raw.table("calibration_2025")
    rows = cal[
        (cal.mineral == mineral)
        & (cal.form == form)
        & (cal.flow == "imports")
        & (cal.partner == country)
        & (pd.to_numeric(cal.value_model_unit, errors="coerce") > 0)
    ]
    if rows.empty:
        return 0.0, None
    best = rows.loc[pd.to_numeric(rows.value_model_unit).idxmax()]
    return float(best.value_model_unit), best.to_dict()


def home_volume(raw: Raw, mineral: str) -> tuple[float, dict]:
    """India's 2025 mine production in the model unit (calibration_2025.csv)."""
    cal = raw.table("calibration_2025")
    rows = cal[
        (cal.mineral == mineral)
        & (cal.form == "concentrate")
        & (cal.flow == "production")
        & (cal.partner == HOME)
    ]
    if len(rows) != 1:
        raise LookupError(f"calibration_2025.csv: {len(rows)} home production rows for {mineral}")
    rec = rows.iloc[0].to_dict()
    return float(rec["value_model_unit"]), rec


def supply_sheet(raw: Raw, led: Ledger) -> list[dict]:
    s = "Supply"
    refined = refined_prices(raw, led)
    spec = specs(raw)
    conc = {m: concentrate_price(m, refined[m], raw, led) for m in spec.index}
    exports = raw.table("exports")
    routes = raw.table("routes").set_index(["country", "mineral", "form"])
    known = set(raw.table("country_map").country)
    rows = []
    for rec in exports.to_dict("records"):
        key = (rec["country"], rec["mineral"], rec["form"])
        volume = float(rec["exports_model_t"] or 0)
        if (
            rec["country"] not in known
            or rec["country"] == HOME
            or rec["mineral"] not in spec.index
        ):
            if rec["country"] != HOME:
                led.row(
                    s,
                    f"route left out: {' '.join(key)} (country not in country_map.csv)",
                    volume,
                    rec,
                )
            continue
        factor, measures = restriction_factor(raw, *key)
        share = float(spec.loc[rec["mineral"], "contract_share"])
        available = sig(volume * factor * share, 3) if volume > 0 else 0
        tag = f"available_t {' '.join(key)}"
        bought, cal = reported_imports(raw, *key)
        how = f"exports {volume:g} x restriction factor {factor:g} x contract share {share:g}"
        if cal is not None and bought * factor > available:
            led.row(s, f"2025 imports {' '.join(key)} (floor of available_t)", bought, cal)
            available = sig(bought * factor, 3)
            how = (
                f"India's 2025 imports {bought:g} x restriction factor {factor:g} (more than {how})"
            )
        led.row(s, f"exports_t {' '.join(key)}", volume, rec)
        for m in measures:
            led.row(s, f"restriction {' '.join(key)}: {m['measure']}", m["available_factor"], m)
        if available <= 0:
            led.add(
                s,
                tag,
                0,
                f"route dropped: exports x factor = {volume:g} x {factor:g}",
                "2025",
                "inputs/data/exports.csv",
            )
            continue
        led.add(
            s,
            tag,
            available,
            f"derived: {how}",
            "2025",
            "inputs/data/exports.csv",
        )
        rows.append(_row(raw, key, available, refined, conc, routes))
    for key in routes.index:
        if key[0] != HOME:
            continue
        if routes.loc[key, "in_model"] != "yes":
            led.row(s, f"route left out: {' '.join(key)}", 0, routes.loc[key].to_dict())
            continue
        volume, rec = home_volume(raw, key[1])
        led.row(s, f"available_t {' '.join(key)}", volume, rec)
        rows.append(_row(raw, key, sig(volume, 3), refined, conc, routes))
    for mineral, rec in spec.iterrows():
        led.row(s, f"contract_share {mineral}", float(rec.contract_share), rec)
        led.assume(
            s,
            f"growth_pct {mineral}",
            float(rec.growth_pct),
            "yearly growth of purchasable supply (per-route exceptions in routes.csv)",
        )
        led.assume(
            s,
            f"price_growth_pct {mineral}",
            float(rec.price_growth_pct),
            "real price drift from 2025 (2025 prices are near cyclical lows)",
        )
    record_freight(raw, led)
    raw.record_const(led, s, "india_bauxite_usd_per_t")
    return rows


def _row(
    raw: Raw, key: tuple, available: float, refined: dict, conc: dict, routes: pd.DataFrame
) -> dict:
    country, mineral, form = key
    spec = specs(raw).loc[mineral]
    price = refined[mineral] if form == "refined" else conc[mineral]
    if country == HOME and mineral == "bauxite":
        price = raw.const("india_bauxite_usd_per_t")
    growth = float(spec.growth_pct)
    if key in routes.index and str(routes.loc[key, "growth_pct"]) != "":
        growth = float(routes.loc[key, "growth_pct"])
    return {
        "country": country,
        "mineral": mineral,
        "form": form,
        "available_t": available,
        "growth_pct": growth,
        "price_usd_per_t": price,
        "price_growth_pct": float(spec.price_growth_pct),
        "freight_usd_per_t": freight_usd_per_t(raw, country, mineral, form, price),
    }
