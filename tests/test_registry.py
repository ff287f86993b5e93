"""The registry (models/registry.py) is the one list of variables and blocks: every model has
exactly the variables and blocks the registry gives it, and every consumer reads the registry."""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo
import pytest

from models.build import build_model
from models.disruption import scenario_set
from models.registry import (
    BLOCKS,
    STOCHASTIC_BLOCK_NAMES,
    VARIABLES,
    Model,
    Stage,
    blocks_of,
    decision_variables,
    recourse_positions,
    variable,
    variables_of,
)
from models.stochastic import FIRST_STAGE_BLOCKS, SCENARIO_BLOCKS, build_stochastic_model
from planner.api import load_input
from planner.solve.persistent import PersistentModel

TEACHING = "examples/teaching.xlsx"


def components(model: pyo.ConcreteModel, kind) -> list[str]:
    return [c.local_name for c in model.component_objects(kind, descend_into=False)]


@pytest.fixture(scope="module")
def data():
    """The teaching workbook with one disruption: China stops selling in 2028-2029."""
    loaded = load_input(TEACHING)
    cut = {
        "scenario": "China stops",
        "probability": 0.1,
        "country": "China",
        "mineral": "*",
        "form": "*",
        "first_year": 2028,
        "last_year": 2029,
        "supply_cut_pct": 100.0,
        "price_shock_pct": 0.0,
        "excel_row": 2,
    }
    loaded.disruptions = pd.DataFrame([cut], columns=loaded.disruptions.columns)
    return loaded


def test_the_deterministic_model_has_exactly_the_registry_variables_and_blocks(data):
    model = build_model(data)
    assert components(model, pyo.Var) == [v.name for v in variables_of(Model.DETERMINISTIC)]
    assert components(model, pyo.Constraint) == [b.name for b in blocks_of(Model.DETERMINISTIC)]


def test_the_stochastic_model_has_the_registry_variables_and_blocks_and_only_them(data):
    data = data.copy()
    data.settings.risk_cap_musd = 1e9
    scenarios, _ = scenario_set(data)
    assert len(scenarios) >= 2
    model = build_stochastic_model(data, scenarios, cvar_alpha=0.9, cvar_weight=0.5)
    expected_vars = {v.name for v in variables_of(Model.STOCHASTIC)}
    expected_vars |= {"draw_plan", "cvar_excess", "cvar_eta"}
    assert set(components(model, pyo.Var)) == expected_vars
    expected_blocks = {b.name for b in blocks_of(Model.STOCHASTIC)} | set(STOCHASTIC_BLOCK_NAMES)
    assert set(components(model, pyo.Constraint)) == expected_blocks
    # first-stage blocks once, the others per scenario; together every stochastic block
    assert {b.name for b in FIRST_STAGE_BLOCKS} == {
        b.name for b in blocks_of(Model.STOCHASTIC) if b.stage is Stage.FIRST
    }
    assert {b.name for b in FIRST_STAGE_BLOCKS + SCENARIO_BLOCKS} == {
        b.name for b in blocks_of(Model.STOCHASTIC)
    }


def test_first_stage_variables_are_shared_and_recourse_ones_are_per_node(data):
    scenarios, _ = scenario_set(data)
    model = build_stochastic_model(data, scenarios, cvar_alpha=0.9, cvar_weight=0.0)
    for spec in variables_of(Model.STOCHASTIC):
        var = getattr(model, spec.name)
        if spec.stage is Stage.FIRST:
            assert len(var) == len(spec.keys(model.ix)), spec.name
        elif spec.name in recourse_positions():
            # keys are (node, *key): a node number in front of the registry's key
            assert all(isinstance(k[0], int) for k in var), spec.name


def test_the_in_place_update_recomputes_every_block_of_the_model(data):
    """Doubling every demand changes the balance rows' right-hand sides; the update finds
    them through the registry's block list, with no rebuild."""
    model = PersistentModel(data)
    changed = data.copy()
    changed.demand = changed.demand.assign(demand_t=changed.demand["demand_t"] * 2)
    stats = model.update(changed)
    assert model.rebuilds == 1
    assert stats.row_bounds > 0
    for block in blocks_of(Model.DETERMINISTIC):
        assert hasattr(model.model, block.name)


def test_extraction_reads_every_decision_variable():
    names = decision_variables(Model.DETERMINISTIC)
    assert set(names) == {v.name for v in VARIABLES if v.stage is not Stage.DERIVED}
    assert {"buy", "build", "stake", "stock", "unmet"} <= set(names)
    assert "origin_share" not in names


def test_every_block_states_its_equation_and_every_variable_its_unit():
    for block in BLOCKS:
        assert block.rows.__doc__ and block.rows.__doc__.strip(), block.name
    for spec in VARIABLES:
        assert spec.unit and spec.meaning and spec.symbol.startswith(spec.symbol.split("[")[0])
    assert variable("draw_plan").stage is Stage.FIRST
    with pytest.raises(KeyError):
        variable("no_such_variable")


def test_the_model_and_every_scenario_view_provide_what_blocks_read(data):
    """Blocks are typed with models.variables.VariableView: the deterministic model and each
    scenario's view of the two-stage model both have every family it names."""
    from models.variables import VariableView

    assert isinstance(build_model(data), VariableView)
    scenarios, _ = scenario_set(data)
    model = build_stochastic_model(data, scenarios, cvar_alpha=0.9, cvar_weight=0.0)
    assert all(isinstance(view, VariableView) for view in model.sx.views)


def test_typed_records_refuse_a_misspelt_field(data):
    from models.index import build_index
    from models.records import Technology

    tech = next(iter(build_index(data).technology.values()))
    assert isinstance(tech, Technology) and tech.yield_t_per_t > 0
    with pytest.raises(AttributeError):
        _ = tech.yeild  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        Technology.from_record({"technology": "x"})  # required fields missing
