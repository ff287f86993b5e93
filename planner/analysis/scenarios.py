"""Named scenarios: sets of overrides in the sweep KEY syntax, read from a `Scenarios` sheet.

The sheet has one row per override: scenario (its name), parameter (a sweep key such as
`Supply[country=China,mineral=graphite].available_t` or `Settings.risk_weight`), operation (set
or scale), value, and an optional note. Rows with the same scenario name make one scenario.
`baseline` is reserved: it is the workbook as it is. Every problem of the sheet is listed at
once, by cell, like any other input problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from models.data import InputData
from planner.analysis import params
from planner.analysis.sweep import Change, apply_changes
from planner.io.problems import InputError, Problem
from planner.io.workbook import read_optional_sheet

SHEET = "Scenarios"
BASELINE = "baseline"
COLUMNS = ("scenario", "parameter", "operation", "value")


@dataclass
class Scenario:
    """A named set of overrides (none for the baseline)."""

    name: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def apply(self, base: InputData) -> InputData:
        """A copy of `base` with the overrides made."""
        return apply_changes(base, self.changes)

    def describe(self) -> str:
        if not self.changes:
            return "the workbook as it is"
        parts = [f"{k} {'x' if op == 'scale' else '='} {v:g}" for k, op, v in self.changes]
        return "; ".join(parts)


def read_scenarios(path: str | Path, data: InputData) -> dict[str, Scenario]:
    """The workbook's named scenarios, the baseline first (only the baseline if the workbook
    has no Scenarios sheet). Raises InputError listing every problem of the sheet."""
    scenarios = {BASELINE: Scenario(BASELINE)}
    frame = read_optional_sheet(path, SHEET)
    if frame is None:
        return scenarios
    problems: list[Problem] = []
    columns = {str(c).strip().lower(): c for c in frame.columns}
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise InputError([Problem(SHEET, "", f"missing column(s) {', '.join(missing)}")])
    letter = {name: _letter(i) for i, name in enumerate(columns)}
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        rec = dict(zip(columns, row, strict=True))
        name = _text(rec["scenario"])
        if not name and not _text(rec["parameter"]):
            continue  # a blank row
        if not name:
            cell = f"{letter['scenario']}{i}"
            problems.append(Problem(SHEET, cell, "the row needs a scenario name"))
            continue
        if name.lower() == BASELINE:
            cell = f"{letter['scenario']}{i}"
            problems.append(Problem(SHEET, cell, "'baseline' is the workbook as it is"))
            continue
        change = _change(rec, data, i, letter, problems)
        scenario = scenarios.setdefault(name, Scenario(name))
        if change is not None:
            scenario.changes.append(change)
        note = _text(rec.get("note"))
        if note:
            scenario.notes.append(note)
    if problems:
        raise InputError(problems)
    return scenarios


def _change(
    rec: dict, data: InputData, row: int, letter: dict[str, str], problems: list[Problem]
) -> Change | None:
    key, operation = _text(rec["parameter"]), _text(rec["operation"]).lower()
    if operation not in ("set", "scale"):
        what = f"operation {operation!r}: use set or scale"
        problems.append(Problem(SHEET, f"{letter['operation']}{row}", what))
        return None
    try:
        param = params.parse_key(key)
        params.check(data, param)
    except params.ParameterError as exc:
        problems.append(Problem(SHEET, f"{letter['parameter']}{row}", str(exc)))
        return None
    value = rec["value"]
    text_setting = param.table == "settings" and param.column in params.TEXT_SETTINGS
    if not text_setting:
        try:
            value = float(value)
        except (TypeError, ValueError):
            what = f"value {value!r}: a number is needed"
            problems.append(Problem(SHEET, f"{letter['value']}{row}", what))
            return None
    problem = params.value_problem(data, param, operation, value)
    if problem:
        problems.append(Problem(SHEET, f"{letter['value']}{row}", problem))
        return None
    return (key, operation, value)


def pick(scenarios: dict[str, Scenario], wanted: str) -> list[Scenario]:
    """`all`, or comma-separated names (case-insensitive), the baseline always first."""
    by_lower = {name.lower(): s for name, s in scenarios.items()}
    if wanted.strip().lower() == "all":
        return list(scenarios.values())
    chosen = [scenarios[BASELINE]]
    unknown = []
    for name in (n.strip() for n in wanted.split(",") if n.strip()):
        found = by_lower.get(name.lower())
        if found is None:
            unknown.append(name)
        elif found not in chosen:
            chosen.append(found)
    if unknown:
        known = ", ".join(n for n in scenarios if n != BASELINE) or "none"
        raise KeyError(f"no scenario named {', '.join(unknown)} (the workbook has: {known})")
    return chosen


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
