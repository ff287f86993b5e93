"""The plan tables' rows written in bulk (planner/export/table_rows.py) make the package
XlsxWriter makes writing them cell by cell: every part, byte for byte."""

from __future__ import annotations

import datetime
import io
import zipfile

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.export import plan as export
from planner.export.table_rows import TableSheet
from planner.results.plan import Plan
from tests.test_export import _awkward_sourcing, _sample_plan

_CREATED = datetime.datetime(2026, 1, 1)  # the package's creation time, fixed for comparing


def _parts(plan: Plan, by_row: bool) -> dict[str, bytes]:
    book = export.build_workbook(plan, by_row=by_row)
    book.workbook.set_properties({"created": _CREATED})
    book.workbook.close()
    with zipfile.ZipFile(io.BytesIO(book.package.getvalue())) as package:
        return {name: package.read(name) for name in package.namelist()}


def _assert_same_package(plan: Plan) -> dict[str, bytes]:
    bulk, by_row = _parts(plan, False), _parts(plan, True)
    assert list(bulk) == list(by_row)
    for name in bulk:
        assert bulk[name] == by_row[name], name
    return bulk


def _table_sheets(plan: Plan) -> list[TableSheet]:
    book = export.build_workbook(plan)
    return [ws for ws in book.workbook.worksheets() if isinstance(ws, TableSheet)]


def test_sample_plan_is_written_alike() -> None:
    parts = _assert_same_package(_sample_plan())
    assert b'<c r="A2" s="' in parts["xl/worksheets/sheet2.xml"]  # Sourcing has rows
    assert all(ws._body is not None for ws in _table_sheets(_sample_plan()) if ws.name == "Risk")


def test_awkward_values_are_written_alike() -> None:
    """Empty cells (NaN, None), infinities as text, -0.0, 1e16, escaped and padded text,
    text in numeric columns and numbers in text columns, booleans as yes/no."""
    plan = _sample_plan()
    plan.sourcing = _awkward_sourcing()
    _assert_same_package(plan)


def test_text_xlsxwriter_would_mistake_goes_row_by_row() -> None:
    """Rich-text markup and over-long text are left to the write handler: the table is
    written cell by cell, and the package is still the same."""
    plan = _sample_plan()
    plan.sourcing["country"] = plan.sourcing["country"].astype(object)
    plan.sourcing.loc[0, "country"] = "<r>&</r>"
    plan.risk["mineral"] = plan.risk["mineral"].astype(object)
    plan.risk.loc[0, "mineral"] = "x" * 20_000
    _assert_same_package(plan)
    sheets = {ws.name: ws for ws in _table_sheets(plan)}
    assert sheets["Sourcing"]._body is None and sheets["Risk"]._body is None
    assert sheets["Stock"]._body is not None


def test_rows_spans_and_empty_rows_over_many_blocks() -> None:
    """40 rows (three 16-row blocks) in which whole rows, a whole block's last column and
    the table's last rows are empty: rows without a cell are not written, each block's
    spans cover the columns it holds, the sheet's dimension ends at the last cell."""
    n = 40
    tonnes = np.arange(n, dtype=float)
    tonnes[[3, 20, 21]] = np.nan
    # empty in the second block of sheet rows (16-31 counted from 0; the header is row 0)
    last = np.where((np.arange(n) + 1) // 16 == 1, np.nan, 1.0)
    frame = pd.DataFrame(
        {
            "year": pd.array([2030] * (n - 2) + [None, None], dtype="Int64"),
            "mineral": ["lithium"] * 38 + [None, None],
            "tonnes_t": tonnes,
            "extra_t": last,
        }
    )
    frame.loc[[3, 20, 21], ["year", "mineral", "extra_t"]] = [None, None, np.nan]
    frame.loc[[38, 39], ["tonnes_t", "extra_t"]] = np.nan
    plan = _sample_plan()
    plan.extra = {"Many": frame}
    parts = _assert_same_package(plan)
    sheet = parts["xl/worksheets/sheet11.xml"].decode()  # after Summary and the nine tables
    assert '<dimension ref="A1:D39"/>' in sheet  # the header and 38 rows
    assert '<row r="5"' not in sheet and '<row r="40"' not in sheet
    assert '<row r="18" spans="1:3">' in sheet  # the second block has no fourth column


def test_an_empty_table_and_a_table_of_empty_cells() -> None:
    plan = _sample_plan()
    plan.extra = {
        "Nothing": pd.DataFrame({"a_t": pd.Series([], dtype=float)}),
        "Blank": pd.DataFrame({"a_t": [np.nan, np.nan], "b": [None, None]}),
    }
    _assert_same_package(plan)


_cell = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.booleans(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda n_columns: st.lists(
            st.lists(_cell, min_size=n_columns, max_size=n_columns), min_size=0, max_size=40
        ).map(lambda rows: (n_columns, rows))
    )
)
def test_any_table_is_written_alike(shape: tuple[int, list[list[object]]]) -> None:
    n_columns, rows = shape
    names = ["mineral", "tonnes_t", "share", "year", "notes"][:n_columns]
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    plan = _sample_plan()
    plan.extra = {"Any": frame}
    _assert_same_package(plan)
