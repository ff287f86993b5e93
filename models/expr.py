"""Fast linear expressions: build sums from precomputed (coefficient, variable) lists."""

from __future__ import annotations

from collections.abc import Iterable

from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression

Terms = list[tuple[float, VarData]]


def linear(terms: Iterable[tuple[float, VarData]], constant: float = 0.0) -> LinearExpression:
    """sum_i coef_i x var_i + constant, built in one step (no operator overloading)."""
    terms = list(terms)
    return LinearExpression(
        constant=constant,
        linear_coefs=[c for c, _ in terms],
        linear_vars=[v for _, v in terms],
    )
