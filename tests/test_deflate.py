"""Plan packages deflated at zlib's level 1 (planner/export/deflate.py): the same parts as
XlsxWriter's own package, each stored as zlib's level-1 stream of it, and XlsxWriter left as
it was found after every close."""

from __future__ import annotations

import datetime
import io
import struct
import threading
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import xlsxwriter.workbook
from xlsxwriter.exceptions import FileCreateError, FileSizeError
from xlsxwriter.packager import Packager
from xlsxwriter.workbook import Workbook

from planner.export import deflate
from planner.export import plan as export
from planner.export.deflate import DEFLATE_LEVEL, QuickDeflateWorkbook
from tests.test_export import _sample_plan

_CREATED = datetime.datetime(2026, 1, 1)  # the package's creation time, fixed for comparing
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip member's local file header (30 bytes)


def _package(allow_zip64: bool = False) -> bytes:
    """The sample plan's package, as `build_workbook` saves it (with ZIP64 allowed, zipped
    by zipfile itself)."""
    book = export.build_workbook(_sample_plan())
    book.workbook.set_properties({"created": _CREATED})
    book.workbook.allow_zip64 = allow_zip64
    book.workbook.close()
    return book.package.getvalue()


def _stored_stream(package: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's compressed bytes as stored, read past its local file header."""
    fields = _LOCAL_HEADER.unpack_from(package, info.header_offset)
    name_length, extra_length = fields[-2], fields[-1]
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    return package[start : start + info.compress_size]


def test_quick_package_holds_xlsxwriters_parts_at_level_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Known answer: each member is the same part XlsxWriter's stock Workbook stores, and its
    stored bytes are exactly zlib's raw deflate stream of that part at level 1 (one
    `compress` and a `flush`, as zipfile deflates a part given whole). The stock package's
    members are not level-1 streams (it deflates at 6), so the check can tell them apart."""
    quick = _package()
    monkeypatch.setattr(export, "QuickDeflateWorkbook", Workbook)
    stock = _package()
    with zipfile.ZipFile(io.BytesIO(quick)) as q, zipfile.ZipFile(io.BytesIO(stock)) as s:
        assert q.namelist() == s.namelist()
        level_six_differs = 0
        for info in q.infolist():
            part = q.read(info.filename)
            assert part == s.read(info.filename), info.filename
            assert info.compress_type == zipfile.ZIP_DEFLATED
            deflate = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
            expected = deflate.compress(part) + deflate.flush()
            assert _stored_stream(quick, info) == expected, info.filename
            stock_info = s.getinfo(info.filename)
            level_six_differs += _stored_stream(stock, stock_info) != expected
        assert level_six_differs > 0
    assert DEFLATE_LEVEL == 1


def test_zipfile_name_is_put_back_after_close() -> None:
    """XlsxWriter's `ZipFile` is zipfile's own again after a QuickDeflateWorkbook closes,
    and after a close that fails (a folder that does not exist)."""
    book = QuickDeflateWorkbook(io.BytesIO(), {"in_memory": True})
    book.add_worksheet().write(0, 0, "x")
    book.close()
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile
    failing = QuickDeflateWorkbook("/nonexistent-folder/plan.xlsx")
    failing.add_worksheet().write(0, 0, "x")
    with pytest.raises(FileCreateError):
        failing.close()
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile


def test_closes_in_threads_each_get_level_one() -> None:
    """Eight workbooks closed at once in eight threads: every package readable, every member
    a level-1 stream, and the stock name back at the end."""
    packages: list[bytes] = []

    def close_one(i: int) -> None:
        buffer = io.BytesIO()
        book = QuickDeflateWorkbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet()
        for row in range(200):
            sheet.write_row(row, 0, [f"text {i} {row}", row * 1.5, i])
        book.close()
        packages.append(buffer.getvalue())

    threads = [threading.Thread(target=close_one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(packages) == 8
    for package in packages:
        with zipfile.ZipFile(io.BytesIO(package)) as z:
            assert z.testzip() is None
            for info in z.infolist():
                deflate = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
                part = z.read(info.filename)
                assert _stored_stream(package, info) == deflate.compress(part) + deflate.flush()
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile


def _big_workbook(buffer: io.BytesIO, options: dict | None = None) -> Workbook:
    """Two sheets of 30,000 rows (each part a few MiB, above AHEAD_FROM_SIZE) and a small one,
    created at a fixed time."""
    book = QuickDeflateWorkbook(buffer, {"in_memory": True, **(options or {})})
    book.set_properties({"created": _CREATED})
    for name in ("first", "second"):
        sheet = book.add_worksheet(name)
        for row in range(30_000):
            sheet.write_row(row, 0, [f"{name} {row % 97}", row * 1.25, row / 7])
    book.add_worksheet("small").write(0, 0, "Côte d'Ivoire")  # a non-ASCII shared string
    return book


def test_package_is_zipfiles_own_byte_for_byte() -> None:
    """Known answer: the package written with parts deflated ahead on the helper is, byte for
    byte, the one zipfile writes at level 1 from the same parts (a workbook allowing ZIP64 is
    zipped by zipfile itself; no member needs ZIP64 here, so zipfile writes none)."""
    ahead, stock = io.BytesIO(), io.BytesIO()
    _big_workbook(ahead).close()
    _big_workbook(stock, {"allow_zip64": True}).close()
    with zipfile.ZipFile(ahead) as z:
        sizes = {info.filename: info.file_size for info in z.infolist()}
        assert z.testzip() is None
    assert sizes["xl/worksheets/sheet1.xml"] >= deflate.AHEAD_FROM_SIZE
    assert sizes["xl/worksheets/sheet3.xml"] < deflate.AHEAD_FROM_SIZE
    assert ahead.getvalue() == stock.getvalue()


def test_every_part_ahead_gives_the_same_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every part deflated on the helper (no size threshold), the sample plan's package
    is still zipfile's own, byte for byte, and each part was deflated on the helper thread."""
    threads: list[str] = []
    deflate_stream = deflate._deflate_stream

    def recording(stream: io.StringIO | io.BytesIO) -> deflate.DeflatedPart:
        threads.append(threading.current_thread().name)
        return deflate_stream(stream)

    monkeypatch.setattr(deflate, "_deflate_stream", recording)
    monkeypatch.setattr(deflate, "AHEAD_FROM_SIZE", 0)
    ahead = _package()
    n_parts = len(zipfile.ZipFile(io.BytesIO(ahead)).namelist())
    assert len(threads) == n_parts > 10
    assert all(name.startswith("planner-deflate") for name in threads)
    threads.clear()
    assert _package(allow_zip64=True) == ahead
    assert threads == []  # zipfile deflated every part itself


def test_a_part_is_handed_over_once_the_next_is_begun(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first sheet goes to the helper when the packager asks for the second sheet's
    stream, before the second is written: its deflating overlaps the writing of the rest."""
    handed_at_second: list[str] = []
    filename = Packager._filename

    def watching(self: Packager, xml_filename: str) -> object:
        if xml_filename == "xl/worksheets/sheet2.xml":
            handed = getattr(self, "_handed", [])
            handed_at_second.extend(self.filenames[entry[0]][1] for entry in handed)
        return filename(self, xml_filename)

    monkeypatch.setattr(Packager, "_filename", watching)
    _big_workbook(io.BytesIO()).close()
    assert handed_at_second == ["xl/worksheets/sheet1.xml"]


def test_a_part_written_after_hand_over_is_deflated_again() -> None:
    """A part written to after it went to the helper (XlsxWriter does not do it; the check
    guards against a version that would) is deflated again from its whole text."""
    with ThreadPoolExecutor(1) as helper:
        packager = deflate._DeflatingPackager(helper)
        packager._set_in_memory(True)
        first = packager._filename("first.xml")
        first.write("a" * deflate.AHEAD_FROM_SIZE)
        packager._filename("second.xml").write("b")  # hands the first over
        first.write("more")
        packager._hand_over_written()
        packager._list_deflated()
        part = packager.filenames[0][0].getvalue()
    assert isinstance(part, deflate.DeflatedPart)
    assert part == deflate.deflate_part(("a" * deflate.AHEAD_FROM_SIZE + "more").encode())
    assert packager.filenames[1][0].getvalue() == "b"  # a small part stays for the zip


def test_package_past_zip_limits_is_refused_as_xlsxwriter_refuses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A package that would need ZIP64 (here: more members than a limit lowered to 3) fails
    the close with XlsxWriter's FileSizeError, as zipfile's refusal does, and nothing is
    left running: the helper is shut down and the ZipFile name put back."""
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 3)
    book = QuickDeflateWorkbook(io.BytesIO(), {"in_memory": True})
    book.add_worksheet().write(0, 0, "x")
    with pytest.raises(FileSizeError):
        book.close()
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile
    assert not [t for t in threading.enumerate() if t.name.startswith("planner-deflate")]
