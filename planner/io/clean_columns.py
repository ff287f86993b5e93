"""A table sheet's records converted column by column, when every cell is clean.

Converting cell by cell (planner/io/workbook.py, `convert`) costs a few microseconds a cell:
a second for a workbook of half a million cells. Most sheets hold nothing a planner must be
told about, so each column is first converted whole: numbers checked with numpy for being
finite, whole where they must be, within their column's bounds; text stripped; yes/no and
choice cells looked up once per distinct value. At the first cell that is not plainly right
(blank where a value is required, text in a number column, a bool, a NaN, a figure out of
bounds, a word not in a list) this gives up and the sheet is read cell by cell, which words
every problem with its cell. Both ways give the same records (tests/test_reading.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from planner.io import schema

_NUMBER_TYPES = {int, float}
_TEXT_KINDS = ("text", "yesno", "choice")


def records_by_column(
    sheet: schema.Sheet,
    rows: Sequence[tuple],
    by_name: dict[str, int],
    year_columns: dict[int, int],
) -> tuple[list[dict[Any, Any]], list[int]] | None:
    """The records of the sheet's non-blank rows (`rows` are the rows below the header; the
    first is row 2) and their row numbers, as the cell by cell reading makes them; None when
    some cell is not plainly right. `by_name` gives each column's position, `year_columns`
    each milestone year's."""
    kept = [(r, row) for r, row in enumerate(rows, start=2) if not _blank_row(row)]
    body = [row for _, row in kept]
    keys: list[Any] = []
    columns: list[list[Any]] = []
    for col in sheet.columns:
        index = by_name.get(col.name)
        if index is None:  # a missing column: its default (a required one is reported apart)
            values: list[Any] | None = [col.default] * len(body)
        else:
            values = _converted(
                col, _cells(body, index), col.default, blank_allowed=not col.required
            )
        if values is None:
            return None
        keys.append(col.name)
        columns.append(values)
    unit = sheet.extra.get("year_unit", "")
    for year, index in year_columns.items():
        col = schema.Column(str(year), "number", "", unit, min=0.0)
        values = _converted(col, _cells(body, index), None, blank_allowed=True)
        if values is None:
            return None
        keys.append(year)
        columns.append(values)
    records = [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]
    if not columns:
        records = [{} for _ in body]
    return records, [r for r, _ in kept]


def is_blank(value: Any) -> bool:
    """An empty cell, or white space (a NaN read from the sheet XML is not blank: it is
    reported with its cell)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_row(row: tuple) -> bool:
    """Whether every cell of the row is blank."""
    return all(map(is_blank, row))


def _cells(rows: Sequence[tuple], index: int) -> list[Any]:
    return [row[index] if index < len(row) else None for row in rows]


def _converted(
    col: schema.Column, cells: list[Any], default: Any, blank_allowed: bool
) -> list[Any] | None:
    """The column's values (a blank cell: `default`), or None if a cell is not plainly
    right or blank when `blank_allowed` is False."""
    kinds = set(map(type, cells))
    blank = type(None) in kinds
    if blank and not blank_allowed:
        return None
    kinds.discard(type(None))
    if col.kind in _TEXT_KINDS:
        if not kinds <= {str}:
            return None
        return _text_values(col, cells, default, blank_allowed)
    if not kinds <= _NUMBER_TYPES:
        return None
    present = [v for v in cells if v is not None] if blank else cells
    numbers = _checked_numbers(col, present)
    if numbers is None:
        return None
    if not blank:
        return numbers
    converted = iter(numbers)
    return [default if v is None else next(converted) for v in cells]


def _text_values(
    col: schema.Column, cells: list[Any], default: Any, blank_allowed: bool
) -> list[Any] | None:
    """Text stripped, yes/no as True/False, choices in lower case; each distinct cell
    converted once."""
    converted: dict[str, Any] = {}
    for value in set(cells):
        if value is None:
            continue
        text = value.strip()
        if not text:
            if not blank_allowed:
                return None
            converted[value] = default
        elif col.kind == "text":
            converted[value] = text
        elif col.kind == "yesno":
            word = text.lower()
            if word in schema.YES:
                converted[value] = True
            elif word in schema.NO:
                converted[value] = False
            else:
                return None
        elif text.lower() in col.choices:
            converted[value] = text.lower()
        else:
            return None
    return [default if v is None else converted[v] for v in cells]


def _checked_numbers(col: schema.Column, cells: list[int | float]) -> list[Any] | None:
    """The numbers as floats (whole kinds: ints), or None unless every one is finite, within
    MAX_MAGNITUDE, whole where the kind asks it, a year within 1900-2200 and within the
    column's bounds."""
    try:
        array = np.array(cells, dtype=float)
    except OverflowError:  # a Python int beyond a float
        return None
    if array.size == 0:
        return []
    if not np.isfinite(array).all() or (np.abs(array) > schema.MAX_MAGNITUDE).any():
        return None
    whole = col.kind in ("integer", "year")
    if whole and (array != np.floor(array)).any():
        return None
    if col.kind == "year" and ((array < 1900) | (array > 2200)).any():
        return None
    if col.min is not None:
        below = array <= col.min if col.min_exclusive else array < col.min
        if below.any():
            return None
    if col.max is not None and (array > col.max).any():
        return None
    return array.astype(np.int64).tolist() if whole else array.tolist()
