"""Assemble the model in a fixed order: variables, their bounds, then every constraint block
(each a function returning its rows, see models/expr.py), then the objective. Which variables
and blocks, in what order, is models/registry.py's."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from models import concentration, policy, stock
from models.data import InputData
from models.expr import add_rows
from models.index import ModelIndex, build_index
from models.objective import add_objective
from models.purchases import purchase_bounds
from models.registry import Model, blocks_of, declare_data_variables
from models.supply_terms import collect_supply_terms


def variable_bounds(m: pyo.ConcreteModel, ix: ModelIndex) -> list:
    """(var, lower, upper) of every variable whose bounds come from the data."""
    return purchase_bounds(m, ix) + stock.unmet_bounds(m, ix) + stock.gap_bounds(m, ix)


def build_model(data: InputData, index: ModelIndex | None = None) -> pyo.ConcreteModel:
    """The deterministic mixed-integer sourcing model of `data`."""
    # Building creates millions of small objects and no reference cycles worth collecting:
    # pausing the cyclic garbage collector avoids repeated full-heap scans.
    with PauseGC():
        return _build(data, index)


def _build(data: InputData, index: ModelIndex | None) -> pyo.ConcreteModel:
    ix = index or build_index(data)
    m = pyo.ConcreteModel(name="sourcing_plan")
    m.ix = ix
    declare_data_variables(m, ix)
    for var, lower, upper in variable_bounds(m, ix):
        var.setlb(lower)
        var.setub(upper)
    terms = collect_supply_terms(m, ix)
    m.terms = terms
    policy.declare_policy(m, ix, terms)
    concentration.declare_concentration(m, ix, terms)
    for block in blocks_of(Model.DETERMINISTIC):
        add_rows(m, block.name, block.rows(m, ix, terms), growing=block.open_index)
    add_objective(m, ix, data.settings.risk_weight)
    return m
