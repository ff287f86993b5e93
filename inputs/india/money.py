"""Settings, budgets and policy rules: read from settings.csv, budgets.csv and policy.csv."""

from __future__ import annotations

from inputs.india.sources import Ledger, Raw

SETTINGS_SOURCES = {
    "discount_rate": "discount_rate",
    "inr_per_usd": "inr_per_usd",
}


def settings_sheet(raw: Raw, led: Ledger) -> list[dict]:
    """The Settings sheet; each row's note says why, constants carry their citation."""
    rows = []
    for rec in raw.table("settings").itertuples(index=False):
        value: object = rec.value
        try:
            number = float(rec.value)
            value = int(number) if number == int(number) else number
        except ValueError:
            pass
        if rec.key in SETTINGS_SOURCES:
            value = raw.record_const(led, "Settings", SETTINGS_SOURCES[rec.key])
        elif rec.source:
            led.row("Settings", rec.key, value, rec._asdict() | {"note": ""})
        rows.append({"key": rec.key, "value": value, "note": rec.note})
    return rows


def budgets_sheet(raw: Raw, led: Ledger) -> list[dict]:
    """Each funding source pays only for what it is for (budgets.csv `pays_for`); a capital
    subsidy draws its share of the capital (capex_share_pct); the sources that fund nothing
    the model decides are listed in funding_not_modelled.csv and recorded, not used."""
    s = "Budgets"
    rows = []
    for rec in raw.table("budgets").to_dict("records"):
        limit = float(rec["limit_inr_crore"])
        fld = f"{rec['funding']} {rec['first_year']}-{rec['last_year']}"
        if rec["india_item"]:
            fact = raw.fact(rec["india_item"])
            if fact.value != limit:
                raise ValueError(f"budgets.csv {fld}: {limit} is not india.csv's {fact.value}")
            led.fact(s, fld, fact, f"pays for: {rec['pays_for']}; {rec['note']}")
        else:
            led.row(s, fld, limit, rec)
        if rec["share_item"]:
            share = raw.fact(rec["share_item"])
            if share.value != float(rec["capex_share_pct"]):
                raise ValueError(f"budgets.csv {fld}: capex_share_pct is not india.csv's")
            led.fact(s, f"{fld} capex_share_pct", share)
        rows.append(
            {
                "funding": rec["funding"],
                "first_year": int(rec["first_year"]),
                "last_year": int(rec["last_year"]),
                "limit_inr_crore": limit,
                "capex_share_pct": float(rec["capex_share_pct"]),
            }
        )
    for rec in raw.table("funding_not_modelled").to_dict("records"):
        fact = raw.fact(rec["india_item"])
        led.fact(s, f"not a Budgets row: {rec['funding']}", fact, rec["why"])
    return rows


def policy_sheet(raw: Raw, led: Ledger) -> list[dict]:
    cols = ("rule", "mineral", "country", "first_year", "last_year", "value", "basis")
    rows = []
    for rec in raw.table("policy").to_dict("records"):
        row = {c: rec[c] for c in cols}
        row["value"] = float(row["value"])
        rows.append(row)
        led.row("Policy", f"{rec['rule']} {rec['mineral']}", row["value"], rec)
    return rows
