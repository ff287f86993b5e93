"""Write a Plan to the plan workbook, atomically, and read an exported plan back.

Layout (DESIGN.md, "Output plan workbook"): a `Summary` sheet, one sheet per plan table and a
`Chart` sheet with the mix of refined supply by origin for each mineral. Table headers are
human readable and carry units ("tonnes (t)"); every header cell holds its machine column name
(from PLAN_COLUMNS) in a cell comment, so `read_plan_tables` maps an export back to the names
the code uses.

Writing uses XlsxWriter: each table column gets its number format and width once
(`set_column`), a table's rows go to the sheet in bulk (planner/export/table_rows.py writes
the XML XlsxWriter would write for them, at a fraction of the time), other cells with `write`
and `write_row`, and the charts are native column charts. XlsxWriter builds the
package in memory; `_save` writes it to the (temporary) file. Reading uses openpyxl.
"""

from __future__ import annotations

import io
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pyomo.common.gc_manager import PauseGC
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet as SheetWriter

from planner.export import column_notes, summary_labels
from planner.export.chart_cache import add_column_chart
from planner.export.colours import OTHER_LABEL, CountryColours, plan_colours
from planner.export.deflate import QuickDeflateWorkbook
from planner.export.table_rows import TableSheet
from planner.io.atomic import write_atomically
from planner.results.mix import HOME_LABEL_SUFFIX, STOCK_DRAWN_LABEL, refined_supply_mix
from planner.results.plan import PLAN_COLUMNS, Plan

SUMMARY_SHEET = "Summary"
CHART_SHEET = "Chart"
# Plan attribute -> sheet name, in sheet order.
TABLE_SHEETS: dict[str, str] = {
    "sourcing": "Sourcing",
    "mine_origin": "MineOrigin",
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
    "self_sufficiency": "self-sufficiency (refined at home)",
    "hhi_mine": "HHI, mine origin (0-1)",
    "governance_hhi_mine": "governance-weighted HHI, mine origin",
    "concern_share_mine": "concern share, mine origin",
    "self_sufficiency_mine": "self-sufficiency (mined at home)",
}
_SHARE_COLUMNS = frozenset(
    {
        "share",
        "stake",
        "utilisation",
        "self_sufficiency",
        "self_sufficiency_mine",
        "concern_share_mine",
        "probability",
        "cvar_alpha",
    }
)
_INDEX_COLUMNS = frozenset({"hhi", "governance_hhi", "hhi_mine", "governance_hhi_mine"})
# Summary items that are fractions worth reading as percentages with detail
_RATE_ITEMS = frozenset({"gap", "mip_gap_setting", "discount_rate"})
RATE_FORMAT = "0.000%"

# A named font: without one LibreOffice falls back to a serif face for bold cells.
_BOLD = {"font_name": "Calibri", "font_size": 11, "bold": True}
_HEADER_STYLE = {**_BOLD, "pattern": 1, "bg_color": "#DDEBF7"}
_COMMENT_OPTIONS = {"author": "planner", "width": 260, "height": 60}  # pixels
_WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,  # text such as "=SUM(A1)" stays text
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": False,  # never reached: `cell_value` makes NaN empty, infinity text
    "in_memory": True,  # no temporary files besides the one `write_plan` renames
}
_MIN_WIDTH = 8
_MAX_WIDTH = 50
_SUMMARY_VALUE_MAX_WIDTH = 70
# the plan's Chart sheet: one mineral per printed page, its chart above its data
_PAGE_CHART_WIDTH_CM = 22
_PAGE_CHART_HEIGHT_CM = 9
_PAGE_CHART_ROWS = 19  # rows a 9 cm chart covers at the default row height, plus a gap
_MIX_MAX_WIDTH = 14  # characters
_PAGE_WIDTH_CHARACTERS = 85  # a landscape A4 page within its margins, at 100%
_PIXELS_PER_CM = 96 / 2.54
_MAX_TEXT_LENGTH = 32767  # UTF-16 code units a cell holds; longer text is truncated
_MAX_ROWS = 1_048_576  # rows a sheet holds
# Characters a workbook cannot hold (XML 1.0 has no place for most control characters).
_ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

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
    # per year and mineral in sweeps and frontiers: hhi_2030_lithium, concern_share_2030_cobalt
    if column.startswith(("hhi_", "governance_hhi_")):
        return INDEX_FORMAT
    if column.startswith(("concern_share_", "self_sufficiency_")):
        return SHARE_FORMAT
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
    become "yes"/"no", infinities become the text "inf"/"-inf" and anything else its text
    (see `_text`).
    """
    kind = type(value)  # the common exact types first (bool is not int here)
    if kind is str:
        return _text(cast(str, value))
    if kind is float:
        return _float_value(cast(float, value))
    if kind is int:
        return cast(int, value)
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
        return _text(value)
    return _text(str(value))


def _text(text: str) -> str:
    """Text as a cell holds it: control characters a workbook cannot hold dropped, and line
    ends "\\r\\n" and "\\r" made "\\n" (as any XML reader sees them)."""
    text = _ILLEGAL_CHARACTERS_RE.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


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
class PlanWorkbook:
    """The plan workbook being written; XlsxWriter assembles it into `package` on close."""

    workbook: Workbook
    package: io.BytesIO


class _Formats:
    """The cell formats of a workbook, each created once."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self.header = workbook.add_format(_HEADER_STYLE)
        self.header_right = workbook.add_format({**_HEADER_STYLE, "align": "right"})
        self.header_wrap = workbook.add_format(
            {**_HEADER_STYLE, "align": "right", "text_wrap": True, "valign": "bottom"}
        )
        self.title = workbook.add_format(_BOLD)
        self.bold = workbook.add_format({**_BOLD, "bottom": 1})
        self.code = workbook.add_format({"font_color": "#7F7F7F", "font_size": 9})
        self._numbers: dict[str, Format] = {}

    def number(self, fmt: str) -> Format | None:
        """The format showing numbers in number format `fmt`; None for "General"."""
        if fmt == GENERAL_FORMAT:
            return None
        if fmt not in self._numbers:
            self._numbers[fmt] = self._workbook.add_format({"num_format": fmt})
        return self._numbers[fmt]


def write_plan(plan: Plan, path: str | Path, all_charts: bool = False) -> Path:
    """Write `plan` as the plan workbook at `path`, atomically; return the path. The Chart
    sheet charts at most CHART_MINERALS minerals unless `all_charts` (`charted_minerals`).

    The workbook is built and saved to a temporary file beside `path`, then renamed over it:
    on any error nothing is left behind and a previous file at `path` is untouched.
    """
    check_plan_columns(plan)

    def write(tmp: Path) -> None:
        # Writing makes no reference cycles; with the collector on, its allocations would
        # trigger scans of whatever the solve left behind (a model is millions of objects)
        with PauseGC():
            _save(build_workbook(plan, all_charts=all_charts), tmp)

    return write_atomically(path, write)


def check_plan_columns(plan: Plan) -> None:
    """Raise ValueError naming every PLAN_COLUMNS column missing from a plan table, and every
    table too long for a sheet."""
    problems = []
    for name, frame in plan.tables().items():
        missing = [c for c in PLAN_COLUMNS[name] if c not in frame.columns]
        if missing:
            problems.append(f"Plan.{name} lacks column(s) {', '.join(missing)}")
        if len(frame) >= _MAX_ROWS:
            problems.append(f"Plan.{name} has {len(frame):,} rows; a sheet holds {_MAX_ROWS - 1:,}")
    if problems:
        raise ValueError("; ".join(problems))


def build_workbook(plan: Plan, by_row: bool = False, all_charts: bool = False) -> PlanWorkbook:
    """The plan workbook in memory: Summary, the plan tables and the Chart sheet (every
    mineral charted with `all_charts`, else `charted_minerals`); `by_row` has XlsxWriter
    store the tables' cells one by one (the same package, more slowly)."""
    package = io.BytesIO()
    workbook = QuickDeflateWorkbook(package, _WORKBOOK_OPTIONS)
    formats = _Formats(workbook)
    _write_summary(_add_sheet(workbook, SUMMARY_SHEET), formats, plan.summary, plan.notes)
    for name, sheet in TABLE_SHEETS.items():
        frame = getattr(plan, name)
        columns = table_columns(name, frame)
        _write_table(_add_sheet(workbook, sheet), formats, frame, columns, by_row)
    for sheet, frame in plan.extra.items():
        columns = [str(c) for c in frame.columns]
        _write_table(_add_sheet(workbook, sheet), formats, frame, columns, by_row)
    chart_sheet = _add_sheet(workbook, CHART_SHEET)
    mixes = refined_supply_mix(plan)
    colours = plan_colours(plan, mixes)  # of every origin, as the briefing's
    charted = charted_minerals(plan, list(mixes), None if all_charts else CHART_MINERALS)
    note = None
    if len(charted) < len(mixes):
        note = (
            f"Charted: the {len(charted)} of {len(mixes)} minerals with the largest sourcing "
            "cost over the horizon. Every mineral's sourcing is on the Sourcing sheet; "
            "planner solve --all-charts charts them all."
        )
        mixes = {mineral: mixes[mineral] for mineral in charted}
    _write_chart_sheet(workbook, chart_sheet, formats, mixes, colours, note)
    return PlanWorkbook(workbook, package)


def charted_minerals(plan: Plan, minerals: Sequence[str], limit: int | None) -> list[str]:
    """Of `minerals` (in their order), all when there are at most `limit` (or no limit), else
    the `limit` with the largest sourcing cost over the horizon (the Sourcing sheet's
    cost_musd summed; ties by name), in their order."""
    if limit is None or len(minerals) <= limit:
        return list(minerals)
    cost = plan.sourcing.groupby("mineral")["cost_musd"].sum()
    ranked = sorted(minerals, key=lambda m: (-float(cost.get(m, 0.0)), m))
    chosen = set(ranked[:limit])
    return [m for m in minerals if m in chosen]


def _save(book: PlanWorkbook, path: Path) -> None:
    """Assemble the package of `book` and write it to `path` (a temporary file while writing
    atomically)."""
    book.workbook.close()
    path.write_bytes(book.package.getbuffer())


def _add_sheet(workbook: Workbook, name: str) -> SheetWriter:
    """A new sheet whose text cells all go through `_write_text`, and which takes a table's
    rows in bulk (planner/export/table_rows.py)."""
    ws = workbook.add_worksheet(name, worksheet_class=TableSheet)
    ws.add_write_handler(str, _write_text)
    return ws


def _write_text(
    ws: SheetWriter, row: int, col: int, text: str, cell_format: Format | None = None
) -> int | None:
    """XlsxWriter write handler for text: write what XlsxWriter would get wrong; None leaves
    the rest to XlsxWriter.

    XlsxWriter takes text of the form "<r>...</r>" for rich-text XML of its own and copies it
    into the package unescaped (text such as "<r>&</r>" would break the workbook): such text
    is written as three plain runs instead. Text longer than a cell holds is truncated here,
    as XlsxWriter's truncation makes `write_row` stop at that cell.
    """
    too_long = len(text) > _MAX_TEXT_LENGTH // 2 and len(text.encode("utf-16-le")) > (
        2 * _MAX_TEXT_LENGTH
    )
    if too_long:
        text = text.encode("utf-16-le")[: 2 * _MAX_TEXT_LENGTH].decode("utf-16-le", "ignore")
    if text.startswith("<r>") and text.endswith("</r>"):
        runs = (text[:1], text[1:2], text[2:])  # none empty: Excel refuses empty runs
        return ws.write_rich_string(row, col, *runs, *([cell_format] if cell_format else []))
    if too_long:
        return ws.write_string(row, col, text, cell_format)
    return None


SUMMARY_HEADERS = ("item", "value", "name in code")


def _write_summary(
    ws: SheetWriter, formats: _Formats, summary: Mapping[str, object], notes: Sequence[str]
) -> None:
    """Summary sheet: the plan's figures in words with units, then the run's details in their
    own block, each item with its machine name in the third column; then the notes."""
    _write_header(ws, formats, 0, list(SUMMARY_HEADERS))
    longest = [len(h) for h in SUMMARY_HEADERS]
    row = 1
    for title, keys in summary_labels.blocks(summary):
        if not keys:
            continue
        ws.write(row, 0, title, formats.bold)
        row += 1
        for key in keys:
            fmt = number_format(key)
            text = cell_value(summary_labels.label(key, column_header(key)))
            shown = cell_value(summary[key])
            ws.write(row, 0, text)
            ws.write(row, 1, shown, formats.number(fmt))
            ws.write(row, 2, key, formats.code)
            longest[0] = max(longest[0], _shown_value_length(text, GENERAL_FORMAT))
            longest[1] = max(longest[1], _shown_value_length(shown, fmt))
            longest[2] = max(longest[2], len(key))
            row += 1
        row += 1
    ws.set_column(0, 0, _fit_width(longest[0], 75))  # notes may overflow: not counted
    ws.set_column(1, 1, _fit_width(longest[1], _SUMMARY_VALUE_MAX_WIDTH))
    ws.set_column(2, 2, _fit_width(longest[2]))
    if notes:
        _write_header(ws, formats, row, [NOTES_HEADER])
        for offset, note in enumerate(notes, start=1):
            ws.write(row + offset, 0, cell_value(note))
    ws.freeze_panes(1, 0)
    _set_print_layout(ws, repeat_header=True)


def _write_table(
    ws: SheetWriter,
    formats: _Formats,
    frame: pd.DataFrame,
    columns: Sequence[str],
    by_row: bool = False,
) -> None:
    """One plan table: a styled header row with units, formatted values, filter, frozen header.

    Each column gets its number format (and width) once, as the column's format, which the
    cells written without a format of their own take on; the rows go to the sheet in bulk
    (`TableSheet.write_body`), or one by one where it refuses them (text XlsxWriter would
    not store as it is) or with `by_row`.
    """
    headers = [column_header(c) for c in columns]
    _write_header(ws, formats, 0, headers, machine_names=columns)
    data = frame.loc[:, list(columns)]
    column_values = []
    for col, column in enumerate(columns):
        fmt = number_format(column)
        values, longest = _column_values(data.iloc[:, col], fmt)
        column_values.append(values)
        width = _fit_width(max(len(headers[col]), longest))
        ws.set_column(col, col, width, formats.number(fmt))
    bulk = not by_row and isinstance(ws, TableSheet) and ws.write_body(1, column_values)
    if not bulk:
        write_row = ws.write_row
        for row, cells in enumerate(zip(*column_values, strict=True), start=1):
            if write_row(row, 0, cells):
                raise ValueError(f"could not write row {row + 1} of sheet {ws.name!r}")
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(frame), max(len(columns) - 1, 0))
    _set_print_layout(ws, repeat_header=True)


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
        return values, _longest_shown(values, fmt)
    return _text_column_values(series, fmt)


def _text_column_values(values: pd.Series, fmt: str) -> tuple[list[CellValue], int]:
    """`cell_value` of each value, and the most characters one shows in number format `fmt`;
    text that repeats (names) is converted and measured once."""
    if pd.api.types.infer_dtype(values, skipna=True) == "string":  # text and missing values
        codes, uniques = pd.factorize(values)  # missing: code -1, the last entry below
        texts = [*map(_text, uniques), None]
        longest = _longest_shown(texts, fmt)
        return np.array(texts, dtype=object)[codes].tolist(), longest
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
    return result, _longest_shown(result, fmt)


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


def _write_header(
    ws: SheetWriter,
    formats: _Formats,
    row: int,
    headers: Sequence[str],
    machine_names: Sequence[str] | None = None,
) -> None:
    """Bold, filled header cells; with `machine_names`, each one's name in a cell comment and
    the headers over numbers right-aligned."""
    for col, header in enumerate(headers):
        header_format = formats.header
        if machine_names is not None:
            name = machine_names[col]
            ws.write_comment(row, col, cell_value(column_notes.comment(name)), _COMMENT_OPTIONS)
            if number_format(name) != GENERAL_FORMAT:
                header_format = formats.header_right  # over right-aligned numbers
        ws.write(row, col, cell_value(header), header_format)


def _fit_width(longest: int, upper: int = _MAX_WIDTH) -> int:
    """Column width for text `longest` characters long: a little margin, within bounds."""
    return min(max(longest + 2, _MIN_WIDTH), upper)


def _set_print_layout(ws: SheetWriter, repeat_header: bool = False) -> None:
    """Print (and export to PDF) landscape, one page wide, repeating the header row on each
    page if `repeat_header`."""
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    if repeat_header:
        ws.repeat_rows(0)


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


def _write_chart_sheet(
    workbook: Workbook,
    ws: SheetWriter,
    formats: _Formats,
    mixes: Mapping[str, pd.DataFrame],
    colours: CountryColours | None = None,
    note: str | None = None,
) -> None:
    """Per mineral, one printed page: a stacked column chart of refined supply by origin,
    its data block below it (year + one column per origin); each origin has its colour of
    the plan (the briefing's). A `note` (which minerals are charted) goes first, on a line
    of its own."""
    if not mixes:
        ws.write(0, 0, "No refined supply to chart.")
        return
    if note is not None:
        ws.write(0, 0, _text(note))
    blocks = [
        ChartBlock(_mix_title(mineral), _chart_mix(mix), "tonnes", "stacked")
        for mineral, mix in mixes.items()
    ]
    _write_chart_pages(workbook, ws, formats, blocks, colours, 0 if note is None else 2)


def _write_chart_pages(
    workbook: Workbook,
    ws: SheetWriter,
    formats: _Formats,
    blocks: Sequence[ChartBlock],
    colours: CountryColours | None = None,
    first_row: int = 0,
) -> None:
    """One printed page per block from `first_row`: its title, its chart, its data below the
    chart, and a page break before the next block."""
    tables = {b.title: b.table for b in blocks}
    widest = max(b.table.shape[1] for b in blocks)
    _set_mix_columns(ws, formats, tables, widest)
    row, breaks = first_row, []
    for block in blocks:
        if row > first_row:
            breaks.append(row)
        ws.write(row, 0, _text(block.title), formats.title)
        header_row = _write_mix_block(ws, formats, row + _PAGE_CHART_ROWS, "", block.table)
        chart = _mix_chart(
            workbook, ws, row, header_row, block.table, block.y_name, block.subtype, colours
        )
        chart.set_size(
            {
                "width": round(_PAGE_CHART_WIDTH_CM * _PIXELS_PER_CM),
                "height": round(_PAGE_CHART_HEIGHT_CM * _PIXELS_PER_CM),
            }
        )
        ws.insert_chart(row + 1, 0, chart)
        row = header_row + len(block.table) + 2
    ws.set_landscape()
    ws.set_h_pagebreaks(breaks)
    # Excel ignores manual page breaks under "fit to page": scale the page to its width instead
    characters = _MIN_WIDTH + widest * _mix_column_width(tables)
    ws.set_print_scale(max(10, min(100, int(100 * _PAGE_WIDTH_CHARACTERS / characters))))


CHART_ORIGINS = 9  # origins a plan chart names; the others are summed as "other origins"
# Minerals the Chart sheet charts by default, a printed page each: a national list fits (the
# India case has 7); past it the sheet's hundreds of charts cost more to write (the `large`
# preset's plan: 4.6-4.9 s with its 1,550 charts, 1.8-2.0 s with 50) and to open than they
# help a reader.
CHART_MINERALS = 50


def _chart_mix(mix: pd.DataFrame) -> pd.DataFrame:
    """The mix with its CHART_ORIGINS largest countries (home output and stock drawn always
    kept, last), the other countries summed as "other origins": a chart of more series reads
    as noise, and its data block would not fit a printed page."""
    special = [c for c in mix.columns if str(c).endswith(HOME_LABEL_SUFFIX)]
    special += [c for c in mix.columns if c == STOCK_DRAWN_LABEL]
    countries = [c for c in mix.columns if c not in special]  # largest first already
    keep = max(CHART_ORIGINS - len(special), 1)
    if len(countries) <= keep + 1:
        return mix
    out = mix[countries[:keep]].copy()
    out[OTHER_LABEL] = mix[countries[keep:]].sum(axis=1)
    return pd.concat([out, mix[special]], axis=1)


def _set_mix_columns(
    ws: SheetWriter, formats: _Formats, mixes: Mapping[str, pd.DataFrame], widest: int
) -> None:
    """Year column: narrow (block titles overflow into the empty cells beside them), years
    formatted. Origin columns: as wide as the longest origin name, tonnes formatted."""
    ws.set_column(0, 0, _MIN_WIDTH, formats.number(YEAR_FORMAT))
    ws.set_column(1, widest, _mix_column_width(mixes), formats.number(TONNES_FORMAT))


def _mix_column_width(mixes: Mapping[str, pd.DataFrame]) -> int:
    """Origin columns as wide as the longest name, at most _MIX_MAX_WIDTH (longer headers
    wrap): the blocks must fit a printed page."""
    longest = max(len(str(origin)) for mix in mixes.values() for origin in mix.columns)
    return min(max(longest + 2, _MIN_WIDTH + 2), _MIX_MAX_WIDTH)


def _mix_title(mineral: str) -> str:
    """Title of a mineral's chart and data block (without characters a workbook cannot hold)."""
    return f"{mineral}: refined supply by origin (t)"


def _write_mix_block(
    ws: SheetWriter, formats: _Formats, row: int, title: str, mix: pd.DataFrame
) -> int:
    """Write a title line, a header row and one row per year from `row`; return the header
    row.

    Bold title; bold, filled, right-aligned headers (every column holds numbers); years and
    tonnes take their columns' formats.
    """
    if title:
        ws.write(row, 0, _text(title), formats.title)
    header_row = row + 1
    headers = ["year", *(cell_value(str(c)) for c in mix.columns)]
    ws.write_row(header_row, 0, headers, formats.header_wrap)
    years = mix.index.tolist()
    for offset, (year, values) in enumerate(zip(years, mix.to_numpy().tolist(), strict=True)):
        ws.write_row(header_row + 1 + offset, 0, [cell_value(year), *map(cell_value, values)])
    return header_row


def _mix_chart(
    workbook: Workbook,
    ws: SheetWriter,
    title_row: int,
    header_row: int,
    mix: pd.DataFrame,
    y_name: str = "tonnes",
    subtype: str = "stacked",
    colours: CountryColours | None = None,
) -> Chart:
    """Column chart (stacked, or clustered with subtype "clustered") of the block titled in
    `title_row` with headers in `header_row`.

    Title and series names refer to the block's cells, so no text is taken for a formula.
    """
    chart = add_column_chart(workbook, subtype)
    first, last = header_row + 1, header_row + len(mix)
    for col in range(1, mix.shape[1] + 1):
        series: dict[str, object] = {
            "name": [ws.name, header_row, col],
            "categories": [ws.name, first, 0, last, 0],
            "values": [ws.name, first, col, last, col],
        }
        if colours is not None:
            colour = colours[str(mix.columns[col - 1])]
            series["fill"] = {"color": colour}
            series["border"] = {"color": colour}
        chart.add_series(series)
    chart.set_title({"name": [ws.name, title_row, 0]})
    chart.set_x_axis({"name": "year"})
    chart.set_y_axis({"name": y_name, "num_format": "#,##0"})
    return chart


# ---------------------------------------------------------------- reports of other commands


@dataclass
class ChartBlock:
    """A year x series table charted as columns on the Chart sheet."""

    title: str
    table: pd.DataFrame  # index year, one column per series
    y_name: str
    subtype: str = "clustered"


def write_report(
    path: str | Path,
    summary: Mapping[str, object],
    notes: Sequence[str],
    tables: Mapping[str, pd.DataFrame],
    charts: Sequence[ChartBlock] = (),
) -> Path:
    """A workbook like the plan's: Summary, one sheet per table, a Chart sheet; atomic."""

    def write(tmp: Path) -> None:
        package = io.BytesIO()
        workbook = QuickDeflateWorkbook(package, _WORKBOOK_OPTIONS)
        formats = _Formats(workbook)
        _write_summary(_add_sheet(workbook, SUMMARY_SHEET), formats, summary, notes)
        for sheet, frame in tables.items():
            columns = [str(c) for c in frame.columns]
            _write_table(_add_sheet(workbook, sheet), formats, frame, columns)
        if charts:
            _write_chart_pages(workbook, _add_sheet(workbook, CHART_SHEET), formats, charts)
        _save(PlanWorkbook(workbook, package), tmp)

    return write_atomically(path, write)


# ---------------------------------------------------------------- reading an export back


def open_plan(path: str | Path) -> OpenpyxlWorkbook:
    """An exported plan, loaded once for `read_plan_tables` and `read_plan_summary` (not
    read-only: header comments are needed)."""
    return load_workbook(path)


def _loaded(source: str | Path | OpenpyxlWorkbook) -> OpenpyxlWorkbook:
    return source if isinstance(source, OpenpyxlWorkbook) else open_plan(source)


def read_plan_tables(path: str | Path | OpenpyxlWorkbook) -> dict[str, pd.DataFrame]:
    """Re-read the tables of an exported plan, keyed like Plan attributes.

    Columns get their machine names back (from the header comments, or failing that from the
    headers PLAN_COLUMNS would produce), in PLAN_COLUMNS order; "yes"/"no" in boolean columns
    become True/False and empty cells NaN.
    """
    workbook = _loaded(path)
    # plans written before a sheet existed (MineOrigin: schema 3) are read without it
    present = {name: sheet for name, sheet in TABLE_SHEETS.items() if sheet in workbook}
    names = {name: _machine_names(workbook[sheet], name) for name, sheet in present.items()}
    frames = pd.read_excel(workbook, sheet_name=list(present.values()), engine="openpyxl")
    return {
        name: _restore_table(frames[sheet], names[name], name) for name, sheet in present.items()
    }


def read_plan_summary(
    path: str | Path | OpenpyxlWorkbook,
) -> tuple[dict[str, object], list[str]]:
    """Re-read the Summary sheet of an exported plan: (summary items in order, notes).

    Items are keyed by their machine name (the third column); plans written before the
    Summary had words (two columns, the name in the first) are read as well."""
    ws = _loaded(path)[SUMMARY_SHEET]
    header: tuple = next(ws.iter_rows(min_row=1, max_row=1, max_col=3, values_only=True), ())
    rows = list(ws.iter_rows(min_row=2, max_col=3, values_only=True))
    summary: dict[str, object] = {}
    if tuple(header)[2:3] != SUMMARY_HEADERS[2:3]:  # the two-column layout
        for index, (item, value, *_) in enumerate(rows):
            if item is None:
                return summary, _read_notes(rows[index + 1 :])
            summary[str(item)] = value
        return summary, []
    for index, (item, value, key) in enumerate(rows):
        if item == NOTES_HEADER and value is None and key is None:
            return summary, _read_notes(rows[index:])
        if key is not None:
            summary[str(key)] = value
    return summary, []


def read_plan(path: str | Path, extra_sheets: Sequence[str] = ()) -> Plan:
    """Re-read a whole exported plan (summary, notes and tables) as a Plan; those of
    `extra_sheets` the plan has (e.g. a stochastic plan's Scenarios) go to `Plan.extra` as
    written. The workbook is loaded once."""
    workbook = open_plan(path)
    summary, notes = read_plan_summary(workbook)
    plan = Plan(summary=summary, notes=notes, **read_plan_tables(workbook))
    present = [name for name in extra_sheets if name in workbook.sheetnames]
    if present:
        plan.extra = pd.read_excel(workbook, sheet_name=present, engine="openpyxl")
    return plan


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
        comment = column_notes.name_in(cell.comment.text) if cell.comment is not None else ""
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
