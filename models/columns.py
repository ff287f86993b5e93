"""The matrix model's variables: plain column numbers instead of Pyomo variable objects.

`build_matrix_model` declares each variable family of the registry (models/variables.py) as a
dict key -> column number, numbered in declaration order, as Pyomo numbers the variables of
`build_model`. The row functions read these dicts exactly as they read a Pyomo model's Var
components, so a row's terms are (coefficient, column number) pairs, which
models/standard_form.py turns into the matrix with numpy, without one Python lookup per term.

A family's bounds follow Pyomo's rule: a column's own bounds (from the family's spec, then from
the data through `set_bounds`) tightened by its domain's (NonNegativeReals: x >= 0; Binary:
0 <= x <= 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models.variables import DOMAINS, VariableSpec


@dataclass
class Family:
    name: str
    start: int
    stop: int
    keys: list


@dataclass
class ColumnSpace:
    """Every column of a matrix model: the families in declaration order, and per column its
    own bounds, its domain's bounds (an open side is -inf or +inf) and whether it is integer."""

    families: list[Family] = field(default_factory=list)
    own_lower: np.ndarray = field(default_factory=lambda: np.zeros(0))
    own_upper: np.ndarray = field(default_factory=lambda: np.zeros(0))
    domain_lower: np.ndarray = field(default_factory=lambda: np.zeros(0))
    domain_upper: np.ndarray = field(default_factory=lambda: np.zeros(0))
    integer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    size: int = 0

    def declare(self, spec: VariableSpec, keys: Iterable) -> dict[Any, int]:
        """The family of `spec` over `keys`: key -> column number."""
        keys = list(keys)
        start, stop = self.size, self.size + len(keys)
        self.families.append(Family(spec.name, start, stop, keys))
        domain, spec_bounds = DOMAINS[spec.domain]
        lower, upper, step = domain.get_interval()
        own_lower, own_upper = spec_bounds or (None, None)

        def grow(array: np.ndarray, value: Any, open_side: float) -> np.ndarray:
            fill = open_side if value is None else value
            return np.concatenate([array, np.full(len(keys), fill, dtype=array.dtype)])

        self.own_lower = grow(self.own_lower, own_lower, -np.inf)
        self.own_upper = grow(self.own_upper, own_upper, np.inf)
        self.domain_lower = grow(self.domain_lower, lower, -np.inf)
        self.domain_upper = grow(self.domain_upper, upper, np.inf)
        self.integer = grow(self.integer, step == 1, False)
        self.size = stop
        return dict(zip(keys, range(start, stop), strict=True))

    def set_bounds(self, bounds: Sequence[tuple[int, float | None, float | None]]) -> None:
        """Give columns their own bounds from the data, (column, lower, upper); None is open."""
        if not bounds:
            return
        columns, lower, upper = zip(*bounds, strict=True)
        at = np.asarray(columns, dtype=np.int64)
        self.own_lower[at] = np.nan_to_num(np.array(lower, dtype=float), nan=-np.inf)
        self.own_upper[at] = np.nan_to_num(np.array(upper, dtype=float), nan=np.inf)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each column's bounds in force: its own, tightened by its domain's."""
        return (
            np.maximum(self.own_lower, self.domain_lower),
            np.minimum(self.own_upper, self.domain_upper),
        )

    def starts(self) -> np.ndarray:
        """Where each family's columns begin, and the total at the end."""
        return np.array([f.start for f in self.families] + [self.size], dtype=np.int64)

    def label(self, column: int) -> tuple[str, Any]:
        """(family, key) of a column number, as a Pyomo variable's (parent name, index)."""
        f = int(np.searchsorted(self.starts(), column, side="right")) - 1
        family = self.families[f]
        return family.name, family.keys[column - family.start]
