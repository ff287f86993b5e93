"""Typed rows of the input tables the formulation reads record by record.

build_index (models/index.py) turns each validated Projects, Processing, Budgets and Policy row
into one of these, so that blocks, reports and explanations read `project.capex_musd` rather
than `rec["capex_musd"]`: a misspelt field is an error at once (and to mypy), not a KeyError
deep in a solve. Values are the validated cells, unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, Self


class _FromRecord:
    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Self:
        """The typed row of one validated table record (extra columns are ignored)."""
        names = {f.name: f.name for f in fields(cls)}  # type: ignore[arg-type]
        names.update(getattr(cls, "COLUMN_OF", {}))
        return cls(**{attr: rec[col] for attr, col in names.items() if col in rec})


@dataclass(frozen=True)
class Project(_FromRecord):
    """A Projects row: a joint venture or mine abroad (or at home) India can take a stake in."""

    project: str
    country: str
    mineral: str
    form: str  # refined or concentrate
    capacity_t: float  # t/yr at a 100% stake
    capex_musd: float  # at a 100% stake
    fixed_opex_musd: float  # per year online, at a 100% stake
    unit_cost_usd_per_t: float
    min_stake: float
    max_stake: float
    earliest_year: int
    lead_time_years: int
    life_years: int
    funding: str | None
    excel_row: int = 0


@dataclass(frozen=True)
class Technology(_FromRecord):
    """A Processing row: refinery (concentrate feed) or recycler (scrap feed) modules."""

    COLUMN_OF: ClassVar[dict[str, str]] = {"yield_t_per_t": "yield"}

    technology: str
    mineral: str
    feed: str  # concentrate or scrap
    module_t: float  # refined output per module, t/yr
    yield_t_per_t: float  # t refined per t of feed (column `yield`)
    capex_musd_per_module: float
    fixed_opex_musd: float  # per module per year
    unit_cost_usd_per_t: float
    existing_modules: int
    max_modules: int
    earliest_year: int
    lead_time_years: int
    life_years: int
    funding: str | None
    excel_row: int = 0


@dataclass(frozen=True)
class BudgetRow(_FromRecord):
    """A Budgets row: a funding source's capital limit over a window of build years."""

    funding: str
    first_year: int
    last_year: int
    limit_inr_crore: float
    capex_share_pct: float = 100.0  # the share of the capital this source pays
    excel_row: int = 0


@dataclass(frozen=True)
class PolicyRow(_FromRecord):
    """A Policy row; `soft` marks a min_stock_days rule made elastic after a disruption."""

    rule: str
    mineral: str
    country: str
    first_year: int
    last_year: int
    value: float
    basis: str = "refining"
    excel_row: int = 0
    soft: bool = False
