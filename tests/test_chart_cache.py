"""Column charts writing their cached values in one piece (planner/export/chart_cache.py) make
the chart parts XlsxWriter makes: every part of a plan, byte for byte, and any cache."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xlsxwriter.chart_column import ChartColumn

from planner.export import plan as export
from planner.export.chart_cache import ColumnChart, add_column_chart
from planner.results.plan import Plan
from tests.test_export import _sample_plan

_CREATED = datetime.datetime(2026, 1, 1)  # the package's creation time, fixed for comparing


def _parts(plan: Plan) -> dict[str, bytes]:
    book = export.build_workbook(plan)
    book.workbook.set_properties({"created": _CREATED})
    book.workbook.close()
    with zipfile.ZipFile(io.BytesIO(book.package.getvalue())) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_plan_charts_are_the_parts_xlsxwriter_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample plan's package with the one-piece caches, and with XlsxWriter's own
    `_write_num_cache` put back: the same parts, and the charts do hold cached numbers."""
    plan = _sample_plan()
    ours = _parts(plan)
    monkeypatch.setattr(ColumnChart, "_write_num_cache", ChartColumn._write_num_cache)
    theirs = _parts(plan)
    assert list(ours) == list(theirs)
    for name in ours:
        assert ours[name] == theirs[name], name
    charts = [name for name in ours if name.startswith("xl/charts/chart")]
    assert charts
    assert all(b"<c:numCache><c:formatCode>General</c:formatCode>" in ours[c] for c in charts)
    assert all(b'<c:pt idx="0"><c:v>' in ours[c] for c in charts)
    book = export.build_workbook(plan)
    assert book.workbook.charts
    assert all(type(chart) is ColumnChart for chart in book.workbook.charts)


def _cache_xml(chart_class: type[ChartColumn], data: list[object] | None) -> str:
    chart = chart_class({"type": "column"})
    chart.fh = io.StringIO()
    chart._write_num_cache(data)
    return chart.fh.getvalue()


_numbers = st.floats(allow_nan=True, allow_infinity=True).map(lambda x: f"{x:.16g}")
_tokens = st.one_of(
    st.none(),
    _numbers,
    st.sampled_from(["", "e", "1e", "-", "nan", "inf", "1_000", " 7", "a&b", "<1>", "\x07"]),
    st.text(max_size=6),
    st.integers(-5, 5),
    st.floats(),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.lists(_tokens, max_size=20)))
def test_any_cache_is_written_alike(data: list[object] | None) -> None:
    """Numbers in XlsxWriter's notation, missing cells, text that is not a number or needs
    escaping, non-text values: the XML XlsxWriter writes."""
    assert _cache_xml(ColumnChart, data) == _cache_xml(ChartColumn, data)


def test_a_cache_of_numbers_and_gaps() -> None:
    """Known answer: three cells, the second missing, the third not a number (written 0)."""
    xml = _cache_xml(ColumnChart, ["1.5", None, "n"])
    assert xml == (
        '<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="3"/>'
        '<c:pt idx="0"><c:v>1.5</c:v></c:pt><c:pt idx="2"><c:v>0</c:v></c:pt></c:numCache>'
    )


def test_add_column_chart_registers_the_chart() -> None:
    """The chart is the workbook's, of the subtype asked for, and writes the one-piece
    caches."""
    book = export.build_workbook(_sample_plan())
    before = len(book.workbook.charts)
    chart = add_column_chart(book.workbook, "clustered")
    assert isinstance(chart, ColumnChart)
    assert book.workbook.charts[-1] is chart
    assert len(book.workbook.charts) == before + 1
    assert chart.subtype == "clustered"


def test_add_column_chart_refuses_another_chart_class(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should XlsxWriter make some other class for a column chart, the swap is refused rather
    than made on an object it does not fit."""
    book = export.build_workbook(_sample_plan())
    monkeypatch.setattr(book.workbook, "add_chart", lambda options: object())
    with pytest.raises(TypeError, match="column chart"):
        add_column_chart(book.workbook, "stacked")
