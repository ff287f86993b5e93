"""Turn solved values into a Plan: one table per plan sheet, plus KPIs.

Money in the tables is in money of the year (undiscounted) unless a name says otherwise;
the objective and its parts in the Summary are discounted to first_year.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from models.index import USD_PER_MUSD, ModelIndex
from models.supply_terms import MINE, REFINING
from planner.results import measures
from planner.results.plan import PLAN_COLUMNS

TOL = 1e-6


def _frame(name: str, rows: list) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS[name]))


def sourcing_table(ix: ModelIndex, buy: dict, offtake: dict) -> pd.DataFrame:
    """Every purchase and offtake above zero, with its landed or operating cost and share."""
    rows = []
    for (c, m, f, t), q in buy.items():
        if q > TOL:
            cost = q * ix.landed_usd_per_t[c, m, f, t] / USD_PER_MUSD
            channel = "domestic market" if c == ix.home else "import"
            rows.append([t, m, c, f, channel, q, cost, np.nan])
    for (p, t), q in offtake.items():
        if q > TOL:
            rec = ix.project[p]
            cost = q * rec.unit_cost_usd_per_t / USD_PER_MUSD
            rows.append([t, rec.mineral, rec.country, rec.form, f"project {p}", q, cost, np.nan])
    frame = _frame("sourcing", rows)
    if len(frame):
        frame = frame.sort_values(
            ["mineral", "year", "form", "tonnes_t"], ascending=[True, True, False, False]
        ).reset_index(drop=True)
    return frame


def add_shares(sourcing: pd.DataFrame, sourced_t: dict, concentrate_t: dict) -> None:
    """share of a refined row = its tonnes / the mineral-year's sourced refined supply
    (refined purchases + refined offtake + home processing output); share of a concentrate
    row = its tonnes / the mineral-year's concentrate supply. Totals are the model's own
    (the `sourced` and `concentrate` terms of models/supply_terms.py), keyed (mineral, year)."""
    if sourcing.empty:
        return
    total = [
        (sourced_t if f == "refined" else concentrate_t).get((m, t), 0.0)
        for m, f, t in zip(sourcing["mineral"], sourcing["form"], sourcing["year"], strict=True)
    ]
    total_t = np.asarray(total, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sourcing["share"] = np.where(total_t > 0, sourcing["tonnes_t"].to_numpy() / total_t, np.nan)


def projects_table(ix: ModelIndex, build: dict, stake: dict) -> pd.DataFrame:
    rows = []
    for (p, y), b in build.items():
        if b > 0.5:
            rec = ix.project[p]
            s = stake[p, y]
            rows.append(
                [
                    p,
                    rec.country,
                    rec.mineral,
                    rec.form,
                    y,
                    y + int(rec.lead_time_years),
                    s,
                    s * rec.capacity_t,
                    s * rec.capex_musd,
                    rec.funding,
                ]
            )
    return _frame("projects", rows)


def processing_table(ix: ModelIndex, built: dict, output: dict) -> pd.DataFrame:
    rows = []
    for k, rec in ix.technology.items():
        for t in ix.years:
            new = round(built.get((k, t), 0.0))
            online = rec.existing_modules + sum(
                round(built[k, y]) for y in ix.modules_online_from.get((k, t), [])
            )
            out = output.get((k, t), 0.0)
            capacity = online * rec.module_t
            if online == 0 and new == 0:
                continue
            util = out / capacity if capacity > 0 else np.nan
            rows.append(
                [
                    t,
                    k,
                    rec.mineral,
                    rec.feed,
                    new,
                    online,
                    capacity,
                    out,
                    out / rec.yield_t_per_t,
                    util,
                ]
            )
    return _frame("processing", rows)


def required_stock(ix: ModelIndex) -> dict:
    """(mineral, year) -> most stock any min_stock_days rule asks for (t)."""
    need: dict = defaultdict(float)
    for rec in ix.policy:
        if rec.rule != "min_stock_days":
            continue
        minerals = ix.minerals if rec.mineral == "*" else [rec.mineral]
        for m in minerals:
            for t in ix.years:
                if rec.first_year <= t <= rec.last_year:
                    need[m, t] = max(need[m, t], rec.value / 365 * ix.demand_t.get((m, t), 0))
    return need


def stock_and_shortfall(ix: ModelIndex, values: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    need = required_stock(ix)
    stock_rows, short_rows = [], []
    for m in ix.minerals:
        for t in ix.years:
            k = (m, t)
            stock_rows.append(
                [t, m, values["inject"][k], values["draw"][k], values["stock"][k], need.get(k, 0.0)]
            )
            demand = ix.demand_t.get(k, 0.0)
            unmet = values["unmet"][k]
            short_rows.append(
                [
                    t,
                    m,
                    demand,
                    unmet,
                    unmet / demand if demand > 0 else 0.0,
                    unmet * ix.shortfall_usd_per_t[m] / USD_PER_MUSD,
                ]
            )
    return _frame("stock", stock_rows), _frame("shortfall", short_rows)


def mine_origin_table(flows: pd.DataFrame) -> pd.DataFrame:
    """Sourced refined supply by mine and refining origin, with its share of the
    mineral-year's sourced refined supply."""
    frame = flows.copy()
    frame["share"] = frame["tonnes_t"] / frame.groupby(["year", "mineral"])["tonnes_t"].transform(
        "sum"
    )
    return frame[list(PLAN_COLUMNS["mine_origin"])].reset_index(drop=True)


def risk_table(
    ix: ModelIndex, flows: pd.DataFrame, unmet_t: dict, exposure_musd: pd.Series
) -> pd.DataFrame:
    """Per mineral and year, on both bases (planner/results/measures.py): HHI of origins,
    governance-weighted HHI, concern share, self-sufficiency; the undiscounted risk exposure
    and concentration term (on Settings concentration_basis)."""
    columns: dict[str, pd.Series] = {}
    for basis, suffix in ((REFINING, ""), (MINE, "_mine")):
        origins = measures.origin_shares(flows, basis)
        if suffix == "":
            columns["refined_supply_t"] = measures.supply_total(origins)
        columns["hhi" + suffix] = measures.hhi(origins)
        columns["governance_hhi" + suffix] = measures.governance_hhi(origins, ix)
        columns["concern_share" + suffix] = measures.concern_share(origins, ix)
        columns["self_sufficiency" + suffix] = measures.home_share(origins, ix)
        if basis == ix.concentration_basis:
            columns["concentration_musd"] = measures.concentration(
                origins, unmet_t, ix, discounted=False
            )
    columns["risk_exposure_musd"] = exposure_musd
    grid = pd.MultiIndex.from_tuples(
        [(t, m) for m in ix.minerals for t in ix.years], names=["year", "mineral"]
    )
    frame = pd.DataFrame({k: v.reindex(grid) for k, v in columns.items()}, index=grid)
    frame["refined_supply_t"] = frame["refined_supply_t"].fillna(0.0)
    frame["concentration_musd"] = frame["concentration_musd"].fillna(0.0)
    frame["risk_exposure_musd"] = frame["risk_exposure_musd"].fillna(0.0)
    return frame.reset_index()[list(PLAN_COLUMNS["risk"])]


def marginal_cost_table(ix: ModelIndex, balance_dual: dict) -> pd.DataFrame:
    """Dual of the refined balance, undiscounted to money of the year, in USD/t."""
    rows = [
        [t, m, balance_dual[m, t] / ix.discount[t] * USD_PER_MUSD]
        for m in ix.minerals
        for t in ix.years
    ]
    return _frame("marginal_costs", rows)


def budget_table(ix: ModelIndex, spent_inr_crore: dict, budget_dual: dict) -> pd.DataFrame:
    """Spent (the budget row's activity, from models/budgets.py) versus limit, per Budgets row."""
    rows = []
    for b, rec in enumerate(ix.budgets):
        spent = spent_inr_crore.get(b, 0.0)
        limit = float(rec.limit_inr_crore)
        binding = spent >= limit - 1e-6 * max(1.0, limit)
        # d objective / d limit is <= 0; report the saving per extra crore as a positive value
        value = -budget_dual.get(b, 0.0)
        rows.append(
            [
                rec.funding,
                rec.first_year,
                rec.last_year,
                limit,
                spent,
                binding,
                max(value, 0.0),
            ]
        )
    return _frame("budgets", rows)
