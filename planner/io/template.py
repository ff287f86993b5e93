"""Write an empty, documented input workbook, generated entirely from `planner.io.schema`.

The template has one sheet per table of the contract (in the order of the design), a
`Settings` sheet pre-filled with the defaults, and a closing `README` sheet that explains how
to fill it in and lists every sheet and column. Every header cell carries a comment (meaning,
unit, required, default) and every column gets an Excel data validation: drop-downs for
yes/no and choice columns, number ranges for the numeric ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from planner.io import schema
from planner.io.atomic import write_atomically
from planner.io.schema import Column, Sheet

DEFAULT_MILESTONES: tuple[int, ...] = (2025, 2030, 2035, 2040)
LAST_ROW = 1000  # data validations cover rows 2..LAST_ROW
YEAR_RANGE = (1900, 2200)  # plausible years, for the validation of year cells
SETTINGS_HEADERS = ("key", "value", "note")
README_SHEET = "README"
COMMENT_AUTHOR = "planner template"

_BOLD = Font(name="Calibri", size=11, bold=True)
_TITLE = Font(name="Calibri", size=14, bold=True)
_MIN_WIDTH, _MAX_WIDTH = 12, 60
# Long-text columns: width in character units, characters of text per unit, points per line.
_WRAP_WIDTH, _CHARS_PER_WIDTH, _LINE_HEIGHT = 70, 1.05, 15
# Excel's own limits on data-validation texts; longer ones make Excel "repair" the file.
_TITLE_LIMIT, _MESSAGE_LIMIT = 32, 255


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def write_template(path: str | Path, milestone_years: tuple[int, ...] = DEFAULT_MILESTONES) -> Path:
    """Write an empty, documented input workbook to `path` atomically and return the path.

    `milestone_years` become the year columns of the sheets that have them (Demand, Scrap).
    An existing file at `path` is replaced in one step; on failure it is left untouched.
    """
    years = _checked_years(milestone_years)
    return write_atomically(path, lambda tmp: build_template(years).save(tmp))


def build_template(milestone_years: tuple[int, ...] = DEFAULT_MILESTONES) -> Workbook:
    """Build the template workbook in memory (see `write_template`)."""
    years = _checked_years(milestone_years)
    workbook = Workbook()
    _fill_settings(workbook.active)
    for sheet in schema.SHEETS:
        _fill_table(workbook.create_sheet(sheet.name), sheet, years)
    _fill_readme(workbook.create_sheet(README_SHEET), years)
    return workbook


def sheet_headers(sheet: Sheet, milestone_years: Sequence[int]) -> list[str | int]:
    """The header row of a table sheet: its column names, then its milestone years if any."""
    names: list[str | int] = [col.name for col in sheet.columns]
    if sheet.year_columns:
        names.extend(milestone_years)
    return names


# ---------------------------------------------------------------------------------------------
# Describing columns in words
# ---------------------------------------------------------------------------------------------


def _checked_years(milestone_years: Iterable[int]) -> tuple[int, ...]:
    """Return the milestone years as a tuple, or raise ValueError if they are unusable."""
    years = tuple(milestone_years)
    if not years:
        raise ValueError("milestone_years must name at least one year")
    for year in years:
        if isinstance(year, bool) or not isinstance(year, int):
            raise ValueError(f"milestone year {year!r} is not a whole number")
    if list(years) != sorted(set(years)):
        raise ValueError(f"milestone years must be increasing and distinct, got {years}")
    return years


def _format_value(value: object) -> str:
    """A default or bound as the user would type it: 300.0 -> '300', 0.001 -> '0.001'."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def describe_default(col: Column) -> str:
    """The default of an optional column in words ('' for a required column)."""
    if col.required:
        return ""
    if col.default is None or col.default == "":
        return "blank"
    return _format_value(col.default)


def describe_unit(unit: str) -> str:
    """A unit for people: the schema writes '1' for a plain number without unit."""
    return "1 (a plain number)" if unit == "1" else unit


def describe_range(col: Column) -> str:
    """Allowed values of a column in words, or '' when anything goes."""
    if col.choices:
        return "one of: " + ", ".join(col.choices)
    low = _format_value(col.min) if col.min is not None else None
    high = _format_value(col.max) if col.max is not None else None
    if low is not None and high is not None:
        left = "above" if col.min_exclusive else "from"
        return f"{left} {low} to {high}"
    if low is not None:
        return f"more than {low}" if col.min_exclusive else f"{low} or more"
    if high is not None:
        return f"{high} or less"
    return ""


def column_note(col: Column) -> str:
    """Meaning, unit, allowed values, required and default of a column, one item per line."""
    lines = [col.doc + "."]
    if col.unit:
        lines.append(f"Unit: {describe_unit(col.unit)}.")
    allowed = describe_range(col)
    if allowed:
        lines.append(f"Allowed: {allowed}.")
    if col.required:
        lines.append("Required: yes.")
    else:
        lines.append(f"Required: no (default: {describe_default(col)}).")
    return "\n".join(lines)


def year_note(sheet: Sheet, year: int) -> str:
    """The comment of one milestone year column."""
    unit = sheet.extra.get("year_unit", "")
    doc = sheet.extra.get("year_doc", "Value in this milestone year")
    lines = [f"{doc} ({year}).", f"Unit: {unit}." if unit else ""]
    lines.append("Between milestones values are interpolated linearly; held flat outside them.")
    return "\n".join(line for line in lines if line)


# ---------------------------------------------------------------------------------------------
# Excel data validation
# ---------------------------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _messages(dv: DataValidation, name: str, note: str, problem: str) -> DataValidation:
    """Give `dv` an input prompt (the column note) and an error message (`problem`)."""
    dv.showInputMessage = True
    dv.promptTitle = _clip(name, _TITLE_LIMIT)
    dv.prompt = _clip(note.replace("\n", " "), _MESSAGE_LIMIT)
    dv.showErrorMessage = True
    dv.errorStyle = "stop"
    dv.errorTitle = _clip(f"Invalid {name}", _TITLE_LIMIT)
    dv.error = _clip(problem, _MESSAGE_LIMIT)
    return dv


def _number_rule(col: Column) -> tuple[str, str, str | None, str | None] | None:
    """(type, operator, formula1, formula2) of the numeric validation of `col`, if any."""
    kind = {"integer": "whole", "year": "whole", "number": "decimal", "fraction": "decimal"}
    if col.kind not in kind:
        return None
    low, high = col.min, col.max
    if col.kind == "year" and low is None and high is None:
        low, high = YEAR_RANGE
    if low is not None and high is not None:
        return kind[col.kind], "between", _format_value(low), _format_value(high)
    if low is not None:
        operator = "greaterThan" if col.min_exclusive else "greaterThanOrEqual"
        return kind[col.kind], operator, _format_value(low), None
    if high is not None:
        return kind[col.kind], "lessThanOrEqual", _format_value(high), None
    return None


def column_validation(col: Column) -> DataValidation | None:
    """The data validation for the cells of `col`: a drop-down or a number range, or None."""
    note = column_note(col)
    if col.choices:
        dv = DataValidation(
            type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=True
        )
        problem = f"{col.name} must be one of: {', '.join(col.choices)}. Pick it from the list."
        return _messages(dv, col.name, note, problem)
    rule = _number_rule(col)
    if rule is None:
        return None
    dv_type, operator, formula1, formula2 = rule
    dv = DataValidation(
        type=dv_type, operator=operator, formula1=formula1, formula2=formula2, allow_blank=True
    )
    what = {"whole": "a whole number", "decimal": "a number"}[dv_type]
    allowed = describe_range(col)
    if col.kind == "year":
        what = "a year"
        allowed = allowed or f"from {YEAR_RANGE[0]} to {YEAR_RANGE[1]}"
    problem = f"{col.name} must be {what}" + (f", {allowed}." if allowed else ".")
    return _messages(dv, col.name, note, problem)


def _year_validation(sheet: Sheet, year: int) -> DataValidation:
    """A number >= 0 validation for one milestone year column."""
    dv = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
    )
    unit = sheet.extra.get("year_unit", "")
    problem = f"The {year} value must be a number, 0 or more" + (f" ({unit})." if unit else ".")
    return _messages(dv, str(year), year_note(sheet, year), problem)


def _validate(ws: Worksheet, dv: DataValidation | None, sqref: str) -> None:
    if dv is not None:
        dv.add(sqref)
        ws.add_data_validation(dv)


def _column_range(index: int) -> str:
    letter = get_column_letter(index)
    return f"{letter}2:{letter}{LAST_ROW}"


# ---------------------------------------------------------------------------------------------
# Sheets
# ---------------------------------------------------------------------------------------------


def _comment(text: str) -> Comment:
    lines = text.count("\n") + 1
    comment = Comment(text, COMMENT_AUTHOR)
    comment.width = 320
    comment.height = 40 + 20 * (lines + len(text) // 45)
    return comment


def _write_header(ws: Worksheet, headers: Sequence[str | int], notes: Sequence[str]) -> None:
    """Bold header row at row 1 with one comment per cell, panes frozen below it."""
    for index, (header, note) in enumerate(zip(headers, notes, strict=True), start=1):
        cell = ws.cell(row=1, column=index, value=header)
        cell.font = _BOLD
        cell.comment = _comment(note)
    ws.freeze_panes = "A2"


def _fit_widths(ws: Worksheet, first_row: int = 1) -> None:
    """Set each column's width to its longest value (within sensible bounds)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is not None:
                length = max(len(line) for line in str(cell.value).split("\n"))
                widths[cell.column] = max(widths.get(cell.column, 0), length)
    for index, width in widths.items():
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = round(
            min(max(width * 1.1 + 2, _MIN_WIDTH), _MAX_WIDTH), 1
        )


def _wrap_column(ws: Worksheet, index: int, first_row: int, width: int = _WRAP_WIDTH) -> None:
    """Wrap the long texts of one column at `width` and make their rows tall enough.

    Row heights are set explicitly because not every spreadsheet program (LibreOffice when
    converting, for one) grows rows for wrapped text on its own.
    """
    ws.column_dimensions[get_column_letter(index)].width = width
    for row in range(first_row, ws.max_row + 1):
        cell = ws.cell(row=row, column=index)
        if cell.value is None:
            continue
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        lines = math.ceil(len(str(cell.value)) / (width * _CHARS_PER_WIDTH))
        if lines > 1:
            ws.row_dimensions[row].height = _LINE_HEIGHT * lines
            for other in ws[row]:
                if other.column != index:
                    other.alignment = Alignment(
                        horizontal=other.alignment.horizontal, vertical="top"
                    )


def _print_setup(ws: Worksheet) -> None:
    """Print (and export to PDF) landscape and one page wide."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _setting_value(setting: Column) -> object:
    """The pre-filled value of a setting: the schema version, a default, or blank."""
    if setting.name == "schema_version":
        return schema.SCHEMA_VERSION
    if setting.required or setting.default == "":
        return None
    return setting.default


def _fill_settings(ws: Worksheet) -> None:
    """The Settings sheet: one key/value/note row per setting of the schema."""
    ws.title = "Settings"
    _write_header(
        ws,
        SETTINGS_HEADERS,
        (
            "Setting name, exactly as listed (do not rename).",
            "The value of the setting; required settings are blank and must be filled in.",
            "What the setting means (for people; the planner ignores this column).",
        ),
    )
    for row, setting in enumerate(schema.SETTINGS, start=2):
        ws.cell(row=row, column=1, value=setting.name)
        ws.cell(row=row, column=2, value=_setting_value(setting))
        ws.cell(row=row, column=3, value=column_note(setting).replace("\n", " "))
        _validate(ws, column_validation(setting), f"B{row}")
    _fit_widths(ws)
    _wrap_column(ws, 3, first_row=2)
    _print_setup(ws)


def _fill_table(ws: Worksheet, sheet: Sheet, years: Sequence[int]) -> None:
    """An empty table sheet: documented header row and per-column validations."""
    notes = [column_note(col) for col in sheet.columns]
    if sheet.year_columns:
        notes.extend(year_note(sheet, year) for year in years)
    _write_header(ws, sheet_headers(sheet, years), notes)
    for index, col in enumerate(sheet.columns, start=1):
        _validate(ws, column_validation(col), _column_range(index))
    if sheet.year_columns:
        for offset, year in enumerate(years, start=len(sheet.columns) + 1):
            _validate(ws, _year_validation(sheet, year), _column_range(offset))
    _fit_widths(ws)
    _print_setup(ws)


def readme_lines(years: Sequence[int]) -> list[str]:
    """The plain-language instructions at the top of the README sheet."""
    milestones = ", ".join(str(year) for year in years)
    return [
        f"Input workbook for the critical-minerals sourcing planner (schema version "
        f"{schema.SCHEMA_VERSION}).",
        "Fill in the sheets before this one; this README sheet is documentation only.",
        "Every table starts at cell A1 with one header row; put one record per row below it. "
        "Do not rename or reorder headers.",
        "Names (minerals, countries, projects, ...) are case-insensitive and trimmed: "
        "' Lithium' and 'lithium' are the same.",
        "Columns ending in _pct are percentages (10 means 10%). Shares, stakes, yields and "
        "risk scores are fractions (0.1 means 10%).",
        f"Year columns ({milestones}) are milestones: values in between are interpolated "
        "linearly, and held flat before the first and after the last milestone.",
        "A blank optional cell takes the column's default (see the table below); required "
        "cells must be filled.",
        "Quantities are tonnes per year in the mineral's unit (Minerals.unit); money columns "
        "name their unit (USD/t, million USD, INR crore).",
        "No Budgets row for a funding source means no limit; an empty Policy sheet means no "
        "policy rule.",
        "Hover over a header cell for its meaning, unit and default; drop-down lists offer the "
        "allowed values.",
        "Optional sheets read by other commands: 'Scenarios' (columns scenario, parameter, "
        "operation, value, note: named what-ifs for planner solve --scenario and planner "
        "compare --scenarios) and 'Sweep' (columns parameter, operation, values, group: the "
        "design of planner sweep). A parameter is Settings.NAME or "
        "Table[column=value,...].column, e.g. Supply[country=China,mineral=graphite].available_t.",
    ]


_README_COLUMNS = ("sheet", "column", "required", "default", "unit", "meaning")
ReadmeRow = tuple[str, str, str, str | int | float, str, str]


def readme_rows(years: Sequence[int]) -> list[ReadmeRow]:
    """The README table: per sheet, a row describing the sheet (blank column), then its columns.

    Each row is (sheet, column, required, default, unit, meaning).
    """
    rows: list[ReadmeRow] = [("Settings", "", "yes", "", "", "Plan settings: key, value, note.")]
    rows += [_readme_row("Settings", setting) for setting in schema.SETTINGS]
    for sheet in schema.SHEETS:
        rows.append((sheet.name, "", "yes" if sheet.required else "no", "", "", sheet.doc))
        rows += [_readme_row(sheet.name, col) for col in sheet.columns]
        if sheet.year_columns:
            rows.append(_readme_year_row(sheet, years))
    return rows


def _readme_row(sheet_name: str, col: Column) -> ReadmeRow:
    meaning = col.doc
    allowed = describe_range(col)
    if allowed:
        meaning += f" ({allowed})"
    required = "yes" if col.required else "no"
    return (sheet_name, col.name, required, _default_cell(col), describe_unit(col.unit), meaning)


def _default_cell(col: Column) -> str | int | float:
    """A default for a README cell: numbers stay numbers (no 'number stored as text')."""
    if not col.required and isinstance(col.default, int | float):
        return col.default
    return describe_default(col)


def _readme_year_row(sheet: Sheet, years: Sequence[int]) -> ReadmeRow:
    doc = sheet.extra.get("year_doc", "Value in this milestone year")
    return (
        sheet.name,
        ", ".join(str(year) for year in years),
        "no",
        "blank",
        sheet.extra.get("year_unit", ""),
        f"{doc} (one column per milestone year)",
    )


def _fill_readme(ws: Worksheet, years: Sequence[int]) -> None:
    """The README sheet: instructions, then the table of every sheet and column."""
    ws.cell(row=1, column=1, value="How to fill in this workbook").font = _TITLE
    lines = readme_lines(years)
    for offset, line in enumerate(lines):
        ws.cell(row=2 + offset, column=1, value=line)
    header_row = 2 + len(lines) + 1
    for index, header in enumerate(_README_COLUMNS, start=1):
        ws.cell(row=header_row, column=index, value=header).font = _BOLD
    for offset, values in enumerate(readme_rows(years), start=1):
        for index, value in enumerate(values, start=1):
            cell = ws.cell(row=header_row + offset, column=index, value=_cell_value(value))
            cell.alignment = Alignment(horizontal="left", vertical="top")
            if not values[1]:  # a row describing a whole sheet
                cell.font = _BOLD
    _fit_widths(ws, first_row=header_row)
    _wrap_column(ws, len(_README_COLUMNS), first_row=header_row + 1)
    _print_setup(ws)


def _cell_value(value: object) -> object:
    """'' becomes an empty cell; anything else (0 included) is written as it is."""
    return None if value == "" else value
