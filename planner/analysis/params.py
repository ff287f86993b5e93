"""Sweep parameters: name any input, then set it or scale it on a copy of the data.

A parameter key is either a setting, `Settings.risk_weight`, or a table selection,
`Table[col=value,...].column`: rows whose `col` equals `value` (names case-insensitive; every
condition must hold), and the numeric column to change. `Demand[...]` and `Scrap[...]` may omit
the column (their quantity, demand_t or scrap_t, is meant). Examples:

    Settings.risk_weight
    Demand[mineral=lithium]                       (every year and scenario of lithium demand)
    Demand[mineral=lithium,year=2040].demand_t
    Supply[country=China,mineral=graphite,form=refined].available_t
    Budgets[funding=PSU_investment].limit_inr_crore
    Policy[rule=max_country_share].value
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.data import InputData
from planner.io import schema
from planner.io.schema import SETTING_BY_NAME

TABLES = {
    "minerals": "minerals",
    "countries": "countries",
    "demand": "demand",
    "supply": "supply",
    "projects": "projects",
    "processing": "processing",
    "scrap": "scrap",
    "budgets": "budgets",
    "policy": "policy",
    "disruptions": "disruptions",
}
DEFAULT_COLUMN = {"demand": "demand_t", "scrap": "scrap_t"}
NUMERIC_SETTINGS = (
    "discount_rate",
    "inr_per_usd",
    "risk_weight",
    "cvar_alpha",
    "cvar_weight",
    "concentration_weight",
    "concentration_cap_musd",
    "mip_gap",
    "mip_abs_gap_musd",
    "time_limit_s",
)
TEXT_SETTINGS = ("demand_scenario", "mode", "concentration_basis")

_KEY = re.compile(
    r"^\s*(?P<table>[A-Za-z_]+)\s*(?:\[(?P<where>[^\]]*)\])?\s*(?:\.(?P<column>[A-Za-z_0-9]+))?\s*$"
)


class ParameterError(ValueError):
    """A parameter key or value the planner cannot use; the message says why."""


@dataclass(frozen=True)
class Parameter:
    """Where a sweep value goes: a setting, or a column on selected rows of a table."""

    key: str
    table: str  # "settings" or a table attribute of InputData
    column: str
    where: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return self.key


def parse_key(key: str) -> Parameter:
    """Parse `Settings.x` or `Table[col=value,...].column`."""
    match = _KEY.match(key)
    if not match:
        raise ParameterError(
            f"{key!r} is not a parameter; write Settings.name or Table[column=value,...].column"
        )
    table = match["table"].lower()
    column = (match["column"] or "").lower()
    if table == "settings":
        if match["where"] is not None or column not in NUMERIC_SETTINGS + TEXT_SETTINGS:
            raise ParameterError(
                f"{key!r}: settings that can be swept are "
                + ", ".join(NUMERIC_SETTINGS + TEXT_SETTINGS)
            )
        return Parameter(key.strip(), "settings", column)
    if table not in TABLES:
        raise ParameterError(
            f"{key!r}: unknown table {match['table']!r}; tables: Settings, "
            + ", ".join(t.capitalize() for t in TABLES)
        )
    column = column or DEFAULT_COLUMN.get(table, "")
    if not column:
        raise ParameterError(
            f"{key!r}: name the column to change, e.g. {match['table']}[...].price_usd_per_t"
        )
    where = []
    for part in (match["where"] or "").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ParameterError(f"{key!r}: selector {part.strip()!r} must be column=value")
        name, value = part.split("=", 1)
        where.append((name.strip().lower(), value.strip()))
    return Parameter(key.strip(), TABLES[table], column, tuple(where))


def _selected_rows(frame: pd.DataFrame, param: Parameter) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for name, value in param.where:
        if name not in frame.columns:
            raise ParameterError(f"{param.key!r}: {param.table} has no column {name!r}")
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column):
            try:
                mask &= column.astype(float) == float(value)
            except ValueError:
                raise ParameterError(f"{param.key!r}: {name} is numeric, not {value!r}") from None
        else:
            mask &= column.astype(str).str.strip().str.lower() == value.lower()
    return mask


def check(data: InputData, param: Parameter) -> None:
    """Raise ParameterError unless `param` names an existing numeric input with rows."""
    if param.table == "settings":
        return
    frame = getattr(data, param.table)
    if param.column not in frame.columns or not pd.api.types.is_numeric_dtype(frame[param.column]):
        raise ParameterError(f"{param.key!r}: {param.table} has no numeric column {param.column!r}")
    if not _selected_rows(frame, param).any():
        raise ParameterError(
            f"{param.key!r}: no {param.table} row matches "
            + ", ".join(f"{k}={v}" for k, v in param.where)
        )


def apply(data: InputData, param: Parameter, operation: str, value) -> None:
    """Change `data` in place: operation 'set' writes value, 'scale' multiplies by it."""
    if operation not in ("set", "scale"):
        raise ParameterError(f"operation {operation!r}: use set or scale")
    if param.table == "settings":
        s = data.settings
        if param.column in TEXT_SETTINGS:
            if operation == "scale":
                raise ParameterError(f"{param.key!r} is text; it can only be set")
            choices = SETTING_BY_NAME[param.column].choices
            if choices and str(value) not in choices:
                raise ParameterError(f"{param.key!r}: {value!r} is not one of {', '.join(choices)}")
            setattr(s, param.column, str(value))
            return
        current = getattr(s, param.column)
        if current is None and operation == "scale":
            raise ParameterError(f"{param.key!r} is blank in the workbook; it can only be set")
        setattr(s, param.column, float(value) * current if operation == "scale" else float(value))
        return
    frame = getattr(data, param.table)
    rows = _selected_rows(frame, param)
    column = frame[param.column].astype(float)
    column[rows] = column[rows] * float(value) if operation == "scale" else float(value)
    frame[param.column] = column


def parse_values(text: str, limit: int | None = None) -> list:
    """'0,0.3,1' -> [0, 0.3, 1]; 'A:B:N' -> N evenly spaced values from A to B; text stays.
    A range of more than `limit` values is refused before it is built."""
    text = text.strip()
    if ":" in text and "," not in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise ParameterError(f"{text!r}: a range is START:STOP:COUNT")
        try:
            start, stop, count = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise ParameterError(f"{text!r}: a range is START:STOP:COUNT (numbers)") from None
        if count < 1:
            raise ParameterError(f"{text!r}: COUNT must be at least 1")
        if limit is not None and count > limit:
            raise ParameterError(
                f"{text!r}: {count:,} values is more than the limit of {limit:,} points "
                "(--max-points raises it)"
            )
        return [float(v) for v in np.linspace(start, stop, count)]
    values: list[float | str] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            values.append(float(part))
        except ValueError:
            values.append(part)
    if not values:
        raise ParameterError(f"{text!r}: no values")
    return values


def _column_of(param: Parameter) -> schema.Column | None:
    """The contract's column behind a parameter (a milestone quantity for Demand and Scrap)."""
    if param.table == "settings":
        return SETTING_BY_NAME.get(param.column)
    if param.column in ("demand_t", "scrap_t"):
        return schema.Column(param.column, "number", "", "t/yr", min=0.0)
    sheet = schema.SHEET_BY_NAME.get(param.table)
    if sheet is None:
        return None
    return next((c for c in sheet.columns if c.name == param.column), None)


def value_problem(data: InputData, param: Parameter, operation: str, value) -> str | None:
    """Why a sweep value cannot be used, as a workbook cell's check would say, or None: it
    must be a finite number (text only for text settings), and the cells it produces must
    keep the column's range."""
    from planner.io.workbook import MAX_MAGNITUDE, _range_problem

    if param.table == "settings" and param.column in TEXT_SETTINGS:
        return None  # apply() checks the choices
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"{param.key}={value!r}: a number is needed"
    if not np.isfinite(number):
        return f"{param.key}={value!r}: a finite number is needed"
    col = _column_of(param)
    if col is None:
        return None
    if operation == "set":
        results = [number]
    elif param.table == "settings":
        current = getattr(data.settings, param.column)
        results = [] if current is None else [number * float(current)]
    else:
        frame = getattr(data, param.table)
        cells = frame.loc[_selected_rows(frame, param), param.column].astype(float)
        results = [number * float(cells.min()), number * float(cells.max())] if len(cells) else []
    for result in results:
        problem = _range_problem(col, result)
        if abs(result) > MAX_MAGNITUDE:
            problem = f"{col.name} would be {result:.3g}, beyond {MAX_MAGNITUDE:.0e} in size"
        if problem:
            how = "" if operation == "set" else f" (x{number:g} of the workbook's value)"
            return f"{param.key}={number:g}{how}: {problem}"
    return None
