"""Assemble the model in a fixed order: variables, their bounds, then every constraint block
(each a function returning its rows, see models/expr.py), then the objective."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from models import balances, budgets, concentration, policy, processing, projects, stock
from models.data import InputData
from models.expr import add_rows
from models.index import ModelIndex, build_index
from models.objective import add_objective, risk_cap
from models.purchases import declare_purchases, purchase_bounds
from models.supply_terms import collect_supply_terms

# (constraint name, rows function), in the order they are added to the model
ROW_BLOCKS = (
    ("build_once", projects.build_once),
    ("stake_min", projects.stake_min),
    ("stake_max", projects.stake_max),
    ("offtake_capacity", projects.offtake_capacity),
    ("throughput", processing.throughput),
    ("refinery_split", processing.refinery_split),
    ("max_modules", processing.max_modules),
    ("stock_flow", stock.stock_flow),
    ("balance", balances.balance),
    ("refinery_feed", balances.refinery_feed),
    ("recycler_feed", balances.recycler_feed),
    ("budget", budgets.budget),
    ("sourced_total", policy.sourced_total),
    ("policy", policy.policy),
    ("risk_cap", risk_cap),
    ("origin_share_def", concentration.origin_share_rows),
    ("concentration_cut", concentration.concentration_cut),
    ("concentration_cap", concentration.concentration_cap),
)
# blocks whose rows grow after the build (cuts added by planner/solve/concentration_cuts.py)
GROWING_BLOCKS = frozenset({"concentration_cut"})


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
    declare_purchases(m, ix)
    projects.declare_projects(m, ix)
    processing.declare_processing(m, ix)
    stock.declare_stock(m, ix)
    for var, lower, upper in variable_bounds(m, ix):
        var.setlb(lower)
        var.setub(upper)
    terms = collect_supply_terms(m, ix)
    m.terms = terms
    policy.declare_policy(m, ix, terms)
    concentration.declare_concentration(m, ix, terms)
    for name, rows in ROW_BLOCKS:
        add_rows(m, name, rows(m, ix, terms), growing=name in GROWING_BLOCKS)
    add_objective(m, ix, data.settings.risk_weight)
    return m
