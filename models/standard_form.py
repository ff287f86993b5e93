"""The model's matrix straight from its rows, without Pyomo expression objects.

The constraint blocks are functions returning rows of (coefficient, variable) terms
(models/expr.py). The Pyomo model turns each row into an expression, and Pyomo's
LinearStandardFormCompiler walks those expressions back into a matrix. For a model that goes
straight to HiGHS both steps can be skipped: `build_matrix_model` declares its variables as
column numbers (models/columns.py), so that the same row functions give (coefficient, column
number) terms; it keeps each block's rows as a `RowBlock` (key -> Row), and `compile_rows`
assembles the matrix from them with numpy.

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
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
import pyomo.environ as pyo
import scipy.sparse
import scipy.stats  # imported here, not at the first compile (see below)
from pyomo.common.dependencies import scipy as deferred_scipy
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from models.columns import ColumnSpace
from models.expr import Row, Terms

# Pyomo imports scipy (and scipy.stats) lazily at the first compile; resolve it at import time
# so that a hand-over's measured time is the model's, not a one-off import (about 2 s).
deferred_scipy.sparse.csc_array  # noqa: B018

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
    # compile_rows only: the row (position in the blocks' rows, in order) of each matrix row,
    # and how many rows each block has; with them the row handles of a rebuilt model of the
    # same data are found again (HighsModel.attach)
    source: np.ndarray | None = None
    block_sizes: tuple[int, ...] | None = None


def compile_pyomo(model: pyo.ConcreteModel) -> StandardForm:
    """Pyomo's own compile of a model with Pyomo constraints and objective (mixed form)."""
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    columns = info.columns
    return StandardForm(
        columns=columns,
        rows=info.rows,
        A=info.A,
        c=np.asarray(info.c.toarray()).ravel() if columns else np.zeros(0),
        c_offset=float(info.c_offset[0]) if len(info.c_offset) else 0.0,
        rhs=np.asarray(info.rhs, dtype=float),
        lower=np.array([_bound(v.lb, -np.inf) for v in columns], dtype=float),
        upper=np.array([_bound(v.ub, np.inf) for v in columns], dtype=float),
        integer=np.array([v.is_integer() for v in columns], dtype=bool),
    )


def compile_rows(
    space: ColumnSpace,
    blocks: Sequence[Iterable[tuple[Any, Row]]],
    objective: Terms,
    offset: float,
) -> StandardForm:
    """The standard form of min objective + offset over the rows of `blocks` (in order), whose
    terms are (coefficient, column number) over the columns of `space` (see the module
    docstring for the layout). The columns are the column numbers kept, in matrix order."""
    starts = space.starts()
    n_columns = space.size
    obj_cols, obj_coefs = _columns_and_coefficients(objective, len(objective))

    keyed: list[tuple[Any, Row]] = []
    block_sizes = []
    for block in blocks:
        before = len(keyed)
        keyed.extend(block)
        block_sizes.append(len(keyed) - before)
    rows = list(map(itemgetter(1), keyed))
    lengths = np.fromiter(map(len, map(itemgetter(0), rows)), dtype=np.int64, count=len(rows))
    # every term in order, of every row (bounded or not): the family order sees them all
    term_cols, term_coefs = _columns_and_coefficients(
        chain.from_iterable(map(itemgetter(0), rows)), int(lengths.sum())
    )
    by_row = scipy.sparse.csr_array(
        (term_coefs, term_cols, np.concatenate([[0], np.cumsum(lengths)])),
        shape=(len(rows), n_columns),
    )
    by_row.sum_duplicates()
    by_row.eliminate_zeros()

    # an open side (None) as NaN
    lower = np.array(list(map(itemgetter(1), rows)), dtype=float)
    upper = np.array(list(map(itemgetter(2), rows)), dtype=float)
    equal = lower == upper  # False where either is open (nan)
    has_upper = ~np.isnan(upper) & ~equal
    has_lower = ~np.isnan(lower) & ~equal
    count = equal.astype(np.int64) + has_upper + has_lower  # matrix rows of each row
    for r in np.flatnonzero((np.diff(by_row.indptr) == 0) & (count > 0)):
        _check_constant(keyed[r][0], rows[r])  # no nonzero term: holds at 0, or refused
        count[r] = 0
    source = np.repeat(np.arange(len(rows)), count)
    first = np.ones(len(source), dtype=bool)
    first[1:] = source[1:] != source[:-1]
    sense = np.where(equal[source], EQUAL, np.where(first & has_upper[source], AT_MOST, AT_LEAST))
    rhs = np.where(sense == AT_LEAST, lower[source], upper[source])
    handles = list(zip(map(rows.__getitem__, source.tolist()), sense.tolist(), strict=True))
    A = by_row[source] if len(source) else by_row[:0]
    c = np.zeros(n_columns)
    np.add.at(c, obj_cols, obj_coefs)

    # families in order of first appearance, whole; then only columns that hold a nonzero
    seen = np.concatenate([obj_cols, term_cols])
    family_of = np.searchsorted(starts, seen, side="right") - 1
    first_seen = np.full(len(starts) - 1, len(seen))
    np.minimum.at(first_seen, family_of, np.arange(len(seen)))
    present = np.flatnonzero(first_seen < len(seen))
    family_order = present[np.argsort(first_seen[present], kind="stable")]
    order = np.concatenate(
        [np.arange(starts[f], starts[f + 1]) for f in family_order] or [np.zeros(0, np.int64)]
    ).astype(np.int64)
    used = (np.diff(A.tocsc().indptr) > 0) | (c != 0)
    order = order[used[order]]

    A = A[:, order]
    A.sort_indices()
    column_lower, column_upper = space.bounds()
    return StandardForm(
        columns=order.tolist(),
        rows=handles,
        A=A,
        c=c[order],
        c_offset=float(offset),
        rhs=rhs.astype(float),
        lower=column_lower[order],
        upper=column_upper[order],
        integer=space.integer[order],
        source=source.astype(np.int32),
        block_sizes=tuple(block_sizes),
    )


def _columns_and_coefficients(
    terms: Iterable[tuple[float, int]], count: int
) -> tuple[np.ndarray, np.ndarray]:
    """The column number and the coefficient of each of `count` (coefficient, column) terms,
    read in one pass as floats (column numbers are exact as floats below 2**53)."""
    pairs = np.fromiter(chain.from_iterable(terms), dtype=float, count=2 * count).reshape(-1, 2)
    return pairs[:, 1].astype(np.int64), pairs[:, 0].copy()


def _check_constant(key: Any, row: Row) -> None:
    """A row whose terms are all zero holds when 0 is within its bounds."""
    if (row.lower is not None and row.lower > 0) or (row.upper is not None and row.upper < 0):
        raise InfeasibleRow(f"row {key!r} has no nonzero term and cannot hold")


def _bound(value: Any, default: float) -> float:
    return default if value is None else float(value)
