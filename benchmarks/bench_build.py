"""Build and hand-over time of one workbook: the two phases the risk-basis model adds to.

    python benchmarks/bench_build.py inputs/india_2040.xlsx --repeat 5
    python benchmarks/bench_build.py WORKBOOK --concentration-weight 0.1
    python benchmarks/bench_build.py WORKBOOK --pyomo     # Pyomo constraints + Pyomo's compiler

Each pass runs in a fresh Python process (later builds in one process pay for the memory the
earlier ones left behind, which made medians of in-process repeats swing by 2x), and the
median, min and max seconds of build (index + the matrix model the pipeline builds, or with
--pyomo the Pyomo model) and hand-over (the rows compiled to a matrix, or Pyomo's standard-form
compile, + passModel) over --repeat passes are printed with the model's size. Run it against an
older checkout with PYTHONPATH=OLD_CHECKOUT to compare (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def one_pass(workbook: Path, weight: float | None, pyomo: bool) -> dict:
    from models.build import build_matrix_model, build_model
    from models.index import build_index
    from planner.io.validate import load_input
    from planner.solve.highs import HighsModel

    data = load_input(workbook)
    if weight is not None:
        data.settings.concentration_weight = weight
    t0 = time.perf_counter()
    model = (build_model if pyomo else build_matrix_model)(data, build_index(data))
    t1 = time.perf_counter()
    hm = HighsModel(model)
    t2 = time.perf_counter()
    return {
        "build": t1 - t0,
        "handover": t2 - t1,
        "variables": hm.num_columns,
        "rows": hm.num_rows,
        "nonzeros": hm.nonzeros(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--concentration-weight", type=float, default=None)
    parser.add_argument("--pyomo", action="store_true", help="build Pyomo constraints")
    parser.add_argument("--one-pass", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_pass:
        print(json.dumps(one_pass(args.workbook, args.concentration_weight, args.pyomo)))
        return
    command = [sys.executable, __file__, str(args.workbook), "--one-pass"]
    if args.concentration_weight is not None:
        command += ["--concentration-weight", str(args.concentration_weight)]
    if args.pyomo:
        command.append("--pyomo")
    runs = [
        json.loads(
            subprocess.run(
                command, check=True, capture_output=True, text=True, env=os.environ
            ).stdout
        )
        for _ in range(args.repeat)
    ]
    first = runs[0]
    print(
        f"{args.workbook.name}: {first['variables']} variables, {first['rows']} rows, "
        f"{first['nonzeros']} nonzeros"
    )
    for name in ("build", "handover"):
        times = [r[name] for r in runs]
        print(
            f"{name:9s} median {statistics.median(times):.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"
        )
    both = [r["build"] + r["handover"] for r in runs]
    print(f"{'both':9s} median {statistics.median(both):.3f} s")


if __name__ == "__main__":
    main()
