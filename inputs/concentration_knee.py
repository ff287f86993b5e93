"""Choose the base case's concentration weight at the knee of the cost-concentration curve.

Each weight w in WEIGHTS is a solve of the India case minimising discounted cost + w x K
(K: the discounted concentration term on the mine basis, README.md "Risk"), at the workbook's
gap. The knee is the point farthest from the straight line between the two ends of the curve,
both axes scaled to 0..1 (beyond it each MUSD of concentration removed costs more and more).
Prints a Markdown table and the knee.

    .venv/bin/python inputs/concentration_knee.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from planner.api import load_input, solve  # noqa: E402

WEIGHTS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)


def knee(points: list[tuple[float, float, float]]) -> float:
    """The weight of the point farthest from the chord joining the ends (axes scaled 0..1)."""
    costs = [c for _, c, _ in points]
    ks = [k for _, _, k in points]
    c0, c1, k0, k1 = min(costs), max(costs), min(ks), max(ks)

    def scaled(c: float, k: float) -> tuple[float, float]:
        return (c - c0) / ((c1 - c0) or 1.0), (k - k0) / ((k1 - k0) or 1.0)

    (xa, ya), (xb, yb) = scaled(*points[0][1:]), scaled(*points[-1][1:])
    best, far = points[0][0], -1.0
    for w, c, k in points:
        x, y = scaled(c, k)
        distance = abs((yb - ya) * x - (xb - xa) * y + xb * ya - yb * xa)
        if distance > far:
            best, far = w, distance
    return best


def main() -> None:
    data = load_input(HERE / "india_2040.xlsx")
    print(
        "| w | discounted cost (MUSD) | vs w = 0 | discounted K (MUSD) | vs w = 0 | "
        "risk exposure (MUSD) | solve (s) |"
    )
    print("|---|---|---|---|---|---|---|")
    points = []
    for w in WEIGHTS:
        case = data.copy()
        case.settings.concentration_weight = w
        start = time.perf_counter()
        s = solve(case).summary
        cost, k = s["total_cost_discounted_musd"], s["concentration_discounted_musd"]
        points.append((w, cost, k))
        c0, k0 = points[0][1], points[0][2]
        print(
            f"| {w:g} | {cost:,.0f} | {cost - c0:+,.0f} | {k:,.0f} | {100 * (k / k0 - 1):+.0f}% "
            f"| {s['risk_exposure_discounted_musd']:,.0f} | {time.perf_counter() - start:.0f} |",
            flush=True,
        )
    print(
        f"\nknee: w = {knee(points):g} (solver tolerance {data.settings.mip_abs_gap_musd:g} MUSD)"
    )


if __name__ == "__main__":
    main()
