"""Read an input workbook into typed tables, collecting every cell-level problem.

This module only parses cells (types, blanks, ranges, choices, formulas without cached values,
missing sheets and columns). Cross-sheet checks live in `planner.io.validate`.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from planner.io import schema
from planner.io.clean_columns import is_blank, records_by_column
from planner.io.fast_read import read_plain_values
from planner.io.problems import InputError, Problem
from planner.io.schema import MAX_MAGNITUDE, NO, YES

# Limits checked before and while parsing, so that a hostile or broken file is refused within
# seconds and a few hundred MB: the India case unpacks to under 1 MB and has under 1,000 rows a
# sheet, so these leave room for workbooks a hundred times larger.
MAX_UNPACKED_MB = 200.0
MAX_ROWS_PER_SHEET = 100_000
MAX_CELLS = 5_000_000
# a number typed as text is read only in this plain form: digits, '.' for decimals, an
# exponent; thousands separators and decimal commas are refused, never guessed
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass
class RawTable:
    """A parsed sheet: one dict per non-blank row, plus where each value came from."""

    sheet: str
    records: list[dict[Any, Any]] = field(default_factory=list)
    excel_rows: list[int] = field(default_factory=list)
    column_letters: dict[str, str] = field(default_factory=dict)
    year_columns: dict[int, str] = field(default_factory=dict)  # year -> column letter
    present: bool = True

    def cell(self, column: str, index: int) -> str:
        """Excel address of column `column` in the `index`-th record."""
        return f"{self.column_letters.get(column, '?')}{self.excel_rows[index]}"


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _load(path: Path, data_only: bool) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        # openpyxl warns about data validation and other extensions it does not keep.
        warnings.simplefilter("ignore")
        # the bytes, not the path, so that an .xlsx saved without its extension is read too
        # (openpyxl judges a path by its extension)
        data = io.BytesIO(path.read_bytes())
        return openpyxl.load_workbook(data, read_only=True, data_only=data_only)


def _sheet_rows(wb: openpyxl.Workbook) -> dict[str, list[tuple]]:
    """Every sheet's rows, read whatever its `<dimension>` tag says (a stale tag would drop
    rows or columns, a huge one would make the reader pad millions of empty cells)."""
    sheets: dict[str, list[tuple]] = {}
    cells = 0
    for ws in wb.worksheets:
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        rows: list[tuple] = []
        try:
            for row in ws.iter_rows(values_only=True):
                rows.append(tuple(row))
                cells += len(row)
                if len(rows) > MAX_ROWS_PER_SHEET:
                    _too_big(ws.title, f"it has more than {MAX_ROWS_PER_SHEET:,} rows")
                if cells > MAX_CELLS:
                    _too_big(ws.title, f"the workbook has more than {MAX_CELLS:,} cells")
        except (ValueError, TypeError) as exc:
            _unreadable_cells(ws, len(rows) + 1, exc)
        sheets[ws.title] = rows
    return sheets


_NUMBER_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)>(?:(?!</c>).)*?<v>([^<]*)</v>', re.DOTALL)


def _unreadable_cells(ws: Any, row: int, exc: Exception) -> None:
    """A cell the XML reader cannot take (a number cell holding `NaN` or `INF`): name it."""
    problems = []
    path = getattr(ws, "_worksheet_path", None)
    if path is not None:
        xml = ws.parent._archive.read(path)
        for address, attributes, value in _NUMBER_CELL.findall(xml):
            typed = re.search(rb't="([a-zA-Z]+)"', attributes)
            if typed and typed.group(1) != b"n":
                continue  # a string, boolean or error cell
            text = value.decode(errors="replace")
            if _as_number(text) is None:
                problems.append(
                    Problem(
                        ws.title,
                        address.decode(),
                        f"holds {text!r}, which is not a number; type a number or leave it blank",
                    )
                )
    if not problems:
        problems.append(Problem(ws.title, f"{row}:{row}", f"a cell cannot be read ({exc})"))
    raise InputError(problems)


def _too_big(sheet: str, why: str) -> None:
    raise InputError(
        [
            Problem(
                sheet,
                "",
                f"{why}: the planner reads no more (a row far below the data, "
                "or a cell far to the right, counts too); delete the stray cells",
            )
        ]
    )


def _check_size(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than MAX_UNPACKED_MB (a zip bomb is
    refused from its directory, before anything is inflated)."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # the reader reports the file as unreadable
    if unpacked > MAX_UNPACKED_MB * 1e6:
        raise InputError(
            [
                Problem(
                    path.name,
                    "",
                    f"the workbook unpacks to {unpacked / 1e6:,.0f} MB, more than the "
                    f"{MAX_UNPACKED_MB:,.0f} MB the planner reads",
                )
            ]
        )


def _check_sheet_names(titles: list[str]) -> None:
    """Sheets are found by name, trimmed and case-folded: two that fold alike are an error."""
    seen: dict[str, str] = {}
    problems = []
    for title in titles:
        key = title.strip().casefold()
        if key in seen:
            problems.append(
                Problem(
                    title,
                    "",
                    f"sheet names {seen[key]!r} and {title!r} are the same once spaces and "
                    "case are ignored; rename or delete one",
                )
            )
        else:
            seen[key] = title
    if problems:
        raise InputError(problems)


def _formula_cells(rows: list[tuple]) -> set[tuple[int, int]]:
    """(row, column) indices, from 0, of cells holding a formula (text starting with '=')."""
    return {
        (r, c)
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if isinstance(value, str) and value.startswith("=")
    }


def open_workbook(path: str | Path) -> tuple[dict[str, list[tuple]], dict[str, set[str]], str]:
    """Return the values of every sheet (by lower-case name), the formula cells without a
    cached value (by sheet), and the sheet names as written.

    A workbook of plain values (no formulas, errors or dates) is read by calamine
    (`planner.io.fast_read`); any other by openpyxl, once as written and, only if it holds
    formulas, a second time for the values Excel or LibreOffice cached when they last saved it.
    """
    path = Path(path)
    _check_size(path)
    plain = read_plain_values(path, MAX_ROWS_PER_SHEET, MAX_CELLS)
    if plain is not None:
        rows_by_title, titles = plain
        _check_sheet_names(titles)
        values = {title.strip().lower(): rows for title, rows in rows_by_title.items()}
        return values, {key: set() for key in values}, ", ".join(titles)
    return read_with_openpyxl(path)


def read_with_openpyxl(path: Path) -> tuple[dict[str, list[tuple]], dict[str, set[str]], str]:
    """`open_workbook` for any workbook: the formulas found, then their cached values."""
    formulas_wb = _load(path, data_only=False)
    try:
        _check_sheet_names(formulas_wb.sheetnames)
        raw = _sheet_rows(formulas_wb)
    finally:
        formulas_wb.close()
    formulas = {title: _formula_cells(rows) for title, rows in raw.items()}
    cached: dict[str, list[tuple]] = {}
    if any(formulas.values()):
        values_wb = _load(path, data_only=True)
        try:
            cached = _sheet_rows(values_wb)
        finally:
            values_wb.close()
    values: dict[str, list[tuple]] = {}
    uncached: dict[str, set[str]] = {}
    for title, rows in raw.items():
        key = title.strip().lower()
        cells = formulas[title]
        if not cells:
            values[key], uncached[key] = rows, set()
            continue
        values[key] = cached[title]
        uncached[key] = {
            f"{get_column_letter(c + 1)}{r + 1}"
            for r, c in cells
            if r >= len(cached[title]) or c >= len(cached[title][r]) or cached[title][r][c] is None
        }
    return values, uncached, ", ".join(raw)


def _header_year(value: Any) -> int | None:
    """A milestone year header: 2030, 2030.0 or '2030'."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        year = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        year = int(value.strip())
    else:
        return None
    return year if 1900 <= year <= 2200 else None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        return float(text) if _PLAIN_NUMBER.match(text) else None
    return None


def _text_number_problem(col: schema.Column, value: Any) -> str | None:
    """A specific message for text that looks like a number in another form ('12.500,50',
    '0,1', '1 234'): the planner does not guess which separator means what."""
    if isinstance(value, str) and any(ch.isdigit() for ch in value):
        return (
            f"{col.name} is the text {value.strip()!r}; type it as a number: digits with '.' "
            "for decimals and no thousands separators (text numbers in other forms are not "
            "guessed)"
        )
    return None


def _describe(value: Any) -> str:
    return repr(value.strip()) if isinstance(value, str) else str(value)


def convert(col: schema.Column, value: Any) -> tuple[Any, str | None]:
    """Convert one non-blank cell to the column's kind; return (value, problem text or None)."""
    kind = col.kind
    if kind == "text":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip(), None
    if kind in ("yesno", "choice"):
        text = str(value).strip().lower()
        if kind == "yesno":
            if text in YES:
                return True, None
            if text in NO:
                return False, None
        elif text in col.choices:
            return text, None
        return None, f"{col.name} is {_describe(value)}; it must be one of {', '.join(col.choices)}"
    number = _as_number(value)
    if number is None and (problem := _text_number_problem(col, value)):
        return None, problem
    if number is None or math.isnan(number) or math.isinf(number):
        return None, f"{col.name} is {_describe(value)}; it must be a number" + (
            f" ({col.unit})" if col.unit else ""
        )
    if abs(number) > MAX_MAGNITUDE:
        return None, (
            f"{col.name} is {number:.3g}; figures beyond {MAX_MAGNITUDE:.0e} in size are refused: "
            "the solver's tolerances are relative to the model's largest coefficients, so such a "
            "figure would make every other one noise (is the unit right?)"
        )
    if kind in ("integer", "year"):
        if not number.is_integer():
            what = "a whole year" if kind == "year" else "a whole number"
            return None, f"{col.name} is {_describe(value)}; it must be {what}"
        number = int(number)
        if kind == "year" and not 1900 <= number <= 2200:
            return None, f"{col.name} is {number}; it must be a year such as 2030"
    problem = _range_problem(col, number)
    return (None, problem) if problem else (number, None)


def _range_problem(col: schema.Column, number: float) -> str | None:
    def fmt(x: float) -> str:
        return f"{x:g}"

    if col.min is not None:
        if col.min_exclusive and number <= col.min:
            return f"{col.name} is {fmt(number)}; it must be more than {fmt(col.min)}"
        if number < col.min:
            low = "0 or more" if col.min == 0 else f"at least {fmt(col.min)}"
            if col.max is not None:
                low = f"between {fmt(col.min)} and {fmt(col.max)}"
            return f"{col.name} is {fmt(number)}; it must be {low}"
    if col.max is not None and number > col.max:
        extra = " (a fraction: 0.1 means 10%)" if col.kind == "fraction" else ""
        return (
            f"{col.name} is {fmt(number)}; it must be between {fmt(col.min or 0)} and "
            f"{fmt(col.max)}{extra}"
        )
    return None


def read_table(
    sheet: schema.Sheet,
    rows: list[tuple] | None,
    uncached: set[str],
    problems: list[Problem],
    warnings: list[Problem] | None = None,
    by_cell: bool = False,
) -> RawTable:
    """Parse a table sheet whose header is row 1. Columns the contract does not know are
    reported in `warnings` (they may be the user's notes) and otherwise ignored.

    A sheet whose every cell is plainly right is converted column by column
    (planner/io/clean_columns.py); any other, or any with `by_cell`, cell by cell, each
    problem with its cell."""
    table = RawTable(sheet.name)
    if rows is None:
        table.present = False
        if sheet.required:
            problems.append(
                Problem(
                    sheet.name,
                    "",
                    f"sheet {sheet.name} is missing; it is "
                    "required (`planner template` writes one with every sheet)",
                )
            )
        return table
    header = rows[0] if rows else ()
    by_name: dict[str, int] = {}
    for index, value in enumerate(header):
        if is_blank(value):
            continue
        year = _header_year(value) if sheet.year_columns else None
        if year is not None:
            table.year_columns[year] = get_column_letter(index + 1)
            continue
        name = str(value).strip().lower()
        if name in by_name:
            problems.append(
                Problem(
                    sheet.name,
                    f"{get_column_letter(index + 1)}1",
                    f"column {name} appears twice; keep one",
                )
            )
            continue
        by_name[name] = index
        table.column_letters[name] = get_column_letter(index + 1)
    known = {col.name for col in sheet.columns}
    for name, index in by_name.items():
        if name not in known and warnings is not None:
            warnings.append(
                Problem(
                    sheet.name,
                    f"{get_column_letter(index + 1)}1",
                    f"column {name!r} is not part of the workbook contract; it is ignored",
                )
            )
    for col in sheet.columns:
        if col.name not in by_name and col.required:
            problems.append(
                Problem(
                    sheet.name,
                    "1:1",
                    f"column {col.name} is missing; add a header cell named {col.name} in row 1",
                )
            )
    if sheet.year_columns and not table.year_columns:
        problems.append(
            Problem(
                sheet.name,
                "1:1",
                "no milestone year columns; add headers such as 2025, 2030, 2035, 2040",
            )
        )
    if not uncached and not by_cell:
        positions = {
            year: openpyxl.utils.column_index_from_string(letter) - 1
            for year, letter in table.year_columns.items()
        }
        read = records_by_column(sheet, rows[1:], by_name, positions)
        if read is not None:
            table.records, table.excel_rows = read
            return table
    for r, row in enumerate(rows[1:], start=2):
        if all(is_blank(v) for v in row) and not any(
            f"{get_column_letter(c + 1)}{r}" in uncached for c in range(len(row))
        ):
            continue
        record = _read_record(sheet, row, r, by_name, table, uncached, problems)
        table.records.append(record)
        table.excel_rows.append(r)
    return table


def _cell_value(
    sheet: str, row: tuple, r: int, index: int, uncached: set[str], problems: list[Problem]
) -> Any:
    address = f"{get_column_letter(index + 1)}{r}"
    if address in uncached:
        problems.append(
            Problem(
                sheet,
                address,
                "formula with no cached value; open and save "
                "the workbook in Excel or LibreOffice, or type the value",
            )
        )
        return _UNREADABLE
    return row[index] if index < len(row) else None


_UNREADABLE = object()


def _read_record(
    sheet: schema.Sheet,
    row: tuple,
    r: int,
    by_name: dict[str, int],
    table: RawTable,
    uncached: set[str],
    problems: list[Problem],
) -> dict[str | int, Any]:
    record: dict[str | int, Any] = {}  # year columns are keyed by the year
    for col in sheet.columns:
        index = by_name.get(col.name)
        raw = None if index is None else _cell_value(sheet.name, row, r, index, uncached, problems)
        address = f"{table.column_letters.get(col.name, '?')}{r}"
        if raw is _UNREADABLE:
            record[col.name] = None
        elif is_blank(raw):
            if col.required and index is not None:  # a missing column is reported once
                problems.append(
                    Problem(
                        sheet.name,
                        address,
                        f"{col.name} is blank; a value is "
                        "required" + (f" ({col.unit})" if col.unit else ""),
                    )
                )
            record[col.name] = col.default
        else:
            value, problem = convert(col, raw)
            if problem:
                problems.append(Problem(sheet.name, address, problem))
            record[col.name] = value
    for year, letter in table.year_columns.items():
        index = openpyxl.utils.column_index_from_string(letter) - 1
        raw = _cell_value(sheet.name, row, r, index, uncached, problems)
        col = schema.Column(str(year), "number", "", sheet.extra.get("year_unit", ""), min=0.0)
        if raw is _UNREADABLE or is_blank(raw):
            record[year] = None
            continue
        value, problem = convert(col, raw)
        if problem:
            problems.append(Problem(sheet.name, f"{letter}{r}", problem))
        record[year] = value
    return record


def read_settings(
    rows: list[tuple] | None,
    uncached: set[str],
    problems: list[Problem],
    warnings: list[Problem] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse the Settings sheet (key, value, note); return values and their cell addresses."""
    values: dict[str, Any] = {}
    cells: dict[str, str] = {}
    if rows is None:
        problems.append(Problem("Settings", "", "sheet Settings is missing; it is required"))
        return values, cells
    header = [str(v).strip().lower() if not is_blank(v) else "" for v in (rows[0] if rows else ())]
    if "key" not in header or "value" not in header:
        problems.append(Problem("Settings", "1:1", "header must have columns key and value"))
        return values, cells
    key_i, value_i = header.index("key"), header.index("value")
    value_letter = get_column_letter(value_i + 1)
    for r, row in enumerate(rows[1:], start=2):
        key_raw = row[key_i] if key_i < len(row) else None
        if is_blank(key_raw):
            continue
        key = str(key_raw).strip().lower()
        address = f"{value_letter}{r}"
        col = schema.SETTING_BY_NAME.get(key)
        if col is None:
            if warnings is not None:
                warnings.append(
                    Problem(
                        "Settings",
                        f"{get_column_letter(key_i + 1)}{r}",
                        f"setting {key!r} is unknown and ignored; known: "
                        + ", ".join(schema.SETTING_BY_NAME),
                    )
                )
            continue
        if key in cells:
            problems.append(
                Problem(
                    "Settings",
                    f"{get_column_letter(key_i + 1)}{r}",
                    f"setting {key} appears twice (also at {cells[key]}); keep one",
                )
            )
            continue
        cells[key] = address
        raw = _cell_value("Settings", row, r, value_i, uncached, problems)
        if raw is _UNREADABLE:
            continue
        if is_blank(raw):
            if col.required:
                problems.append(
                    Problem("Settings", address, f"{key} is blank; a value is required")
                )
            continue
        value, problem = convert(col, raw)
        if problem:
            problems.append(Problem("Settings", address, problem))
        else:
            values[key] = value
    for col in schema.SETTINGS:
        if col.required and col.name not in cells:
            problems.append(
                Problem(
                    "Settings",
                    "A:A",
                    f"setting {col.name} is missing; add a row with key {col.name}",
                )
            )
        elif not col.required and col.name not in values and col.default is not None:
            values.setdefault(col.name, col.default)
    return values, cells


def read_optional_sheet(path, name: str) -> pd.DataFrame | None:
    """A sheet read by a command of its own (Sweep, Scenarios), found by name whatever its
    case and surrounding spaces, as a DataFrame with its header row; None if absent."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = {ws.title.strip().lower(): ws.title for ws in book.worksheets}
    finally:
        book.close()
    title = names.get(name.strip().lower())
    return None if title is None else pd.read_excel(path, sheet_name=title, engine="openpyxl")
