"""Read a plain workbook's cell values with calamine (Rust), ten times faster than openpyxl.

Only workbooks with nothing but plain values take this path: text, numbers and yes/no cells.
Anything else (a formula, an error cell, a date, a NaN, a cell written without its address, a
sheet reaching far beyond the limits, XML with a namespace prefix or a DTD, a chart sheet,
anything calamine refuses) returns None, and `planner.io.workbook` reads the file with
openpyxl, which reports every such cell by its address. Both readers give the same rows for a
plain workbook (`tests/test_fast_read.py`).
"""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook

# a formula (<f>, <f t="shared" .../>) or an error cell (t="e")
_UNUSUAL = re.compile(rb'<f[\s>/]|<c\s[^>]*\bt="e"')
_CELL = re.compile(rb"<c[\s>/]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_ROW_NUMBER = re.compile(rb'<row\s[^>]*?\br="(\d+)"')
_CELL_COLUMN = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3})\d+"')
_PLAIN = (str, float, int, bool)


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _plain_parts(path: Path, max_rows: int, max_cells: int) -> int | None:
    """How many worksheet parts the workbook has, if every one holds only plain cells within
    the size limits (read from the cells' own addresses, so a stray cell far away is seen
    before anything is laid out); None if one does not."""
    total_cells = parts = 0
    with zipfile.ZipFile(path) as archive:
        if "xl/workbook.xml" not in archive.namelist():
            return None  # not an Excel workbook (an OpenDocument file is a zip too)
        for info in archive.infolist():
            if not info.filename.endswith((".xml", ".rels")):
                continue
            xml = archive.read(info)
            if _DTD.search(xml):
                return None  # entity definitions: openpyxl's defusedxml refuses them
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            parts += 1
            # a prefixed root (<x:worksheet>) would hide the tags searched for below
            if b"<worksheet" not in xml[:1000] or _UNUSUAL.search(xml):
                return None
            addressed = _CELL_COLUMN.findall(xml)
            if len(addressed) != len(_CELL.findall(xml)):
                return None  # a cell placed by its order alone
            rows = max((int(r) for r in _ROW_NUMBER.findall(xml)), default=0)
            columns = max((_column_number(c) for c in set(addressed)), default=0)
            total_cells += rows * columns
            if rows > max_rows or total_cells > max_cells:
                return None
    return parts


def read_plain_values(
    path: Path, max_rows: int, max_cells: int
) -> tuple[dict[str, list[tuple]], list[str]] | None:
    """Every sheet's rows (from row 1 and column A, blank cells None, whole numbers as int, as
    openpyxl gives them) and the sheet names in order; None if the workbook is not plain."""
    try:
        parts = _plain_parts(path, max_rows, max_cells)
        if parts is None:
            return None
        book = CalamineWorkbook.from_path(str(path))
    except Exception:  # any refusal sends the file to openpyxl, which names the problem
        return None
    sheets: dict[str, list[tuple]] = {}
    titles = list(book.sheet_names)
    if len(titles) != parts:
        # a sheet whose part was not checked above (a chart sheet, a part stored elsewhere)
        book.close()
        return None
    try:
        for name in titles:
            rows = []
            for values in book.get_sheet_by_name(name).to_python(skip_empty_area=False):
                row = _row(values)
                if row is None:
                    return None
                rows.append(row)
            sheets[name] = rows
    except Exception:  # as above
        return None
    finally:
        book.close()
    return sheets, titles


def _row(values: list) -> tuple | None:
    """One row as openpyxl gives it, or None if a cell is not a plain value."""
    out: list[str | float | int | bool | None] = []
    for value in values:
        if value == "":
            out.append(None)
        elif type(value) is float:
            if not math.isfinite(value):
                return None
            # openpyxl reads <v>3</v> as int 3; calamine gives 3.0
            out.append(int(value) if value.is_integer() and abs(value) < 2**53 else value)
        elif isinstance(value, _PLAIN):
            out.append(value)
        else:
            return None  # a date or a time: openpyxl's reading is the reference
    # openpyxl drops a row's trailing blanks only to the sheet's width; keep calamine's width
    return tuple(out)
