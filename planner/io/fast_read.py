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

import numpy as np
from python_calamine import CalamineWorkbook

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_SHEET_DATA = re.compile(rb"<sheetData\b[^>]*?(?:/>|>(.*?)</sheetData>)", re.DOTALL)
# The patterns below are linear in their input, crafted or not: possessive runs that stop at
# the next tag, never a lazy scan that could run to the end of the sheet from every start.
# _TOKEN: a row's start tag, or a cell with its content
_TOKEN = re.compile(
    rb"<row\b([^<>]*+)>|<c\b((?:[^<>/]++|/(?!>))*+)(?:/>|>((?:[^<]++|<(?!/c>|c\b))*+)</c>)"
)
_ATTRIBUTE = re.compile(rb"""(?<![\w:.-])([\w:.-]++)\s*+=\s*+(?:"([^"]*+)"|'([^']*+)')""")
_ADDRESS = re.compile(rb"([A-Z]{1,3})([0-9]+)")
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_PREFIXED_TAG = re.compile(rb"</?[A-Za-z_][\w.-]*:")
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")  # Excel's _xHHHH_, which the readers decode apart
# a number as openpyxl reads it: int without '.', 'e' or 'E', else float. Unambiguous (no two
# ways to split its digits), so a failing match over many joined numbers backtracks linearly
_NUMBER_TEXT = rb"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER = re.compile(_NUMBER_TEXT)
_PLAIN = (str, float, int, bool)
# the canonical forms: a row with its number; a cell with its address, optional style and type,
# and nothing, a <v> value or a one-run inline string
_ROW = re.compile(rb"<row\b((?:[^<>/]++|/(?!>))*+)(?:/>|>((?:[^<]++|<(?!/row>|row\b))*+)</row>)")
_CANONICAL_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]+)"(?: s="[0-9]+")?(?: t="(n|s|b|str|inlineStr)")?'
    rb'(?:/>|>(?:(<v>([^< ]*)</v>)|(<is><t(?: xml:space="preserve")?>[^<]*</t></is>))</c>)'
)
_CELL_START = re.compile(rb"<c\b")
_EMPTY_ROW = re.compile(rb"<row\b[^<>]*+(?<=/)>")
_NUMBERS = re.compile(rb"(?:%s(?: %s)*)?" % (_NUMBER_TEXT, _NUMBER_TEXT))
_LONG_INT = re.compile(rb"(?:^| )[+-]?[0-9]{16,}(?= |$)")
_WITH_POINT = re.compile(rb"(?<![^ ])[^ .eE]*+[.eE][^ ]*+")  # from a number's start only
_INDICES = re.compile(rb"(?:[0-9]+(?: [0-9]+)*)?")
# the start tag of a part's sheetData: group 1 is "/" when the element is empty
_SHEET_DATA_TAG = re.compile(rb"<sheetData\b[^>]*?(/?)>")
# _bulk_span's whole-sheet pattern: canonical rows of canonical cells, each cell's row (the
# backreference) the number of the row it is written in; and what it then reads of the cells
_BULK_CELL = (
    rb'<c r="[A-Z]{1,3}\1"(?: s="[0-9]+")?(?: t="(?:n|s|b|str|inlineStr)")?'
    rb'(?: ?/>|>(?:<v>[^< ]*</v>|<is><t(?: xml:space="preserve")?>[^<]*</t></is>)</c>)'
)
_BULK_ROWS = re.compile(
    rb'(?:<row r="([0-9]+)"(?: [^<>/]*+)?(?:/>|>(?:%s)*+</row>))*+' % _BULK_CELL
)
_BULK_ROW_NUMBER = re.compile(rb'<row r="([0-9]+)"')
_BULK_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})')
_BULK_START = rb'<c r="[A-Z]{1,3}[0-9]+"(?: s="[0-9]+")?'
_BULK_NUMBER = re.compile(_BULK_START + rb'(?: t="n")?><v>([^<]*)</v>')
_BULK_INDEX = re.compile(_BULK_START + rb' t="s"><v>([^<]*)</v>')
_BULK_BOOLEAN = re.compile(_BULK_START + rb' t="b"><v>([^<]*)</v>')
_BULK_MISPLACED_INLINE = re.compile(_BULK_START + rb'(?: t="(?:n|s|b|str)")?><is>')


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _attributes(text: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTRIBUTE.finditer(text)}  # fmt: skip


def _plain_value(kind: bytes, content: bytes | None) -> bool:
    """Whether a cell of type `kind` holding `content` reads the same with calamine and
    openpyxl (a number written as openpyxl would cast it, a 0/1 boolean, a shared-string
    index, text); formulas, errors, dates and anything else do not."""
    if content is None:
        return kind in (b"n", b"s", b"b", b"str", b"inlineStr")
    if b"<f" in content:
        return False
    if b"<is" in content and kind != b"inlineStr":
        return False  # openpyxl reads an inline string only in an inlineStr cell; calamine always
    match = _VALUE.search(content)
    value = match.group(1) if match else None
    if kind == b"n":
        if value is None:
            return True
        if not _NUMBER.fullmatch(value):
            return False  # '1,5', 'NaN', '1_0': openpyxl refuses or reads them otherwise
        if any(ch in value for ch in b".eE"):
            return not float(value).is_integer()  # '1.0' stays a float in openpyxl
        return len(value.lstrip(b"+-")) <= 15  # beyond 2**53 a float loses the int
    if kind == b"b":
        return value in (None, b"0", b"1")
    if kind == b"s":
        return value is not None and value.isdigit()
    return kind in (b"str", b"inlineStr")


def _plain_sheet(data: bytes) -> tuple[int, int] | None:
    """(rows, columns) a worksheet's cells span, if every cell is plain, addressed and inside
    the row it is written in; None otherwise.

    Most sheets are written the one way Excel, openpyxl and LibreOffice write them; those are
    checked in bulk (`_canonical_span`). Any sheet that check is not sure of is walked cell by
    cell (`_walked_span`), so the bulk check only ever speeds up what the walk would decide."""
    if _PREFIXED_TAG.search(data) or _ESCAPE.search(data):
        return None  # a prefixed <x:c> or <x:f> would be missed below
    for span_of in (_bulk_span, _canonical_span):
        span = span_of(data)
        if span is not None:
            return span
    return _walked_span(data)


def _bulk_span(data: bytes) -> tuple[int, int] | None:
    """`_canonical_span`'s answer for a sheet written without a byte between its rows and
    cells (as XlsxWriter, openpyxl and Excel write them) and its rows' `r` first, from a few
    passes of the pattern engine over the whole sheet instead of one per row and a step of
    Python per cell; None when not sure, which never means the sheet is not plain. It also
    takes openpyxl's empty cells (`<c r="N12" t="inlineStr" />`), which the row-by-row
    check leaves to the walk."""
    if _BULK_ROWS.fullmatch(data) is None:
        return None  # not canonical throughout, or a cell outside the row it names
    if b"<v></v>" in data or _BULK_MISPLACED_INLINE.search(data):
        return None  # see _plain_value
    if not _plain_numbers(_BULK_NUMBER.findall(data)):
        return None
    if not _INDICES.fullmatch(b" ".join(_BULK_INDEX.findall(data))):
        return None
    if not set(_BULK_BOOLEAN.findall(data)) <= {b"0", b"1"}:
        return None
    max_row = max(map(int, _BULK_ROW_NUMBER.findall(data)), default=0)
    max_column = max(map(_column_number, set(_BULK_COLUMN.findall(data))), default=0)
    return max_row, max_column


def _canonical_span(data: bytes) -> tuple[int, int] | None:
    """The span of a sheet whose rows and cells all take the canonical form
    (`<c r="B7" s="2" t="n"><v>1.5</v></c>`, the style and type optional) and whose values are
    all plain; None when not sure, which never means the sheet is not plain."""
    max_row = 0
    column_letters: set[bytes] = set()
    numbers: list[bytes] = []
    indices: list[bytes] = []
    cells = 0
    rows = _ROW.findall(data)
    if len(rows) != data.count(b"<row"):
        return None
    for row_attributes, content in rows:
        number = _attributes(row_attributes).get(b"r")
        if number is None or not number.isdigit():
            return None
        max_row = max(max_row, int(number))
        if not content:
            continue
        found = _CANONICAL_CELL.findall(content)
        cells += len(found)
        for letters, cell_row, kind, value_element, value, inline in found:
            if cell_row != number:
                return None
            column_letters.add(letters)
            if value_element and not value:
                return None  # <v></v>
            if inline and kind != b"inlineStr":
                return None  # an inline string in a cell of another type: see _plain_value
            if not value_element:
                continue
            if kind in (b"", b"n"):
                numbers.append(value)
            elif kind == b"s":
                indices.append(value)
            elif kind == b"b" and value not in (b"0", b"1"):
                return None
    if cells != len(_CELL_START.findall(data)):
        return None  # a cell not in the canonical form, or outside a row
    if not _plain_numbers(numbers) or not _INDICES.fullmatch(b" ".join(indices)):
        return None
    max_column = max(map(_column_number, column_letters), default=0)
    return max_row, max_column


def _plain_numbers(numbers: list[bytes]) -> bool:
    """Whether every number reads the same in both readers, as `_plain_value` judges one: an
    int of at most 15 digits, or a float that is not whole."""
    joined = b" ".join(numbers)
    if not _NUMBERS.fullmatch(joined) or _LONG_INT.search(joined):
        return False
    with_point = _WITH_POINT.findall(joined)
    if not with_point:
        return True
    values = np.array(with_point).astype(float)
    return bool(np.all(np.isfinite(values) & (np.floor(values) != values)))


def _walked_span(data: bytes) -> tuple[int, int] | None:
    """`_plain_sheet`'s answer, from every row and cell in turn."""
    if data.count(b"<row") != data.count(b"</row>") + len(_EMPTY_ROW.findall(data)):
        return None  # a row left open: malformed XML, which openpyxl reports
    row = max_row = max_column = 0
    cells = 0
    for match in _TOKEN.finditer(data):
        row_attributes, cell_attributes, content = match.groups()
        if row_attributes is not None:
            number = _attributes(row_attributes).get(b"r")
            if number is None or not number.isdigit():
                return None  # a row placed by its order alone
            row = int(number)
            max_row = max(max_row, row)
            continue
        attributes = _attributes(cell_attributes)
        address = _ADDRESS.fullmatch(attributes.get(b"r", b""))
        if address is None or int(address.group(2)) != row:
            return None  # placed by its order, or outside the row it is written in
        if not _plain_value(attributes.get(b"t", b"n"), content):
            return None
        max_column = max(max_column, _column_number(address.group(1)))
        cells += 1
    if cells != data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/"):
        return None  # a cell the pattern above did not take
    return max_row, max_column


def _plain_parts(path: Path, max_rows: int, max_cells: int) -> int | None:
    """How many worksheet parts the workbook has, if every one holds only plain cells within
    the size limits (read from the cells' own addresses, so a stray cell far away is seen
    before anything is laid out); None if one does not. A worksheet part is any part with a
    sheetData element, wherever it is stored."""
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
            if info.filename == "xl/sharedStrings.xml" and _ESCAPE.search(xml):
                return None
            if b"sheetData" not in xml:
                continue
            data = _sheet_data(xml)
            if data is None:
                return None  # a prefixed <x:sheetData>
            parts += 1
            span = _plain_sheet(data)
            if span is None:
                return None
            rows, columns = span
            total_cells += rows * columns
            if rows > max_rows or total_cells > max_cells:
                return None
    return parts


def _sheet_data(xml: bytes) -> bytes | None:
    """The content of a part's sheetData element (b"" when it is empty), as `_SHEET_DATA`
    finds it; None when it finds none. A part with one sheetData start tag (every writer's)
    is cut with plain searches, about thirty times as fast as the pattern's scan."""
    start = xml.find(b"<sheetData")
    if start < 0 or xml.find(b"<sheetData", start + 1) >= 0:
        match = _SHEET_DATA.search(xml)
        return None if match is None else match.group(1) or b""
    tag = _SHEET_DATA_TAG.match(xml, start)
    if tag is None:
        return None
    if tag.group(1):
        return b""
    end = xml.find(b"</sheetData>", tag.end())
    return None if end < 0 else xml[tag.end() : end]


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
