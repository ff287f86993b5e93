"""HiGHS's own peak memory on a scale preset's model, without the planner around it.

The preset's workbook is generated (as bench_scale.py does), read, built and handed to HiGHS;
the model is written to an MPS file; then, for each --threads setting, a fresh process reads
that file into HiGHS and solves it at the preset's gap, and prints its peak RSS (the whole
process: Python, highspy and HiGHS) and the solve time. This is the floor under the planner's
own peak RSS at that size, whatever the planner holds. The model is written by a process of
its own: Linux keeps a process's peak RSS across fork and exec, so a solving process started
from the one that built the model would report the builder's peak.

    python benchmarks/highs_memory.py --preset large --threads 0,1

threads 0 is HiGHS's default (on a 2-core machine HiGHS 1.16 runs its MIP search with two
workers). On 2026-12-04 (benchmarks/README.md): large, 639,272 columns, peaked at 3,035 MiB
with threads 0 and 2,478 MiB with threads 1.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
from pathlib import Path

import bench_scale  # beside this script

# the child: read the MPS file, solve it, print peak RSS and seconds
SOLVE = """
import resource, sys, time, highspy
h = highspy.Highs()
h.setOptionValue("output_flag", False)
h.readModel(sys.argv[1])
read_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
h.setOptionValue("mip_rel_gap", float(sys.argv[2]))
h.setOptionValue("threads", int(sys.argv[3]))
start = time.perf_counter()
h.run()
seconds = time.perf_counter() - start
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
status = h.modelStatusToString(h.getModelStatus())
print(f"{read_mib:.0f} {peak_mib:.0f} {seconds:.1f} {status}")
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(bench_scale.PRESETS), default="large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", default="0,1", help="comma-separated HiGHS thread counts")
    parser.add_argument("--write-mps", metavar="FOLDER", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def write_mps(size: bench_scale.Size, seed: int, folder: Path) -> None:
    """Write the preset's model as folder/model.mps and print its number of columns (run in
    a process of its own: see the module docstring)."""
    from models.build import build_matrix_model
    from models.index import build_index
    from planner.io.validate import load_input
    from planner.solve.highs import HighsModel

    workbook = bench_scale.write_instance(
        bench_scale.make_instance(size, seed), folder / "instance.xlsx"
    )
    data = load_input(workbook)
    gc.disable()  # as the planner builds: no cycles worth a scan
    handed_over = HighsModel(build_matrix_model(data, build_index(data)))
    gc.enable()
    handed_over.highs.writeModel(str(folder / "model.mps"))
    print(handed_over.num_columns)


def _last_line(command: list[str]) -> list[str]:
    """The words of the last line `command` prints (after highspy's banner)."""
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()[-1].split()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    size = bench_scale.PRESETS[args.preset]
    if args.write_mps:
        write_mps(size, args.seed, Path(args.write_mps))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        mps = Path(folder) / "model.mps"
        writer = [sys.executable, __file__, "--preset", args.preset, "--seed", str(args.seed)]
        columns = int(_last_line([*writer, "--write-mps", folder])[0])
        print(f"{args.preset} (seed {args.seed}): {columns:,} columns, mip_gap {size.mip_gap}")
        print("threads  RSS after reading MiB  peak RSS MiB  solve s  status")
        for threads in (int(t) for t in args.threads.split(",")):
            solve = [sys.executable, "-c", SOLVE, str(mps), str(size.mip_gap), str(threads)]
            read_mib, peak_mib, seconds, *status = _last_line(solve)
            print(f"{threads:7d}  {read_mib:>21}  {peak_mib:>12}  {seconds:>7}  {' '.join(status)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
