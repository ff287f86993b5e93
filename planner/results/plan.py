"""The optimal plan as plain data: a summary and one DataFrame per plan-workbook sheet.

Reports and exports read a Plan, never the Pyomo model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Columns of each plan table, in sheet order. Money is undiscounted (money of the year)
# unless the column name says `discounted`.
PLAN_COLUMNS: dict[str, tuple[str, ...]] = {
    "sourcing": (
        "year",
        "mineral",
        "country",
        "form",
        "channel",
        "tonnes_t",
        "cost_musd",
        "share",
    ),
    "mine_origin": (
        "year",
        "mineral",
        "mine_country",
        "refining_country",
        "tonnes_t",
        "share",
    ),
    "projects": (
        "project",
        "country",
        "mineral",
        "form",
        "build_year",
        "online_year",
        "stake",
        "offtake_capacity_t",
        "capex_musd",
        "funding",
    ),
    "processing": (
        "year",
        "technology",
        "mineral",
        "feed",
        "modules_built",
        "modules_online",
        "capacity_t",
        "output_t",
        "feed_t",
        "utilisation",
    ),
    "stock": ("year", "mineral", "injected_t", "drawn_t", "stock_t", "required_t"),
    "shortfall": ("year", "mineral", "demand_t", "unmet_t", "unmet_share", "penalty_musd"),
    "risk": (
        "year",
        "mineral",
        "refined_supply_t",
        "hhi",
        "governance_hhi",
        "concern_share",
        "self_sufficiency",
        "hhi_mine",
        "governance_hhi_mine",
        "concern_share_mine",
        "self_sufficiency_mine",
        "risk_exposure_musd",
        "concentration_musd",
    ),
    "marginal_costs": ("year", "mineral", "marginal_cost_usd_per_t"),
    "budgets": (
        "funding",
        "first_year",
        "last_year",
        "limit_inr_crore",
        "spent_inr_crore",
        "binding",
        "value_musd_per_inr_crore",
    ),
}


@dataclass
class Plan:
    """Everything a plan workbook shows.

    summary: ordered key -> value (objective, cost split, risk, status, gap, times, input file
    and hash, versions). Tables: see PLAN_COLUMNS. Risk columns ending in `_mine` are on the
    mine-origin basis, the others on the refining basis (models/supply_terms.py).
    """

    summary: dict[str, object]
    sourcing: pd.DataFrame
    projects: pd.DataFrame
    processing: pd.DataFrame
    stock: pd.DataFrame
    shortfall: pd.DataFrame
    risk: pd.DataFrame
    marginal_costs: pd.DataFrame
    budgets: pd.DataFrame
    # sourced refined supply by mine and refining origin (absent in plans of older versions)
    mine_origin: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(PLAN_COLUMNS["mine_origin"]))
    )
    notes: list[str] = field(default_factory=list)
    # further sheets (sheet name -> table), e.g. the scenarios of a stochastic plan
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    def figure(self, name: str) -> float | None:
        """A numeric Summary item as a float (None when the plan has no number for it)."""
        value = self.summary.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in PLAN_COLUMNS}
