"""Monte Carlo of battery-mineral prices for the India case: how uncertain are cost and risk?

Each sample multiplies every lithium, cobalt and nickel Supply price (all origins and forms:
a price shock moves concentrate and refined together) by its own random factor, drawn from a
lognormal with median 1 (numpy's lognormal(0, sigma)); the three draws are independent and
seeded, so a run is repeatable. The samples are solved in one planner.api.sweep (one model
per worker, re-solved in place), together with the base case.

Printed: statuses; mean, P10, P50 and P90 of discounted total cost and discounted risk
exposure; how often each project is chosen (and whether the base plan chooses it). Saved: a
PNG with the two histograms.

    python examples/monte_carlo_prices.py                        # 50 samples, 2 workers
    python examples/monte_carlo_prices.py --samples 200 --seed 7 --workers 1
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd

from planner.analysis.sweep import Point
from planner.api import load_input, monte_carlo, sweep

HERE = Path(__file__).resolve().parent
INPUT = HERE.parent / "inputs" / "india_2040.xlsx"
OUTPUT = HERE / "output" / "monte_carlo_prices.png"
# mineral -> sigma of log(factor): about ±25% (1 sd) for lithium, 20% cobalt, 15% nickel
SIGMAS = {"lithium": 0.25, "cobalt": 0.20, "nickel": 0.15}


def price_key(mineral: str) -> str:
    return f"Supply[mineral={mineral}].price_usd_per_t"


def design(samples: int, seed: int, sigmas: dict[str, float]) -> list[Point]:
    """The base case (index 0, no change), then `samples` seeded draws."""
    draws = monte_carlo(
        [(price_key(m), "scale", f"lognormal(0, {s})") for m, s in sigmas.items()], samples, seed
    )
    return [Point(0, ())] + [Point(p.index + 1, p.changes) for p in draws]


def chosen_projects(text: object) -> list[str]:
    """'drc_cobalt 36% (2027); cil_chile_li 18% (2026)' -> ['drc_cobalt', 'cil_chile_li']."""
    if not isinstance(text, str) or not text.strip():
        return []
    return [part.strip().split(" ")[0] for part in text.split(";") if part.strip()]


def summarise(values: pd.Series) -> dict[str, float]:
    return {
        "mean": values.mean(),
        "sd": values.std(),
        "P10": values.quantile(0.10),
        "P50": values.quantile(0.50),
        "P90": values.quantile(0.90),
        "min": values.min(),
        "max": values.max(),
    }


def draw(samples: pd.DataFrame, base: pd.Series, path: Path, seed: int) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, column, title in (
        (axes[0], "total_cost_discounted_musd", "discounted total cost"),
        (axes[1], "risk_exposure_discounted_musd", "discounted risk exposure"),
    ):
        values = samples[column].astype(float)
        ax.hist(values, bins=min(20, max(5, len(values) // 3)), color="#4C72B0", alpha=0.85)
        p10, p50, p90 = values.quantile([0.1, 0.5, 0.9])
        ax.axvline(base[column], color="black", linewidth=1.5, label=f"base {base[column]:,.0f}")
        ax.axvline(p50, color="#DD8452", linestyle="--", label=f"P50 {p50:,.0f}")
        for q, name in ((p10, "P10"), (p90, "P90")):
            ax.axvline(q, color="#DD8452", linestyle=":", label=f"{name} {q:,.0f}")
        ax.set_title(f"{title} (MUSD)", fontsize=11)
        ax.set_xlabel("MUSD")
        ax.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        ax.set_ylabel("samples")
        ax.legend(fontsize=8)
    fig.suptitle(
        f"India 2040: {len(samples)} seeded price samples (seed {seed}); lognormal factors "
        + ", ".join(f"{m} σ={s:g}" for m, s in SIGMAS.items()),
        fontsize=11,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, default=INPUT, help="input workbook [India case]")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT, help="PNG to write")
    parser.add_argument("--samples", type=int, default=50, help="price samples [50]")
    parser.add_argument("--seed", type=int, default=0, help="random seed [0]")
    parser.add_argument(
        "--workers", type=int, default=min(2, os.cpu_count() or 1), help="worker processes [2]"
    )
    parser.add_argument("--mip-gap", type=float, default=None, help="[the workbook's, 1e-3]")
    parser.add_argument("--csv", type=Path, default=None, help="also write every sample here")
    args = parser.parse_args(argv)

    data = load_input(args.input)
    if args.mip_gap is not None:
        data.settings.mip_gap = args.mip_gap
    points = design(args.samples, args.seed, SIGMAS)
    print(
        f"{args.input.name}: base + {args.samples} samples (seed {args.seed}), "
        f"{args.workers} worker(s)",
        flush=True,
    )
    t0 = time.perf_counter()
    results = sweep(data, points, workers=args.workers)
    wall = time.perf_counter() - t0
    if args.csv:
        results.to_csv(args.csv, index=False)
    base, samples = results.iloc[0], results.iloc[1:]
    print(f"solved in {wall:.0f} s; statuses {samples['status'].value_counts().to_dict()}")
    ok = samples[samples["status"] == "optimal"]

    factors = pd.DataFrame(
        {
            m: ok[f"{price_key(m)} (x)"].astype(float).describe(percentiles=[0.1, 0.5, 0.9])
            for m in SIGMAS
        }
    ).loc[["mean", "min", "10%", "50%", "90%", "max"]]
    print("\nprice factors drawn:")
    print(factors.round(3).to_string())

    stats = pd.DataFrame(
        {
            "discounted cost": summarise(ok["total_cost_discounted_musd"].astype(float)),
            "discounted risk": summarise(ok["risk_exposure_discounted_musd"].astype(float)),
        }
    ).T
    stats.insert(
        0, "base", [base["total_cost_discounted_musd"], base["risk_exposure_discounted_musd"]]
    )
    print(f"\nMUSD over {len(ok)} optimal samples (mip_gap {data.settings.mip_gap:g}):")
    with pd.option_context("display.float_format", "{:,.0f}".format, "display.width", 200):
        print(stats.to_string())

    in_base = set(chosen_projects(base.get("projects")))
    counts: dict[str, int] = {}
    for text in ok["projects"]:
        for name in chosen_projects(text):
            counts[name] = counts.get(name, 0) + 1
    for name in in_base:
        counts.setdefault(name, 0)
    frequency = pd.DataFrame(
        {
            "project": list(counts),
            "chosen_in": [counts[n] for n in counts],
            "share": [counts[n] / max(len(ok), 1) for n in counts],
            "in_base_plan": ["yes" if n in in_base else "no" for n in counts],
        }
    ).sort_values(["share", "project"], ascending=[False, True])
    print(f"\nprojects chosen (of {len(ok)} samples):")
    print(frequency.to_string(index=False, formatters={"share": "{:.0%}".format}))

    factors_drawn = np.column_stack([ok[f"{price_key(m)} (x)"].astype(float) for m in SIGMAS])
    cost = ok["total_cost_discounted_musd"].astype(float).to_numpy()
    corr = [np.corrcoef(factors_drawn[:, j], cost)[0, 1] for j in range(len(SIGMAS))]
    design_matrix = np.column_stack([np.ones(len(cost)), factors_drawn])
    slopes = np.linalg.lstsq(design_matrix, cost, rcond=None)[0][1:]
    print(
        "\neach price factor vs discounted cost: correlation "
        + ", ".join(f"{m} {c:+.2f}" for m, c in zip(SIGMAS, corr, strict=True))
        + "; least-squares MUSD per +10% "
        + ", ".join(f"{m} {0.1 * b:+,.0f}" for m, b in zip(SIGMAS, slopes, strict=True))
    )
    draw(ok, base, args.output, args.seed)
    print(f"chart: {args.output}")
    return 0


if __name__ == "__main__":  # worker processes are spawned: they re-import this module
    sys.exit(main())
