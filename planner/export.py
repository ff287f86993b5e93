"""Write a Plan to the plan workbook, atomically, and read an exported plan back.

Layout (DESIGN.md, "Output plan workbook"): a `Summary` sheet, one sheet per plan table and a
`Chart` sheet with the mix of refined supply by origin for each mineral. Table headers are
human readable and carry units ("tonnes (t)"); every header cell holds its machine column name
(from PLAN_COLUMNS) in a cell comment, so `read_plan_tables` maps an export back to the names
the code uses.

Speed: openpyxl (without lxml) serialises a cell in tens of microseconds, far too slow for
plans with hundreds of thousands of cells. So openpyxl writes everything but the bulk rows
(Summary, header rows with their comments, styles, widths, panes, filters, print setup and
charts), and the data rows of the tables and chart blocks are rendered here as SpreadsheetML
text, exactly as openpyxl would write those cells, and spliced into each sheet's `<sheetData>`
when the package is saved (`_save`).
"""

from __future__ import annotations

import io
import math
import numbers
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.fills import Fill
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
_MAX_TEXT_LENGTH = 32767  # openpyxl truncates longer text to what a cell can hold

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
    kind = type(value)  # the common exact types first (bool is not int here)
    if kind is str:
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if kind is float:
        return _float_value(value)
    if kind is int:
        return value
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


@dataclass
class SheetRows:
    """Rows of one sheet as SpreadsheetML `<row>` elements, for the rows openpyxl does not write.

    They follow every row openpyxl writes for `ws` (its header rows) and are spliced into the
    sheet's `<sheetData>` when the workbook is saved.
    """

    ws: Worksheet
    rows: list[str] = field(default_factory=list)
    max_row: int = 0
    max_col: int = 0

    def add(self, row: int, cells: Iterable[str], width: int) -> None:
        """Add row `row` made of `cells` (`<c>` elements), spanning `width` columns."""
        self.rows.append(f'<row r="{row}">{"".join(cells)}</row>')
        self.max_row = max(self.max_row, row)
        self.max_col = max(self.max_col, width)

    def dimension(self) -> str:
        """The sheet's used range, openpyxl's cells and these rows together."""
        ws = self.ws
        last_col = max(ws.max_column, self.max_col)
        return f"A1:{get_column_letter(last_col)}{max(ws.max_row, self.max_row)}"


@dataclass
class PlanWorkbook:
    """The plan workbook in memory: what openpyxl writes, and the rows written as text."""

    workbook: Workbook
    sheet_rows: list[SheetRows] = field(default_factory=list)


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


def build_workbook(plan: Plan) -> PlanWorkbook:
    """The plan workbook in memory: Summary, the plan tables and the Chart sheet."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    _write_summary(summary, plan.summary, plan.notes)
    book = PlanWorkbook(workbook)
    for name, sheet in TABLE_SHEETS.items():
        frame = getattr(plan, name)
        ws = workbook.create_sheet(sheet)
        book.sheet_rows.append(_write_table(ws, frame, table_columns(name, frame)))
    chart_rows = _write_chart_sheet(workbook.create_sheet(CHART_SHEET), refined_supply_mix(plan))
    if chart_rows is not None:
        book.sheet_rows.append(chart_rows)
    return book


def _save(book: PlanWorkbook, path: Path) -> None:
    """Save `book` to `path` (a temporary file while writing atomically).

    openpyxl saves the package to memory; it is then copied part by part to `path`, the rows
    written as text spliced into their sheets.
    """
    package = io.BytesIO()
    book.workbook.save(package)  # sets each sheet's part name (ws.path)
    spliced = {rows.ws.path.lstrip("/"): rows for rows in book.sheet_rows if rows.rows}
    with (
        zipfile.ZipFile(package) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename in spliced:
                data = _splice_rows(data, spliced.pop(info.filename))
            target.writestr(info, data)
    if spliced:
        raise RuntimeError(f"sheet part(s) not found in the package: {', '.join(spliced)}")


_DIMENSION_RE = re.compile(rb'<dimension ref="[^"]*"')
_EMPTY_SHEET_DATA_RE = re.compile(rb"<sheetData\s*/>")


def _splice_rows(xml: bytes, rows: SheetRows) -> bytes:
    """Sheet XML `xml` with `rows` added at the end of its sheetData and its dimension set."""
    body = "".join(rows.rows).encode("utf-8")
    ref = rows.dimension().encode("ascii")
    xml = _DIMENSION_RE.sub(lambda _: b'<dimension ref="' + ref + b'"', xml, count=1)
    end = xml.find(b"</sheetData>")
    if end >= 0:
        return xml[:end] + body + xml[end:]
    empty = _EMPTY_SHEET_DATA_RE.search(xml)
    if empty is None:
        raise ValueError(f"no sheetData in the XML of sheet {rows.ws.title!r}")
    return xml[: empty.start()] + b"<sheetData>" + body + b"</sheetData>" + xml[empty.end() :]


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


def _write_table(ws: Worksheet, frame: pd.DataFrame, columns: Sequence[str]) -> SheetRows:
    """One plan table: a styled header row with units, formatted values, filter, frozen header.

    openpyxl writes the header row; the data rows are returned as text, one formatted column
    at a time.
    """
    headers = [column_header(c) for c in columns]
    _write_header(ws, 1, headers, machine_names=columns)
    data = frame.loc[:, list(columns)]
    column_cells = []
    for col, column in enumerate(columns, start=1):
        fmt = number_format(column)
        values, longest = _column_values(data.iloc[:, col - 1], fmt)
        style = None if fmt == GENERAL_FORMAT or not values else _style_id(ws, number_format=fmt)
        column_cells.append(_column_xml(get_column_letter(col), values, style))
        width = _fit_width(max(len(headers[col - 1]), longest))
        ws.column_dimensions[get_column_letter(col)].width = width
    rows = SheetRows(ws)
    for row, cells in enumerate(zip(*column_cells, strict=True), start=2):
        rows.add(row, cells, len(columns))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{max(len(frame) + 1, 1)}"
    _set_print_layout(ws, title_rows="1:1")
    return rows


def _column_values(series: pd.Series, fmt: str) -> tuple[list[CellValue], int]:
    """`cell_value` of every value of `series`, in order, and the most characters one of them
    shows in number format `fmt` (see `_shown_value_length`); plain numeric columns in bulk."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiu":
        array = series.to_numpy()
        values = array.tolist()  # Python floats or ints
        if dtype.kind == "f":
            finite = np.isfinite(array)
            if not finite.all():
                values = [_float_value(v) for v in values]
                infinities = [v for v in values if isinstance(v, str)]
                return values, max(_longest_number(array[finite], fmt), *map(len, infinities), 0)
        return values, _longest_number(array, fmt)
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        values = ["yes" if v else "no" for v in series.to_numpy().tolist()]
    else:
        values = _text_column_values(series)
    return values, _longest_shown(values, fmt)


def _text_column_values(values: Iterable[object]) -> list[CellValue]:
    """`cell_value` of each value; text that repeats (names) is converted once."""
    converted: dict[str, CellValue] = {}
    result = []
    for value in values:
        if type(value) is str:
            text = converted.get(value)
            if text is None:
                text = converted[value] = cell_value(value)
            result.append(text)
        else:
            result.append(cell_value(value))
    return result


def _longest_number(array: np.ndarray, fmt: str) -> int:
    """The most characters a number of `array` (finite numbers) shows in number format `fmt`.

    A number's text only grows with its magnitude, plus a sign if negative (-0.0 too): the
    largest non-negative number and the smallest negative one are the longest.
    """
    if array.size == 0:
        return 0
    negative = np.signbit(array) if array.dtype.kind == "f" else array < 0
    extremes = []
    if not negative.all():
        extremes.append(array[~negative].max())
    if negative.any():
        extremes.append(array[negative].min())
    return max(_shown_value_length(x.item(), fmt) for x in extremes)


def _style_id(
    ws: Worksheet,
    *,
    number_format: str | None = None,
    font: Font | None = None,
    fill: Fill | None = None,
    alignment: Alignment | None = None,
) -> int:
    """Register a cell style in `ws`'s workbook; return its index for `<c s="...">`.

    The style is set on a detached cell, which is never written itself.
    """
    cell = WriteOnlyCell(ws)
    if number_format is not None:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    return cell.style_id


def _column_xml(letter: str, values: Sequence[CellValue], style: int | None) -> list[str]:
    """`<c>` elements of one column from row 2 down ("" where openpyxl writes no cell)."""
    styled = "" if style is None else f' s="{style}"'
    if set(map(type, values)) <= {int, float}:  # numbers only: no empty cells, no text
        return [
            f'<c r="{letter}{row}"{styled} t="n"><v>{value:.16g}</v></c>'
            for row, value in enumerate(values, 2)
        ]
    return [_cell_xml(f"{letter}{row}", value, styled) for row, value in enumerate(values, 2)]


def _cell_xml(ref: str, value: CellValue, styled: str) -> str:
    """One cell as openpyxl writes it; `styled` is "" or ' s="<style id>"'.

    Text is always text (inline), even if it starts with "=", as `_write_cell` makes it; an
    empty unstyled cell is not written at all.
    """
    if value is None:
        return f'<c r="{ref}"{styled} t="n" />' if styled else ""
    if isinstance(value, str):
        return _text_cell_xml(ref, value, styled)
    return f'<c r="{ref}"{styled} t="n"><v>{value:.16g}</v></c>'  # safe_string's "%.16g"


def _text_cell_xml(ref: str, text: str, styled: str) -> str:
    """A text cell as openpyxl writes it: inline text, or an error value such as "#N/A"."""
    text = text[:_MAX_TEXT_LENGTH]
    if text in ERROR_CODES:
        return f'<c r="{ref}"{styled} t="e"><v>{text}</v></c>'
    if not text:
        return f'<c r="{ref}"{styled} t="inlineStr" />'
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{_escape_text(text)}</t></is></c>'


def _escape_text(text: str) -> str:
    """Escape XML character data."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


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


def _fit_widths(ws: Worksheet, max_widths: Mapping[int, int] | None = None) -> None:
    """Set column widths from the longest shown text in each column, within sensible bounds."""
    max_widths = max_widths or {}
    for col, cells in enumerate(ws.iter_cols(), start=1):
        longest = max((_shown_length(cell) for cell in cells), default=0)
        width = _fit_width(longest, max_widths.get(col, _MAX_WIDTH))
        ws.column_dimensions[get_column_letter(col)].width = width


def _fit_width(longest: int, upper: int = _MAX_WIDTH) -> int:
    """Column width for text `longest` characters long: a little margin, within bounds."""
    return min(max(longest + 2, _MIN_WIDTH), upper)


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
    return _shown_value_length(cell.value, cell.number_format)


def _shown_value_length(value: object, fmt: str) -> int:
    """Roughly how many characters `value` shows in number format `fmt`."""
    if value is None:
        return 0
    if not isinstance(value, int | float):
        return len(str(value))
    if fmt == YEAR_FORMAT:
        return len(str(int(value)))
    return len(f"{value:,.2f}")


def _longest_shown(values: Iterable[CellValue], fmt: str) -> int:
    """The most characters any of `values` shows in number format `fmt` (0 if none)."""
    return max((_shown_value_length(v, fmt) for v in values), default=0)


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
    if supply.empty:
        return mixes
    # One pivot for all minerals; each mineral's block then drops the origins it lacks.
    supply["mineral"] = supply["mineral"].map(str)
    table = supply.pivot_table(
        index=["mineral", "year"], columns="origin", values="tonnes", aggfunc="sum", fill_value=0.0
    )
    for mineral, block in table.groupby(level="mineral", sort=True):
        mix = _mineral_mix(block.droplevel("mineral"), home_label)
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


def _mineral_mix(mix: pd.DataFrame, home_label: str) -> pd.DataFrame:
    """Year x origin tonnes for one mineral, origins that supply nothing dropped."""
    totals = mix.sum()
    totals = totals[totals > 0]
    if totals.empty:
        return pd.DataFrame()
    mix = mix[_origin_order(totals.to_dict(), home_label)].astype(float)
    mix.index = mix.index.astype(int)
    mix.index.name = "year"
    mix.columns.name = None
    return mix


def _origin_order(totals: Mapping[str, float], home_label: str) -> list[str]:
    """Countries by total tonnes (largest first, then by name), then home output, then stock."""
    special = [home_label, STOCK_DRAWN_LABEL]
    countries = sorted((c for c in totals if c not in special), key=lambda c: (-totals[c], str(c)))
    return countries + [c for c in special if c in totals]


@dataclass(frozen=True)
class _BlockStyles:
    """Style attributes (' s="<id>"') of the cells of the chart data blocks."""

    title: str
    header: str
    year: str
    tonnes: str

    @classmethod
    def register(cls, ws: Worksheet) -> _BlockStyles:
        def styled(**style: object) -> str:
            return f' s="{_style_id(ws, **style)}"'

        return cls(
            title=styled(font=_HEADER_FONT),
            header=styled(font=_HEADER_FONT, fill=_HEADER_FILL, alignment=_RIGHT),
            year=styled(number_format=YEAR_FORMAT),
            tonnes=styled(number_format=TONNES_FORMAT),
        )


def _write_chart_sheet(ws: Worksheet, mixes: Mapping[str, pd.DataFrame]) -> SheetRows | None:
    """Per mineral: a data block (year + one column per origin) and a stacked column chart.

    The data blocks are returned as text rows (None if there is nothing to chart).
    """
    if not mixes:
        ws.cell(row=1, column=1, value="No refined supply to chart.")
        return None
    chart_column = get_column_letter(max(mix.shape[1] for mix in mixes.values()) + 3)
    rows = SheetRows(ws)
    styles = _BlockStyles.register(ws)
    row = 1
    for mineral, mix in mixes.items():
        header_row = _write_mix_block(rows, styles, row, mineral, mix)
        ws.add_chart(_mix_chart(ws, mineral, header_row, mix), f"{chart_column}{row}")
        row += max(len(mix) + 3, _CHART_ROWS)
    _set_mix_widths(ws, mixes)
    _set_print_layout(ws)
    return rows


def _set_mix_widths(ws: Worksheet, mixes: Mapping[str, pd.DataFrame]) -> None:
    """Narrow year column (block titles overflow into the empty cells beside them); every
    origin column as wide as the longest origin name."""
    ws.column_dimensions["A"].width = _MIN_WIDTH
    longest = max(len(str(origin)) for mix in mixes.values() for origin in mix.columns)
    for col in range(2, max(mix.shape[1] for mix in mixes.values()) + 2):
        ws.column_dimensions[get_column_letter(col)].width = max(longest + 2, _MIN_WIDTH + 2)


def _mix_title(mineral: str) -> str:
    """Title of a mineral's chart and data block (without characters a workbook cannot hold)."""
    return ILLEGAL_CHARACTERS_RE.sub("", f"{mineral}: refined supply by origin (t)")


def _write_mix_block(
    rows: SheetRows, styles: _BlockStyles, row: int, mineral: str, mix: pd.DataFrame
) -> int:
    """Add a title line, a header row and one row per year from `row`; return the header row.

    Bold title; bold, filled, right-aligned headers (every column holds numbers); years and
    tonnes formatted.
    """
    width = mix.shape[1] + 1
    letters = [get_column_letter(col) for col in range(1, width + 1)]
    rows.add(row, [_block_cell(f"A{row}", _mix_title(mineral), styles.title)], 1)
    header_row = row + 1
    headers = ["year", *(str(c) for c in mix.columns)]
    rows.add(
        header_row,
        [
            _block_cell(f"{letter}{header_row}", h, styles.header)
            for letter, h in zip(letters, headers, strict=True)
        ],
        width,
    )
    for offset, (year, values) in enumerate(
        zip(mix.index, mix.to_numpy().tolist(), strict=True), start=1
    ):
        r = header_row + offset
        cells = [_block_cell(f"A{r}", year, styles.year)]
        cells += [
            _block_cell(f"{letter}{r}", value, styles.tonnes)
            for letter, value in zip(letters[1:], values, strict=True)
        ]
        rows.add(r, cells, width)
    return header_row


def _block_cell(ref: str, value: object, styled: str) -> str:
    """One cell of a chart data block."""
    return _cell_xml(ref, cell_value(value), styled)


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
