"""XlsxWriter workbooks whose package is deflated at zlib's level 1 instead of its default 6,
each part on a helper thread while XlsxWriter writes the next.

XlsxWriter zips a workbook's parts with `zipfile` at zlib's default level and has no option
for another. The plan workbook's parts are megabytes of repetitive XML at scale, and level 1
deflates them about three times as fast for a file about a quarter larger: the `large`
preset's plan saved in 3.6-3.9 s against 5.2-5.5 s (26.9 MiB against 21.5 MiB), the 100k LP's
in 0.36-0.38 s against 0.51-0.58 s (benchmarks/README.md). The parts are the same; every zip
reader inflates any level. tests/test_deflate.py checks both.

XlsxWriter writes every part's XML first and zips them after, all on one thread. zlib lets go
of Python's lock while it deflates, so an in-memory workbook's parts are deflated on a helper
thread as soon as each is written (`_DeflatingPackager`), alongside the XML of the parts after
it, and the zip takes them as they are (`_PackageZip`, which writes the members as zipfile
writes them). A part written to again after it was handed over (XlsxWriter does not) is
deflated again.

What it relies on in XlsxWriter besides its public API: `Workbook.close` creates the package
through the name `ZipFile` of `xlsxwriter.workbook` and adds each part with the ZipFile's
`writestr` (in memory: a ZipInfo and the bytes of the part, `getvalue()` of its binary
stream) or `write` (from temporary files); the packager comes from `Workbook._get_packager`
(meant to be replaced, its comment says), hands out each part's stream with `_filename`
before the part is written, and lists the parts in `filenames` as (stream, name, binary).
The `ZipFile` name is swapped only while a `QuickDeflateWorkbook` closes, under a lock, and
put back after, whatever happens. A stock XlsxWriter Workbook closing in another thread at
that moment is deflated at level 1 too (a valid package, only larger), and plan workbooks
closing in threads at once take turns.
"""

from __future__ import annotations

import io
import os
import struct
import sys
import threading
import zipfile
import zlib
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import xlsxwriter.workbook
from xlsxwriter.packager import Packager
from xlsxwriter.workbook import Workbook

if TYPE_CHECKING:
    from _typeshed import SizedBuffer

DEFLATE_LEVEL = 1  # zlib's fastest level; XlsxWriter's is zlib's default, 6

_ZIP_NAME_LOCK = threading.Lock()
# Parts from this size (characters or bytes) are deflated on the helper; smaller ones on the
# thread that zips, after the others: the helper takes Python's lock back after each part
# (Python hands it over at most every 5 ms), which costs more than deflating a small part.
AHEAD_FROM_SIZE = 1 << 20


@dataclass(frozen=True)
class DeflatedPart:
    """A part as a zip member stores it: its raw deflate stream, CRC-32 and size."""

    stream: bytes
    crc: int
    size: int

    def getvalue(self) -> DeflatedPart:
        """What XlsxWriter reads of a binary part's stream to zip it: the part itself."""
        return self


def deflate_part(data: bytes) -> DeflatedPart:
    """`data` deflated as zipfile deflates a part given whole: one `compress` and a `flush`
    of a raw stream at DEFLATE_LEVEL."""
    deflate = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    stream = deflate.compress(data) + deflate.flush()
    return DeflatedPart(stream, zlib.crc32(data), len(data))


def _deflate_stream(stream: io.StringIO | io.BytesIO) -> DeflatedPart:
    """A written part's stream deflated: text as UTF-8, as XlsxWriter zips it."""
    value = stream.getvalue()
    return deflate_part(value.encode("utf-8") if isinstance(value, str) else value)


class _Pending:
    """A part handed to the helper: its entry in the packager's list until the zip reads it."""

    def __init__(self, future: Future[DeflatedPart]) -> None:
        self.future = future

    def getvalue(self) -> DeflatedPart:
        return self.future.result()


class _DeflatingPackager(Packager):
    """XlsxWriter's packager, handing each large in-memory part to `helper` to deflate once
    it is written: when the next part's stream is asked for, and the last parts at the end."""

    def __init__(self, helper: Executor) -> None:
        super().__init__()
        self._helper = helper
        # (position in self.filenames, the part's length then, its deflating)
        self._handed: list[tuple[int, int, Future[DeflatedPart]]] = []
        self._seen = 0  # parts of self.filenames looked at so far

    def _filename(self, xml_filename: str) -> Any:
        self._hand_over_written()  # XlsxWriter writes a part whole before it asks for the next
        return super()._filename(xml_filename)

    def _create_package(self) -> list[tuple[Any, str, bool]]:
        super()._create_package()
        self._hand_over_written()
        self._list_deflated()
        return self.filenames

    def _list_deflated(self) -> None:
        """Every handed-over part's entry becomes its deflated part, as a binary part."""
        for i, length, future in self._handed:
            stream, name, _binary = self.filenames[i]
            if stream.tell() != length:  # written to after it was handed over: deflate again
                future.cancel()
                future = self._helper.submit(_deflate_stream, stream)
            self.filenames[i] = (_Pending(future), name, True)

    def _hand_over_written(self) -> None:
        for i in range(self._seen, len(self.filenames)):
            stream = self.filenames[i][0]
            if isinstance(stream, io.StringIO | io.BytesIO) and stream.tell() >= AHEAD_FROM_SIZE:
                future = self._helper.submit(_deflate_stream, stream)
                self._handed.append((i, stream.tell(), future))
        self._seen = len(self.filenames)


# zip records (PKWARE's APPNOTE.TXT, as zipfile packs them)
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_VERSION = 20  # deflate needs version 2.0 of the format to extract
_SYSTEM = 0 if sys.platform == "win32" else 3  # as zipfile records the system that made it
_UTF8_NAME = 0x800


class _PackageZip:
    """What XlsxWriter's `_store_workbook` uses of a ZipFile (`compression`, `writestr` of a
    ZipInfo, `close`), writing each member as zipfile writes a deflated member to a seekable
    file: a part comes deflated already (`DeflatedPart`) or as bytes, deflated here. No
    ZIP64: a package past its limits raises zipfile's LargeZipFile, as zipfile does when
    XlsxWriter does not allow ZIP64."""

    compression = zipfile.ZIP_DEFLATED

    def __init__(self, file: str | os.PathLike[str] | IO[bytes], *_args: Any, **_kw: Any) -> None:
        self._fp: IO[bytes]
        self._own = isinstance(file, str | os.PathLike)  # a path: opened here, closed in close
        if isinstance(file, str | os.PathLike):
            self._fp = open(file, "wb")  # noqa: SIM115
        else:
            self._fp = file
        self._start = self._fp.tell()
        self._central: list[bytes] = []

    def writestr(self, zinfo: zipfile.ZipInfo, data: DeflatedPart | SizedBuffer) -> None:
        part = data if isinstance(data, DeflatedPart) else deflate_part(bytes(data))
        name, flags = _encoded_name(zinfo)
        offset = self._fp.tell() - self._start
        if (
            max(part.size, len(part.stream), offset) > zipfile.ZIP64_LIMIT
            or len(self._central) >= zipfile.ZIP_FILECOUNT_LIMIT
        ):
            raise zipfile.LargeZipFile("the package would need ZIP64 extensions")
        time, date = _dos_time(zinfo.date_time)
        common = (zipfile.ZIP_DEFLATED, time, date, part.crc, len(part.stream), part.size)
        self._fp.write(_LOCAL_HEADER.pack(b"PK\x03\x04", _VERSION, 0, flags, *common, len(name), 0))
        self._fp.write(name)
        self._fp.write(part.stream)
        central = (b"PK\x01\x02", _VERSION, _SYSTEM, _VERSION, 0, flags, *common, len(name))
        self._central.append(
            _CENTRAL_HEADER.pack(*central, 0, 0, 0, 0, _external_attributes(zinfo), offset) + name
        )

    def close(self) -> None:
        try:
            directory = b"".join(self._central)
            offset = self._fp.tell() - self._start
            if offset > zipfile.ZIP64_LIMIT:
                raise zipfile.LargeZipFile("the package would need ZIP64 extensions")
            self._fp.write(directory)
            count = len(self._central)
            self._fp.write(
                _END_RECORD.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0)
            )
            self._fp.flush()
        finally:
            if self._own:
                self._fp.close()


def _encoded_name(zinfo: zipfile.ZipInfo) -> tuple[bytes, int]:
    """The member's name as zipfile stores it, and its flag bits (zipfile starts a written
    member's from none): ASCII, else UTF-8 and flagged."""
    try:
        return zinfo.filename.encode("ascii"), 0
    except UnicodeEncodeError:
        return zinfo.filename.encode("utf-8"), _UTF8_NAME


def _external_attributes(zinfo: zipfile.ZipInfo) -> int:
    """The member's external attributes as zipfile records them: read and write for the owner
    (0o600 as Unix permissions) unless the ZipInfo sets some."""
    return zinfo.external_attr or 0o600 << 16


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    """MS-DOS time and date fields of a member's timestamp."""
    year, month, day, hour, minute, second = date_time
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


class _QuickDeflateZipFile(zipfile.ZipFile):
    """A ZipFile whose parts are deflated at DEFLATE_LEVEL unless a call asks for a level:
    `write` takes the file's level; `writestr` of a ZipInfo would not, so it is passed. For
    packages XlsxWriter writes from temporary files, or with ZIP64 allowed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compresslevel", DEFLATE_LEVEL)
        super().__init__(*args, **kwargs)

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: SizedBuffer | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        level = self.compresslevel if compresslevel is None else compresslevel
        super().writestr(zinfo_or_arcname, data, compress_type, level)


class QuickDeflateWorkbook(Workbook):
    """XlsxWriter's Workbook, its package deflated at DEFLATE_LEVEL; in memory, each part on
    a helper thread as soon as it is written."""

    _helper: Executor | None = None

    def _get_packager(self) -> Packager:
        if self._helper is None:
            return super()._get_packager()
        return _DeflatingPackager(self._helper)

    def close(self) -> None:
        ahead = self.in_memory and not self.allow_zip64
        with _ZIP_NAME_LOCK:
            stock = xlsxwriter.workbook.ZipFile
            helper = ThreadPoolExecutor(1, thread_name_prefix="planner-deflate") if ahead else None
            try:
                self._helper = helper
                zip_file = _PackageZip if ahead else _QuickDeflateZipFile
                setattr(xlsxwriter.workbook, "ZipFile", zip_file)  # noqa: B010
                super().close()
            finally:
                setattr(xlsxwriter.workbook, "ZipFile", stock)  # noqa: B010
                self._helper = None
                if helper is not None:
                    helper.shutdown(wait=True, cancel_futures=True)
