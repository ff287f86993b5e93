"""Peer benchmark: the planner's build and hand-over against linopy's, on the same LP.

One synthetic instance from bench_scale.py's generator (the same sizes and seed give the same
workbook) is read once. Then, in this one process, each contender goes from the validated input
data to a solved HiGHS instance:

    planner          models.index.build_index + models.build.build_matrix_model +
                     planner.solve.highs.HighsModel (the pipeline's own path)
    planner (Pyomo)  the same with models.build.build_model: Pyomo constraints compiled by
                     Pyomo's LinearStandardFormCompiler (the path before the matrix model)
    linopy           build_index (the same coefficients) + numpy arrays + a linopy.Model of the
                     same equations, written vectorised over xarray coordinates, +
                     linopy's to_highspy

Each contender's HiGHS run is timed apart. The optima must agree (relative 1e-7); the script
fails otherwise. It prints a table (median of --repeat passes) and, as its last line,

    outside-HiGHS ratio planner/linopy: X

where X is the planner's build + hand-over over linopy's build + hand-over.

linopy is not a dependency of the planner: `pip install -e '.[bench]'`.

The linopy model covers what the LP instance uses (--projects 0 --technologies 0): purchases,
stock, unmet demand, the balances, the sourced totals and the max_country_share and
min_stock_days rules on the refining basis, with the cost and risk objective. Any other
instance is refused.

    python benchmarks/bench_peer.py --minerals 150 --countries 25 --years 16 --seed 1
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import bench_scale  # beside this script
import numpy as np

from models.build import build_matrix_model, build_model
from models.data import ANY, InputData
from models.index import USD_PER_MUSD, ModelIndex, build_index
from models.objective import STOCK_RELEASE_USD_PER_T, UNMET_RISK_SCORE
from planner.io.validate import load_input
from planner.solve.highs import HighsModel

AGREE_REL = 1e-7


# ---------------------------------------------------------------- the contenders


def planner_pass(data: InputData, pyomo_constraints: bool) -> dict[str, float]:
    gc.collect()
    t0 = time.perf_counter()
    ix = build_index(data)
    model = (build_model if pyomo_constraints else build_matrix_model)(data, ix)
    t1 = time.perf_counter()
    hm = HighsModel(model)
    t2 = time.perf_counter()
    hm.highs.setOptionValue("time_limit", 600.0)
    hm.highs.run()
    t3 = time.perf_counter()
    return {
        "build": t1 - t0,
        "hand-over": t2 - t1,
        "highs": t3 - t2,
        "objective": hm.highs.getInfo().objective_function_value,
        "columns": hm.num_columns,
        "rows": hm.num_rows,
    }


def check_supported(ix: ModelIndex) -> None:
    """The linopy model covers the LP instance only (see the module docstring)."""
    problems = []
    if ix.project or ix.technology:
        problems.append("projects or technologies (use --projects 0 --technologies 0)")
    if ix.stock_gap_free_t or ix.concentration_weight or ix.risk_cap_musd is not None:
        problems.append("disruptions, a concentration term or a risk cap")
    for rec in ix.policy:
        if rec.rule not in ("max_country_share", "min_stock_days") or rec.soft:
            problems.append(f"policy rule {rec.rule}")
        if rec.mineral != ANY or rec.country != ANY:
            problems.append("a policy row for one mineral or country")
        if rec.rule == "max_country_share" and (rec.basis or "refining") != "refining":
            problems.append("a share rule on the mine basis")
    if problems:
        raise SystemExit("bench_peer: the linopy model does not cover " + "; ".join(problems))


def linopy_pass(data: InputData) -> dict[str, float]:
    import linopy
    import xarray as xr

    gc.collect()
    t0 = time.perf_counter()
    ix = build_index(data)
    check_supported(ix)
    years = np.asarray(ix.years)
    minerals = list(ix.minerals)
    mineral_pos = {m: i for i, m in enumerate(minerals)}
    year_pos = {t: i for i, t in enumerate(ix.years)}
    n_m, n_t = len(minerals), len(years)
    discount = np.array([ix.discount[t] for t in ix.years])

    # purchases: one coordinate per supply row (country, mineral, form), by year
    supply_rows = list(dict.fromkeys((c, m, f) for c, m, f, _t in ix.buy))
    row_pos = {key: i for i, key in enumerate(supply_rows)}
    n_s = len(supply_rows)
    available = np.zeros((n_s, n_t))
    landed = np.zeros((n_s, n_t))
    price = np.zeros((n_s, n_t))
    exists = np.zeros((n_s, n_t), dtype=bool)
    for c, m, f, t in ix.buy:  # the planner's purchase set: no unusable concentrate
        s, y = row_pos[c, m, f], year_pos[t]
        available[s, y] = ix.available_t[c, m, f, t]
        landed[s, y] = ix.landed_usd_per_t[c, m, f, t]
        price[s, y] = ix.price_usd_per_t[c, m, f, t]
        exists[s, y] = True
    row_mineral = np.array([mineral_pos[m] for _c, m, _f in supply_rows])
    row_country = [c for c, _m, _f in supply_rows]
    refined = np.array([f == "refined" for _c, _m, f in supply_rows])
    risk = np.array([ix.risk_score.get(c, 0.0) for c in row_country])
    demand = np.array([[ix.demand_t.get((m, t), 0.0) for t in ix.years] for m in minerals])
    holding = np.array([[ix.holding_usd_per_t[m, t] for t in ix.years] for m in minerals])
    penalty = np.array([ix.shortfall_usd_per_t[m] for m in minerals])
    mean_price = np.array([[ix.mean_price_usd_per_t[m, t] for t in ix.years] for m in minerals])
    share_rules = [r for r in ix.policy if r.rule == "max_country_share"]
    stock_rules = [r for r in ix.policy if r.rule == "min_stock_days"]

    coords_s = {"s": np.arange(n_s), "t": years}
    coords_m = {"m": minerals, "t": years}
    model = linopy.Model()
    buy = model.add_variables(
        lower=0,
        upper=xr.DataArray(available, coords=coords_s),
        mask=xr.DataArray(exists, coords=coords_s),
        name="buy",
    )
    stock = model.add_variables(lower=0, coords=coords_m, name="stock")
    inject = model.add_variables(lower=0, coords=coords_m, name="inject")
    draw = model.add_variables(lower=0, coords=coords_m, name="draw")
    unmet = model.add_variables(lower=0, upper=xr.DataArray(demand, coords=coords_m), name="unmet")

    mineral_of_s = xr.DataArray(
        np.array(minerals)[row_mineral], coords={"s": np.arange(n_s)}, name="m"
    )
    refined_buy = buy.where(xr.DataArray(refined, coords={"s": np.arange(n_s)}))
    refined_by_mineral = refined_buy.groupby(mineral_of_s).sum()

    model.add_constraints(
        stock - stock.shift(t=1).fillna(0) - inject + draw == 0, name="stock_flow"
    )
    model.add_constraints(
        refined_by_mineral + draw + unmet - inject == xr.DataArray(demand, coords=coords_m),
        name="balance",
    )

    # share rules: R[m,t] = sourced refined supply; buy[s,t] <= v R[m(s),t] for foreign s
    if share_rules:
        value = np.full(n_t, np.nan)
        for rule in share_rules:
            chosen = (years >= rule.first_year) & (years <= rule.last_year)
            value[chosen] = rule.value
        share_years = years[~np.isnan(value)]
        sourced = model.add_variables(
            lower=0, coords={"m": minerals, "t": share_years}, name="sourced"
        )
        model.add_constraints(
            sourced - refined_by_mineral.sel(t=share_years) == 0, name="sourced_total"
        )
        foreign = refined & np.array([c != ix.home for c in row_country])
        capped = np.flatnonzero(foreign)
        cap = xr.DataArray(value[~np.isnan(value)], coords={"t": share_years})
        r_of_row = sourced.sel(
            m=xr.DataArray(np.array(minerals)[row_mineral[capped]], coords={"s": capped})
        )
        model.add_constraints(
            buy.sel(s=capped, t=share_years) - cap * r_of_row <= 0, name="policy_share"
        )
    for rule in stock_rules:
        chosen = (years >= rule.first_year) & (years <= rule.last_year)
        floor = xr.DataArray(
            rule.value / 365 * demand[:, chosen], coords={"m": minerals, "t": years[chosen]}
        )
        model.add_constraints(stock.sel(t=years[chosen]) >= floor, name="policy_stock_days")

    risk_weight = data.settings.risk_weight
    musd = discount / USD_PER_MUSD
    buy_cost = (landed + risk_weight * price * risk[:, None]) * musd
    unmet_cost = (penalty[:, None] + risk_weight * mean_price * UNMET_RISK_SCORE) * musd
    model.add_objective(
        (xr.DataArray(buy_cost, coords=coords_s) * buy).sum()
        + (xr.DataArray(holding * musd, coords=coords_m) * stock).sum()
        + (
            STOCK_RELEASE_USD_PER_T * xr.DataArray(np.tile(musd, (n_m, 1)), coords=coords_m) * draw
        ).sum()
        + (xr.DataArray(unmet_cost, coords=coords_m) * unmet).sum()
    )
    t1 = time.perf_counter()
    h = model.to_highspy()
    h.setOptionValue("output_flag", False)
    t2 = time.perf_counter()
    h.setOptionValue("time_limit", 600.0)
    h.run()
    t3 = time.perf_counter()
    return {
        "build": t1 - t0,
        "hand-over": t2 - t1,
        "highs": t3 - t2,
        "objective": h.getInfo().objective_function_value,
        "columns": h.getNumCol(),
        "rows": h.getNumRow(),
    }


# ---------------------------------------------------------------- report


def linopy_version() -> str:
    return metadata.version("linopy")


def highs_version() -> str:
    return metadata.version("highspy")


CONTENDERS: dict[str, Callable[[InputData], dict[str, float]]] = {
    "planner": lambda data: planner_pass(data, pyomo_constraints=False),
    "planner (Pyomo)": lambda data: planner_pass(data, pyomo_constraints=True),
    "linopy": linopy_pass,
}


def run(args: argparse.Namespace) -> list[str]:
    load_before = os.getloadavg()[0]
    size = bench_scale.Size(
        minerals=args.minerals,
        countries=args.countries,
        years=args.years,
        projects=0,
        technologies=0,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = bench_scale.write_instance(
            bench_scale.make_instance(size, args.seed), Path(tmp) / "peer.xlsx"
        )
        data = load_input(path)
    passes: dict[str, list[dict[str, float]]] = {name: [] for name in CONTENDERS}
    for contender in CONTENDERS.values():  # a warm-up pass: one-off imports are not timed
        contender(data)
    for _ in range(args.repeat):
        for name, contender in CONTENDERS.items():
            passes[name].append(contender(data))
    median = {
        name: {key: statistics.median(p[key] for p in runs) for key in runs[0]}
        for name, runs in passes.items()
    }
    reference = median["planner"]["objective"]
    for name, figures in median.items():
        if abs(figures["objective"] - reference) > AGREE_REL * max(1.0, abs(reference)):
            raise SystemExit(
                f"bench_peer: optima disagree: planner {reference!r}, {name} "
                f"{figures['objective']!r}"
            )
    lines = [
        f"instance: {size.minerals} minerals, {size.countries} countries, {size.years} years, "
        f"seed {args.seed}; median of {args.repeat} passes",
        "",
        f"{'contender':<16} {'columns':>8} {'rows':>8} {'build s':>8} {'hand-over s':>11} "
        f"{'build+hand-over s':>17} {'HiGHS s':>8} {'objective MUSD':>16}",
    ]
    for name, f in median.items():
        lines.append(
            f"{name:<16} {f['columns']:>8,.0f} {f['rows']:>8,.0f} {f['build']:>8.3f} "
            f"{f['hand-over']:>11.3f} {f['build'] + f['hand-over']:>17.3f} {f['highs']:>8.3f} "
            f"{f['objective']:>16,.3f}"
        )
    mine, peer = median["planner"], median["linopy"]
    ratio = (mine["build"] + mine["hand-over"]) / (peer["build"] + peer["hand-over"])
    lines += [
        "",
        f"code: {bench_scale.code_version()}; linopy {linopy_version()}, HiGHS {highs_version()}",
        f"machine: CPython {platform.python_version()}, {os.cpu_count()} CPUs, 1-min load "
        f"average {load_before:.2f} before / {os.getloadavg()[0]:.2f} after",
        f"optima agree to {AGREE_REL:g} relative",
        f"outside-HiGHS ratio planner/linopy: {ratio:.2f}",
    ]
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minerals", type=int, default=150)
    parser.add_argument("--countries", type=int, default=25)
    parser.add_argument("--years", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    for line in run(parse_args(argv)):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
