"""The risk figures of inputs/README.md, rerun from the repository root:

    .venv/bin/python inputs/risk_figures.py

Prints: the base plan's 2040 risk measures on both bases; the plan at concentration weights
0.1 and 0.3; the cost-exposure frontier (6 points); the sweep of China's graphite
availability (1.0, 0.9, ..., 0.5). Every solve uses the workbook's settings (mip_gap 0,
mip_abs_gap_musd 5) unless a line says otherwise. Takes several minutes on 2 cores.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from planner.api import grid, load_input, solve, sweep
from planner.frontier import frontier

INDIA = Path(__file__).resolve().parent / "india_2040.xlsx"
COLUMNS = [
    "hhi",
    "concern_share",
    "self_sufficiency",
    "hhi_mine",
    "concern_share_mine",
    "self_sufficiency_mine",
    "concentration_musd",
]


def headline(label: str, plan, seconds: float) -> None:
    s = plan.summary
    print(
        f"{label}: {s['status']}, {s['objective_musd'] - s['best_bound_musd']:.2f} MUSD from the "
        f"bound, cost {s['total_cost_discounted_musd']:,.1f}, exposure "
        f"{s['risk_exposure_discounted_musd']:,.1f}, concentration "
        f"{s['concentration_discounted_musd']:,.1f} MUSD, unmet {s['total_shortfall_t']:,.0f} t,"
        f" {seconds:.1f} s"
    )


def main() -> None:
    pd.set_option("display.width", 160)
    base = load_input(INDIA)
    t0 = time.perf_counter()
    plan = solve(base)
    headline("base", plan, time.perf_counter() - t0)
    risk = plan.risk[plan.risk["year"] == 2040].set_index("mineral")[COLUMNS]
    print(risk.round(3).to_string())
    mined = plan.mine_origin[plan.mine_origin["year"] == 2040]
    graphite = mined[mined["mineral"] == "graphite"]
    print(graphite[["mine_country", "refining_country", "tonnes_t", "share"]].round(3).to_string())

    for weight in (0.1, 0.3):
        data = base.copy()
        data.settings.concentration_weight = weight
        t0 = time.perf_counter()
        priced = solve(data, time_limit_s=600)
        headline(f"concentration_weight {weight}", priced, time.perf_counter() - t0)
        s = priced.summary
        print(
            f"  cut error {s['concentration_approximation_error_pct']:.4f}%, "
            f"{s['concentration_cuts']} cuts, {s['concentration_cut_rounds']} rounds"
        )
        r = priced.risk[priced.risk["year"] == 2040].set_index("mineral")
        print(r[["hhi_mine", "concern_share_mine", "concentration_musd"]].round(3).T.to_string())
        print("  projects:", "; ".join(priced.projects["project"]))

    t0 = time.perf_counter()
    front = frontier(base, points=6)
    print(f"exposure frontier, {time.perf_counter() - t0:.0f} s")
    cols = [
        "point",
        "risk_cap_musd",
        "risk_exposure_discounted_musd",
        "total_cost_discounted_musd",
        "concentration_discounted_musd",
        "total_shortfall_t",
        "status",
    ]
    print(front[cols].round(1).to_string(index=False))

    t0 = time.perf_counter()
    key = "Supply[country=China,mineral=graphite].available_t"
    table = sweep(base, grid((key, "scale", [1.0, 0.9, 0.8, 0.7, 0.6, 0.5])), workers=2)
    print(f"China graphite sweep, {time.perf_counter() - t0:.0f} s")
    cols = [
        c
        for c in table.columns
        if c.startswith(("scale", key))
        or c
        in (
            "status",
            "total_cost_discounted_musd",
            "gap",
            "concern_share_mine_2040_graphite",
            "hhi_mine_2040_graphite",
            "concentration_discounted_musd",
        )
    ]
    print(table[cols].to_string(index=False))


if __name__ == "__main__":
    main()
