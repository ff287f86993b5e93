"""Assemble the model in a fixed order: variables, their bounds, then every constraint block
(each a function returning its rows, see models/expr.py), then the objective. Which variables
and blocks, in what order, is models/registry.py's.

Two forms of the same model: `build_model` (Pyomo constraints and objective, for re-solves in
place, the two-stage model's parts and anything that reads Pyomo) and `build_matrix_model`
(the same variables, with each block's rows kept as data and compiled by
models/standard_form.py straight into the matrix HiGHS is given; what a single solve uses)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.common.sorting import sorted_robust

from models import concentration, policy, stock
from models.columns import ColumnSpace
from models.data import InputData
from models.expr import add_rows
from models.index import ModelIndex, build_index
from models.objective import add_objective, objective_terms, risk_terms_by_mineral_year
from models.purchases import purchase_bounds
from models.registry import Model, blocks_of, declare_data_variables
from models.standard_form import RowBlock, StandardForm, compile_pyomo, compile_rows
from models.supply_terms import collect_supply_terms


def variable_bounds(m: pyo.ConcreteModel, ix: ModelIndex) -> list:
    """(var, lower, upper) of every variable whose bounds come from the data."""
    return purchase_bounds(m, ix) + stock.unmet_bounds(m, ix) + stock.gap_bounds(m, ix)


def build_model(data: InputData, index: ModelIndex | None = None) -> pyo.ConcreteModel:
    """The deterministic mixed-integer sourcing model of `data`."""
    # Building creates millions of small objects and no reference cycles worth collecting:
    # pausing the cyclic garbage collector avoids repeated full-heap scans.
    with PauseGC():
        return _build(data, index, as_matrix=False)


def build_matrix_model(
    data: InputData, index: ModelIndex | None = None, blocks: Collection[str] | None = None
) -> MatrixModel:
    """The deterministic model as data: every variable a column number, m.<block> a RowBlock
    (key -> Row), m.objective_terms and m.objective_offset_musd the objective;
    `standard_form(m)` is its matrix, the one Pyomo would compile from `build_model(data)`.

    With `blocks`, only the blocks named get their rows (the others are empty) and there is no
    objective: a model to read a solved plan through (its variables, supply and risk terms and
    the rows whose duals it reports), not one to compile (m.blocks_built names them)."""
    with PauseGC():
        return _build(data, index, as_matrix=True, only=blocks)


def standard_form(m: pyo.ConcreteModel) -> StandardForm:
    """The matrix of a model: compiled from its rows (build_matrix_model) or by Pyomo (any
    model with Pyomo constraints: build_model, the two-stage model)."""
    if not hasattr(m, "objective_terms"):
        if getattr(m, "blocks_built", None) is not None:
            raise ValueError("a model built with only some of its blocks has no matrix")
        return compile_pyomo(m)
    return compile_rows(m.column_space, row_blocks(m), m.objective_terms, m.objective_offset_musd)


def row_blocks(m: MatrixModel) -> list:
    """A matrix model's blocks, in model order, each an iterable of its (key, Row) in the
    order the matrix has them (what `standard_form` compiles)."""
    return [
        _in_pyomo_order(getattr(m, block.name), block.open_index)
        for block in blocks_of(Model.DETERMINISTIC)
    ]


def _in_pyomo_order(rows: RowBlock, open_index: bool):
    """A block's rows in the order Pyomo's compiler visits them: a block indexed by Any (rows
    added after the build) in sorted key order, any other in key order."""
    if not open_index:
        return rows.items()
    return ((key, rows[key]) for key in sorted_robust(rows))


class MatrixModel:
    """A model for one solve: ix, every variable family as a dict key -> column number
    (`column_space`, models/columns.py), every block as a RowBlock, the objective's terms.
    It reads like a Pyomo model to the row functions and to HighsModel."""

    def __init__(self, ix: ModelIndex) -> None:
        self.ix = ix
        self.column_space = ColumnSpace()

    if TYPE_CHECKING:  # the families and blocks are set by name while building

        def __getattr__(self, name: str) -> Any: ...


def _build(
    data: InputData,
    index: ModelIndex | None,
    as_matrix: bool,
    only: Collection[str] | None = None,
) -> Any:
    ix = index or build_index(data)
    m: Any = MatrixModel(ix) if as_matrix else pyo.ConcreteModel(name="sourcing_plan")
    m.ix = ix
    if as_matrix:
        m.blocks_built = None if only is None else frozenset(only)
    declare_data_variables(m, ix)
    if as_matrix:
        m.column_space.set_bounds(variable_bounds(m, ix))
    else:
        for var, lower, upper in variable_bounds(m, ix):
            var.setlb(lower)
            var.setub(upper)
    terms = collect_supply_terms(m, ix)
    m.terms = terms
    policy.declare_policy(m, ix, terms, bindings=only is None or "policy" in only)
    concentration.declare_concentration(m, ix, terms)
    for block in blocks_of(Model.DETERMINISTIC):
        rows = block.rows(m, ix, terms) if only is None or block.name in only else {}
        if as_matrix:
            setattr(m, block.name, RowBlock(rows))
        else:
            add_rows(m, block.name, rows, growing=block.open_index)
    if as_matrix:
        # kept: the plan's risk table and summary read the same groups
        m.risk_groups = risk_terms_by_mineral_year(m, ix)
        if only is None:
            m.objective_terms = objective_terms(m, ix, data.settings.risk_weight, m.risk_groups)
            m.objective_offset_musd = ix.existing_fixed_cost_musd
    else:
        add_objective(m, ix, data.settings.risk_weight)
    return m
