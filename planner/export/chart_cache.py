"""Column charts whose cached series values are written in one piece, for XlsxWriter.

A chart part holds, beside each series' cell references, a copy of the values they point to
(`<c:numCache>`): Excel does not need it, but PowerPoint and other programs draw the chart
from it, so the plan keeps it. XlsxWriter writes each cached point through a few method
calls; with one chart per mineral and up to ten series of sixteen years, that was the larger
part of writing the chart parts (about 2 s of the `large` preset's export,
benchmarks/README.md). `ColumnChart` writes the same XML for a cache of plain numbers in one
string; any other cache goes to XlsxWriter's own method. tests/test_chart_cache.py checks the
parts are the same byte for byte either way.

What it relies on in XlsxWriter besides its public API: `Workbook.add_chart` making a
`ChartColumn`, the chart's `_write_num_cache(data)` (data: the cached values as XlsxWriter
read them from the sheet, numbers as text, None for a missing cell) and its file handle `fh`.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.chart_column import ChartColumn
from xlsxwriter.workbook import Workbook

# Characters of XlsxWriter's number notation (f"{x:.16g}": digits, sign, point, exponent,
# "nan", "inf"): none needs an XML escape
_NUMBER_CHARACTERS = frozenset("0123456789+-.eEnaif")


class ColumnChart(ChartColumn):
    """XlsxWriter's column chart; a cache of plain numbers is written in one string."""

    def _write_num_cache(self, data: Sequence[str | None] | None) -> None:
        """<c:numCache> as XlsxWriter writes it: format code General, the point count, then
        one <c:pt> per cell that is not missing, text that is not a number as 0."""
        if not data:
            super()._write_num_cache(data)
            return
        points = []
        for i, token in enumerate(data):
            if token is None:
                continue
            if type(token) is not str or not _NUMBER_CHARACTERS.issuperset(token):
                super()._write_num_cache(data)
                return
            try:
                float(token)
            except ValueError:
                token = "0"
            points.append(f'<c:pt idx="{i}"><c:v>{token}</c:v></c:pt>')
        self.fh.write(
            '<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="'
            f'{len(data)}"/>{"".join(points)}</c:numCache>'
        )


def add_column_chart(workbook: Workbook, subtype: str) -> ColumnChart:
    """`workbook.add_chart` of a column chart of `subtype` ("stacked", "clustered"), as a
    `ColumnChart`: XlsxWriter makes and registers the chart; it takes the subclass, which
    adds no state of its own."""
    chart = workbook.add_chart({"type": "column", "subtype": subtype})
    if type(chart) is not ChartColumn:
        raise TypeError(f"XlsxWriter made a {type(chart).__name__} for a column chart")
    chart.__class__ = ColumnChart
    return chart
