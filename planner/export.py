"""Write a Plan to the plan workbook, atomically, and read an exported plan back.

Layout (DESIGN.md, "Output plan workbook"): a `Summary` sheet, one sheet per plan table and a
`Chart` sheet with the mix of refined supply by origin for each mineral. Table headers are
human readable and carry units ("tonnes (t)"); every header cell holds its machine column name
(from PLAN_COLUMNS) in a cell comment, so `read_plan_tables` maps an export back to the names
the code uses.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from planner.atomic import write_atomically
from planner.plan import PLAN_COLUMNS, Plan

SUMMARY_SHEET = "Summary"
CHART_SHEET = "Chart"
# Plan attribute -> sheet name, in sheet order.
TABLE_SHEETS: dict[str, str] = {
    "sourcing": "Sourcing",
    "projects": "Projects",
    "processing": "Processing",
    "stock": "Stock",
    "shortfall": "Shortfall",
    "risk": "Risk",
    "marginal_costs": "MarginalCosts",
    "budgets": "Budgets",
}
SHEET_ORDER: tuple[str, ...] = (SUMMARY_SHEET, *TABLE_SHEETS.values(), CHART_SHEET)

NOTES_HEADER = "notes"
STOCK_DRAWN_LABEL = "stock drawn"
HOME_LABEL_SUFFIX = " (refined at home)"
# Columns holding booleans, written as "yes"/"no".
BOOL_COLUMNS = frozenset({"binding"})

TONNES_FORMAT = "#,##0.0"
MONEY_FORMAT = "#,##0.00"
RATIO_FORMAT = "#,##0.0000"
SHARE_FORMAT = "0.0%"
INDEX_FORMAT = "0.000"
YEAR_FORMAT = "0"
COUNT_FORMAT = "#,##0"
SECONDS_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0"  # `_pct` columns hold percentages: 10 means 10%.
GENERAL_FORMAT = "General"

# Longest suffix first: `_musd_per_inr_crore` must win over `_inr_crore`.
_UNIT_SUFFIXES: tuple[tuple[str, str, str], ...] = (
    ("_musd_per_inr_crore", "million USD per INR crore", RATIO_FORMAT),
    ("_usd_per_t", "USD/t", MONEY_FORMAT),
    ("_inr_crore", "INR crore", MONEY_FORMAT),
    ("_musd", "million USD", MONEY_FORMAT),
    ("_pct", "%", PERCENT_FORMAT),
    ("_t", "t", TONNES_FORMAT),
    ("_s", "s", SECONDS_FORMAT),
)
_HEADER_OVERRIDES: dict[str, str] = {
    "hhi": "HHI (0-1)",
    "governance_hhi": "governance-weighted HHI",
    "self_sufficiency": "self-sufficiency",
}
_SHARE_COLUMNS = frozenset({"share", "stake", "utilisation", "self_sufficiency"})
_INDEX_COLUMNS = frozenset({"hhi", "governance_hhi"})
# Summary items that are fractions worth reading as percentages with detail
_RATE_ITEMS = frozenset({"gap", "mip_gap_setting", "discount_rate"})
RATE_FORMAT = "0.000%"

# A named font: without one LibreOffice falls back to a serif face for bold cells.
_HEADER_FONT = Font(name="Calibri", size=11, bold=True)
_RIGHT = Alignment(horizontal="right")
_HEADER_FILL = PatternFill(fill_type="solid", fgColor="DDEBF7")
_COMMENT_AUTHOR = "planner"
_MIN_WIDTH = 8
_MAX_WIDTH = 50
_SUMMARY_VALUE_MAX_WIDTH = 70
_CHART_ROWS = 18  # rows one chart (height 8 cm) covers, plus a gap
_CHART_WIDTH_CM = 18
_CHART_HEIGHT_CM = 8

CellValue = str | int | float | None


# ---------------------------------------------------------------- names, headers and formats


def column_header(column: str) -> str:
    """Human-readable header with its unit, e.g. `cost_musd` -> "cost (million USD)"."""
    if column in _HEADER_OVERRIDES:
        return _HEADER_OVERRIDES[column]
    for suffix, unit, _ in _UNIT_SUFFIXES:
        if column.endswith(suffix) and len(column) > len(suffix):
            return f"{_words(column[: -len(suffix)])} ({unit})"
    return _words(column)


def number_format(column: str) -> str:
    """Excel number format for a column (or Summary item) named `column`."""
    if column == "year" or column.endswith("_year"):
        return YEAR_FORMAT
    if column in _SHARE_COLUMNS or column.endswith("_share"):
        return SHARE_FORMAT
    if column in _INDEX_COLUMNS:
        return INDEX_FORMAT
    if column in _RATE_ITEMS:
        return RATE_FORMAT
    if column.startswith("modules_"):
        return COUNT_FORMAT
    for suffix, _, fmt in _UNIT_SUFFIXES:
        if column.endswith(suffix) and len(column) > len(suffix):
            return fmt
    return GENERAL_FORMAT


def cell_value(value: object) -> CellValue:
    """Convert a value to what a cell may hold: a Python str, int or float, or None (empty).

    numpy scalars become Python scalars, NaN and missing values become empty cells, booleans
    become "yes"/"no", infinities become the text "inf"/"-inf" and anything else its text.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return _float_value(float(value))
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _float_value(value: float) -> float | str | None:
    """A float for a cell: NaN is empty, an infinity is text (Excel has no infinity)."""
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _words(name: str) -> str:
    """`offtake_capacity` -> "offtake capacity"."""
    return name.replace("_", " ")


def table_columns(name: str, frame: pd.DataFrame) -> list[str]:
    """Columns written for plan table `name`: PLAN_COLUMNS order, then any extra columns."""
    known = list(PLAN_COLUMNS[name])
    return known + [str(c) for c in frame.columns if c not in known]


# ---------------------------------------------------------------- writing


def write_plan(plan: Plan, path: str | Path) -> Path:
    """Write `plan` as the plan workbook at `path`, atomically; return the path.

    The workbook is built and saved to a temporary file beside `path`, then renamed over it:
    on any error nothing is left behind and a previous file at `path` is untouched.
    """
    check_plan_columns(plan)

    def write(tmp: Path) -> None:
        _save(build_workbook(plan), tmp)

    return write_atomically(path, write)


def check_plan_columns(plan: Plan) -> None:
    """Raise ValueError naming every PLAN_COLUMNS column missing from a plan table."""
    problems = []
    for name, frame in plan.tables().items():
        missing = [c for c in PLAN_COLUMNS[name] if c not in frame.columns]
        if missing:
            problems.append(f"Plan.{name} lacks column(s) {', '.join(missing)}")
    if problems:
        raise ValueError("; ".join(problems))


def build_workbook(plan: Plan) -> Workbook:
    """The plan workbook in memory: Summary, the plan tables and the Chart sheet."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    _write_summary(summary, plan.summary, plan.notes)
    for name, sheet in TABLE_SHEETS.items():
        frame = getattr(plan, name)
        _write_table(workbook.create_sheet(sheet), frame, table_columns(name, frame))
    _write_chart_sheet(workbook.create_sheet(CHART_SHEET), refined_supply_mix(plan))
    return workbook


def _save(workbook: Workbook, path: Path) -> None:
    """Save `workbook` to `path` (a temporary file while writing atomically)."""
    workbook.save(path)


def _write_summary(ws: Worksheet, summary: Mapping[str, object], notes: Sequence[str]) -> None:
    """Summary sheet: `item`/`value` rows in order, then a blank row and the notes, if any."""
    _write_header(ws, 1, ["item", "value"])
    for row, (item, value) in enumerate(summary.items(), start=2):
        _write_cell(ws, row, 1, str(item))
        _write_cell(ws, row, 2, cell_value(value)).number_format = number_format(str(item))
    last_summary_row = len(summary) + 1
    _fit_widths(ws, max_widths={2: _SUMMARY_VALUE_MAX_WIDTH})  # notes may overflow: not counted
    if notes:
        notes_row = last_summary_row + 2
        _write_header(ws, notes_row, [NOTES_HEADER])
        for offset, note in enumerate(notes, start=1):
            _write_cell(ws, notes_row + offset, 1, cell_value(note))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:B{last_summary_row}"
    _set_print_layout(ws)


def _write_table(ws: Worksheet, frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """One plan table: a styled header row with units, formatted values, filter, frozen header."""
    _write_header(ws, 1, [column_header(c) for c in columns], machine_names=columns)
    for row, values in enumerate(frame.loc[:, list(columns)].itertuples(index=False), start=2):
        for col, value in enumerate(values, start=1):
            _write_cell(ws, row, col, cell_value(value))
    _apply_number_formats(ws, columns)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{max(len(frame) + 1, 1)}"
    _fit_widths(ws)
    _set_print_layout(ws, title_rows="1:1")


def _write_header(
    ws: Worksheet, row: int, headers: Sequence[str], machine_names: Sequence[str] | None = None
) -> None:
    """Bold, filled header cells; with `machine_names`, each one's name in a cell comment."""
    for col, header in enumerate(headers, start=1):
        cell = _write_cell(ws, row, col, header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        if machine_names is not None:
            cell.comment = Comment(machine_names[col - 1], _COMMENT_AUTHOR, height=24, width=200)
            if number_format(machine_names[col - 1]) != GENERAL_FORMAT:
                cell.alignment = _RIGHT  # over right-aligned numbers


def _write_cell(ws: Worksheet, row: int, col: int, value: CellValue) -> Cell:
    """Write one value; text starting with "=" stays text, never becomes a formula."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def _apply_number_formats(ws: Worksheet, columns: Sequence[str]) -> None:
    """Set each data column's number format from its machine name."""
    for col, column in enumerate(columns, start=1):
        fmt = number_format(column)
        if fmt == GENERAL_FORMAT:
            continue
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = fmt


def _fit_widths(ws: Worksheet, max_widths: Mapping[int, int] | None = None) -> None:
    """Set column widths from the longest shown text in each column, within sensible bounds."""
    max_widths = max_widths or {}
    for col, cells in enumerate(ws.iter_cols(), start=1):
        longest = max((_shown_length(cell) for cell in cells), default=0)
        upper = max_widths.get(col, _MAX_WIDTH)
        width = min(max(longest + 2, _MIN_WIDTH), upper)
        ws.column_dimensions[get_column_letter(col)].width = width


def _set_print_layout(ws: Worksheet, title_rows: str | None = None) -> None:
    """Print (and export to PDF) landscape, one page wide, repeating `title_rows` on each page."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if title_rows is not None:
        ws.print_title_rows = title_rows


def _shown_length(cell: Cell) -> int:
    """Roughly how many characters a cell shows."""
    value = cell.value
    if value is None:
        return 0
    if not isinstance(value, int | float):
        return len(str(value))
    if cell.number_format == YEAR_FORMAT:
        return len(str(int(value)))
    return len(f"{value:,.2f}")


# ---------------------------------------------------------------- the sourcing-mix chart


def refined_supply_mix(plan: Plan) -> dict[str, pd.DataFrame]:
    """Refined supply by origin, per mineral: index year, one column per origin, tonnes.

    Origins: each country of refined imports and refined project offtake (Sourcing rows with
    form "refined"), domestic processing output labelled "<home_country> (refined at home)",
    and "stock drawn". Origins that supply nothing are left out, and so are minerals with no
    supply at all. Minerals are sorted by name; countries by total tonnes, largest first.
    """
    home_label = _home_label(plan.summary)
    supply = pd.concat(
        [
            _refined_sourcing(plan.sourcing),
            _origin_rows(plan.processing, "output_t", home_label),
            _origin_rows(plan.stock, "drawn_t", STOCK_DRAWN_LABEL),
        ],
        ignore_index=True,
    )
    mixes: dict[str, pd.DataFrame] = {}
    for mineral in sorted(supply["mineral"].unique(), key=str):
        mix = _pivot_mix(supply[supply["mineral"] == mineral], home_label)
        if not mix.empty:
            mixes[str(mineral)] = mix
    return mixes


def _home_label(summary: Mapping[str, object]) -> str:
    """Series label of domestic processing output."""
    home = summary.get("home_country") or "domestic"
    return f"{home}{HOME_LABEL_SUFFIX}"


def _refined_sourcing(sourcing: pd.DataFrame) -> pd.DataFrame:
    """Refined Sourcing rows as (year, mineral, origin, tonnes); the origin is the country."""
    refined = sourcing[sourcing["form"] == "refined"]
    return _supply_frame(
        refined["year"], refined["mineral"], refined["country"], refined["tonnes_t"]
    )


def _origin_rows(frame: pd.DataFrame, tonnes_column: str, origin: str) -> pd.DataFrame:
    """Rows of `frame` as (year, mineral, origin, tonnes) with one fixed origin label."""
    origins = pd.Series(origin, index=frame.index, dtype=object)
    return _supply_frame(frame["year"], frame["mineral"], origins, frame[tonnes_column])


def _supply_frame(
    year: pd.Series, mineral: pd.Series, origin: pd.Series, tonnes: pd.Series
) -> pd.DataFrame:
    """Long table of refined supply; rows without a year or mineral are dropped."""
    frame = pd.DataFrame(
        {
            "year": pd.to_numeric(year, errors="coerce"),
            "mineral": mineral.astype(object),
            "origin": origin.astype(object),
            "tonnes": pd.to_numeric(tonnes, errors="coerce").fillna(0.0).astype(float),
        }
    )
    frame = frame.dropna(subset=["year", "mineral", "origin"])
    return frame.astype({"year": int})


def _pivot_mix(supply: pd.DataFrame, home_label: str) -> pd.DataFrame:
    """Year x origin tonnes for one mineral, origins that supply nothing dropped."""
    mix = supply.pivot_table(
        index="year", columns="origin", values="tonnes", aggfunc="sum", fill_value=0.0
    )
    totals = mix.sum()
    mix = mix.loc[:, totals > 0]
    if mix.shape[1] == 0:
        return pd.DataFrame()
    mix = mix[_origin_order(mix, home_label)].astype(float)
    mix.index = mix.index.astype(int)
    mix.index.name = "year"
    mix.columns.name = None
    return mix


def _origin_order(mix: pd.DataFrame, home_label: str) -> list[str]:
    """Countries by total tonnes (largest first, then by name), then home output, then stock."""
    special = [home_label, STOCK_DRAWN_LABEL]
    totals = mix.sum()
    countries = sorted(
        (c for c in mix.columns if c not in special), key=lambda c: (-totals[c], str(c))
    )
    return countries + [c for c in special if c in mix.columns]


def _write_chart_sheet(ws: Worksheet, mixes: Mapping[str, pd.DataFrame]) -> None:
    """Per mineral: a data block (year + one column per origin) and a stacked column chart."""
    if not mixes:
        ws.cell(row=1, column=1, value="No refined supply to chart.")
        return
    chart_column = get_column_letter(max(mix.shape[1] for mix in mixes.values()) + 3)
    row = 1
    for mineral, mix in mixes.items():
        header_row = _write_mix_block(ws, row, mineral, mix)
        ws.add_chart(_mix_chart(ws, mineral, header_row, mix), f"{chart_column}{row}")
        row += max(len(mix) + 3, _CHART_ROWS)
    _set_mix_widths(ws, mixes)
    _set_print_layout(ws)


def _set_mix_widths(ws: Worksheet, mixes: Mapping[str, pd.DataFrame]) -> None:
    """Narrow year column (block titles overflow into the empty cells beside them); every
    origin column as wide as the longest origin name."""
    ws.column_dimensions["A"].width = _MIN_WIDTH
    longest = max(len(str(origin)) for mix in mixes.values() for origin in mix.columns)
    for col in range(2, max(mix.shape[1] for mix in mixes.values()) + 2):
        ws.column_dimensions[get_column_letter(col)].width = max(longest + 2, _MIN_WIDTH + 2)


def _mix_title(mineral: str) -> str:
    """Title of a mineral's chart and data block."""
    return f"{mineral}: refined supply by origin (t)"


def _write_mix_block(ws: Worksheet, row: int, mineral: str, mix: pd.DataFrame) -> int:
    """Write a title line, a header row and one row per year from `row`; return the header row."""
    _write_cell(ws, row, 1, _mix_title(mineral)).font = _HEADER_FONT
    header_row = row + 1
    _write_header(ws, header_row, ["year", *(str(c) for c in mix.columns)])
    for (cell,) in ws.iter_cols(min_row=header_row, max_row=header_row, max_col=mix.shape[1] + 1):
        cell.alignment = _RIGHT  # every column holds numbers
    for offset, (year, values) in enumerate(mix.iterrows(), start=1):
        _write_cell(ws, header_row + offset, 1, cell_value(year)).number_format = YEAR_FORMAT
        for col, value in enumerate(values, start=2):
            cell = _write_cell(ws, header_row + offset, col, cell_value(value))
            cell.number_format = TONNES_FORMAT
    return header_row


def _mix_chart(ws: Worksheet, mineral: str, header_row: int, mix: pd.DataFrame) -> BarChart:
    """Stacked column chart of the block whose header row is `header_row`."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = _mix_title(mineral)
    chart.x_axis.title = "year"
    chart.y_axis.title = "tonnes"
    chart.y_axis.number_format = "#,##0"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width = _CHART_WIDTH_CM
    chart.height = _CHART_HEIGHT_CM
    last_row = header_row + len(mix)
    data = Reference(ws, min_col=2, max_col=mix.shape[1] + 1, min_row=header_row, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    return chart


# ---------------------------------------------------------------- reading an export back


def read_plan_tables(path: str | Path) -> dict[str, pd.DataFrame]:
    """Re-read the tables of an exported plan, keyed like Plan attributes.

    Columns get their machine names back (from the header comments, or failing that from the
    headers PLAN_COLUMNS would produce), in PLAN_COLUMNS order; "yes"/"no" in boolean columns
    become True/False and empty cells NaN.
    """
    workbook = load_workbook(path)  # not read-only: header comments are needed
    names = {name: _machine_names(workbook[sheet], name) for name, sheet in TABLE_SHEETS.items()}
    frames = pd.read_excel(workbook, sheet_name=list(TABLE_SHEETS.values()), engine="openpyxl")
    return {
        name: _restore_table(frames[sheet], names[name], name)
        for name, sheet in TABLE_SHEETS.items()
    }


def read_plan_summary(path: str | Path) -> tuple[dict[str, object], list[str]]:
    """Re-read the Summary sheet of an exported plan: (summary items in order, notes)."""
    ws = load_workbook(path)[SUMMARY_SHEET]
    rows = list(ws.iter_rows(min_row=2, max_col=2, values_only=True))
    summary: dict[str, object] = {}
    for index, (item, value) in enumerate(rows):
        if item is None:
            return summary, _read_notes(rows[index + 1 :])
        summary[str(item)] = value
    return summary, []


def read_plan(path: str | Path) -> Plan:
    """Re-read a whole exported plan (summary, notes and tables) as a Plan."""
    summary, notes = read_plan_summary(path)
    return Plan(summary=summary, notes=notes, **read_plan_tables(path))


def _read_notes(rows: Iterable[tuple[object, ...]]) -> list[str]:
    """Notes below the `notes` header of the Summary sheet."""
    rows = list(rows)
    if not rows or rows[0][0] != NOTES_HEADER:
        return []
    return ["" if row[0] is None else str(row[0]) for row in rows[1:]]


def _machine_names(ws: Worksheet, name: str) -> list[str]:
    """Machine column names of a table sheet, from its header row."""
    by_header = {column_header(c): c for c in PLAN_COLUMNS[name]}
    names = []
    for cell in next(ws.iter_rows(min_row=1, max_row=1)):
        comment = cell.comment.text.strip() if cell.comment is not None else ""
        names.append(comment or by_header.get(str(cell.value), str(cell.value)))
    return names


def _restore_table(frame: pd.DataFrame, names: Sequence[str], name: str) -> pd.DataFrame:
    """Rename headers to machine names, order columns, turn "yes"/"no" back into booleans."""
    frame = frame.set_axis(list(names), axis="columns")
    known = [c for c in PLAN_COLUMNS[name] if c in frame.columns]
    frame = frame[known + [c for c in frame.columns if c not in known]]
    for column in BOOL_COLUMNS.intersection(frame.columns):
        frame[column] = frame[column].map({"yes": True, "no": False}).astype(object)
    return frame
