"""Where the planner's memory goes before HiGHS solves: RSS after each step, and what freeing
each part of the model gives back.

The preset's workbook is generated (as bench_scale.py does), read, indexed, built and handed to
HiGHS, printing the process's resident size (RSS, now) and peak after each step; then the
parts the process holds are freed one at a time, in this order (each with a full garbage
collection and glibc's malloc_trim, so that freed memory goes back to the system), printing
the RSS after each:

    the instance's row handles (HighsModel.rows_of, rows), the row blocks (every Row and its
    terms), the objective's terms, the risk terms by mineral and year, the supply terms, the
    variable families (key -> column dicts), the index (ModelIndex), HiGHS's copy of the model,
    the input data

    python benchmarks/memory_phases.py --preset large

Figures on 2026-12-04 (large: 639,272 columns, 544,221 rows, 2,073,030 nonzeros; commit
84c03f9): RSS 221 MiB after load_input, 515 after build_index, 1,241 after
build_matrix_model, 1,575 after the hand-over (1,450 after a collection and trim). Freed in
turn: row handles -139 MiB, row blocks -224, objective terms -72, risk terms by mineral and
year -96, supply terms -193, variable families -38, the index (ModelIndex: per purchase key
its price, landed cost and availability) -209, HiGHS's copy of the model -69, input data -8
(parts share term tuples, so each figure depends on the order); 402 MiB stay (the
libraries, and arenas the piecemeal freeing left part-used). Before 23ad6f4 the instance also
held a dict of every column (about 38 MiB; now a numpy lookup). HiGHS's MIP solve of this
model adds about 2.6 GiB with its default threads (about 2.2 GiB with one): the process's
peak is what it holds when the solve starts plus that, which is why a one-shot solve now
releases the model for the solve (planner/solve/deterministic.py; bench_scale.py: 344 MiB
held when the solve starts, peak 2,959 MiB, against about 1,580 and 4,224 at 5dc4180).
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import bench_scale  # beside this script


def give_back() -> None:
    """A full collection, then glibc's malloc_trim (nothing elsewhere)."""
    from planner.solve.deterministic import give_back_memory

    gc.collect()
    give_back_memory()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(bench_scale.PRESETS), default="large")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    from models.build import build_matrix_model
    from models.index import build_index
    from models.registry import Model, blocks_of
    from planner.io.validate import load_input
    from planner.solve.highs import HighsModel

    def say(label: str) -> None:
        rss, peak = bench_scale.rss_now_mib(), bench_scale.peak_rss_mib()
        print(f"{label:48} RSS {rss:7.0f} MiB   peak {peak:7.0f} MiB", flush=True)

    size = bench_scale.PRESETS[args.preset]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "instance.xlsx"
        bench_scale.write_instance(bench_scale.make_instance(size, args.seed), path)
        give_back()
        say("workbook written")
        data = load_input(path)
    give_back()
    say("load_input")
    gc.disable()  # as the planner builds
    ix = build_index(data)
    say("build_index")
    model = build_matrix_model(data, ix)
    say("build_matrix_model")
    hm = HighsModel(model)
    say("hand-over (HighsModel)")
    give_back()
    say("  after a collection and malloc_trim")
    print(
        f"model: {hm.num_columns:,} columns, {hm.num_rows:,} rows, {hm.nonzeros():,} nonzeros",
        flush=True,
    )

    def drop_row_blocks() -> None:
        for block in blocks_of(Model.DETERMINISTIC):
            setattr(model, block.name, None)

    def drop_families() -> None:
        for family in model.column_space.families:
            setattr(model, family.name, None)

    def drop_index() -> None:
        nonlocal ix
        model.ix = ix = None

    def drop_highs() -> None:
        hm.highs = None

    def drop_data() -> None:
        nonlocal data
        data = None

    steps: list[tuple[str, Callable[[], None]]] = [
        ("freed: row handles (rows_of, rows)", lambda: hm.release() if not hm.released else None),
        ("freed: row blocks (Rows and their terms)", drop_row_blocks),
        ("freed: objective terms", lambda: setattr(model, "objective_terms", None)),
        ("freed: risk terms by mineral and year", lambda: setattr(model, "risk_groups", None)),
        ("freed: supply terms", lambda: setattr(model, "terms", None)),
        ("freed: variable families (key -> column)", drop_families),
        ("freed: index (ModelIndex)", drop_index),
        ("freed: HiGHS's copy of the model", drop_highs),
        ("freed: input data", drop_data),
    ]
    for label, step in steps:
        step()
        give_back()
        say(label)
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
