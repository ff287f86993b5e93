"""What results read from a solved model: values by variable and sums of terms.

planner/solve/highs.py's HighsModel satisfies this protocol; results never import the solver,
so data flow one way (solve -> results) and a results function can be fed any solution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

# (coefficient, Pyomo variable data) as the model's term lists hold them
Term = tuple[float, Any]


class Solution(Protocol):
    """Read access to one solution of a compiled model."""

    def values(self, var: Any) -> dict:
        """index -> value of every element of a Pyomo Var component."""
        ...

    def value_of(self, vardata: Any) -> float:
        """The value of one variable (0 if it is not in the matrix)."""
        ...

    def activities(self, groups: Mapping[Any, Sequence[Term]]) -> dict:
        """key -> sum of coef x value over each group of (coef, var) terms."""
        ...
