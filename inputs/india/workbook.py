"""Write the case workbook: one sheet per table, reproducible bytes."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from inputs.india.sources import text

STAMP = datetime(2025, 1, 1)  # document date written into the workbook (reproducible output)


def write_workbook(sheets: dict[str, list[dict]], path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        header = list(rows[0])
        ws.append(header)
        for row in rows:
            ws.append([row[h] for h in header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for i, h in enumerate(header, start=1):
            width = max(len(str(h)), *(len(text(r[h])) for r in rows))
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(width + 2, 60)
    wb.properties.creator = "inputs/build_india_2040.py"
    wb.properties.created = STAMP
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_reproducible(buffer.getvalue()))


def _reproducible(xlsx: bytes) -> bytes:
    """The same workbook bytes on every run: fixed zip entry times and document dates
    (openpyxl stamps both with the time of saving)."""
    out = io.BytesIO()
    modified = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
    iso = STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = modified.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()
