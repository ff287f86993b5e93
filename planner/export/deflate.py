"""XlsxWriter workbooks whose package is deflated at zlib's level 1 instead of its default 6.

XlsxWriter zips a workbook's parts with `zipfile` at zlib's default level and has no option
for another. The plan workbook's parts are megabytes of repetitive XML at scale, and level 1
deflates them about three times as fast for a file about a quarter larger: the `large`
preset's plan saved in 3.6-3.9 s against 5.2-5.5 s (26.9 MiB against 21.5 MiB), the 100k LP's
in 0.36-0.38 s against 0.51-0.58 s (benchmarks/README.md). The parts are the same; every zip
reader inflates any level. tests/test_deflate.py checks both.

What it relies on in XlsxWriter besides its public API: `Workbook.close` creates the package
through the name `ZipFile` of `xlsxwriter.workbook` and adds each part with the ZipFile's
`writestr` (in memory) or `write` (from temporary files). That name is swapped only while a
`QuickDeflateWorkbook` closes, under a lock, and put back after, whatever happens. A stock
XlsxWriter Workbook closing in another thread at that moment is deflated at level 1 too (a
valid package, only larger), and plan workbooks closing in threads at once take turns.
"""

from __future__ import annotations

import threading
import zipfile
from typing import TYPE_CHECKING, Any

import xlsxwriter.workbook
from xlsxwriter.workbook import Workbook

if TYPE_CHECKING:
    from _typeshed import SizedBuffer

DEFLATE_LEVEL = 1  # zlib's fastest level; XlsxWriter's is zlib's default, 6

_ZIP_NAME_LOCK = threading.Lock()


class _QuickDeflateZipFile(zipfile.ZipFile):
    """A ZipFile whose parts are deflated at DEFLATE_LEVEL unless a call asks for a level:
    `write` takes the file's level; `writestr` of a ZipInfo would not, so it is passed."""

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
    """XlsxWriter's Workbook, its package deflated at DEFLATE_LEVEL."""

    def close(self) -> None:
        with _ZIP_NAME_LOCK:
            stock = xlsxwriter.workbook.ZipFile
            try:
                setattr(xlsxwriter.workbook, "ZipFile", _QuickDeflateZipFile)  # noqa: B010
                super().close()
            finally:
                setattr(xlsxwriter.workbook, "ZipFile", stock)  # noqa: B010
