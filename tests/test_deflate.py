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

import pytest
import xlsxwriter.workbook
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.workbook import Workbook

from planner.export import plan as export
from planner.export.deflate import DEFLATE_LEVEL, QuickDeflateWorkbook
from tests.test_export import _sample_plan

_CREATED = datetime.datetime(2026, 1, 1)  # the package's creation time, fixed for comparing
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip member's local file header (30 bytes)


def _package() -> bytes:
    """The sample plan's package, as `build_workbook` saves it."""
    book = export.build_workbook(_sample_plan())
    book.workbook.set_properties({"created": _CREATED})
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
