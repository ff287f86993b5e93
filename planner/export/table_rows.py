"""A table's body rows written to the sheet XML in bulk, for XlsxWriter.

XlsxWriter stores every cell as an object and writes each one out through a few method
calls, about 8 us a cell (benchmarks/README.md): at the plan sizes of the scale presets the
export took more time than everything else outside HiGHS together. A plan table is a block of
typed columns, so `TableSheet` takes a table's body as its columns and, when the workbook is
saved, writes for those cells the XML XlsxWriter would write cell by cell: the same cell
references, the column's number format as the cell's style, text in the shared string table
(registered in the order `write_row` would register it), numbers in XlsxWriter's notation and
the same row spans. tests/test_export.py checks that a plan's package is the same, part for
part and byte for byte, written either way.

What it relies on in XlsxWriter besides its public API: a worksheet class given to
`add_worksheet`, the sheet's `_write_rows` (which writes the rows of `<sheetData>`),
`_check_dimensions`, the shared string table's `_get_shared_string_index` and a format's
`_get_xf_index`, its cell tuples. Where the sheet has anything that changes how XlsxWriter
writes the body's rows (a row's own format or height, a default row height, Excel 2010
attributes, comments or cells written into the body's rows), the body goes into XlsxWriter's
own cell table at saving and XlsxWriter writes it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import CellNumberTuple, CellStringTuple, Worksheet

CellValue = str | int | float | None

_SPAN_ROWS = 16  # XlsxWriter gives every block of 16 rows one `spans` attribute


def plain_text(value: str) -> bool:
    """Whether XlsxWriter's `write_string` would store `value` as it is: not rich-text XML
    of its own ("<r>...</r>") and not longer than a cell holds (the plan's write handler
    treats those)."""
    return not (value.startswith("<r>") and value.endswith("</r>")) and len(value) <= 16383


@dataclass
class _Body:
    """A table body: its first row (0-based) and each column's cells, text already replaced
    by its shared string index (an int) and flagged in `text`."""

    first_row: int
    columns: list[list[CellValue]]
    text: list[list[bool] | None]  # per column: which cells are shared strings (None: none)


class TableSheet(Worksheet):
    """An XlsxWriter worksheet that can take a table body in bulk (`write_body`)."""

    def __init__(self) -> None:
        super().__init__()
        self._body: _Body | None = None

    def write_body(self, first_row: int, columns: Sequence[list[CellValue]]) -> bool:
        """Take the cells of rows first_row.. from `columns` (equal lengths), as
        `write_row(first_row + i, 0, row i)` would with no cell format: None and "" are empty
        cells. False, and nothing taken, when the sheet has a body already, the workbook
        turns text into formulas, links or numbers, or a value is not plain (a NaN or an
        infinity, a type other than str, int and float, text `plain_text` refuses): the
        caller then writes the rows one by one."""
        if (
            self._body is not None
            or self.constant_memory
            or self.strings_to_formulas
            or self.strings_to_urls
            or self.strings_to_numbers
        ):
            return False
        text_columns = []
        for c, cells in enumerate(columns):
            kinds = set(map(type, cells))
            if not kinds <= {str, int, float, type(None)}:
                return False
            if float in kinds and not _all_finite(cells, kinds):
                return False
            if str in kinds:
                if not all(plain_text(v) for v in {v for v in cells if type(v) is str}):
                    return False
                text_columns.append(c)
        n_rows = len(columns[0]) if columns else 0
        if n_rows == 0:
            return True
        stored = [list(cells) for cells in columns]
        flags: list[list[bool] | None] = [None] * len(columns)
        for c in text_columns:
            cells = stored[c]
            if "" in cells:  # empty text: no cell, as XlsxWriter writes none
                stored[c] = cells = [None if v == "" else v for v in cells]
            flags[c] = [type(v) is str for v in cells]
        self._share_strings(stored, flags)

        def holds_a_cell(r: int) -> bool:
            return any(column[r] is not None for column in stored)

        first = next((r for r in range(n_rows) if holds_a_cell(r)), None)
        if first is None:
            return True
        last = next(r for r in range(n_rows - 1, -1, -1) if holds_a_cell(r))
        filled = [c for c, cells in enumerate(stored) if any(v is not None for v in cells)]
        self._check_dimensions(first_row + first, min(filled))
        self._check_dimensions(first_row + last, max(filled))
        self._body = _Body(first_row, stored, flags)
        return True

    def _share_strings(self, columns: list[list[CellValue]], text: list[list[bool] | None]) -> None:
        """Replace each text cell by its shared string index, in place, registering the
        strings in the order write_row would meet them (row by row, left to right), so that
        the indices and the table's counts come out as XlsxWriter's own."""
        found: list[tuple[int, int, str]] = []  # each column's distinct strings: first row, column
        codes_of: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for c, is_text in enumerate(text):
            if is_text is None:
                continue
            rows = np.flatnonzero(np.array(is_text, dtype=bool))
            codes, uniques = pd.factorize(np.array(columns[c], dtype=object)[rows])
            first_seen = np.unique(codes, return_index=True)[1]
            found += zip(rows[first_seen].tolist(), [c] * len(uniques), uniques, strict=True)
            codes_of[c] = (rows, codes, uniques)
        table = self.str_table
        for _row, _col, string in sorted(found, key=lambda item: (item[0], item[1])):
            table._get_shared_string_index(string)
        index = table.string_table
        for c, (rows, codes, uniques) in codes_of.items():
            values = np.array(columns[c], dtype=object)
            values[rows] = np.array([index[u] for u in uniques], dtype=object)[codes]
            columns[c] = values.tolist()
        # a use counted per registration above; write_row counts one per text cell
        table.count += sum(len(rows) for rows, _, _ in codes_of.values()) - len(found)

    def _write_rows(self) -> None:
        """XlsxWriter's rows (those before the body), then the body's."""
        body = self._body
        if body is None:
            super()._write_rows()
            return
        if self._rows_of_its_own(body):
            self._hand_back(body)
            super()._write_rows()
            return
        last_row: int = self.dim_rowmax  # type: ignore[has-type]  # untyped in XlsxWriter
        first_row: int = self.dim_rowmin
        self.dim_rowmax = body.first_row - 1  # XlsxWriter writes the rows above the body
        try:
            if first_row < body.first_row:
                super()._write_rows()
        finally:
            self.dim_rowmax = last_row
        self._write_body(body)

    def _rows_of_its_own(self, body: _Body) -> bool:
        """Whether XlsxWriter would write a body row's tag with more than its number and
        spans, or write rows of the body's range that hold no cell."""
        return (
            self.excel_version != 2007
            or self.default_row_height != self.original_row_height
            or any(r >= body.first_row for r in self.row_info)
            or any(r >= body.first_row for r in self.comments)
            or any(r >= body.first_row and cells for r, cells in self.table.items())
        )

    def _hand_back(self, body: _Body) -> None:
        """Put the body's cells in XlsxWriter's own cell table, as write_row stores them."""
        for c, (values, is_text) in enumerate(zip(body.columns, body.text, strict=True)):
            for offset, value in enumerate(values):
                if value is None:
                    continue
                if is_text is not None and is_text[offset]:
                    cell = CellStringTuple(value, None)
                else:
                    cell = CellNumberTuple(value, None)
                self.table[body.first_row + offset][c] = cell
        self._body = None

    def _write_body(self, body: _Body) -> None:
        """The body's <row> elements, as XlsxWriter's _write_rows would write them.

        A row whose every cell is there and of its column's usual kind (text or number) is
        one `str.format` of the table's row template; any other row is put together cell by
        cell."""
        first = body.first_row + 1  # 1-based row numbers in cell references
        cells = [self._cell_markup(c) for c in range(len(body.columns))]
        text_kind = [_mostly_text(is_text) for is_text in body.text]
        present = [_present(values) for values in body.columns]
        regular = np.logical_and.reduce(
            [
                _of_kind(mask, is_text, kind)
                for mask, is_text, kind in zip(present, body.text, text_kind, strict=True)
            ]
        )
        spans = self._body_spans(body, present)
        template = "".join(
            cell.format(
                row="{0}",
                value=f"{{{c + 1}}}" if kind else f"{{{c + 1}:.16G}}",
                t=' t="s"' if kind else "",
            )
            for c, (cell, kind) in enumerate(zip(cells, text_kind, strict=True))
        )
        write = self.fh.write
        chunk: list[str] = []
        for offset, (values, usual) in enumerate(
            zip(zip(*body.columns, strict=True), regular.tolist(), strict=True)
        ):
            row = first + offset
            span = spans[(row - 1) // _SPAN_ROWS]
            if usual:
                content = template.format(row, *values)
            else:
                content = "".join(
                    _cell(cells[c], row, value, body.text[c], offset)
                    for c, value in enumerate(values)
                    if value is not None
                )
                if not content:
                    continue
            chunk.append(f'<row r="{row}" spans="{span}">{content}</row>')
            if len(chunk) >= 4096:
                write("".join(chunk))
                chunk.clear()
        write("".join(chunk))

    def _cell_markup(self, col: int) -> str:
        """A cell of column `col` as a format string with fields row, value and t (a shared
        string: " t=\"s\"", else ""), the column's number format as its style."""
        info = self.col_info.get(col)
        fmt = info.column_format if info is not None else None
        style = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
        return f'<c r="{xl_col_to_name(col)}{{row}}"{style}{{t}}><v>{{value}}</v></c>'

    def _body_spans(self, body: _Body, present: list[np.ndarray]) -> dict[int, str]:
        """Each 16-row block's `spans` (1-based first:last column holding a cell), with the
        cells and comments XlsxWriter holds in the block's rows above the body."""
        n_rows = len(present[0])
        blocks = (body.first_row + np.arange(n_rows)) // _SPAN_ROWS
        first_block = int(blocks[0])
        n_blocks = int(blocks[-1]) - first_block + 1
        # per column, whether each block holds a cell of it
        held = np.array(
            [np.bincount(blocks[mask] - first_block, minlength=n_blocks) > 0 for mask in present]
        )
        for row in range(first_block * _SPAN_ROWS, body.first_row):  # XlsxWriter's rows
            for col in [*self.table.get(row, {}), *self.comments.get(row, {})]:
                if col < len(held):
                    held[col, 0] = True
                else:
                    held = np.vstack([held, np.zeros((col + 1 - len(held), n_blocks), bool)])
                    held[col, 0] = True
        spans = {}
        for block in range(n_blocks):
            cols = np.flatnonzero(held[:, block])
            if cols.size:
                spans[first_block + block] = f"{cols[0] + 1}:{cols[-1] + 1}"
        return spans


def _present(values: list[CellValue]) -> np.ndarray:
    """Which cells hold a value."""
    if None not in values:
        return np.ones(len(values), dtype=bool)
    return np.fromiter((v is not None for v in values), dtype=bool, count=len(values))


def _mostly_text(is_text: list[bool] | None) -> bool:
    """Whether most of a column's cells are shared strings."""
    return is_text is not None and 2 * sum(is_text) >= len(is_text)


def _of_kind(present: np.ndarray, is_text: list[bool] | None, text_kind: bool) -> np.ndarray:
    """Cells that hold a value of the column's usual kind."""
    if is_text is None:
        return present
    text = np.array(is_text, dtype=bool)
    return text if text_kind else present & ~text


def _cell(markup: str, row: int, value: CellValue, is_text: list[bool] | None, offset: int) -> str:
    """One cell from its column's markup."""
    if is_text is not None and is_text[offset]:
        return markup.format(row=row, value=value, t=' t="s"')
    return markup.format(row=row, value=f"{value:.16G}", t="")


def _all_finite(cells: list[CellValue], kinds: set[type]) -> bool:
    """Whether every float of `cells` is finite."""
    if kinds == {float}:
        return bool(np.isfinite(np.array(cells, dtype=float)).all())
    return all(math.isfinite(v) for v in cells if type(v) is float)
