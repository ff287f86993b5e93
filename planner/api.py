"""The planner's Python API: the same operations as the command line, on plain objects.

from planner.api import load_input, solve, write_plan
data = load_input("inputs/india_2040.xlsx")
data.settings.risk_weight = 0.5
plan = solve(data)
plan.risk  # a pandas DataFrame
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from models.data import InputData, Settings
from planner.analysis import params
from planner.analysis.runner import run_points
from planner.analysis.stress import StressResult, stress_test
from planner.analysis.sweep import (
    Point,
    SweepDesign,
    fill_baseline,
    grid,
    monte_carlo,
    with_baseline,
    zipped,
)
from planner.export.plan import open_plan, read_plan_summary, read_plan_tables
from planner.io.problems import InputError, Problem
from planner.io.validate import load_input
from planner.results.plan import Plan
from planner.solve.deterministic import program_version
from planner.solve.dispatch import SolveError, solve
from planner.solve.first_stage import FirstStage, from_tables


def default_plan_path(input_path: str | Path) -> Path:
    """INPUT.xlsx -> INPUT_plan.xlsx beside it."""
    path = Path(input_path)
    return path.with_name(f"{path.stem}_plan.xlsx")


def write_plan(plan: Plan, path: str | Path, all_charts: bool = False) -> Path:
    """Export a plan workbook atomically; the Chart sheet charts every mineral with
    `all_charts`, else at most the 50 with the largest sourcing cost."""
    from planner.export.plan import write_plan as _write

    return _write(plan, path, all_charts=all_charts)


def sweep(
    data: InputData,
    design: SweepDesign | list[Point],
    workers: int = 1,
    checkpoint: str | Path | None = None,
    dask_address: str | None = None,
    on_result=None,
    baseline: bool = True,
) -> pd.DataFrame:
    """Solve every point of a sweep; one row per point with its parameters and KPIs.

    With `baseline` (the default) the workbook as it is comes first, as point 0 (unless a
    point already makes no change), so that every sweep shows what it varies from.

    Each worker builds the model once and re-solves it in place. With `checkpoint`, finished
    points are appended there as they complete, and a rerun skips them. In a script, run
    sweeps with workers > 1 under `if __name__ == "__main__":` (worker processes are spawned).
    """
    points = design.points() if isinstance(design, SweepDesign) else list(design)
    check_points(data, points)
    if baseline:
        points = with_baseline(points)
    frame = run_points(
        data,
        points,
        workers=workers,
        checkpoint=checkpoint,
        dask_address=dask_address,
        on_result=on_result,
    )
    return fill_baseline(frame, data, points)


SHOWN_PER_KEY = 5  # refused values listed per parameter (a Monte Carlo draw may refuse many)


def check_points(data: InputData, points: list[Point]) -> None:
    """Raise ParameterError listing every parameter key that names nothing in `data` and
    every value the workbook's checks would refuse."""
    problems = []
    usable = {}
    for key, operation in dict.fromkeys((k, op) for p in points for k, op, _ in p.changes):
        try:
            param = params.parse_key(key)
            params.check(data, param)
            if operation not in ("set", "scale"):
                raise params.ParameterError(f"{key!r}: operation {operation!r}; use set or scale")
            usable[key] = param
        except params.ParameterError as exc:
            problems.append(str(exc))
    # every value is checked as the workbook's cell would be (a NaN or a share above 1 is
    # refused here, not left to end as a solver status)
    refused: dict[str, list[str]] = {}
    for key, operation, value in dict.fromkeys(c for p in points for c in p.changes):
        if key in usable:
            problem = params.value_problem(data, usable[key], operation, value)
            if problem:
                refused.setdefault(key, []).append(problem)
    for found in refused.values():
        problems += found[:SHOWN_PER_KEY]
        if len(found) > SHOWN_PER_KEY:
            problems.append(f"... and {len(found) - SHOWN_PER_KEY:,} more values of that key")
    if problems:
        raise params.ParameterError("\n".join(problems))


def solve_file(input_path: str | Path, output_path: str | Path | None = None, **options) -> Plan:
    """Load, solve and export in one call; returns the Plan."""
    plan = solve(load_input(input_path), **options)
    write_plan(plan, output_path or default_plan_path(input_path))
    return plan


def frontier(
    data: InputData, points: int = 10, on_step=None, measure: str = "exposure"
) -> pd.DataFrame:
    """The cost-versus-risk Pareto frontier by the epsilon-constraint method (one row per
    non-dominated point, sorted by risk), risk being the `measure`: exposure or
    concentration; see planner/analysis/frontier.py for the method."""
    from planner.analysis.frontier import frontier as _frontier

    return _frontier(data, points, on_step=on_step, measure=measure)


def write_frontier(frame: pd.DataFrame, path: str | Path, png_path: str | Path | None = None):
    """Write the Frontier workbook (with Notes) and a PNG chart (default: path with .png)."""
    from planner.export.frontier import write_frontier as _write

    return _write(frame, path, png_path)


def first_stage_from_plan_file(path: str | Path) -> tuple[FirstStage, dict]:
    """The first stage and the Summary of an exported plan workbook."""
    workbook = open_plan(path)  # loaded once for both reads
    tables = read_plan_tables(workbook)
    summary, _ = read_plan_summary(workbook)
    return from_tables(tables["projects"], tables["processing"], tables["stock"]), summary


def stress_plan_file(
    plan_path: str | Path, data: InputData, progress: Callable[[str], None] | None = None
) -> StressResult:
    """Stress-test an exported plan against the scenarios of `data` (a loaded workbook)."""
    first, plan_summary = first_stage_from_plan_file(plan_path)
    result = stress_test(data, first, progress)
    sha = plan_summary.get("input_sha256")
    head = {
        "plan_file": Path(plan_path).name,
        "plan_input_file": plan_summary.get("input_file", ""),
        "scenarios_file": Path(data.source_file).name if data.source_file else "",
        "scenarios_sha256": data.source_sha256,
    }
    result.summary = (
        head | result.summary | {"program": f"critical-minerals-planner {program_version()}"}
    )
    if sha and data.source_sha256 and sha != data.source_sha256:
        result.notes.append(
            f"The plan was solved from {plan_summary.get('input_file', 'another workbook')} "
            f"(sha256 {str(sha)[:12]}...), not from this scenarios workbook: the data of the "
            "scenarios workbook are used for every scenario, the undisrupted case included."
        )
    return result


__all__ = [
    "InputData",
    "InputError",
    "Plan",
    "Problem",
    "Settings",
    "SolveError",
    "check_points",
    "default_plan_path",
    "frontier",
    "grid",
    "load_input",
    "monte_carlo",
    "solve",
    "solve_file",
    "stress_plan_file",
    "sweep",
    "write_frontier",
    "write_plan",
    "zipped",
]
