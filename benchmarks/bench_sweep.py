"""Sweep benchmark: a 200-point grid of the India case, run with 1 and with 2 worker processes.

The grid (8 x 5 x 5 = 200 points):

    Settings.risk_weight                                             set   0 .. 0.3, 8 steps
    Demand[mineral=lithium]                                          scale 0.8 .. 1.2, 5 steps
    Supply[country=China,mineral=graphite,form=refined].available_t  scale 0 .. 1, 5 steps

Each run goes through planner.runner.run_points (what `planner sweep` and planner.api.sweep
use), with its own fresh checkpoint. Printed per run: points, statuses, wall time, mean HiGHS
time per point (KPI `solve_time_s`, the MIP solve only), mean `update_s` (pushing a point's
changes into the built model), and the overhead ratio

    (wall x workers) / (sum of HiGHS solve times)      issue 4 aims at 1.5 or less

and, across runs, the speed-up of each run over the first.

    python benchmarks/bench_sweep.py                        # 200 points, 1 and 2 workers
    python benchmarks/bench_sweep.py --points 20 --workers 2
    python benchmarks/bench_sweep.py --profile 20           # cProfile a 20-point 1-worker run

See benchmarks/README_sweep.md for measured figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from planner.analysis.runner import run_points
from planner.analysis.sweep import Point
from planner.api import check_points, grid, load_input

ROOT = Path(__file__).resolve().parent.parent
INPUT = ROOT / "inputs" / "india_2040.xlsx"
RISK = "Settings.risk_weight"
LITHIUM = "Demand[mineral=lithium]"
GRAPHITE = "Supply[country=China,mineral=graphite,form=refined].available_t"


def design_points(count: int | None) -> list[Point]:
    """The 200-point grid, or `count` points spread evenly over it (same points every time)."""
    points = grid(
        (RISK, "set", [float(v) for v in np.linspace(0.0, 0.3, 8)]),
        (LITHIUM, "scale", [float(v) for v in np.linspace(0.8, 1.2, 5)]),
        (GRAPHITE, "scale", [float(v) for v in np.linspace(0.0, 1.0, 5)]),
    ).points()
    if count is None or count >= len(points):
        return points
    picks = np.unique(np.linspace(0, len(points) - 1, count).round().astype(int))
    return [points[i] for i in picks]


def run_once(data, points: list[Point], workers: int, checkpoint: Path) -> dict:
    """Run the points with `workers` processes from an empty checkpoint; time it."""
    checkpoint.unlink(missing_ok=True)  # a benchmark times every point: never resume
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    first: list[float] = []

    def on_result(_record: dict) -> None:
        if not first:
            first.append(time.perf_counter() - t0)

    frame = run_points(data, points, workers=workers, checkpoint=checkpoint, on_result=on_result)
    wall = time.perf_counter() - t0
    cpu = _cpu_seconds() - cpu0  # worker processes count once they are joined (pool closed)
    solve = pd.to_numeric(frame.get("solve_time_s"), errors="coerce")
    update = pd.to_numeric(frame.get("update_s"), errors="coerce")
    statuses = frame["status"].value_counts().to_dict()
    # a plan whose cost + w x risk + c x concentration is not HiGHS's objective is the warm
    # start handed back unchanged (seen with HiGHS 1.16): count them, they also make their
    # solve look cheap. (Until session 12 the concentration term was left out, and every
    # point of the India case, which prices it, was counted.)
    weight = frame[RISK].astype(float) if RISK in frame else data.settings.risk_weight
    concentration = pd.to_numeric(
        frame.get("concentration_discounted_musd", pd.Series(0.0, index=frame.index)),
        errors="coerce",
    ).fillna(0.0)
    implied = (
        frame["total_cost_discounted_musd"]
        + weight * frame["risk_exposure_discounted_musd"]
        + data.settings.concentration_weight * concentration
    )
    mismatch = (frame["objective_musd"] - implied).abs() > 1e-6 * implied.abs() + 0.01
    return {
        "workers": workers,
        "points": len(frame),
        "statuses": statuses,
        "wall_s": wall,
        "first_result_s": first[0] if first else float("nan"),
        "wall_per_point_s": wall / max(len(frame), 1),
        "cpu_s": cpu,
        # CPU seconds our processes got per second of wall per core we asked for: well under
        # 1 means other load on the machine (or idle workers) slowed the run down
        "cpu_share": cpu / (wall * min(workers, os.cpu_count() or 1)),
        "highs_sum_s": float(solve.sum()),
        "highs_mean_s": float(solve.mean()),
        "highs_median_s": float(solve.median()),
        "highs_max_s": float(solve.max()),
        "update_mean_s": float(update.mean()),
        "stale_plans": int(mismatch.sum()),
        "overhead_ratio": wall * workers / float(solve.sum()) if solve.sum() > 0 else float("nan"),
        "frame": frame,
    }


def _cpu_seconds() -> float:
    """User + system CPU of this process and its joined children."""
    own = os.times()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.user + own.system + children.ru_utime + children.ru_stime


def profile_sequential(data, points: list[Point], top: int) -> None:
    """cProfile a 1-worker run (in this process) and print the hot spots outside HiGHS."""
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    frame = run_points(data, points, workers=1)
    profiler.disable()
    wall = time.perf_counter() - t0
    n = len(points)
    highs = float(pd.to_numeric(frame["solve_time_s"], errors="coerce").sum())
    print(
        f"\nprofile: {n} points in {wall:.1f} s, HiGHS MIP {highs:.1f} s, "
        f"ratio {wall / highs:.2f} (profiling slows Python down)"
    )
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        rows.append((filename, line, name, calls, tottime, cumtime))
    table = pd.DataFrame(rows, columns=["file", "line", "function", "calls", "tottime", "cumtime"])
    table["file"] = table["file"].map(_short)
    for column in ("tottime", "cumtime"):
        table[f"{column}_per_point"] = table[column] / n
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        for column, title in (("cumtime", "cumulative"), ("tottime", "own time")):
            print(f"\ntop {top} by {title} (seconds per point):")
            best = table.sort_values(column, ascending=False).head(top)
            print(
                best[["file", "function", "calls", f"{column}_per_point"]]
                .round(4)
                .to_string(index=False)
            )
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(40)
    full = Path(tempfile.gettempdir(), "bench_sweep.pstats.txt")
    full.write_text(buffer.getvalue())
    print(f"\nfull listing (40 rows by cumulative time): {full}")


def _short(filename: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def machine() -> str:
    import pyomo.version

    from planner.solve.deterministic import highs_version

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Pyomo {pyomo.version.version}, HiGHS {highs_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, default=INPUT, help="input workbook [India case]")
    parser.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2")
    parser.add_argument("--points", type=int, default=None, help="subsample N grid points")
    parser.add_argument(
        "--checkpoint-dir",
        type=Path,
        default=None,
        help="keep the checkpoints here (emptied per run) [a temporary folder, removed]",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="instead of timing, cProfile an N-point 1-worker run",
    )
    parser.add_argument("--top", type=int, default=25, help="rows of the profile to print")
    args = parser.parse_args(argv)

    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    t0 = time.perf_counter()
    data = load_input(args.input)
    load_s = time.perf_counter() - t0
    points = design_points(args.profile or args.points)
    check_points(data, points)
    print(f"{args.input.name}: {len(points)} points, loaded in {load_s:.2f} s; {machine()}")

    if args.profile:
        profile_sequential(data, points, args.top)
        return 0

    folder = args.checkpoint_dir or Path(tempfile.mkdtemp(prefix="bench_sweep_"))
    folder.mkdir(parents=True, exist_ok=True)
    runs = []
    try:
        for n in workers:
            result = run_once(data, points, n, folder / f"bench_sweep_w{n}.jsonl")
            runs.append(result)
            print(
                f"workers {n}: {result['points']} points, wall {result['wall_s']:.1f} s "
                f"({result['wall_per_point_s']:.2f} s/point, first result after "
                f"{result['first_result_s']:.1f} s), HiGHS mean {result['highs_mean_s']:.2f} s "
                f"(median {result['highs_median_s']:.2f}, max {result['highs_max_s']:.2f}), "
                f"update mean {result['update_mean_s']:.3f} s, overhead ratio "
                f"{result['overhead_ratio']:.2f}, CPU {result['cpu_s']:.0f} s "
                f"(share {result['cpu_share']:.2f}), statuses {result['statuses']}, plans not "
                f"matching their objective {result['stale_plans']}",
                flush=True,
            )
    finally:
        if args.checkpoint_dir is None:
            shutil.rmtree(folder, ignore_errors=True)

    print()
    header = (
        f"{'workers':>7} {'points':>6} {'wall s':>8} {'s/point':>8} {'HiGHS mean s':>12} "
        f"{'HiGHS sum s':>11} {'update s':>8} {'overhead':>8} {'speed-up':>8} {'CPU share':>9}"
        "  statuses"
    )
    print(header)
    for r in runs:
        speedup = runs[0]["wall_s"] / r["wall_s"]
        r["speed_up_vs_first"] = speedup
        print(
            f"{r['workers']:>7} {r['points']:>6} {r['wall_s']:>8.1f} {r['wall_per_point_s']:>8.2f} "
            f"{r['highs_mean_s']:>12.2f} {r['highs_sum_s']:>11.1f} {r['update_mean_s']:>8.3f} "
            f"{r['overhead_ratio']:>8.2f} {speedup:>8.2f} {r['cpu_share']:>9.2f}  {r['statuses']}"
        )
    if len(runs) > 1:
        # warm starts depend on which points a worker solved before: plans may differ within gap
        a, b = (r["frame"].set_index("point_id") for r in runs[:2])
        diff = (a["objective_musd"] - b["objective_musd"].reindex(a.index)).abs()
        rel = diff / a["objective_musd"].abs()
        print(
            f"\nobjective, run {runs[0]['workers']} vs {runs[1]['workers']} workers: "
            f"max difference {diff.max():.1f} MUSD ({rel.max():.3%}); "
            f"{int((rel > 1e-9).sum())} of {len(rel)} points differ"
        )
    if args.json:
        figures = [{k: v for k, v in r.items() if k != "frame"} for r in runs]
        args.json.write_text(json.dumps({"machine": machine(), "runs": figures}, indent=2))
    return 0


if __name__ == "__main__":  # worker processes are spawned: they re-import this module
    sys.exit(main())
