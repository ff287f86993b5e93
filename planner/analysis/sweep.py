"""Sweep designs: grids, zipped lists and seeded Monte Carlo samples of parameter changes.

A point is a tuple of changes (key, operation, value); applying it to a copy of the base data
gives that point's input. Designs only list points; planner/analysis/runner.py solves them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.data import InputData
from planner.analysis import params
from planner.io.workbook import read_optional_sheet

Change = tuple[str, str, object]  # (parameter key, "set" | "scale", value)


@dataclass(frozen=True)
class Point:
    """One sweep point: its position in the design and the changes it makes."""

    index: int
    changes: tuple[Change, ...]

    @property
    def point_id(self) -> str:
        """Stable identity of the changes (independent of the point's position)."""
        text = json.dumps([list(c) for c in self.changes], sort_keys=True, default=str)
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    def columns(self) -> dict[str, object]:
        return {column_label(key, op): value for key, op, value in self.changes}


def column_label(key: str, operation: str) -> str:
    return f"{key} (x)" if operation == "scale" else key


def apply_point(base: InputData, point: Point) -> InputData:
    """A deep copy of `base` with the point's changes made."""
    return apply_changes(base, point.changes)


def apply_changes(base: InputData, changes) -> InputData:
    """A deep copy of `base` with (key, operation, value) changes made in order."""
    data = base.copy()
    for key, operation, value in changes:
        params.apply(data, params.parse_key(key), operation, value)
    return data


@dataclass
class Axis:
    """Parameters varied together: step i sets every parameter to its i-th value (a zip)."""

    changes: list[tuple[str, str, list]]  # (key, operation, values)

    def __post_init__(self):
        lengths = {len(values) for _, _, values in self.changes}
        if len(lengths) > 1:
            raise params.ParameterError(
                "zipped parameters need lists of the same length: "
                + ", ".join(f"{key} has {len(v)}" for key, _, v in self.changes)
            )

    def steps(self) -> list[tuple[Change, ...]]:
        n = len(self.changes[0][2]) if self.changes else 0
        return [tuple((key, op, values[i]) for key, op, values in self.changes) for i in range(n)]


@dataclass
class SweepDesign:
    """A grid over axes (every combination); an axis with several parameters is zipped."""

    axes: list[Axis] = field(default_factory=list)

    def points(self) -> list[Point]:
        steps = [axis.steps() for axis in self.axes]
        return [
            Point(i, tuple(change for step in combo for change in step))
            for i, combo in enumerate(itertools.product(*steps))
        ]


def with_baseline(points: list[Point]) -> list[Point]:
    """The points with the baseline (no change: the workbook as it is) first, added as point
    0 unless a point already makes no change: every sweep reports the plan it varies from."""
    if not points or any(not p.changes for p in points):
        return list(points)
    return [Point(0, ()), *(Point(p.index + 1, p.changes) for p in points)]


def fill_baseline(frame: pd.DataFrame, data: InputData, points: list[Point]) -> pd.DataFrame:
    """The baseline row's parameter columns as the workbook has them: 1 for a scale factor,
    the setting's value for a set setting (a set table column stays blank: its cells differ)."""
    baseline = [p.index for p in points if not p.changes]
    if not baseline or "index" not in frame.columns:
        return frame
    rows = frame["index"] == baseline[0]
    for point in points:
        for key, operation, _ in point.changes:
            column = column_label(key, operation)
            if column not in frame.columns or not frame.loc[rows, column].isna().all():
                continue
            param = params.parse_key(key)
            if operation == "scale":
                frame[column] = frame[column].astype(object)
                frame.loc[rows, column] = 1.0
            elif param.table == "settings":
                frame[column] = frame[column].astype(object)
                frame.loc[rows, column] = getattr(data.settings, param.column)
    return frame


def varied_columns(points: list[Point]) -> list[str]:
    """The parameter columns of a sweep's points, in the order they first appear."""
    return list(dict.fromkeys(c for p in points for c in p.columns()))


def grid(*changes: tuple[str, str, list]) -> SweepDesign:
    """Every combination of the given (key, operation, values)."""
    return SweepDesign([Axis([c]) for c in changes])


def zipped(*changes: tuple[str, str, list]) -> SweepDesign:
    """Step i takes the i-th value of every given (key, operation, values)."""
    return SweepDesign([Axis(list(changes))])


_DIST = re.compile(r"^\s*(?P<name>[a-z]+)\s*\((?P<args>[^)]*)\)\s*$")
DISTRIBUTIONS = {
    "normal": ("mean", "sd"),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("mean", "sigma"),
}


def parse_distribution(text: str) -> tuple[str, tuple[float, ...]]:
    """'normal(1, 0.1)' -> ('normal', (1.0, 0.1))."""
    match = _DIST.match(text)
    if not match or match["name"] not in DISTRIBUTIONS:
        raise params.ParameterError(
            f"{text!r}: distributions are "
            + ", ".join(f"{n}({', '.join(a)})" for n, a in DISTRIBUTIONS.items())
        )
    try:
        args = tuple(float(a) for a in match["args"].split(","))
    except ValueError:
        raise params.ParameterError(f"{text!r}: arguments must be numbers") from None
    if len(args) != len(DISTRIBUTIONS[match["name"]]):
        raise params.ParameterError(
            f"{text!r}: {match['name']} takes {', '.join(DISTRIBUTIONS[match['name']])}"
        )
    problem = _distribution_problem(match["name"], args)
    if problem:
        raise params.ParameterError(f"{text!r}: {problem}")
    return match["name"], args


def _distribution_problem(name: str, args: tuple[float, ...]) -> str | None:
    """Why these arguments define no distribution, or None."""
    if not all(np.isfinite(a) for a in args):
        return "arguments must be finite numbers"
    if name in ("normal", "lognormal") and args[1] < 0:
        return f"{DISTRIBUTIONS[name][1]} must be 0 or more"
    if name == "uniform" and args[0] > args[1]:
        return "low must not be above high"
    if name == "triangular" and not (args[0] <= args[1] <= args[2] and args[0] < args[2]):
        return "needs low <= mode <= high with low < high"
    return None


def monte_carlo(changes: list[tuple[str, str, str]], samples: int, seed: int = 0) -> list[Point]:
    """`samples` points; each (key, operation, distribution text) is drawn independently from
    a numpy Generator seeded with `seed`, so the same call gives the same points."""
    rng = np.random.default_rng(seed)
    draws = []
    for _, _, text in changes:
        name, args = parse_distribution(text)
        sample = getattr(rng, name)(*args, size=samples)
        draws.append(sample)
    return [
        Point(i, tuple((key, op, float(draws[j][i])) for j, (key, op, _) in enumerate(changes)))
        for i in range(samples)
    ]


def design_from_sheet(sheet: pd.DataFrame) -> SweepDesign:
    """A `Sweep` sheet: columns parameter, operation (set/scale), values ('0,0.3' or
    'A:B:N'), and optional group (rows sharing a group are zipped; others form a grid)."""
    frame = sheet.rename(columns=lambda c: str(c).strip().lower())
    missing = {"parameter", "operation", "values"} - set(frame.columns)
    if missing:
        raise params.ParameterError(f"Sweep sheet: missing column(s) {', '.join(sorted(missing))}")
    axes: dict[str, Axis] = {}
    for i, row in frame.iterrows():
        if pd.isna(row["parameter"]):
            continue
        where = f"Sweep!A{i + 2}"
        operation = str(row["operation"]).strip().lower()
        if operation not in ("set", "scale"):
            raise params.ParameterError(f"{where}: operation must be set or scale")
        key = str(row["parameter"]).strip()
        params.parse_key(key)
        values = params.parse_values(str(row["values"]))
        group = row.get("group")
        group = f"row{i}" if group is None or pd.isna(group) else str(group)
        axes.setdefault(group, Axis([])).changes.append((key, operation, values))
    for axis in axes.values():
        axis.__post_init__()
    return SweepDesign(list(axes.values()))


def read_sweep_sheet(path) -> SweepDesign | None:
    """The workbook's `Sweep` sheet as a design, or None if it has none."""
    sheet = read_optional_sheet(path, "Sweep")
    return None if sheet is None else design_from_sheet(sheet)


def split_assignment(text: str) -> tuple[str, str]:
    """'Demand[mineral=lithium]=0.8,1.2' -> ('Demand[mineral=lithium]', '0.8,1.2')."""
    close = text.rfind("]")
    cut = text.find("=", close + 1 if close >= 0 else 0)
    if cut < 0:
        raise params.ParameterError(f"{text!r}: write KEY=VALUES")
    return text[:cut].strip(), text[cut + 1 :].strip()
