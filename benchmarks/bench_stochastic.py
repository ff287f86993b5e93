"""Stochastic-mode benchmark: the India case against 10, 50, 200 and 500 disruption scenarios.

Scenarios are generated (seeded, the same every run): each is one event on a foreign supply
route of the India workbook, drawn at random among the routes, with a first year uniform in
2026-2038, a length of 1-4 years, a supply cut of 30-100% and a price shock of 0-50%. The
scenarios share a total probability of 0.5 equally (the undisrupted case keeps 0.5). The
India workbook's own Disruptions sheet is replaced, and its concentration weight set to 0 (the
stochastic model does not carry the concentration term; `planner solve --stochastic` does the
same).

Each run calls planner.solve.dispatch.solve (the whole stochastic pipeline: the deterministic
plan, the stochastic model, duals, the deterministic plan valued under the scenarios, the report)
and prints the model size and the seconds of each phase.

    python benchmarks/bench_stochastic.py                       # 10, 50, 200 and 500 scenarios
    python benchmarks/bench_stochastic.py --scenarios 10 --cvar-weight 0.5
    python benchmarks/bench_stochastic.py --time-limit 300 --mip-gap 0.005

See benchmarks/README_stochastic.md for measured figures.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from planner.api import load_input, solve

ROOT = Path(__file__).resolve().parent.parent
INPUT = ROOT / "inputs" / "india_2040.xlsx"
TOTAL_PROBABILITY = 0.5


def generated_disruptions(data, count: int, seed: int = 0) -> pd.DataFrame:
    """`count` one-event scenarios on the workbook's foreign supply routes."""
    rng = np.random.default_rng(seed)
    home = data.settings.home_country
    routes = data.supply[data.supply["country"] != home][["country", "mineral", "form"]]
    routes = routes.drop_duplicates().reset_index(drop=True)
    rows = []
    for i in range(count):
        country, mineral, form = routes.iloc[int(rng.integers(len(routes)))]
        first = int(rng.integers(2026, 2039))
        rows.append(
            {
                "scenario": f"s{i + 1:03d} {country} {mineral}",
                "probability": TOTAL_PROBABILITY / count,
                "country": country,
                "mineral": mineral,
                "form": form,
                "first_year": first,
                "last_year": min(first + int(rng.integers(0, 4)), data.settings.last_year),
                "supply_cut_pct": float(rng.uniform(30, 100)),
                "price_shock_pct": float(rng.uniform(0, 50)),
            }
        )
    return pd.DataFrame(rows)


def run(count: int, args) -> dict:
    data = load_input(INPUT)
    data.disruptions = generated_disruptions(data, count, args.seed)
    data.settings.mode = "stochastic"
    # the stochastic model has no concentration term (planner solve --stochastic drops it too)
    data.settings.concentration_weight = 0.0
    data.settings.concentration_cap_musd = None
    data.settings.cvar_weight = args.cvar_weight
    data.settings.cvar_alpha = args.cvar_alpha
    t0 = time.perf_counter()
    plan = solve(data, mip_gap=args.mip_gap, time_limit_s=args.time_limit)
    wall = time.perf_counter() - t0
    s = plan.summary
    vss = s["value_of_stochastic_solution_musd"]
    vss_at_most = s["value_of_stochastic_solution_at_most_musd"]
    return {
        "scenarios": count,
        "history_nodes": s["history_nodes"],
        "variables": s["variables"],
        "integer_variables": s["integer_variables"],
        "constraints": s["constraints"],
        "status": s["status"],
        "gap_pct": None if s["gap"] is None else round(100 * s["gap"], 4),
        "objective_musd": round(s["stochastic_objective_musd"], 1),
        "bound_musd": None if s["best_bound_musd"] is None else round(s["best_bound_musd"], 1),
        "deterministic_plan_s": s["deterministic_plan_s"],
        "build_s": s["build_s"],
        "handover_s": s["handover_s"],
        "highs_s": s["solve_time_s"],
        "dual_lp_s": s["dual_solve_s"],
        "vss_solve_s": s["vss_solve_s"],
        "wall_s": round(wall, 2),
        "vss_musd": None if vss is None else round(vss, 1),
        "vss_at_most_musd": None if vss_at_most is None else round(vss_at_most, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default="10,50,200,500", help="comma-separated counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mip-gap", type=float, default=0.001)
    parser.add_argument("--time-limit", type=float, default=600.0, help="per HiGHS solve")
    parser.add_argument("--cvar-weight", type=float, default=0.0)
    parser.add_argument("--cvar-alpha", type=float, default=0.9)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_version()}; input {INPUT.name}")
    print(
        f"mip_gap {args.mip_gap}, time limit {args.time_limit:g} s per solve, cvar_weight "
        f"{args.cvar_weight}, seed {args.seed}"
    )
    rows = []
    for count in (int(c) for c in args.scenarios.split(",")):
        rows.append(run(count, args))
        print(pd.DataFrame([rows[-1]]).to_string(index=False), flush=True)
    print()
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
