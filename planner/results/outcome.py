"""What a scenario's solution does per mineral and year: supply, stock, shortfall, cost.

The variable cost of a mineral-year, in million USD of the year (undiscounted), is what its
recourse decisions cost: purchases at landed cost, project offtake and processing output at
their unit costs, stock held at the holding cost and drawn at the release cost, and unmet
demand at the shortfall penalty. Capital and fixed costs are first-stage and the same in every
scenario, so they are left out: the difference between two scenarios' variable costs is the
extra cost of a disruption.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from models.index import USD_PER_MUSD, ModelIndex
from models.objective import STOCK_RELEASE_USD_PER_T
from models.registry import recourse_positions
from planner.results.solution import Solution
from planner.results.tables import required_stock

RECOURSE_NAMES = tuple(recourse_positions())  # the recourse variable families
OUTCOME_COLUMNS = (
    "year",
    "mineral",
    "demand_t",
    "supplied_t",
    "stock_drawn_t",
    "stock_replenished_t",
    "stock_t",
    "stock_gap_t",
    "shortfall_t",
    "variable_cost_musd",
)


def values_of(hm: Solution, variables, names=RECOURSE_NAMES):
    """name -> {key: value} for the recourse variables of a model or scenario view."""
    return {name: hm.values(getattr(variables, name)) for name in names}


def mineral_year_outcome(ix: ModelIndex, v: dict) -> pd.DataFrame:
    """One row per mineral and year (OUTCOME_COLUMNS); supplied_t is the refined supply
        sourced in the year (refined purchases and offtake, home processing output); a stock gap is
    stock below a min_stock_days level after a disruption, priced like unmet demand."""
    supplied: dict = defaultdict(float)
    cost: dict = defaultdict(float)
    for (c, m, f, t), q in v["buy"].items():
        if q:
            cost[m, t] += q * ix.landed_usd_per_t[c, m, f, t]
            if f == "refined":
                supplied[m, t] += q
    for (p, t), q in v["offtake"].items():
        if q:
            rec = ix.project[p]
            cost[rec.mineral, t] += q * rec.unit_cost_usd_per_t
            if rec.form == "refined":
                supplied[rec.mineral, t] += q
    for (k, t), q in v["output"].items():
        if q:
            tech = ix.technology[k]
            cost[tech.mineral, t] += q * tech.unit_cost_usd_per_t
            supplied[tech.mineral, t] += q
    need = required_stock(ix)
    rows = []
    for m in ix.minerals:
        for t in ix.years:
            key = (m, t)
            stock, unmet = v["stock"][key], v["unmet"][key]
            # the deficit below the stock rule's level (the gap variable is a slack, free up to
            # the supply lost in a cut year, so its value can exceed the deficit there)
            gap = max(0.0, need.get(key, 0.0) - stock) if key in v["stock_gap"] else 0.0
            priced_gap = 0.0 if key in ix.stock_gap_free_t else v["stock_gap"].get(key, 0.0)
            total = (
                cost[key]
                + stock * ix.holding_usd_per_t[key]
                + v["draw"][key] * STOCK_RELEASE_USD_PER_T
                + (unmet + priced_gap) * ix.shortfall_usd_per_t[m]
            )
            rows.append(
                [
                    t,
                    m,
                    ix.demand_t.get(key, 0.0),
                    supplied[key],
                    v["draw"][key],
                    v["replenish"].get(key, 0.0),
                    stock,
                    gap,
                    unmet,
                    total / USD_PER_MUSD,
                ]
            )
    return pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))
