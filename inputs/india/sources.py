"""Cited raw data: the CSVs in `inputs/data/`, and the Sources-sheet ledger that records them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

ASSUMPTION = "assumption"
FIRST_YEAR = 2025
USGS_2026 = "USGS MCS 2026"
USGS_2025 = "USGS MCS 2025"


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
                "value": text(value),
                "source": source,
                "year": text(year),
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

    def row(self, sheet: str, fld: str, value: object, rec: pd.Series | dict) -> None:
        """Record a value from a data-CSV row that has source, url and assumption columns."""
        get = rec.get
        source = str(get("source", "") or "")
        note = str(get("note", "") or "")
        if note and note not in source:
            source = f"{source}; {note}" if source else note
        if str(get("assumption", "no")).lower() == "yes":
            self.assume(sheet, fld, value, source.removeprefix(f"{ASSUMPTION}: "))
        else:
            year = get("period", "") or get("year", "") or get("basis_year", "") or ""
            self.add(sheet, fld, value, source, year, str(get("url", "") or ""))


def text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def sig(x: float, digits: int) -> float:
    """Round x to `digits` significant figures (integers stay integers)."""
    if x == 0:
        return 0
    value = round(x, digits - 1 - math.floor(math.log10(abs(x))))
    return int(value) if value == int(value) else value


def round_up(x: float, digits: int) -> float:
    scale = 10 ** (digits - 1 - math.floor(math.log10(x)))
    return math.ceil(x * scale) / scale


class Raw:
    """The CSVs in inputs/data: copies of the project's cited raw data, and the case's own
    cited tables (each with a source column)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._tables: dict[str, pd.DataFrame] = {}
        self.world = pd.read_csv(folder / "world_production.csv", dtype={"year": str})
        self.prices = pd.read_csv(folder / "prices.csv", dtype={"year": str})
        self.countries = pd.concat(
            [
                pd.read_csv(folder / name, dtype={"year": str})
                for name in ("countries.csv", "countries_add.csv")
                if (folder / name).exists()
            ],
            ignore_index=True,
        )
        self.india = pd.read_csv(folder / "india.csv", dtype=str)
        self.events = pd.read_csv(folder / "disruptions.csv", dtype=str, keep_default_na=False)
        self.constants = self.table("constants").set_index("name")

    def table(self, name: str) -> pd.DataFrame:
        """A case table, blanks as empty strings; it must carry a source column. Each CSV is
        read once (route-by-route look-ups call this often); callers get a copy."""
        if name not in self._tables:
            frame = pd.read_csv(self.folder / f"{name}.csv", keep_default_na=False)
            if "source" not in frame.columns and "why" not in frame.columns and name != "settings":
                raise ValueError(f"inputs/data/{name}.csv has no source column")
            self._tables[name] = frame
        return self._tables[name].copy()

    def const(self, name: str) -> float:
        return float(self.constants.at[name, "value"])

    def record_const(self, led: Ledger, sheet: str, name: str) -> float:
        led.row(sheet, name, self.const(name), self.constants.loc[name])
        return self.const(name)

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
            value, shown = float(r.value), ""
        except ValueError:
            value, shown = math.nan, str(r.value)
        return Fact(value, f"{r.source}: {item} ({r.unit})", r.year, r.url, shown)

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
