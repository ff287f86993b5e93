"""A sheet read column by column (planner/io/clean_columns.py) gives exactly the records the
cell by cell reading gives, and any sheet with a problem is read cell by cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.io import schema
from planner.io.clean_columns import records_by_column
from planner.io.problems import Problem
from planner.io.workbook import RawTable, open_workbook, read_table

ROOT = Path(__file__).resolve().parents[1]


def _both(sheet: schema.Sheet, rows: list[tuple] | None) -> tuple[RawTable, RawTable, list]:
    """The sheet read both ways; asserts the records, rows, problems and warnings agree,
    each value of the same type."""
    found: list[list[Problem]] = []
    tables = []
    for by_cell in (False, True):
        problems: list[Problem] = []
        warnings: list[Problem] = []
        tables.append(read_table(sheet, rows, set(), problems, warnings, by_cell=by_cell))
        found.append(problems + warnings)
    fast, slow = tables
    assert fast.records == slow.records
    assert [[type(v) for v in r.values()] for r in fast.records] == [
        [type(v) for v in r.values()] for r in slow.records
    ]
    assert fast.excel_rows == slow.excel_rows
    assert found[0] == found[1]
    return fast, slow, found[0]


@pytest.mark.parametrize("workbook", ["inputs/india_2040.xlsx", "examples/teaching.xlsx"])
def test_the_repos_workbooks_read_alike(workbook: str) -> None:
    values, uncached, _ = open_workbook(ROOT / workbook)
    for sheet in schema.SHEETS:
        assert not uncached.get(sheet.name.lower())
        _both(sheet, values.get(sheet.name.lower()))


def _positions(header: tuple) -> dict[str, int]:
    return {name: i for i, name in enumerate(header)}


def _sheet(name: str) -> schema.Sheet:
    return next(s for s in schema.SHEETS if s.name == name)


def test_a_clean_sheet_converts_each_kind() -> None:
    """Text stripped, a choice lower-cased, whole numbers as floats in a number column, a
    year as an int, an optional blank as its default, a white-space row skipped."""
    sheet = _sheet("Projects")
    header = tuple(c.name for c in sheet.columns)
    row = (" Mine A ", "Chile", "lithium", " Refined ", 10, 5.5, None, 0, 0.2, 1, 2030, 3, 20)
    rows = [header, row, ("  ", None)]
    fast, _, problems = _both(sheet, rows)
    record = fast.records[0]
    assert (record["project"], record["form"], record["capacity_t"]) == ("Mine A", "refined", 10.0)
    assert type(record["capacity_t"]) is float and type(record["earliest_year"]) is int
    assert record["fixed_opex_musd"] == 0.0 and fast.excel_rows == [2] and not problems
    assert records_by_column(sheet, rows[1:], _positions(header), {}) is not None


@pytest.mark.parametrize(
    "cell, words",
    [
        (-1, "capacity_t is -1; it must be more than 0"),
        (float("nan"), "capacity_t is nan; it must be a number"),
        ("12", None),  # plain text numbers are read, cell by cell
        (True, "capacity_t is True; it must be a number"),
        (1e13, "figures beyond 1e+12"),
        (None, "capacity_t is blank"),
    ],
)
def test_a_sheet_with_an_unusual_cell_is_read_cell_by_cell(cell: object, words: str) -> None:
    sheet = _sheet("Projects")
    header = tuple(c.name for c in sheet.columns)
    good = ("A", "Chile", "lithium", "refined", 10, 5, *[None] * 6, 20)
    bad = ("B", "Chile", "lithium", "refined", cell, 5, *[None] * 6, 20)
    fast, _, problems = _both(sheet, [header, good, bad])
    assert records_by_column(sheet, [good, bad], _positions(header), {}) is None
    if words is None:
        assert fast.records[1]["capacity_t"] == 12.0 and not problems
    else:
        assert [p.cell for p in problems] == ["E3"] and words in problems[0].message


_cell = st.one_of(
    st.none(),
    st.sampled_from(["", "  ", "yes", "No", " refined ", "Scrap", "x", "12", "1,5", "2030"]),
    st.integers(min_value=-5, max_value=2300),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from([0.5, 1.0, 2030.0, 1e13, -0.0]),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["Projects", "Processing", "Countries", "Policy", "Demand", "Budgets"]),
    st.lists(st.lists(_cell, min_size=0, max_size=15), max_size=8),
    st.booleans(),
)
def test_any_sheet_reads_alike(name: str, body: list[list[object]], drop_one: bool) -> None:
    sheet = _sheet(name)
    header: list[object] = [c.name for c in sheet.columns]
    if drop_one:
        header[-1] = "someone's notes"  # an unknown column, and a known one missing
    if sheet.year_columns:
        header += [2025, 2030]
    _both(sheet, [tuple(header), *map(tuple, body)])


def test_a_sheet_that_is_absent_or_empty() -> None:
    sheet = _sheet("Supply")
    _both(sheet, None)
    _both(sheet, [])
    _both(sheet, [tuple(c.name for c in sheet.columns)])
