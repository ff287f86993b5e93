"""The planner's Python API: the same operations as the command line, on plain objects.

from planner.api import load_input, solve, write_plan
data = load_input("inputs/india_2040.xlsx")
data.settings.risk_weight = 0.5
plan = solve(data)
plan.risk  # a pandas DataFrame
"""

from __future__ import annotations

from pathlib import Path

from planner.data import InputData, Settings
from planner.plan import Plan
from planner.problems import InputError, Problem
from planner.solve import SolveError, solve
from planner.validate import load_input


def default_plan_path(input_path: str | Path) -> Path:
    """INPUT.xlsx -> INPUT_plan.xlsx beside it."""
    path = Path(input_path)
    return path.with_name(f"{path.stem}_plan.xlsx")


def write_plan(plan: Plan, path: str | Path) -> Path:
    """Export a plan workbook atomically."""
    from planner.export import write_plan as _write

    return _write(plan, path)


def solve_file(input_path: str | Path, output_path: str | Path | None = None, **options) -> Plan:
    """Load, solve and export in one call; returns the Plan."""
    plan = solve(load_input(input_path), **options)
    write_plan(plan, output_path or default_plan_path(input_path))
    return plan


__all__ = [
    "InputData",
    "InputError",
    "Plan",
    "Problem",
    "Settings",
    "SolveError",
    "default_plan_path",
    "load_input",
    "solve",
    "solve_file",
    "write_plan",
]
