"""Forward-looking disruption scenarios patterned on real events (disruptions.csv).

The events and the cut magnitudes are facts (disruption_magnitudes.csv copies each magnitude as
written in its cited event row); the scenarios, their timing and probability are assumptions
(disruption_scenarios.csv, column `why`). Each shock names the rule deriving its cut and price
shock from those magnitudes.
"""

from __future__ import annotations

from collections.abc import Callable

from inputs.india.sources import Fact, Ledger, Raw

LAST_YEAR = 2040
EV_DRC_BAN = "DR Congo cobalt export suspension"
NDPR = ("rare_earths", "Neodymium-praseodymium (NdPr) oxide, 99% minimum", "dollars per kilogram")
COBALT_LME = ("cobalt", "London Metal Exchange (LME), cash", "dollars per pound")


def _pct(x: float) -> float:
    return float(round(x))


def _price_rise(raw: Raw, mineral: str, product: str, unit: str) -> tuple[float, Fact, Fact]:
    """The 2024 -> 2025 rise of a USGS annual average price, in %, and the two prices."""
    before = raw.price(mineral, product, unit, 2024)
    after = raw.price(mineral, product, unit, 2025)
    return _pct(100 * (after.value / before.value - 1)), before, after


def _rules(raw: Raw) -> dict[str, Callable[[], float]]:
    """Cut and price-shock rules, %: each derived from cited magnitudes."""
    mag = raw.table("disruption_magnitudes").set_index("name")["value"].astype(float)
    return {
        "ree_products_yoy": lambda: _pct(-mag["ree_products_yoy"]),
        "ree_magnets_yoy": lambda: _pct(-mag["ree_magnets_yoy"]),
        "drc_suspension_days": lambda: _pct(100 * raw.event_days(EV_DRC_BAN) / 365),
        "drc_quota": lambda: _pct(100 * (1 - mag["drc_quota_t"] / mag["drc_output_t"])),
        "full_ban": lambda: _pct(mag["nickel_ore_ban_cut"]),
        "guinea_gac_share": lambda: _pct(100 * mag["gac_exports_mt"] / mag["guinea_exports_mt"]),
        "grasberg_loss": lambda: _pct(100 * mag["grasberg_2026_loss"]),
        "ndpr_price_rise": lambda: _price_rise(raw, *NDPR)[0],
        "cobalt_price_rise": lambda: _price_rise(raw, *COBALT_LME)[0],
        "": lambda: 0.0,
    }


def disruptions_sheet(raw: Raw, led: Ledger, columns: list[str]) -> list[dict]:
    """One Disruptions row per shock of disruption_scenarios.csv."""
    s = "Disruptions"
    rules = _rules(raw)
    table = raw.table("disruption_scenarios")
    rows = []
    for rec in table.to_dict("records"):
        last = int(rec["last_year"]) if rec["last_year"] != "" else None
        values = (
            rec["scenario"],
            float(rec["probability"]),
            rec["country"],
            rec["mineral"],
            rec["form"],
            int(rec["first_year"]),
            last,
            rules[rec["cut_rule"]](),
            rules[rec["price_rule"]](),
        )
        rows.append(dict(zip(columns, values, strict=True)))
    for name, group in table.groupby("scenario", sort=False):
        years = ", ".join(
            f"{r.mineral} {r.first_year}-{r.last_year or LAST_YEAR}"
            for r in group.itertuples(index=False)
        )
        led.assume(
            s,
            f"{name} years, probability",
            f"{years}; p = {group['probability'].iloc[0]:g}",
            f"timing and probability assumed: {group['why'].iloc[0]}",
        )
    _citations(raw, led)
    total = table.groupby("scenario")["probability"].first().sum()
    led.assume(
        s,
        "probability (undisrupted case)",
        round(1 - total, 6),
        f"the scenarios' probabilities sum to {total:g} over 2025-2040, so the undisrupted "
        "case stays the most likely single outcome",
    )
    return rows


def _citations(raw: Raw, led: Ledger) -> None:
    s = "Disruptions"
    for rec in raw.table("disruption_magnitudes").to_dict("records"):
        led.fact(s, f"magnitude {rec['name']}", raw.event(rec["event"]), rec["note"], rec["value"])
    led.fact(
        s,
        "drc_suspension_days",
        raw.event(EV_DRC_BAN),
        f"share of the year lost: {raw.event_days(EV_DRC_BAN)} days / 365",
    )
    led.assume(
        s,
        "graphite supply_cut_pct (china_graphite_controls, china_graphite_and_rare_earths)",
        "as ree_products_yoy",
        "no graphite export figure in the data: the cut is taken equal to the effect of "
        "China's rare-earth licensing on its rare-earth product exports (-61% y/y, May 2025)",
    )
    for name, spec in (("ndpr_price_rise", NDPR), ("cobalt_price_rise", COBALT_LME)):
        rise, before, after = _price_rise(raw, *spec)
        led.fact(s, f"{name}: 2024 price", before)
        led.fact(s, f"{name}: 2025 price", after)
        led.assume(
            s,
            name,
            rise,
            f"the rise of the USGS annual average price from 2024 to 2025 ({before.value:g} "
            f"to {after.value:g}), attributed to the event: the data show the rise in the "
            "year of the event but not its cause",
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
