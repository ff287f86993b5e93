"""Write sweep and frontier results: one row per point, a native chart, written atomically."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference, ScatterChart, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from planner.export.plan import number_format
from planner.io.atomic import write_atomically
from planner.results.kpis import COST, RISK
from planner.solve.deterministic import highs_version, program_version

_HEADER_FILL = PatternFill(fill_type="solid", fgColor="DDEBF7")


def _cell(value):
    if isinstance(value, float) and pd.isna(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _write_table(ws, frame: pd.DataFrame) -> None:
    ws.append(list(frame.columns))
    for cell in ws[1]:
        cell.font = Font(name="Calibri", bold=True)
        cell.fill = _HEADER_FILL
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    for i, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(i)
        fmt = number_format(str(column))
        shown = [len(str(column))] + [
            len(str(v)) if fmt == "General" or not isinstance(v, float) else 12
            for v in frame[column].head(200)
        ]
        ws.column_dimensions[letter].width = min(max(10, max(shown) + 2), 60)
        if fmt != "General":
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    _printable(ws)


WIDE_COLUMNS = 12  # beyond this many columns a sheet prints across pages, not shrunk
NOTE_WIDTH = 90  # characters of the Notes column


def _printable(ws) -> None:
    """Landscape with the header row repeated on every page; one page wide when the sheet is
    narrow, else across pages at 60% with its first two columns (the point) repeated, since
    dozens of columns shrunk to one page cannot be read."""
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:1"
    if ws.max_column <= WIDE_COLUMNS:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    else:
        ws.page_setup.scale = 60
        ws.print_title_cols = "A:B"  # the point's index and its first parameter


def _chart(ws, frame: pd.DataFrame, varied: list[str], risk: str = RISK) -> None:
    """One varied parameter: cost and risk against it (lines); else cost against risk (the
    column `risk`)."""
    n = len(frame) + 1
    col = {c: i + 1 for i, c in enumerate(frame.columns)}
    if COST not in col or n < 3:
        return
    if len(varied) == 1 and pd.api.types.is_numeric_dtype(frame[varied[0]]):
        chart = LineChart()
        chart.title = f"Discounted cost and risk exposure against {varied[0]}"
        chart.y_axis.title = "million USD"
        chart.x_axis.title = varied[0]
        for name in (COST, risk):
            chart.add_data(
                Reference(ws, min_col=col[name], min_row=1, max_row=n), titles_from_data=True
            )
        chart.set_categories(Reference(ws, min_col=col[varied[0]], min_row=2, max_row=n))
    else:
        chart = ScatterChart()
        label = risk.removesuffix("_discounted_musd").replace("_", " ")
        chart.title = f"Discounted cost against {label}, one marker per point"
        chart.style = 13
        chart.x_axis.title = f"{label} (million USD)"
        chart.y_axis.title = "cost (million USD)"
        series = Series(
            Reference(ws, min_col=col[COST], min_row=2, max_row=n),
            Reference(ws, min_col=col[risk], min_row=2, max_row=n),
            title="points",
        )
        series.marker.symbol = "circle"
        series.graphicalProperties.line.noFill = True
        chart.series.append(series)
    chart.width, chart.height = 24, 12
    ws.add_chart(chart, f"{get_column_letter(len(frame.columns) + 2)}2")


def write_results(
    frame: pd.DataFrame,
    path: str | Path,
    sheet: str = "Sweep",
    varied: list[str] | None = None,
    notes: list[str] | None = None,
    risk: str = RISK,
    stamp: dict[str, object] | None = None,
) -> Path:
    """Write `frame` (one row per point) with a chart of cost against it or against the
    column `risk`; notes go to a Notes sheet and the run stamp (program, input, seed, time)
    to a Run sheet."""

    def write(tmp: Path) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = sheet
        _write_table(ws, frame)
        _chart(ws, frame, varied or [], risk)
        by_year = frame.attrs.get("by_year")
        if isinstance(by_year, pd.DataFrame) and len(by_year):
            _write_table(wb.create_sheet(f"{sheet}ByYear"), by_year)
        if notes:
            notes_ws = wb.create_sheet("Notes")
            for line in notes:
                notes_ws.append([line])
            notes_ws.column_dimensions["A"].width = NOTE_WIDTH
            for (cell,) in notes_ws.iter_rows(min_col=1, max_col=1):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                # a wrapped cell keeps the default height unless told: give each its lines
                lines = max(1, -(-len(str(cell.value or "")) // (NOTE_WIDTH - 10)))
                notes_ws.row_dimensions[cell.row].height = 15 * lines
            _printable(notes_ws)
        if stamp:
            run_ws = wb.create_sheet("Run")
            run_ws.append(["item", "value"])
            for cell in run_ws[1]:
                cell.font = Font(name="Calibri", bold=True)
                cell.fill = _HEADER_FILL
            for key, value in stamp.items():
                run_ws.append([key, _cell(value)])
            run_ws.column_dimensions["A"].width = 24
            run_ws.column_dimensions["B"].width = 70
            _printable(run_ws)
        wb.save(tmp)

    return write_atomically(path, write)


def run_stamp(input_file: str, input_sha256: str, **extra: object) -> dict[str, object]:
    """What a results workbook records of its run (its Run sheet): program and HiGHS
    versions, the input and its hash, the time, and `extra` items (a seed, a measure...)."""
    return {
        "program": f"critical-minerals-planner {program_version()}",
        "highs_version": highs_version(),
        "input_file": input_file,
        "input_sha256": input_sha256,
        **extra,
        "run_at_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
