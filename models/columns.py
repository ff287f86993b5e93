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
    domain_lower: float
    domain_upper: float
    integer: bool
    keys: list


@dataclass
class ColumnSpace:
    """Every column of a matrix model: the families in declaration order, and each column's
    own bounds (NaN-free: an open side is -inf or +inf)."""

    families: list[Family] = field(default_factory=list)
    own_lower: list[np.ndarray] = field(default_factory=list)
    own_upper: list[np.ndarray] = field(default_factory=list)
    size: int = 0

    def declare(self, spec: VariableSpec, keys: Iterable) -> dict[Any, int]:
        """The family of `spec` over `keys`: key -> column number."""
        keys = list(keys)
        start, stop = self.size, self.size + len(keys)
        domain, spec_bounds = DOMAINS[spec.domain]
        lower, upper, step = domain.get_interval()
        self.families.append(
            Family(
                spec.name,
                start,
                stop,
                -np.inf if lower is None else float(lower),
                np.inf if upper is None else float(upper),
                step == 1,
                keys,
            )
        )
        own = spec_bounds or (None, None)
        self.own_lower.append(np.full(len(keys), -np.inf if own[0] is None else float(own[0])))
        self.own_upper.append(np.full(len(keys), np.inf if own[1] is None else float(own[1])))
        self.size = stop
        return dict(zip(keys, range(start, stop), strict=True))

    def set_bounds(self, bounds: Sequence[tuple[int, float | None, float | None]]) -> None:
        """Give columns their own bounds from the data, (column, lower, upper); None is open."""
        if not bounds:
            return
        self._merge()
        columns, lower, upper = zip(*bounds, strict=True)
        at = np.asarray(columns, dtype=np.int64)
        self.own_lower[0][at] = np.array(lower, dtype=float)  # None -> nan
        self.own_upper[0][at] = np.array(upper, dtype=float)
        np.nan_to_num(self.own_lower[0], copy=False, nan=-np.inf, posinf=np.inf, neginf=-np.inf)
        np.nan_to_num(self.own_upper[0], copy=False, nan=np.inf, posinf=np.inf, neginf=-np.inf)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each column's bounds in force: its own, tightened by its domain's."""
        self._merge()
        sizes = [f.stop - f.start for f in self.families]
        domain_lower = np.repeat([f.domain_lower for f in self.families], sizes)
        domain_upper = np.repeat([f.domain_upper for f in self.families], sizes)
        return (
            np.maximum(self.own_lower[0], domain_lower),
            np.minimum(self.own_upper[0], domain_upper),
        )

    def integer(self) -> np.ndarray:
        sizes = [f.stop - f.start for f in self.families]
        return np.repeat([f.integer for f in self.families], sizes).astype(bool)

    def starts(self) -> np.ndarray:
        """Where each family's columns begin, and the total at the end."""
        return np.array([f.start for f in self.families] + [self.size], dtype=np.int64)

    def label(self, column: int) -> tuple[str, Any]:
        """(family, key) of a column number, as a Pyomo variable's (parent name, index)."""
        starts = self.starts()
        f = int(np.searchsorted(starts, column, side="right")) - 1
        family = self.families[f]
        return family.name, family.keys[column - family.start]

    def _merge(self) -> None:
        # families are declared one by one; bounds are kept as one array once set
        if len(self.own_lower) != 1:
            self.own_lower = [np.concatenate(self.own_lower or [np.zeros(0)])]
            self.own_upper = [np.concatenate(self.own_upper or [np.zeros(0)])]
