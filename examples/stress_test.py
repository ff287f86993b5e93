"""Stress-test the deterministic plan of a workbook, then plan against its disruptions.

    .venv/bin/python examples/stress_test.py                        # the India 2040 case
    .venv/bin/python examples/stress_test.py WORKBOOK --mip-gap 0.0005

Uses the workbook's Disruptions sheet. Steps, through the Python API:
1. solve the deterministic plan (Settings mode forced to deterministic);
2. stress it: its investments and stock build-up held, every scenario re-optimised
   (`planner.stress.stress_test`), and print shortfall and extra cost per scenario;
3. solve the stochastic plan (mode = stochastic) and print what it buys that the deterministic
   plan does not, the expected cost and the value of the stochastic solution;
4. stress the stochastic plan the same way, to compare the two side by side.

Writes examples/output/<name>_stress.xlsx (the deterministic plan's stress test) and
<name>_stochastic_plan.xlsx.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from planner.analysis.stress import stress_test
from planner.api import load_input, solve, write_plan
from planner.export.stress import write_stress
from planner.solve.first_stage import from_tables

HERE = Path(__file__).resolve().parent
INDIA = HERE.parent / "inputs" / "india_2040.xlsx"


def first_stage(plan):
    return from_tables(plan.projects, plan.processing, plan.stock)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", nargs="?", default=INDIA, type=Path)
    parser.add_argument("--mip-gap", type=float, default=None)
    args = parser.parse_args()
    out = HERE / "output"

    data = load_input(args.workbook)
    if data.disruptions.empty:
        raise SystemExit(f"{args.workbook} has no Disruptions scenarios")
    data.settings.mode = "deterministic"
    deterministic = solve(data, mip_gap=args.mip_gap)
    stressed = stress_test(data, first_stage(deterministic))
    path = write_stress(stressed, out / f"{args.workbook.stem}_stress.xlsx")

    stochastic_data = data.copy()
    stochastic_data.settings.mode = "stochastic"
    stochastic = solve(stochastic_data, mip_gap=args.mip_gap)
    plan_path = write_plan(stochastic, out / f"{args.workbook.stem}_stochastic_plan.xlsx")
    resilient = stress_test(data, first_stage(stochastic))

    columns = ["shortfall_t", "extra_cost_discounted_musd", "stock_drawn_t"]
    both = pd.concat(
        {
            "deterministic plan": stressed.scenarios.set_index("scenario")[columns],
            "stochastic plan": resilient.scenarios.set_index("scenario")[columns],
        },
        axis=1,
    )
    print("Stress test (shortfall t, extra cost discounted MUSD, stock drawn t):")
    print(both.to_string(float_format=lambda v: f"{v:,.1f}"))
    s = stochastic.summary
    print(
        f"\nstochastic plan: expected cost {s['expected_cost_discounted_musd']:,.1f} MUSD, "
        f"CVaR {s['cvar_of_scenario_objective_musd']:,.1f} MUSD, value of the stochastic "
        f"solution {s['value_of_stochastic_solution_musd']:,.2f} MUSD (gap {s['gap']:.3%})"
    )
    versus = stochastic.extra["VersusDeterministic"]
    print("\nfirst-stage decisions that differ from the deterministic plan:")
    print(
        versus.to_string(index=False, float_format=lambda v: f"{v:,.2f}") if len(versus) else "none"
    )
    for note in stochastic.notes:
        print(f"note: {note}")
    print(f"\nwrote {path} and {plan_path}")


if __name__ == "__main__":
    main()
