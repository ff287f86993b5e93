"""Prices (USGS 2025 averages, prices.csv), freight classes (freight.csv) and the Minerals sheet."""

from __future__ import annotations

import pandas as pd

from inputs.india.sources import Ledger, Raw, round_up

HOME = "India"
LAST_YEAR = 2040
FIRST_YEAR = 2025


def specs(raw: Raw) -> pd.DataFrame:
    """mineral_specs.csv: payability, shipping ratio, growth and USGS edition per mineral."""
    return raw.table("mineral_specs").set_index("mineral")


def refined_prices(raw: Raw, led: Ledger) -> dict[str, float]:
    """Refined price in first_year, USD per t of the mineral's unit, from prices.csv."""
    s = "Supply"
    lb_per_t = raw.const("lb_per_t")
    li = raw.price("lithium", "battery-grade lithium carbonate", "dollars per metric ton")
    co = raw.price("cobalt", "London Metal Exchange (LME), cash", "dollars per pound")
    ni = raw.price("nickel", "LME cash", "dollars per metric ton")
    cu = raw.price("copper", "London Metal Exchange, grade A, cash", "cents per pound")
    ndpr = raw.price(
        "rare_earths", "Neodymium-praseodymium (NdPr) oxide, 99% minimum", "dollars per kilogram"
    )
    la = raw.price("rare_earths", "Lanthanum oxide, 99.5% minimum", "dollars per kilogram")
    ce = raw.price("rare_earths", "Cerium oxide, 99.5% minimum", "dollars per kilogram")
    ndpr_share = raw.record_const(led, s, "ree_basket_ndpr_share")
    basket = 1000 * (ndpr_share * ndpr.value + (1 - ndpr_share) * (la.value + ce.value) / 2)
    alumina = raw.record_const(led, s, "alumina_usd_per_t")
    bauxite_per_alumina = raw.record_const(led, s, "bauxite_per_alumina")
    prices = {
        "lithium": li.value,
        "cobalt": round(co.value * lb_per_t),
        "nickel": ni.value,
        "graphite": raw.record_const(led, s, "graphite_refined_usd_per_t"),
        "rare_earths": round(basket),
        "copper": round(cu.value / 100 * lb_per_t),
        "bauxite": round(alumina / bauxite_per_alumina),
    }
    led.fact(s, "price_usd_per_t lithium refined", li, "t of carbonate = t LCE")
    led.fact(s, "price_usd_per_t cobalt refined", co, f"x {lb_per_t} lb/t = {prices['cobalt']}")
    led.fact(s, "price_usd_per_t nickel refined", ni)
    led.fact(
        s, "price_usd_per_t copper refined", cu, f"/100 x {lb_per_t} lb/t = {prices['copper']}"
    )
    for f in (ndpr, la, ce):
        led.fact(s, "price_usd_per_t rare_earths refined (basket input)", f)
    led.add(
        s,
        "price_usd_per_t rare_earths refined",
        prices["rare_earths"],
        f"derived: REO basket = {ndpr_share:g} NdPr oxide + {1 - ndpr_share:g} mean(La, Ce "
        "oxide), USGS 2025 prices",
        "2025",
        "inputs/SOURCES.md",
    )
    led.add(
        s,
        "price_usd_per_t bauxite refined",
        prices["bauxite"],
        "derived: alumina price / bauxite per t alumina (bauxite-equivalent unit)",
        "2025",
        "inputs/SOURCES.md",
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
        return raw.record_const(led, "Supply", "bauxite_fob_usd_per_t")
    spec = specs(raw).loc[mineral]
    price = round(refined * float(spec.payability))
    led.assume(
        "Supply",
        f"price_usd_per_t {mineral} concentrate",
        price,
        f"payability {float(spec.payability):g} x refined price: {spec.why_payability}",
    )
    return float(price)


def freight_usd_per_t(raw: Raw, country: str, mineral: str, form: str, price: float) -> float:
    """Freight and insurance per t of the mineral: t shipped per t x the class's rate (+ the
    overland leg of a landlocked country); graphite's 2.5% duty is folded in (per-country
    tariffs cannot hold a per-mineral duty)."""
    spec = specs(raw).loc[mineral]
    where = raw.table("country_map").set_index("country").loc[country]
    rates = raw.table("freight").set_index("region").loc[where.freight_region]
    if form == "concentrate":
        shipped, rate = float(spec.ship_t_per_t), float(rates.bulk_usd_per_t)
    elif mineral == "bauxite":
        shipped, rate = 1 / raw.const("bauxite_per_alumina"), float(rates.bulk_usd_per_t)
    else:
        shipped, rate = 1.0, float(rates.container_usd_per_t)
    overland = raw.const("overland_usd_per_t") if where.landlocked == "yes" else 0.0
    cost = shipped * (rate + overland)
    if mineral == "graphite" and country != HOME:
        cost += raw.const("graphite_bcd") * price
    return round(cost)


def record_freight(raw: Raw, led: Ledger) -> None:
    s = "Supply"
    for rec in raw.table("freight").to_dict("records"):
        led.row(
            s,
            f"freight {rec['region']} bulk/container USD per t shipped",
            f"{rec['bulk_usd_per_t']}/{rec['container_usd_per_t']}",
            rec,
        )
    for name in ("overland_usd_per_t", "graphite_bcd"):
        raw.record_const(led, s, name)
    for mineral, spec in specs(raw).iterrows():
        led.assume(s, f"freight ship ratio {mineral}", float(spec.ship_t_per_t), spec.why_ship)


def minerals_sheet(
    raw: Raw, supply: list[dict], tariffs: dict[str, float], led: Ledger
) -> list[dict]:
    """Penalty = penalty_multiple x the dearest landed price of the mineral in last_year."""
    multiple = raw.record_const(led, "Minerals", "penalty_multiple")
    holding = raw.record_const(led, "Minerals", "stock_holding_pct")
    rows = []
    n = LAST_YEAR - FIRST_YEAR
    for name, spec in specs(raw).iterrows():
        landed = [
            r["price_usd_per_t"]
            * (1 + r["price_growth_pct"] / 100) ** n
            * (1 + tariffs.get(r["country"], 0.0) / 100)
            + r["freight_usd_per_t"]
            for r in supply
            if r["mineral"] == name
        ]
        rows.append(
            {
                "mineral": name,
                "unit": spec.unit,
                "shortfall_penalty_usd_per_t": round_up(multiple * max(landed), 2),
                "stock_holding_cost_pct": holding,
            }
        )
    raw.record_const(led, "Minerals", "li_to_lce")
    led.assume(
        "Minerals",
        "unit t bauxite",
        "bauxite-equivalent",
        "alumina is counted as bauxite-equivalent at 3 t bauxite per t alumina "
        "(india.csv rule of thumb), so refining keeps the mineral's unit",
    )
    return rows
