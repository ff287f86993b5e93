"""Validated input data: plain settings and pandas tables, no Pyomo, no openpyxl."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import pandas as pd

# Vocabulary of the validated input, defined once (planner.io.schema re-uses it)
ANY = "*"  # a Policy or Disruptions row that applies to every mineral, country or form
UNDISRUPTED = "undisrupted"  # the scenario name of the case without any disruption
SHARE_RULES = ("max_country_share", "max_concern_share", "min_domestic_share")


@dataclass
class Settings:
    """The Settings sheet, typed. Money in the model is USD; budgets convert with inr_per_usd."""

    schema_version: int
    home_country: str
    first_year: int
    last_year: int
    inr_per_usd: float
    discount_rate: float = 0.0
    risk_weight: float = 0.0
    demand_scenario: str = ""
    risk_cap_musd: float | None = None
    mode: str = "deterministic"
    cvar_alpha: float = 0.9
    cvar_weight: float = 0.0
    concentration_weight: float = 0.0
    concentration_basis: str = "mine"
    concentration_cap_musd: float | None = None
    mip_gap: float = 0.001
    mip_abs_gap_musd: float | None = None
    time_limit_s: float = 300.0

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


@dataclass
class InputData:
    """Everything the model needs, read from one workbook.

    Tables keep the workbook's column names. Names (minerals, countries, ...) are trimmed and
    spelled as in their defining sheet. `demand` and `scrap` are long tables over every horizon
    year, interpolated from the milestone columns: demand (scenario, mineral, year, demand_t),
    scrap (mineral, year, scrap_t). `disruptions` holds the Disruptions rows with every
    scenario's probability filled in on each of its rows; `mine_origins` the MineOrigins rows.
    """

    settings: Settings
    minerals: pd.DataFrame
    countries: pd.DataFrame
    demand: pd.DataFrame
    supply: pd.DataFrame
    projects: pd.DataFrame
    processing: pd.DataFrame
    scrap: pd.DataFrame
    budgets: pd.DataFrame
    policy: pd.DataFrame
    sources: pd.DataFrame
    disruptions: pd.DataFrame = field(default_factory=pd.DataFrame)
    # refined supply of (country, mineral) mined in mine_country: country, mineral,
    # mine_country, share (no row: the refining country mined it all)
    mine_origins: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["country", "mineral", "mine_country", "share"]
        )
    )
    source_file: str = ""
    source_sha256: str = ""
    warnings: list[str] = field(default_factory=list)

    def copy(self) -> InputData:
        """A deep copy, so that a scenario can change it without touching the original."""
        return copy.deepcopy(self)

    def demand_for_scenario(self) -> pd.DataFrame:
        """Demand rows of the chosen scenario: mineral, year, demand_t."""
        rows = self.demand[self.demand["scenario"] == self.settings.demand_scenario]
        return rows[["mineral", "year", "demand_t"]].reset_index(drop=True)
