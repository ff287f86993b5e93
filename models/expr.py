"""Rows as data: (coefficient, variable) terms with bounds, turned into Pyomo constraints.

Every constraint block is a function `rows(m, ix, terms) -> {index: Row}`. The model is built
from these functions, and a persistent re-solve calls the same functions with new data to find
which coefficients and right-hand sides changed: one formulation, used both ways.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import pyomo.environ as pyo
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

Terms = list[tuple[float, VarData]]


class Row(NamedTuple):
    """lower <= sum(coef x var) <= upper; None is an open side. (A named tuple: a large
    model has hundreds of thousands, and a tuple is made in half the time of a frozen
    dataclass.)"""

    terms: Terms
    lower: float | None
    upper: float | None


def le(terms: Iterable, rhs: float) -> Row:
    return Row(list(terms), None, float(rhs))


def ge(terms: Iterable, rhs: float) -> Row:
    return Row(list(terms), float(rhs), None)


def eq(terms: Iterable, rhs: float) -> Row:
    return Row(list(terms), float(rhs), float(rhs))


def linear(terms: Iterable[tuple[float, VarData]], constant: float = 0.0) -> LinearExpression:
    """sum_i coef_i x var_i + constant, built in one step (no operator overloading).

    A term with coefficient 1 is the variable itself (Pyomo reads it as 1 x var), which saves
    building a monomial object for most terms of the balances and shares."""
    args: list = [constant] if constant else []
    args.extend(v if c == 1 else MonomialTermExpression((c, v)) for c, v in terms)
    return LinearExpression(args)


def relational(row: Row):
    """The Pyomo relational expression of a Row."""
    body = linear(row.terms)
    if row.lower is not None and row.lower == row.upper:
        return body == row.lower
    if row.lower is None:
        return body <= row.upper
    if row.upper is None:
        return body >= row.lower
    return pyo.inequality(row.lower, body, row.upper)


def add_rows(m: pyo.ConcreteModel, name: str, rows: dict, growing: bool = False) -> None:
    """m.<name> = one constraint per Row, indexed by the rows' keys; a `growing` block is
    indexed by Any, so that rows can be added after the build (see grow_rows)."""
    if growing:
        m.add_component(name, pyo.Constraint(pyo.Any))
        grow_rows(getattr(m, name), rows)
        return

    def rule(_m, *key):
        return relational(rows[key[0] if len(key) == 1 else key])

    m.add_component(name, pyo.Constraint(list(rows), rule=rule))


def grow_rows(con, rows: dict) -> list:
    """Add rows to a constraint indexed by Any (or to a matrix model's block of rows, a dict);
    returns their handles (constraint data, or the Rows themselves), in order."""
    if isinstance(con, dict):
        con.update(rows)
        return list(rows.values())
    added = []
    for key, row in rows.items():
        con[key] = relational(row)
        added.append(con[key])
    return added
