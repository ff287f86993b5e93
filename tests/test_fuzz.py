"""Fuzzing the workbook reader and the solve command: mutated copies of a valid workbook
(cell values and types, header and sheet names, damage to the sheet XML) must end in a plan
(exit 0), a listed problem with its cell or file (exit 2) or explained infeasible rules
(exit 3): never a traceback, never a changed input.

A short, fixed-seed run is part of the suite; `pytest -m fuzz` runs a longer one
(FUZZ_EXAMPLES, default 400)."""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.cli import app
from tests.builders import write_workbook
from tests.test_validate import SETTINGS, base_sheets

SHEETS = ("Settings", "Minerals", "Countries", "Demand", "Supply", "Projects", "Budgets", "Policy")
CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["12.500,50", "0,1", "1e400", "-0", "yes", "=1/0", "=A1", "2030", " "]),
)
MUTATION = st.one_of(
    st.tuples(
        st.just("cell"), st.sampled_from(SHEETS), st.integers(1, 4), st.integers(1, 8), CELL_VALUES
    ),
    st.tuples(st.just("header"), st.sampled_from(SHEETS), st.integers(1, 8), st.text(max_size=10)),
    st.tuples(st.just("sheet"), st.sampled_from(SHEETS), st.text(min_size=1, max_size=12)),
    st.tuples(st.just("xml"), st.integers(1, 9), st.integers(0, 400), st.binary(max_size=12)),
)


def _mutate(path, mutation) -> None:
    kind = mutation[0]
    if kind == "xml":
        _, sheet_no, cut, junk = mutation
        with zipfile.ZipFile(path) as src:
            items = [(i, src.read(i.filename)) for i in src.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
            for info, data in items:
                if info.filename == f"xl/worksheets/sheet{sheet_no}.xml":
                    data = data[:cut] + junk + data[cut + len(junk) :]
                dst.writestr(info, data)
        return
    wb = openpyxl.load_workbook(path)
    if kind == "cell":
        _, sheet, row, col, value = mutation
        wb[sheet].cell(row=row + 1, column=col, value=value)
    elif kind == "header":
        _, sheet, col, name = mutation
        wb[sheet].cell(row=1, column=col, value=name)
    else:
        _, sheet, title = mutation
        title = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "x"
        if title not in wb.sheetnames:
            wb[sheet].title = title
    wb.save(path)


def _check(tmp_path, mutations) -> None:
    # hypothesis runs many examples in one test: each gets its own folder
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = write_workbook(folder / "in.xlsx", base_sheets(), SETTINGS)
    # damage to the XML last: openpyxl could not open the file to make the other changes
    for mutation in sorted(mutations, key=lambda m: m[0] == "xml"):
        try:
            _mutate(path, mutation)
        except Exception:
            break
    before = path.read_bytes()
    out = folder / "plan.xlsx"
    result = CliRunner().invoke(app, ["solve", str(path), "-o", str(out), "--time-limit", "20"])
    text = " ".join(result.output.split())
    assert result.exception is None or isinstance(result.exception, SystemExit), text
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2, 3), text
    if result.exit_code == 0:
        assert out.exists()
    else:
        assert not out.exists()
    if result.exit_code == 2:
        assert "problem(s) found" in text or "refusing" in text or ":" in text, text
    assert path.read_bytes() == before


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking in the suite: bounded time
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(MUTATION, min_size=1, max_size=3))
def test_fuzzed_workbooks_end_in_a_plan_or_a_listed_problem(tmp_path, mutations):
    _check(tmp_path, mutations)


@pytest.mark.fuzz
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(MUTATION, min_size=1, max_size=4))
def test_fuzz_long(tmp_path, mutations):
    _check(tmp_path, mutations)
