"""The matrix built straight from the rows (models/standard_form.py) is Pyomo's, element by element.

`build_matrix_model` + `standard_form` must give HiGHS exactly the problem that Pyomo's
LinearStandardFormCompiler gives from `build_model` of the same data: the same columns (the same
variables, in the same order), the same rows (block, key and sense, in the same order), the same
matrix, costs, right-hand sides, bounds and integrality. Then a plan does not depend on which of
the two the pipeline used.
"""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

from models.build import build_matrix_model, build_model, standard_form
from models.columns import ColumnSpace
from models.expr import add_rows, eq, ge, le
from models.registry import Model, blocks_of
from models.standard_form import (
    AT_LEAST,
    AT_MOST,
    EQUAL,
    InfeasibleRow,
    compile_pyomo,
    compile_rows,
)
from models.variables import Stage, VariableSpec
from planner.io.validate import load_input
from planner.solve.highs import HighsModel

ROOT = Path(__file__).resolve().parents[1]


def _bench_workbook(tmp_path: Path) -> Path:
    """A small synthetic instance from benchmarks/bench_scale.py: projects, processing,
    scrap, budgets and share rules on every mineral."""
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "benchmarks/bench_scale.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_scale"] = bench
    spec.loader.exec_module(bench)
    size = bench.Size(minerals=4, countries=7, years=6, projects=8, technologies=5)
    return bench.write_instance(bench.make_instance(size, seed=3), tmp_path / "bench.xlsx")


def _row_names(m, form) -> list[tuple]:
    """(block, key, sense) of each matrix row, for either kind of model."""
    where = {}
    for block in blocks_of(Model.DETERMINISTIC):
        component = getattr(m, block.name)
        for key, handle in component.items():
            where[id(handle)] = (block.name, key)
    return [(*where[id(handle)], sense) for handle, sense in form.rows]


def assert_same_form(pyomo_model, matrix_model) -> None:
    a = compile_pyomo(pyomo_model)
    b = standard_form(matrix_model)
    space = matrix_model.column_space
    assert [(v.parent_component().name, v.index()) for v in a.columns] == [
        space.label(c) for c in b.columns
    ]
    assert _row_names(pyomo_model, a) == _row_names(matrix_model, b)
    left, right = a.A.tocsc(), b.A.tocsc()
    left.sort_indices()
    right.sort_indices()
    assert left.shape == right.shape
    np.testing.assert_array_equal(left.indptr, right.indptr)
    np.testing.assert_array_equal(left.indices, right.indices)
    np.testing.assert_array_equal(left.data, right.data)
    np.testing.assert_array_equal(a.c, b.c)
    assert a.c_offset == b.c_offset
    np.testing.assert_array_equal(a.rhs, b.rhs)
    np.testing.assert_array_equal(a.lower, b.lower)
    np.testing.assert_array_equal(a.upper, b.upper)
    np.testing.assert_array_equal(a.integer, b.integer)


def _cases(tmp_path: Path):
    teaching = load_input(ROOT / "examples/teaching.xlsx")
    india = load_input(ROOT / "inputs/india_2040.xlsx")
    capped = copy.deepcopy(teaching)
    capped.settings.risk_cap_musd = 50.0
    capped.settings.concentration_weight = 0.5
    capped.settings.concentration_cap_musd = 80.0
    yield "teaching", teaching
    yield "teaching with caps and a priced concentration term", capped
    yield "india", india
    yield "bench", load_input(_bench_workbook(tmp_path))


def test_matrix_from_rows_is_pyomos(tmp_path):
    for name, data in _cases(tmp_path):
        try:
            assert_same_form(build_model(data), build_matrix_model(data))
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from error


def test_plans_agree(tmp_path):
    """HiGHS solves the same problem from either build: the same objective and solution."""
    data = load_input(ROOT / "examples/teaching.xlsx")
    first, second = HighsModel(build_model(data)), HighsModel(build_matrix_model(data))
    a, b = first.solve(1e-9, 60), second.solve(1e-9, 60)
    assert a.objective == pytest.approx(b.objective, rel=1e-12)
    np.testing.assert_array_equal(first.x, second.x)


def _free(name: str) -> VariableSpec:
    """A free continuous family (Pyomo's default Var)."""
    return VariableSpec(name, name, None, "real", Stage.DERIVED, "", "")


def test_layout_rules_on_a_hand_model():
    """Columns in first-appearance order of their families (the objective's first; a zero
    coefficient counts; columns with no nonzero dropped); a ranged row becomes <= then >=; a
    repeated variable is summed; a row whose terms cancel and that 0 satisfies is dropped.

        min 2 y + 0 x[1]                      columns: y, then x[2], x[3] (x first seen in the
        r1:  x[2] + x[2] + 3 z <= 4                objective; x[1] never nonzero), then z
        r2:  1 <= x[3] - z <= 5               (ranged: two rows)
        r3:  x[3] - x[3] == 0                 (cancels: dropped)
    """
    space = ColumnSpace()
    z = space.declare(_free("z"), [None])[None]
    x = space.declare(_free("x"), [1, 2, 3])
    y = space.declare(_free("y"), [None])[None]
    space.set_bounds([(y, 0, 7)])
    rows = {
        "r1": le([(1.0, x[2]), (1.0, x[2]), (3.0, z)], 4),
        "r2": ge([(1.0, x[3]), (-1.0, z)], 1),
        "r3": eq([(1.0, x[3]), (-1.0, x[3])], 0),
    }
    rows["r2"] = type(rows["r2"])(rows["r2"].terms, 1.0, 5.0)
    form = compile_rows(space, [rows.items()], [(2.0, y), (0.0, x[1])], 1.5)
    assert [space.label(c) for c in form.columns] == [("y", None), ("x", 2), ("x", 3), ("z", None)]
    assert [(h, s) for h, s in form.rows] == [
        (rows["r1"], AT_MOST),
        (rows["r2"], AT_MOST),
        (rows["r2"], AT_LEAST),
    ]
    np.testing.assert_array_equal(form.A.toarray(), [[0, 2, 0, 3], [0, 0, 1, -1], [0, 0, 1, -1]])
    np.testing.assert_array_equal(form.c, [2, 0, 0, 0])
    np.testing.assert_array_equal(form.rhs, [4, 5, 1])
    np.testing.assert_array_equal(form.lower, [0, -np.inf, -np.inf, -np.inf])
    np.testing.assert_array_equal(form.upper, [7, np.inf, np.inf, np.inf])
    assert form.c_offset == 1.5

    # Pyomo's compiler lays out the same model the same way
    m = pyo.ConcreteModel()
    m.z = pyo.Var()
    m.x = pyo.Var([1, 2, 3])
    m.y = pyo.Var(bounds=(0, 7))
    pyomo_vars = {z: m.z, x[1]: m.x[1], x[2]: m.x[2], x[3]: m.x[3], y: m.y}
    add_rows(
        m,
        "rows",
        {
            k: type(r)([(c, pyomo_vars[v]) for c, v in r.terms], r.lower, r.upper)
            for k, r in rows.items()
        },
    )
    m.objective = pyo.Objective(expr=2.0 * m.y + 0.0 * m.x[1] + 1.5)
    pyomo = compile_pyomo(m)
    assert [v.name for v in pyomo.columns] == ["y", "x[2]", "x[3]", "z"]
    np.testing.assert_array_equal(pyomo.A.toarray(), form.A.toarray())
    assert [s for _, s in pyomo.rows] == [AT_MOST, AT_MOST, AT_LEAST]
    assert EQUAL == 0


def test_a_row_that_cannot_hold_is_refused():
    """x - x >= 1 has no nonzero term and 0 < 1: no plan satisfies it."""
    space = ColumnSpace()
    x = space.declare(_free("x"), [None])[None]
    with pytest.raises(InfeasibleRow, match="cannot hold"):
        compile_rows(space, [{"r": ge([(1.0, x), (-1.0, x)], 1)}.items()], [(1.0, x)], 0)


def test_fixed_integer_columns_stay_fixed_across_an_lp_with_integers_relaxed():
    """fix_columns holds a column; solving the LP relaxation (or the LP with integers fixed)
    in between must not give it its model bounds back: the deterministic plan's value under
    the scenarios is such an LP with every first-stage column fixed."""
    data = load_input(ROOT / "examples/teaching.xlsx")
    m = build_matrix_model(data)
    hm = HighsModel(m)
    col = int(np.flatnonzero(hm.integer)[0])
    fixed = hm.fix_columns([(hm.columns[col], 1.0)])
    hm.solve_with_integers_fixed(60, relax=True)
    hm.solve_with_integers_fixed(60)
    _, _, _, lower, upper, _ = hm.highs.getCols(1, np.array([col], dtype=np.int32))
    assert (lower[0], upper[0]) == (1.0, 1.0)
    hm.release_columns(fixed)
    _, _, _, lower, upper, _ = hm.highs.getCols(1, np.array([col], dtype=np.int32))
    assert (lower[0], upper[0]) == (hm.lower[col], hm.upper[col])
