"""Assemble the model, block by block, in a fixed order: variables with their own rows, then
balances, budgets, policy and the objective."""

from __future__ import annotations

import pyomo.environ as pyo

from models.balances import add_balances
from models.budgets import add_budgets
from models.index import ModelIndex, build_index
from models.objective import add_objective
from models.policy import add_policy
from models.processing import add_processing
from models.projects import add_projects
from models.purchases import add_purchases
from models.stock import add_stock
from models.supply_terms import collect_supply_terms
from planner.data import InputData


def build_model(data: InputData, index: ModelIndex | None = None) -> pyo.ConcreteModel:
    """The deterministic mixed-integer sourcing model of `data`."""
    ix = index or build_index(data)
    m = pyo.ConcreteModel(name="sourcing_plan")
    m.ix = ix
    add_purchases(m, ix)
    add_projects(m, ix)
    add_processing(m, ix)
    add_stock(m, ix)
    terms = collect_supply_terms(m, ix)
    m.terms = terms
    add_balances(m, ix, terms)
    add_budgets(m, ix)
    add_policy(m, ix, terms)
    add_objective(m, ix, data.settings.risk_weight)
    return m
