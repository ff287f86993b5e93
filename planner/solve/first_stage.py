"""A plan's first-stage decisions (investments and the stock build-up path), and fixing them.

The stress test and the value of the stochastic solution both re-optimise purchases,
throughput and stock draws with these decisions held: project stakes by build year, modules
built by technology and year, and stock injected by mineral and year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from models.index import ModelIndex
from planner.solve.highs import HighsModel


class PlanMismatch(Exception):
    """The plan names projects, technologies, minerals or years the workbook does not have."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class FirstStage:
    stakes: dict[tuple, float] = field(default_factory=dict)  # (project, build year)
    modules: dict[tuple, int] = field(default_factory=dict)  # (technology, build year)
    inject_t: dict[tuple, float] = field(default_factory=dict)  # (mineral, year)
    draw_t: dict[tuple, float] = field(default_factory=dict)  # (mineral, year): planned draws


def from_tables(projects: pd.DataFrame, processing: pd.DataFrame, stock: pd.DataFrame):
    """The first stage of a plan from its Projects, Processing and Stock tables."""
    first = FirstStage()
    for rec in projects.to_dict("records"):
        first.stakes[str(rec["project"]), int(rec["build_year"])] = float(rec["stake"])
    for rec in processing.to_dict("records"):
        n = round(float(rec["modules_built"] or 0))
        if n:
            first.modules[str(rec["technology"]), int(rec["year"])] = n
    for rec in stock.to_dict("records"):
        key = (str(rec["mineral"]), int(rec["year"]))
        if float(rec["injected_t"] or 0.0):
            first.inject_t[key] = float(rec["injected_t"])
        if float(rec["drawn_t"] or 0.0):
            first.draw_t[key] = float(rec["drawn_t"])
    return first


def _canonical(names, wanted: str) -> str | None:
    by_lower = {str(n).lower(): n for n in names}
    return by_lower.get(wanted.lower())


def check(first: FirstStage, ix: ModelIndex) -> FirstStage:
    """`first` with names spelled as in the workbook; PlanMismatch lists what does not fit."""
    problems: list[str] = []
    out = FirstStage()
    # (sheet, what, the plan's values, the checked values, names known, keys allowed)
    parts: tuple[tuple[str, str, dict, dict, Iterable[str], set | None], ...] = (
        ("Projects", "project", first.stakes, out.stakes, ix.project, set(ix.project_build)),
        (
            "Processing",
            "technology",
            first.modules,
            out.modules,
            ix.technology,
            set(ix.module_build),
        ),
        ("Stock", "mineral", first.inject_t, out.inject_t, ix.minerals, None),
        ("Stock", "mineral", first.draw_t, out.draw_t, ix.minerals, None),
    )
    for sheet, what, given, kept, names, allowed in parts:
        for (name, year), value in given.items():
            canonical = _canonical(names, name)
            if canonical is None:
                problems.append(f"plan {sheet}: {what} {name!r} is not in the workbook")
            elif (canonical, year) not in allowed if allowed is not None else year not in ix.years:
                problems.append(
                    f"plan {sheet}: {what} {name!r} in {year} does not fit the workbook (its "
                    "build years or horizon)"
                )
            else:
                kept[canonical, year] = value
    if problems:
        raise PlanMismatch(problems)
    return out


def fixed_bounds(variables, first: FirstStage, ix: ModelIndex | None = None) -> list[tuple]:
    """(var, value) for every first-stage variable: the plan's value, 0 where it has none.

    The stock path is first-stage: the planned draws (the stochastic model's draw_plan, or in
    a deterministic model of scenario data `ix` its draws before the mineral's first cut)."""
    out = []
    for key, var in variables.build.items():
        out.append((var, 1.0 if key in first.stakes else 0.0))
    for key, var in variables.stake.items():
        out.append((var, first.stakes.get(key, 0.0)))
    for key, var in variables.modules_built.items():
        out.append((var, float(first.modules.get(key, 0))))
    for key, var in variables.inject.items():
        out.append((var, first.inject_t.get(key, 0.0)))
    planned = getattr(variables, "draw_plan", None)
    if planned is not None:
        out += [(var, first.draw_t.get(key, 0.0)) for key, var in planned.items()]
    else:
        starts = ix.cut_start if ix is not None else {}
        for key, var in variables.draw.items():
            if key[1] < starts.get(key[0], key[1] + 1):
                out.append((var, first.draw_t.get(key, 0.0)))
    return out


def planned_level(first: FirstStage, ix: ModelIndex) -> dict[tuple, float]:
    """(mineral, year) -> the plan's stock level: cumulated injections minus draws."""
    level: dict[tuple, float] = {}
    for m in ix.minerals:
        total = 0.0
        for t in ix.years:
            total += first.inject_t.get((m, t), 0.0) - first.draw_t.get((m, t), 0.0)
            level[m, t] = total
    return level


def first_stage_of(hm: HighsModel, variables) -> FirstStage:
    """The first stage of the solution held in `hm`."""
    first = FirstStage()
    for key, var in variables.build.items():
        if hm.value_of(var) > 0.5:
            first.stakes[key] = hm.value_of(variables.stake[key])
    for key, var in variables.modules_built.items():
        n = round(hm.value_of(var))
        if n:
            first.modules[key] = n
    for key, var in variables.inject.items():
        q = hm.value_of(var)
        if q:
            first.inject_t[key] = q
    planned = getattr(variables, "draw_plan", variables.draw)
    for key, var in planned.items():
        q = hm.value_of(var)
        if q:
            first.draw_t[key] = q
    return first
