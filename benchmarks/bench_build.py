"""Build and hand-over time of one workbook: the two phases the risk-basis model adds to.

    python benchmarks/bench_build.py inputs/india_2040.xlsx --repeat 5
    python benchmarks/bench_build.py WORKBOOK --concentration-weight 0.1

Prints the model's size and the median (and min, max) seconds of build (index + Pyomo model)
and hand-over (standard-form compile + passModel) over --repeat passes. Run it against an
older checkout with PYTHONPATH=OLD_CHECKOUT to compare (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from models.build import build_model
from models.index import build_index
from planner.solver import HighsModel
from planner.validate import load_input


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--concentration-weight", type=float, default=None)
    args = parser.parse_args()
    data = load_input(args.workbook)
    if args.concentration_weight is not None:
        data.settings.concentration_weight = args.concentration_weight
    build, handover = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        model = build_model(data, build_index(data))
        t1 = time.perf_counter()
        hm = HighsModel(model)
        t2 = time.perf_counter()
        build.append(t1 - t0)
        handover.append(t2 - t1)
    h = hm.highs
    nonzeros = len(h.getLp().a_matrix_.value_)
    print(f"{args.workbook.name}: {h.getNumCol()} variables, {h.getNumRow()} rows, {nonzeros} nz")
    for name, times in (("build", build), ("hand-over", handover)):
        print(
            f"{name:10s} median {statistics.median(times):.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"
        )
    both = [a + b for a, b in zip(build, handover, strict=True)]
    print(f"{'both':10s} median {statistics.median(both):.3f} s")


if __name__ == "__main__":
    main()
