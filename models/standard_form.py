"""The model's matrix straight from its rows, without Pyomo expression objects.

The constraint blocks are functions returning rows of (coefficient, variable) terms
(models/expr.py). The Pyomo model turns each row into an expression, and Pyomo's
LinearStandardFormCompiler walks those expressions back into a matrix. For a model that goes
straight to HiGHS both steps can be skipped: `build_matrix_model` keeps each block's rows as a
`RowBlock` (key -> Row), and `compile_rows` assembles the matrix from them with numpy.

The result is laid out exactly as `LinearStandardFormCompiler().write(model, mixed_form=True)`
lays out the Pyomo model built from the same rows (tests/test_standard_form.py compares the two
element by element), so that HiGHS sees the same problem either way:
- columns: variable families in the order they first appear (objective first, then the rows
  block by block, terms in order; a zero coefficient counts), each family whole in its index
  order; columns with no nonzero in the objective or the matrix are dropped;
- rows: blocks in model order, rows in key order; a ranged row becomes two rows (<= then >=);
  a row without bounds, or without any nonzero term and satisfied by 0, is dropped;
- a row's repeated variable is one entry with the summed coefficient; zero entries are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo
import scipy.sparse

from models.expr import Row, Terms

# row senses, as Pyomo's compiler writes them
EQUAL, AT_MOST, AT_LEAST = 0, 1, -1


class RowBlock(dict):
    """One constraint block of a matrix-built model: key -> Row. Each Row object is also the
    row's handle (what HighsModel.rows_of is keyed by), as a Pyomo ConstraintData is in the
    Pyomo model."""


class InfeasibleRow(ValueError):
    """A row with no nonzero term whose bounds exclude 0."""


@dataclass
class StandardForm:
    """min c x + offset subject to A x (sense) rhs, columns' bounds; mixed form, one row per
    sense (what LinearStandardFormCompiler gives, with the column bounds read once)."""

    columns: list  # the variables, in column order
    rows: list[tuple[Any, int]]  # (handle, sense) per matrix row
    A: scipy.sparse.csr_array
    c: np.ndarray
    c_offset: float
    rhs: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray


def _families(m: pyo.ConcreteModel) -> list[pyo.Var]:
    return list(m.component_objects(pyo.Var, descend_into=False))


def compile_rows(
    m: pyo.ConcreteModel,
    blocks: Sequence[Iterable[tuple[Any, Row]]],
    objective: Terms,
    offset: float,
) -> StandardForm:
    """The standard form of min objective + offset over the rows of `blocks` (in order), with
    m's variables as the columns (see the module docstring for the layout)."""
    families = _families(m)
    family_vars = [list(family.values()) for family in families]
    starts = np.cumsum([0] + [len(v) for v in family_vars])
    every = [v for part in family_vars for v in part]
    position = {id(v): i for i, v in enumerate(every)}

    obj_cols = np.fromiter((position[id(v)] for _, v in objective), dtype=np.int64)
    obj_coefs = np.fromiter((c for c, _ in objective), dtype=float)

    handles: list[tuple[Any, int]] = []
    rhs: list[float] = []
    lengths: list[int] = []  # terms per matrix row
    cols: list[int] = []
    coefs: list[float] = []
    order_cols: list[int] = []  # every term in order, kept rows or not (family order)
    keys: list[Any] = []
    for block in blocks:
        for key, row in block:
            row_cols = [position[id(v)] for _, v in row.terms]
            order_cols.extend(row_cols)
            senses = _senses(row)
            if not senses:
                continue
            row_coefs = [float(c) for c, _ in row.terms]
            for sense, bound in senses:
                handles.append((row, sense))
                keys.append(key)
                rhs.append(bound)
                lengths.append(len(row_cols))
                cols.extend(row_cols)
                coefs.extend(row_coefs)

    n_rows = len(handles)
    row_of_entry = np.repeat(np.arange(n_rows), lengths)
    A = scipy.sparse.coo_array(
        (np.asarray(coefs, dtype=float), (row_of_entry, np.asarray(cols, dtype=np.int64))),
        shape=(n_rows, len(every)),
    ).tocsr()
    A.sum_duplicates()
    A.eliminate_zeros()
    empty = np.flatnonzero(np.diff(A.indptr) == 0)
    if len(empty):
        for r in empty:
            _check_constant(keys[r], handles[r][0])
        keep = np.ones(n_rows, dtype=bool)
        keep[empty] = False
        A = A[keep]
        handles = [h for h, k in zip(handles, keep, strict=True) if k]
        rhs = [b for b, k in zip(rhs, keep, strict=True) if k]
    c = np.zeros(len(every))
    np.add.at(c, obj_cols, obj_coefs)

    # families in order of first appearance, whole; then only columns that hold a nonzero
    seen = np.concatenate([obj_cols, np.asarray(order_cols, dtype=np.int64)])
    family_of = np.searchsorted(starts, seen, side="right") - 1
    _, first = np.unique(family_of, return_index=True)
    family_order = np.unique(family_of)[np.argsort(first)]
    order = np.concatenate(
        [np.arange(starts[f], starts[f + 1]) for f in family_order] or [np.zeros(0, np.int64)]
    ).astype(np.int64)
    used = (np.diff(A.tocsc().indptr) > 0) | (c != 0)
    order = order[used[order]]

    A = A[:, order]
    A.sort_indices()
    columns = [every[i] for i in order]
    if any(v.fixed for v in columns):
        raise ValueError("compile_rows: a variable is fixed; build the Pyomo model instead")
    domain = [part[0].domain.bounds() if part else (None, None) for part in family_vars]
    domain_lower = np.repeat([_bound(lo, -np.inf) for lo, _ in domain], np.diff(starts))
    domain_upper = np.repeat([_bound(up, np.inf) for _, up in domain], np.diff(starts))
    integer_family = np.repeat(
        [bool(part) and part[0].is_integer() for part in family_vars], np.diff(starts)
    )
    return StandardForm(
        columns=columns,
        rows=handles,
        A=A,
        c=c[order],
        c_offset=float(offset),
        rhs=np.asarray(rhs, dtype=float),
        lower=np.maximum(_raw_bounds(columns, "_lb", -np.inf), domain_lower[order]),
        upper=np.minimum(_raw_bounds(columns, "_ub", np.inf), domain_upper[order]),
        integer=integer_family[order],
    )


def _senses(row: Row) -> list[tuple[int, float]]:
    """(sense, right-hand side) of the matrix rows a Row becomes."""
    if row.lower is not None and row.lower == row.upper:
        return [(EQUAL, float(row.upper))]
    out = []
    if row.upper is not None:
        out.append((AT_MOST, float(row.upper)))
    if row.lower is not None:
        out.append((AT_LEAST, float(row.lower)))
    return out


def _check_constant(key: Any, row: Row) -> None:
    """A row whose terms are all zero holds when 0 is within its bounds."""
    if (row.lower is not None and row.lower > 0) or (row.upper is not None and row.upper < 0):
        raise InfeasibleRow(f"row {key!r} has no nonzero term and cannot hold")


def _raw_bounds(columns: list, name: str, default: float) -> np.ndarray:
    """Each variable's own bound (before its domain's): the VarData attribute, read directly
    because the `lb`/`ub` properties cost about 1.5 us each; a bound that is not a plain
    number (a Pyomo expression) is resolved through the property."""
    values = [getattr(v, name) for v in columns]
    out = np.full(len(values), default)
    for i, value in enumerate(values):
        if value is None:
            continue
        out[i] = (
            value
            if value.__class__ in (float, int)
            else _bound(getattr(columns[i], name[1:]), default)
        )
    return out


def _bound(value: Any, default: float) -> float:
    return default if value is None else float(value)
