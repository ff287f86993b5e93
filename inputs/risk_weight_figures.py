"""Risk weights and demand scenarios rerun at the workbook's 5 MUSD gap (inputs/README.md,
"Cost vs risk" and "Demand scenarios"), from the repository root:

    .venv/bin/python inputs/risk_weight_figures.py
"""

import time
from pathlib import Path

from planner.api import load_input, solve

base = load_input(Path(__file__).resolve().parent / "india_2040.xlsx")


def run(**settings):
    d = base.copy()
    for k, v in settings.items():
        setattr(d.settings, k, v)
    t = time.perf_counter()
    p = solve(d, time_limit_s=300)
    s = p.summary
    print(
        settings,
        s["status"],
        f"{s['objective_musd'] - s['best_bound_musd']:.2f}",
        f"cost {s['total_cost_discounted_musd']:,.1f}",
        f"risk {s['risk_exposure_discounted_musd']:,.1f}",
        f"K {s['concentration_discounted_musd']:,.1f}",
        f"unmet {s['total_shortfall_t']:,.0f}",
        f"projects {len(p.projects)}",
        f"{time.perf_counter() - t:.0f} s",
        flush=True,
    )
    parts = {k: round(v, 1) for k, v in s.items() if k.startswith("cost_")}
    print("   ", parts, flush=True)


if __name__ == "__main__":
    for w in (0.01, 0.1, 0.5, 1.0):
        run(risk_weight=w)
    for sc in ("pledges", "accelerated"):
        run(demand_scenario=sc)
    run()
