"""Tornado chart of the India case: which inputs move the discounted total cost most?

Each input is moved on its own to a low and a high value (by default x0.8 and x1.2; the risk
weight, 0 in the base case, is set to 0 and 0.1), every other input at its base value. All
points, the base included, are one sweep through planner.api.sweep, so the model is built once
and re-solved in place. Printed: a table of the cost (and risk) change versus the base at each
end, largest swing first. Saved: a horizontal bar chart (PNG).

The solver stops within `mip_gap` of the optimum, so two plans whose costs differ by less than
about mip_gap x the objective may be noise; the chart shades that band. The default gap here
(1e-4) is tighter than the workbook's 1e-3 for that reason.

    python examples/tornado.py                          # examples/output/tornado.png
    python examples/tornado.py --spread 0.1 --workers 2 --mip-gap 0.001
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from planner.analysis.sweep import Point
from planner.api import load_input, sweep

HERE = Path(__file__).resolve().parent
INPUT = HERE.parent / "inputs" / "india_2040.xlsx"
OUTPUT = HERE / "output" / "tornado.png"


@dataclass(frozen=True)
class Input:
    """One bar of the tornado: a parameter key and the values at its two ends."""

    label: str
    key: str
    operation: str  # "scale" (values are factors) or "set"
    low: float | None = None  # None: 1 - spread (scale only)
    high: float | None = None  # None: 1 + spread

    def ends(self, spread: float) -> tuple[float, float]:
        low = 1 - spread if self.low is None else self.low
        high = 1 + spread if self.high is None else self.high
        return low, high

    def describe(self, value: float) -> str:
        return f"x{value:g}" if self.operation == "scale" else f"{value:g}"


INPUTS = (
    Input("Lithium demand (all years)", "Demand[mineral=lithium]", "scale"),
    Input(
        "China refined graphite available",
        "Supply[country=China,mineral=graphite,form=refined].available_t",
        "scale",
    ),
    Input(
        "Cobalt price, DR Congo (concentrate)",
        "Supply[country=DR Congo,mineral=cobalt].price_usd_per_t",
        "scale",
    ),
    Input(
        "Cobalt price, China (refined)",
        "Supply[country=China,mineral=cobalt,form=refined].price_usd_per_t",
        "scale",
    ),
    Input("PSU investment budget", "Budgets[funding=PSU_investment].limit_inr_crore", "scale"),
    Input("Recycling scheme outlay", "Budgets[funding=recycling_scheme].limit_inr_crore", "scale"),
    Input("Risk weight (base 0)", "Settings.risk_weight", "set", 0.0, 0.1),
)


def tornado_points(spread: float, inputs: tuple[Input, ...] = INPUTS) -> list[Point]:
    """The base (no change) first, then each input at its low and its high end."""
    points = [Point(0, ())]
    for item in inputs:
        for value in item.ends(spread):
            points.append(Point(len(points), ((item.key, item.operation, value),)))
    return points


def tornado_table(
    results: pd.DataFrame, spread: float, inputs: tuple[Input, ...] = INPUTS
) -> pd.DataFrame:
    """One row per input: values and cost/risk change at each end, largest swing first."""
    base = results.iloc[0]
    rows = []
    for i, item in enumerate(inputs):
        low_value, high_value = item.ends(spread)
        low, high = results.iloc[1 + 2 * i], results.iloc[2 + 2 * i]
        rows.append(
            {
                "input": item.label,
                "low": item.describe(low_value),
                "high": item.describe(high_value),
                "cost_low_musd": low["total_cost_discounted_musd"],
                "cost_high_musd": high["total_cost_discounted_musd"],
                "d_cost_low_musd": low["total_cost_discounted_musd"]
                - base["total_cost_discounted_musd"],
                "d_cost_high_musd": high["total_cost_discounted_musd"]
                - base["total_cost_discounted_musd"],
                "d_risk_low_musd": low["risk_exposure_discounted_musd"]
                - base["risk_exposure_discounted_musd"],
                "d_risk_high_musd": high["risk_exposure_discounted_musd"]
                - base["risk_exposure_discounted_musd"],
                "status": f"{low['status']}/{high['status']}",
            }
        )
    table = pd.DataFrame(rows)
    swing = table[["d_cost_low_musd", "d_cost_high_musd"]].abs().max(axis=1)
    return table.assign(swing_musd=swing).sort_values("swing_musd", ascending=False)


def draw(
    table: pd.DataFrame,
    base_cost: float,
    noise: float,
    path: Path,
    spread: float,
    title: str = "India 2040: one input at a time",
) -> None:
    """Horizontal bars of the cost change at each end; the solver-tolerance band shaded."""
    order = table.iloc[::-1]  # matplotlib draws the first bar at the bottom
    y = range(len(order))
    fig, ax = plt.subplots(figsize=(10, 0.75 * len(order) + 1.8))
    ax.axvspan(-noise, noise, color="0.88", zorder=0, label=f"solver tolerance (±{noise:,.0f})")
    # the two ends side by side, so that both show when they move the cost the same way
    for column, shift, colour, label in (
        ("d_cost_low_musd", 0.18, "#4C72B0", "low end"),
        ("d_cost_high_musd", -0.18, "#DD8452", "high end"),
    ):
        ys = [yi + shift for yi in y]
        ax.barh(ys, order[column], height=0.34, color=colour, label=label, zorder=2)
        for yi, value in zip(ys, order[column], strict=True):
            ax.annotate(
                f"{value:+,.0f}",
                (value, yi),
                xytext=(4 if value >= 0 else -4, 0),
                textcoords="offset points",
                ha="left" if value >= 0 else "right",
                va="center",
                fontsize=8,
            )
    ax.axvline(0, color="black", linewidth=0.8, zorder=3)
    labels = [f"{r.input}\n({r.low} / {r.high})" for r in order.itertuples()]
    ax.set_yticks(list(y), labels, fontsize=9)
    lo, hi = ax.get_xlim()
    pad = 0.15 * (hi - lo)
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_xlabel("change in discounted total cost vs base (MUSD)")
    ax.set_title(
        f"{title} (±{spread:.0%} unless shown); base cost {base_cost:,.0f} MUSD",
        fontsize=11,
    )
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", linestyle=":", zorder=1)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, default=INPUT, help="input workbook [India case]")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT, help="PNG to write")
    parser.add_argument("--spread", type=float, default=0.2, help="low/high factor 1 ∓ spread")
    parser.add_argument("--mip-gap", type=float, default=1e-4, help="relative MIP gap [1e-4]")
    parser.add_argument("--workers", type=int, default=1, help="worker processes [1]")
    args = parser.parse_args(argv)

    data = load_input(args.input)
    data.settings.mip_gap = args.mip_gap
    points = tornado_points(args.spread)
    print(f"{args.input.name}: {len(points)} points (base + {len(INPUTS)} inputs x 2)", flush=True)
    results = sweep(data, points, workers=args.workers)
    bad = results[results["status"] != "optimal"]
    if len(bad):
        print("not optimal:\n" + bad[["index", "status", "error"]].to_string(index=False))
    base = results.iloc[0]
    base_cost = float(base["total_cost_discounted_musd"])
    noise = args.mip_gap * abs(float(base["objective_musd"]))
    table = tornado_table(results, args.spread)

    print(
        f"base: discounted cost {base_cost:,.0f} MUSD, risk "
        f"{base['risk_exposure_discounted_musd']:,.0f} MUSD, status {base['status']}, "
        f"gap {base['gap']:.3%}; changes under about {noise:,.0f} MUSD are within solver "
        f"tolerance (mip_gap {args.mip_gap:g})"
    )
    shown = table.rename(
        columns={
            "cost_low_musd": "cost low",
            "cost_high_musd": "cost high",
            "d_cost_low_musd": "Δcost low",
            "d_cost_high_musd": "Δcost high",
            "d_risk_low_musd": "Δrisk low",
            "d_risk_high_musd": "Δrisk high",
            "swing_musd": "swing",
        }
    )
    with pd.option_context("display.width", 200, "display.float_format", "{:,.0f}".format):
        print(shown.to_string(index=False))
    draw(table, base_cost, noise, args.output, args.spread)
    print(f"chart: {args.output}")
    return 0


if __name__ == "__main__":  # with --workers > 1 the worker processes are spawned
    sys.exit(main())
