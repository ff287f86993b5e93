"""Turn solved values into a Plan: one table per plan sheet, plus KPIs.

Money in the tables is in money of the year (undiscounted) unless a name says otherwise;
the objective and its parts in the Summary are discounted to first_year.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from models.index import USD_PER_MUSD, ModelIndex
from planner.plan import PLAN_COLUMNS

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
            cost = q * rec["unit_cost_usd_per_t"] / USD_PER_MUSD
            rows.append(
                [t, rec["mineral"], rec["country"], rec["form"], f"project {p}", q, cost, np.nan]
            )
    frame = _frame("sourcing", rows)
    if len(frame):
        frame = frame.sort_values(
            ["mineral", "year", "form", "tonnes_t"], ascending=[True, True, False, False]
        ).reset_index(drop=True)
    return frame


def add_shares(sourcing: pd.DataFrame, processing: pd.DataFrame) -> None:
    """share of a refined row = its tonnes / the mineral-year's sourced refined supply
    (refined purchases + refined offtake + home processing output); share of a concentrate
    row = its tonnes / the mineral-year's concentrate supply."""
    if sourcing.empty:
        return
    key = ["year", "mineral", "form"]
    totals = sourcing.groupby(key, as_index=False)["tonnes_t"].sum()
    if len(processing):
        home = processing.groupby(["year", "mineral"], as_index=False)["output_t"].sum()
        home = home.rename(columns={"output_t": "tonnes_t"}).assign(form="refined")
        totals = pd.concat([totals, home]).groupby(key, as_index=False)["tonnes_t"].sum()
    merged = sourcing[key].merge(totals, on=key, how="left")
    sourcing["share"] = sourcing["tonnes_t"].to_numpy() / merged["tonnes_t"].to_numpy()


def projects_table(ix: ModelIndex, build: dict, stake: dict) -> pd.DataFrame:
    rows = []
    for (p, y), b in build.items():
        if b > 0.5:
            rec = ix.project[p]
            s = stake[p, y]
            rows.append(
                [
                    p,
                    rec["country"],
                    rec["mineral"],
                    rec["form"],
                    y,
                    y + int(rec["lead_time_years"]),
                    s,
                    s * rec["capacity_t"],
                    s * rec["capex_musd"],
                    rec["funding"],
                ]
            )
    return _frame("projects", rows)


def processing_table(ix: ModelIndex, built: dict, output: dict) -> pd.DataFrame:
    rows = []
    for k, rec in ix.technology.items():
        for t in ix.years:
            new = round(built.get((k, t), 0.0))
            online = rec["existing_modules"] + sum(
                round(built[k, y]) for y in ix.modules_online_from.get((k, t), [])
            )
            out = output.get((k, t), 0.0)
            capacity = online * rec["module_t"]
            if online == 0 and new == 0:
                continue
            util = out / capacity if capacity > 0 else np.nan
            rows.append(
                [
                    t,
                    k,
                    rec["mineral"],
                    rec["feed"],
                    new,
                    online,
                    capacity,
                    out,
                    out / rec["yield"],
                    util,
                ]
            )
    return _frame("processing", rows)


def required_stock(ix: ModelIndex) -> dict:
    """(mineral, year) -> most stock any min_stock_days rule asks for (t)."""
    need: dict = defaultdict(float)
    for rec in ix.policy:
        if rec["rule"] != "min_stock_days":
            continue
        minerals = ix.minerals if rec["mineral"] == "*" else [rec["mineral"]]
        for m in minerals:
            for t in ix.years:
                if rec["first_year"] <= t <= rec["last_year"]:
                    need[m, t] = max(need[m, t], rec["value"] / 365 * ix.demand_t.get((m, t), 0))
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


def origin_supply(ix: ModelIndex, sourcing: pd.DataFrame, processing: pd.DataFrame) -> pd.DataFrame:
    """Sourced refined supply by (year, mineral, origin) in tonnes: countries and home
    (processing output); stock drawn is not an origin (see models/supply_terms.py)."""
    parts = [
        sourcing.loc[
            sourcing["form"] == "refined", ["year", "mineral", "country", "tonnes_t"]
        ].rename(columns={"country": "origin"})
    ]
    if len(processing):
        home = processing[["year", "mineral", "output_t"]].rename(columns={"output_t": "tonnes_t"})
        home.insert(2, "origin", ix.home)
        parts.append(home)
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["year", "mineral", "origin", "tonnes_t"])
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["tonnes_t"] > TOL]
    return frame.groupby(["year", "mineral", "origin"], as_index=False)["tonnes_t"].sum()


def risk_table(ix: ModelIndex, origins: pd.DataFrame, buy: dict, offtake: dict) -> pd.DataFrame:
    """HHI of origins, governance-weighted HHI (sum share^2 x risk_score), concern share,
    self-sufficiency, and undiscounted risk exposure, per mineral and year."""
    exposure: dict = defaultdict(float)
    for (c, m, _f, t), q in buy.items():
        exposure[m, t] += q * ix.price_usd_per_t[c, m, _f, t] * ix.risk_score.get(c, 0.0)
    for (p, t), q in offtake.items():
        rec = ix.project[p]
        exposure[rec["mineral"], t] += (
            q * rec["unit_cost_usd_per_t"] * ix.risk_score.get(rec["country"], 0.0)
        )
    o = origins.copy()
    o["total"] = o.groupby(["year", "mineral"])["tonnes_t"].transform("sum")
    o["share"] = o["tonnes_t"] / o["total"]
    o["sq"] = o["share"] ** 2
    o["gov"] = o["sq"] * o["origin"].map(ix.risk_score).fillna(0.0)
    o["concern"] = o["share"].where(o["origin"].isin(ix.of_concern), 0.0)
    o["home"] = o["share"].where(o["origin"] == ix.home, 0.0)
    agg = o.groupby(["year", "mineral"]).agg(
        total=("tonnes_t", "sum"),
        hhi=("sq", "sum"),
        gov=("gov", "sum"),
        concern=("concern", "sum"),
        home=("home", "sum"),
    )
    stats = dict(zip(agg.index, agg.itertuples(index=False, name=None), strict=True))
    rows = []
    for m in ix.minerals:
        for t in ix.years:
            values = stats.get((t, m))
            if values is not None and values[0] > TOL:
                values = list(values)
            else:
                values = [0.0, np.nan, np.nan, np.nan, np.nan]
            rows.append([t, m, *values, exposure[m, t] / USD_PER_MUSD])
    return _frame("risk", rows)


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
        limit = float(rec["limit_inr_crore"])
        binding = spent >= limit - 1e-6 * max(1.0, limit)
        # d objective / d limit is <= 0; report the saving per extra crore as a positive value
        value = -budget_dual.get(b, 0.0)
        rows.append(
            [
                rec["funding"],
                rec["first_year"],
                rec["last_year"],
                limit,
                spent,
                binding,
                max(value, 0.0),
            ]
        )
    return _frame("budgets", rows)
