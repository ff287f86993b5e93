"""The MineOrigins sheet: where each refined supply row's product was mined.

mine_origins.csv (and mine_origins_add.csv, refiners added with the export routes) give one
cited row per refining country, mineral and mine country (inputs/data/MINE-ORIGINS.md).
"""

from __future__ import annotations

import pandas as pd

from inputs.india.sources import Ledger, Raw


def mine_origins_sheet(raw: Raw, supply: list[dict], led: Ledger) -> list[dict]:
    refined = {(r["country"], r["mineral"]) for r in supply if r["form"] == "refined"}
    tables = [raw.table("mine_origins")]
    if (raw.folder / "mine_origins_add.csv").exists():
        tables.append(raw.table("mine_origins_add"))
    known = set(raw.table("country_map").country)
    rows = []
    for rec in pd.concat(tables, ignore_index=True).itertuples(index=False):
        if (rec.country, rec.mineral) not in refined or rec.mine_country not in known:
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
        led.row("MineOrigins", fld, share, rec._asdict())
    missing = refined - {(r["country"], r["mineral"]) for r in rows}
    if missing:
        raise ValueError(f"refined supply rows with no MineOrigins row: {sorted(missing)}")
    return rows
