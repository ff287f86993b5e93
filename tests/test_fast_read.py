"""The calamine reader (`planner.io.fast_read`) gives openpyxl's rows for a plain workbook, and
sends every other workbook to openpyxl, which names the unusual cells (issue 14)."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.io import fast_read, workbook
from planner.io.fast_read import read_plain_values
from planner.io.template import write_template
from tests.builders import write_workbook
from tests.test_reading import _rewrite
from tests.test_validate import SETTINGS, base_sheets

ROOT = Path(__file__).resolve().parents[1]
LIMITS = (workbook.MAX_ROWS_PER_SHEET, workbook.MAX_CELLS)


def _trimmed(rows: list[tuple]) -> list[tuple]:
    """Rows without trailing blank cells or trailing blank rows: the two readers pad rows to
    different widths, which the table reader ignores."""
    out = [
        tuple(row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)])
        for row in rows
    ]
    while out and not out[-1]:
        out.pop()
    return out


def _assert_same_rows(path: Path) -> None:
    fast = read_plain_values(path, *LIMITS)
    assert fast is not None, "a plain workbook must take the calamine path"
    rows_by_title, titles = fast
    values, uncached, names = workbook.read_with_openpyxl(path)
    assert ", ".join(titles) == names
    assert not any(uncached.values())
    for title, rows in rows_by_title.items():
        expected = _trimmed(values[title.strip().lower()])
        got = _trimmed(rows)
        assert got == expected, title
        # the same Python types, cell by cell (an int stays an int: '1' means yes)
        assert [tuple(map(type, r)) for r in got] == [tuple(map(type, r)) for r in expected]


def test_the_india_case_reads_the_same_with_both_readers():
    _assert_same_rows(ROOT / "inputs" / "india_2040.xlsx")


def test_a_test_workbook_reads_the_same_with_both_readers(tmp_path):
    sheets = base_sheets()
    sheets["Supply"][0]["price_usd_per_t"] = " 12.5 "  # text stays text, spaces kept
    sheets["Countries"][0]["risk_score"] = 0.1
    _assert_same_rows(write_workbook(tmp_path / "in.xlsx", sheets, SETTINGS))


def test_the_template_reads_the_same_with_both_readers(tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path)
    _assert_same_rows(path)


def _with_cell(tmp_path: Path, address: str, value: object, data_type: str | None = None) -> Path:
    path = write_workbook(tmp_path / "in.xlsx", base_sheets(), SETTINGS)
    book = openpyxl.load_workbook(path)
    book["Supply"][address] = value
    if data_type:
        book["Supply"][address].data_type = data_type
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("address", "value", "data_type"),
    [
        ("F2", "=2*3", None),  # a formula
        ("F2", "#DIV/0!", "e"),  # an error cell
        ("F2", datetime.datetime(2030, 1, 1), None),  # a date
        ("F2", datetime.time(3, 4), None),  # a time
        ("C150000", 1, None),  # beyond the row limit
    ],
)
def test_unusual_workbooks_go_to_openpyxl(tmp_path, address, value, data_type):
    path = _with_cell(tmp_path, address, value, data_type)
    assert read_plain_values(path, *LIMITS) is None


@pytest.mark.parametrize(
    "edit",
    [
        # a NaN where a number is written
        lambda xml: xml.replace("123456.75", "NaN"),
        # a cell placed by its order alone
        lambda xml: xml.replace('<c r="F2" t="n"><v>123456.75', '<c t="n"><v>123456.75'),
        # entity definitions (a billion-laughs bomb, say): defusedxml's to refuse
        lambda xml: '<!DOCTYPE worksheet [<!ENTITY a "1">]>' + xml,
        # a number openpyxl refuses ('1,5') or reads as a float ('1.0', '1E0')
        lambda xml: xml.replace("<v>123456.75", "<v>1,5"),
        lambda xml: xml.replace("<v>123456.75", "<v>1.0"),
        lambda xml: xml.replace("<v>123456.75", "<v>1E0"),
        # a boolean that is not 0 or 1
        lambda xml: xml.replace('r="F2" t="n"><v>123456.75', 'r="F2" t="b"><v>true'),
        # an error cell however its attribute is quoted or spaced
        lambda xml: xml.replace('r="F2" t="n"><v>123456.75', "r=\"F2\" t='e'><v>#N/A"),
        lambda xml: xml.replace('r="F2" t="n"><v>123456.75', 'r="F2" t = "e"><v>#N/A'),
        # a formula in a prefixed element
        lambda xml: xml.replace("<v>123456.75", "<x:f>1/0</x:f><v>123456.75"),
        # Excel's escape of a carriage return in text, which the two readers decode apart
        lambda xml: xml.replace(
            'r="F2" t="n"><v>123456.75</v>', 'r="F2" t="inlineStr"><is><t>a_x000D_</t></is>'
        ),
        # a row without its number, and a cell addressed outside the row it is written in
        lambda xml: xml.replace('<row r="2"', "<row", 1),
        lambda xml: xml.replace('<c r="F2"', '<c r="F120000"'),
        # two values in one number cell (joined with spaces, they must not pass as two)
        lambda xml: xml.replace("<v>123456.75", "<v>1 2"),
        # an inline string in a cell that is not an inlineStr (openpyxl reads nothing there)
        lambda xml: xml.replace(
            'r="F2" t="n"><v>123456.75</v>', 'r="F2" t="str"><is><t>q</t></is>'
        ),
        # rows left open: malformed XML, which openpyxl reports
        lambda xml: xml.replace("</row>", ""),
    ],
    ids=[
        "nan",
        "cell without address",
        "dtd",
        "decimal comma",
        "integral 1.0",
        "integral 1E0",
        "boolean true",
        "error quoted",
        "error spaced",
        "prefixed formula",
        "x000D escape",
        "row without number",
        "cell outside its row",
        "two values in a number cell",
        "inline string in a str cell",
        "rows left open",
    ],
)
def test_unusual_sheet_xml_goes_to_openpyxl(tmp_path, edit):
    path = _with_cell(tmp_path, "F2", 123456.75)
    before = read_plain_values(path, *LIMITS)
    with zipfile.ZipFile(path) as archive:
        original = archive.read("xl/worksheets/sheet5.xml")
    _rewrite(path, r"xl/worksheets/sheet5\.xml", edit)
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/worksheets/sheet5.xml") != original  # the edit took
    assert before is not None and read_plain_values(path, *LIMITS) is None


def test_files_that_are_not_excel_workbooks_go_to_openpyxl(tmp_path):
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    assert read_plain_values(text, *LIMITS) is None
    ods = tmp_path / "book.xlsx"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert read_plain_values(ods, *LIMITS) is None


def test_a_workbook_with_a_chart_sheet_goes_to_openpyxl(tmp_path):
    """Every sheet calamine lists must be a worksheet part checked for formulas first."""
    path = write_workbook(tmp_path / "in.xlsx", base_sheets(), SETTINGS)
    book = openpyxl.load_workbook(path)
    book.create_chartsheet("Chart")
    book.save(path)
    assert read_plain_values(path, *LIMITS) is None


def test_whole_numbers_come_as_int_and_fractions_as_float(tmp_path):
    path = _with_cell(tmp_path, "F2", 3)
    rows_by_title, _ = read_plain_values(path, *LIMITS)
    supply = rows_by_title["Supply"]
    column = supply[0].index("price_usd_per_t")
    assert supply[1][column] == 3 and type(supply[1][column]) is int


# Cells in and around the canonical form: values openpyxl reads otherwise ('1.0', '1,5',
# 16 digits, '<v></v>'), other types and spellings, formulas, rows out of place.
_VALUES = st.sampled_from(
    [b"", b"0", b"1", b"2", b"12", b"-3", b"+4", b"1.5", b"1.0", b"1e3", b"2.5E-1", b"1E0",
     b".5", b"5.", b"1,5", b"NaN", b"1234567890123456", b"123456789012345", b"1e400", b"x",
     b"1 2", b"0 1", b" 1"]
)  # fmt: skip
_KINDS = st.sampled_from([b"", b' t="n"', b' t="s"', b' t="b"', b' t="str"', b' t="inlineStr"',
                          b' t="e"', b' t="d"', b" t='n'"])  # fmt: skip
_STYLES = st.sampled_from([b"", b' s="1"', b' s="x"'])
_BODIES = st.one_of(
    st.just(b"/>"),
    _VALUES.map(lambda v: b"><v>" + v + b"</v></c>"),
    st.just(b"><is><t>text</t></is></c>"),
    st.just(b"><f>A1</f><v>1</v></c>"),
    st.just(b"></c>"),
)


@st.composite
def _sheet_data(draw) -> bytes:
    rows = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        cells = b""
        for column in b"ABC"[: draw(st.integers(0, 3))]:
            cell_row = draw(st.sampled_from([number, number, number, number + 1]))
            address = bytes([column]) + str(cell_row).encode()
            opening = draw(st.sampled_from([b"<c", b"<c", b"<c", b"<c\t"]))
            kind, style, body = draw(_KINDS), draw(_STYLES), draw(_BODIES)
            cells += opening + b' r="' + address + b'"' + style + kind + body
        row_number = str(number).encode() if draw(st.integers(0, 9)) else b"x"
        rows.append(b'<row r="' + row_number + b'">' + cells + b"</row>")
    if draw(st.integers(0, 9)) == 0:
        rows.append(b'<c r="A9"><v>1</v></c>')  # a cell outside any row
    return b"".join(rows)


@settings(max_examples=400, deadline=None)
@given(_sheet_data())
def test_the_bulk_check_agrees_with_the_cell_by_cell_walk(data):
    """Whenever a bulk check of canonical sheets (row by row, or whole-sheet passes)
    answers, its answer is the walk's: it can only speed up a decision, never change one."""
    walked = fast_read._walked_span(data)
    for check in (fast_read._canonical_span, fast_read._bulk_span):
        span = check(data)
        if span is not None:
            assert span == walked, check.__name__


def test_the_bulk_check_answers_for_canonical_sheets():
    """The bulk check takes the usual sheet (else it would speed nothing up), and leaves a
    whole float written '1.0' to the walk, which refuses it."""
    canonical = (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" s="1" t="s">'
        b'<v>0</v></c></row><row r="2"><c r="A2" t="n"><v>2.5</v></c><c r="C2"><v>7</v></c>'
        b'<c r="D2" t="b"><v>1</v></c></row><row r="3"/>'
    )
    assert fast_read._canonical_span(canonical) == (3, 4) == fast_read._walked_span(canonical)
    assert fast_read._bulk_span(canonical) == (3, 4)
    whole = canonical.replace(b"<v>2.5</v>", b"<v>2.0</v>")
    assert fast_read._canonical_span(whole) is None and fast_read._plain_sheet(whole) is None
    assert fast_read._bulk_span(whole) is None


def test_many_numbers_with_a_bad_one_are_refused_at_once():
    """The joined-numbers check must not backtrack through every way to split each number's
    digits: with an ambiguous pattern ('[0-9]+\\.?[0-9]*') forty numbers and a '1,5' took
    longer than any test run (exponential); this returns at once."""
    numbers = [b"123456789", b"1.25", b"2.5e-1"] * 40
    assert fast_read._plain_numbers(numbers)
    assert not fast_read._plain_numbers([*numbers, b"1,5"])
    assert not fast_read._plain_numbers([*numbers, b"2.0"])  # whole: openpyxl keeps a float


def test_a_shared_string_cell_holding_two_indices_goes_to_openpyxl():
    """'0 1' is no shared-string index: the walk refuses it, and so must the bulk check (which
    joins indices with spaces to check them at once)."""
    sheet = b'<row r="1"><c r="A1" t="s"><v>0 1</v></c></row>'
    assert fast_read._canonical_span(sheet) is None and fast_read._plain_sheet(sheet) is None


@pytest.mark.parametrize(
    "sheet",
    [
        b"".join(b'<row r="%d">' % i for i in range(1, 20_001)),  # rows never closed
        b'<row r="1">' + b'<c r="A1">' * 20_000 + b"</row>",  # cells never closed
        b'<row r="1"><c r="A1" ' + b"a" * 50_000 + b"/></row>",  # a long attribute word
    ],
    ids=["open rows", "open cells", "long attribute word"],
)
def test_crafted_sheets_are_refused_or_read_in_one_pass(sheet):
    """Inputs on which a lazy or backtracking pattern would scan to the end of the sheet from
    every tag (seconds at 16,000 tags before the patterns were made possessive; minutes at
    100,000): the answer is the walk's, and it comes in one pass."""
    span = fast_read._plain_sheet(sheet)
    assert span == fast_read._walked_span(sheet)
    assert fast_read._canonical_span(sheet) in (None, span)
    assert fast_read._bulk_span(sheet) in (None, span)


@pytest.mark.parametrize(
    "sheet",
    [
        b'<row r="1"><c r="A1"><v></v></c></row>',  # an empty value
        b'<row r="1"><c r="A1" t="s"><is><t>q</t></is></c></row>',  # inline, not inlineStr
        b'<row r="1"><c r="A1"><is><t>q</t></is></c></row>',
        b'<row r="1"><c r="A1" t="b"><v>2</v></c></row>',  # a boolean neither 0 nor 1
        b'<row r="1"><c r="A1" t="s"><v>x</v></c></row>',  # no shared-string index
        b'<row r="1"><c r="A1"><v>1.0</v></c></row>',  # whole, written as a float
        b'<row r="1"><c r="A2"><v>1</v></c></row>',  # a cell outside its row
        b'<row r="1"><c r="A1" t="e"><v>#N/A</v></c></row>',  # an error
        b'<row r="1"><c r="A1"><f>B1</f><v>1</v></c></row>',  # a formula
        b'<row r="1">\n<c r="A1"><v>1</v></c></row>',  # a byte between tags: not sure
        b'<row spans="1:1" r="1"><c r="A1"><v>1</v></c></row>',  # r not first: not sure
    ],
)
def test_the_whole_sheet_check_leaves_anything_unusual_to_the_others(sheet):
    """The whole-sheet check answers only for plain, canonical sheets: each of these it
    leaves (None) to the row-by-row check and the walk, which decide it."""
    assert fast_read._bulk_span(sheet) is None


def test_the_whole_sheet_check_takes_what_writers_write(tmp_path):
    """Every sheet of the India case and of a workbook openpyxl writes (the template) takes
    the whole-sheet check, with the walk's answer: openpyxl's empty cells too
    (`<c r="N12" t="inlineStr" />`), which the row-by-row check leaves to the walk."""
    from planner.io.template import write_template

    paths = [ROOT / "inputs" / "india_2040.xlsx", write_template(tmp_path / "template.xlsx")]
    checked = 0
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                xml = archive.read(name)
                if not name.startswith("xl/worksheets/") or b"sheetData" not in xml:
                    continue
                data = fast_read._sheet_data(xml)
                assert data is not None
                span = fast_read._bulk_span(data)
                assert span is not None and span == fast_read._walked_span(data), name
                checked += 1
    assert checked >= 10


_PART_PIECES = st.sampled_from(
    [
        b"<sheetData>",
        b"<sheetData/>",
        b'<sheetData a="/">',
        b'<sheetData a="x"/>',
        b"<sheetDataX>",
        b"</sheetData>",
        b"<x:sheetData>",
        b'<row r="1"/>',
        b"<worksheet>",
        b"text",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PART_PIECES, max_size=6).map(b"".join))
def test_sheet_data_is_cut_as_the_pattern_finds_it(xml):
    """The sheetData element's content, cut with plain searches, is what the pattern finds:
    the same bytes, b"" for an empty element, None for none."""
    match = fast_read._SHEET_DATA.search(xml)
    expected = None if match is None else match.group(1) or b""
    assert fast_read._sheet_data(xml) == expected
