"""Reading a workbook exactly, or refusing it with the cell: text numbers in other forms, stale
`<dimension>` tags, colliding sheet names, and workbooks too large to read (issue 11)."""

from __future__ import annotations

import re
import time
import zipfile

import pytest

from planner.io import workbook
from planner.io.problems import InputError
from planner.io.validate import load_input
from tests.builders import write_workbook
from tests.test_validate import SETTINGS, base_sheets, problems_of


def _rewrite(path, member_pattern: str, edit) -> None:
    """Rewrite the zip entries whose name matches, applying `edit` to their text."""
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            if re.fullmatch(member_pattern, info.filename):
                data = edit(data.decode()).encode()
            dst.writestr(info, data)


@pytest.mark.parametrize(
    "text",
    ["12.500,50", "0,1", "1,234", "1 234", "12_5"],
)
def test_text_numbers_in_other_forms_are_refused_with_the_cell(tmp_path, text):
    """'12.500,50' was read as 12.5005 and '0,1' as 1.0: now each names its cell."""
    sheets = base_sheets()
    sheets["Supply"][0]["price_usd_per_t"] = text  # Supply!F2
    found = problems_of(tmp_path, sheets)
    assert any(p.startswith("Supply!F2: price_usd_per_t is the text") for p in found), found
    assert any("no thousands separators" in p for p in found)


def test_plain_text_numbers_are_read_exactly(tmp_path):
    sheets = base_sheets()
    sheets["Supply"][0]["price_usd_per_t"] = " 12.5 "
    sheets["Countries"][0]["risk_score"] = "0.1"
    data = load_input(write_workbook(tmp_path / "in.xlsx", sheets, SETTINGS))
    assert data.supply.set_index("country").at["Chile", "price_usd_per_t"] == 12.5
    assert data.countries.set_index("country").at["Chile", "risk_score"] == 0.1


def test_a_stale_dimension_tag_drops_nothing(tmp_path):
    """Some writers leave `<dimension ref="A1"/>`: every row and column is still read."""
    path = write_workbook(tmp_path / "in.xlsx", base_sheets(), SETTINGS)
    expected = load_input(path).supply.copy()
    _rewrite(
        path,
        r"xl/worksheets/sheet\d+\.xml",
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1"/>', xml),
    )
    with zipfile.ZipFile(path) as archive:
        assert all(
            '<dimension ref="A1"/>' in archive.read(n).decode()
            for n in archive.namelist()
            if n.startswith("xl/worksheets/sheet")
        )
    got = load_input(path).supply
    assert got[["country", "freight_usd_per_t", "price_usd_per_t"]].equals(
        expected[["country", "freight_usd_per_t", "price_usd_per_t"]]
    )


def test_sheet_names_that_collide_after_trimming_and_case_are_an_error(tmp_path):
    path = write_workbook(tmp_path / "in.xlsx", base_sheets(), SETTINGS)
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb.create_sheet("SUPPLY ")
    wb.save(path)
    with pytest.raises(InputError) as info:
        load_input(path)
    text = str(info.value)
    assert "'Supply' and 'SUPPLY '" in text and "rename or delete one" in text


def test_a_cell_far_below_the_data_is_refused_quickly(tmp_path):
    """Cells only at A1 and XFD1048576 used to take forever: refused in seconds."""
    path = write_workbook(tmp_path / "in.xlsx", base_sheets(), SETTINGS)
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb["Policy"]["XFD1048576"] = 1
    wb.save(path)
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_input(path)
    assert time.perf_counter() - start < 30
    assert "Policy: it has more than 100,000 rows" in str(info.value)


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_parsing(tmp_path, monkeypatch):
    """A zip bomb is judged from the zip directory: with the limit lowered to 0.001 MB, the
    test workbook (a few kB unpacked) is refused without being parsed."""
    path = write_workbook(tmp_path / "in.xlsx", base_sheets(), SETTINGS)
    monkeypatch.setattr(workbook, "MAX_UNPACKED_MB", 0.001)
    monkeypatch.setattr(workbook, "_load", lambda *a, **k: pytest.fail("parsed"))
    with pytest.raises(InputError) as info:
        load_input(path)
    assert "unpacks to" in str(info.value) and "more than the 0 MB" in str(info.value)


def _ods(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return path


def _xls(path):
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512)
    return path


def _text(path):
    path.write_text("plain text")
    return path


def _damaged_sheet(path):
    write_workbook(path, base_sheets(), SETTINGS)
    _rewrite(path, r"xl/worksheets/sheet2\.xml", lambda xml: xml[: len(xml) // 2])
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: _xls(tmp / "old.xls"), "Excel 97-2003 (.xls) file or a password-protected"),
        (lambda tmp: _ods(tmp / "sheet.ods"), "OpenDocument spreadsheet (.ods)"),
        (lambda tmp: _text(tmp / "notes"), "not an .xlsx"),
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: _damaged_sheet(tmp / "damaged.xlsx"), "the file is damaged"),
    ],
    ids=["xls-or-encrypted", "ods", "no-extension-text", "folder", "malformed-sheet-xml"],
)
def test_wrong_file_types_get_one_line_and_exit_2(tmp_path, make, expected):
    from typer.testing import CliRunner

    from planner.cli import app

    path = make(tmp_path)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_xlsx_saved_without_its_extension_is_read(tmp_path):
    path = write_workbook(tmp_path / "in.xlsx", base_sheets(), SETTINGS)
    bare = path.rename(tmp_path / "in")
    assert load_input(bare).settings.last_year == 2030


def test_figures_too_large_for_the_solver_are_refused_with_the_cell(tmp_path):
    """A demand of 1e308 used to pass and end in a misleading time-limit message."""
    sheets = base_sheets()
    sheets["Demand"][0][2025] = 1e308  # Demand!C2
    found = problems_of(tmp_path, sheets)
    assert any(p.startswith("Demand!C2: 2025 is 1e+308; figures beyond 1e+12") for p in found), (
        found
    )


def test_a_nan_in_the_sheet_xml_is_reported_with_its_cell(tmp_path):
    """<v>NaN</v> used to be taken for a blank (an optional column's default was used)."""
    path = write_workbook(tmp_path / "in.xlsx", base_sheets(), SETTINGS)
    import openpyxl

    sheet = openpyxl.load_workbook(path).sheetnames.index("Supply") + 1
    _rewrite(
        path,
        rf"xl/worksheets/sheet{sheet}\.xml",
        lambda xml: re.sub(r'(<c r="H2"[^>]*>)<v>[^<]*</v>', r"\1<v>NaN</v>", xml),
    )
    with pytest.raises(InputError) as info:
        load_input(path)
    assert "Supply!H2: holds 'NaN', which is not a number" in str(info.value)
