"""The model's variables, one spec per family: name, symbol, index set, domain, stage, unit.

Part of the registry (models/registry.py), kept apart so that the block modules that declare
a derived variable (models/policy.py, models/concentration.py) can read its spec.

A variable's stage says how the two-stage model treats it:
- FIRST: decided once for every scenario (investments and the planned stock path);
- RECOURSE: decided per scenario history node (models/disruption.py, `history_nodes`);
- DERIVED: a total or share defined by rows from other variables (policy totals, the
  concentration term's shares, the CVaR term).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import pyomo.environ as pyo

from models.index import ModelIndex, mineral_years


class Stage(StrEnum):
    FIRST = "first stage"
    RECOURSE = "recourse"
    DERIVED = "derived"


class Model(StrEnum):
    DETERMINISTIC = "deterministic"
    STOCHASTIC = "stochastic"


BOTH = frozenset({Model.DETERMINISTIC, Model.STOCHASTIC})
DETERMINISTIC_ONLY = frozenset({Model.DETERMINISTIC})
STOCHASTIC_ONLY = frozenset({Model.STOCHASTIC})

# the Pyomo domain of each kind of variable, and its bounds where they are fixed by kind
DOMAINS = {
    "binary": (pyo.Binary, None),
    "integer >= 0": (pyo.NonNegativeIntegers, None),
    "real": (pyo.Reals, None),
    "real >= 0": (pyo.NonNegativeReals, None),
    "real in [0, 1]": (pyo.NonNegativeReals, (0, 1)),
}


@dataclass(frozen=True)
class VariableSpec:
    """One variable family: m.<name>[key] over the keys `keys(ix)` gives."""

    name: str
    symbol: str  # as the formulation document writes it
    keys: Callable[[ModelIndex], Sequence[tuple]] | None  # None: keys come from the terms
    domain: str  # a key of DOMAINS
    stage: Stage
    unit: str
    meaning: str
    year_position: int | None = None  # where the key holds the year (recourse node mapping)
    models: frozenset[Model] = BOTH
    scenario_data: bool = False  # its keys exist only in a disruption scenario's data

    def pyomo_var(self, keys: Iterable) -> pyo.Var:
        domain, bounds = DOMAINS[self.domain]
        return pyo.Var(list(keys), domain=domain, bounds=bounds, dense=True)

    def index(self, ix: ModelIndex) -> list[tuple]:
        """The keys of this family in the data of `ix` (families keyed by the data only)."""
        if self.keys is None:
            raise ValueError(f"{self.name} is keyed by the model's terms, not by the data")
        return list(self.keys(ix))


def _project_build(ix: ModelIndex) -> Sequence[tuple]:
    return ix.project_build


@runtime_checkable
class VariableView(Protocol):
    """What a constraint block reads: each variable family as a mapping key -> variable.

    The deterministic model (a Pyomo ConcreteModel) provides it, and so does each scenario's
    `View` of the two-stage model (models/stochastic.py), whose mappings point at the
    variables of the scenario's history nodes. Blocks are typed with this protocol, so that a
    block that reads a family a view lacks is a type error, not a failure in a solve."""

    @property
    def buy(self) -> Mapping[Any, Any]: ...
    @property
    def build(self) -> Mapping[Any, Any]: ...
    @property
    def stake(self) -> Mapping[Any, Any]: ...
    @property
    def offtake(self) -> Mapping[Any, Any]: ...
    @property
    def modules_built(self) -> Mapping[Any, Any]: ...
    @property
    def output(self) -> Mapping[Any, Any]: ...
    @property
    def refine_origin(self) -> Mapping[Any, Any]: ...
    @property
    def stock(self) -> Mapping[Any, Any]: ...
    @property
    def inject(self) -> Mapping[Any, Any]: ...
    @property
    def draw(self) -> Mapping[Any, Any]: ...
    @property
    def unmet(self) -> Mapping[Any, Any]: ...
    @property
    def replenish(self) -> Mapping[Any, Any]: ...
    @property
    def stock_gap(self) -> Mapping[Any, Any]: ...
    @property
    def sourced(self) -> Mapping[Any, Any]: ...
    @property
    def policy_index(self) -> Sequence[Any]: ...


# in declaration order (the matrix's column order follows it)
VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "buy", "buy[c,m,f,t]", lambda ix: ix.buy, "real >= 0", Stage.RECOURSE, "t/yr",
        "tonnes bought from country c of mineral m in form f in year t (concentrate only in "
        "the years a refinery of m can run)", 3,
    ),
    VariableSpec(
        "build", "build[p,y]", _project_build, "binary", Stage.FIRST, "0/1",
        "1 if the share of project p is bought in year y",
    ),
    VariableSpec(
        "stake", "stake[p,y]", _project_build, "real in [0, 1]", Stage.FIRST, "share",
        "India's equity share in project p, bought in year y",
    ),
    VariableSpec(
        "offtake", "offtake[p,t]", lambda ix: ix.project_online, "real >= 0", Stage.RECOURSE,
        "t/yr", "tonnes taken from project p in year t", 1,
    ),
    VariableSpec(
        "modules_built", "modules_built[k,y]", lambda ix: ix.module_build, "integer >= 0",
        Stage.FIRST, "modules", "capacity modules of technology k built in year y",
    ),
    VariableSpec(
        "output", "output[k,t]", lambda ix: ix.tech_online, "real >= 0", Stage.RECOURSE,
        "t/yr", "tonnes of refined mineral produced by technology k in year t", 1,
    ),
    VariableSpec(
        "refine_origin", "refine_origin[k,c,t]", lambda ix: ix.refine_origin, "real >= 0",
        Stage.RECOURSE, "t/yr", "home refinery k's output made from feed mined in country c", 2,
    ),
    VariableSpec(
        "stock", "stock[m,t]", mineral_years, "real >= 0", Stage.RECOURSE, "t",
        "strategic stock of refined mineral m at the end of year t", 1,
    ),
    VariableSpec(
        "inject", "inject[m,t]", mineral_years, "real >= 0", Stage.FIRST, "t/yr",
        "tonnes put into the stock in year t",
    ),
    VariableSpec(
        "draw", "draw[m,t]", mineral_years, "real >= 0", Stage.RECOURSE, "t/yr",
        "tonnes drawn from the stock in year t (first stage, as draw_plan, before the "
        "scenario's first cut of m)", 1,
    ),
    VariableSpec(
        "unmet", "unmet[m,t]", mineral_years, "real >= 0", Stage.RECOURSE, "t/yr",
        "demand left unmet, priced at the shortfall penalty", 1,
    ),
    VariableSpec(
        "replenish", "replenish[m,t]", lambda ix: ix.replenish, "real >= 0", Stage.RECOURSE,
        "t/yr", "stock bought back after a disruption (scenario data only)", 1,
        scenario_data=True,
    ),
    VariableSpec(
        "stock_gap", "stock_gap[m,t]", lambda ix: ix.stock_gap, "real >= 0", Stage.RECOURSE,
        "t", "stock below a min_stock_days level after a disruption (scenario data only)", 1,
        scenario_data=True,
    ),
    VariableSpec(
        "sourced", "R[m,t]", None, "real >= 0", Stage.DERIVED, "t/yr",
        "refined supply of m in year t that share rules divide (per history node in the "
        "two-stage model)", 1,
    ),
    VariableSpec(
        "origin_share", "share[m,c,t]", None, "real >= 0", Stage.DERIVED, "share",
        "origin c's share of mineral m's demand in year t (concentration term)",
        models=DETERMINISTIC_ONLY,
    ),
    VariableSpec(
        "share_sq", "sq[m,c,t]", None, "real >= 0", Stage.DERIVED, "share^2",
        "a lower estimate of share[m,c,t]^2 (tangent cuts)", models=DETERMINISTIC_ONLY,
    ),
)  # fmt: skip

# the two-stage model's own variables (models/stochastic.py declares them)
STOCHASTIC_VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "draw_plan", "draw_plan[m,t]", mineral_years, "real >= 0", Stage.FIRST, "t/yr",
        "the planned stock draws, held until a scenario first cuts the mineral",
        models=STOCHASTIC_ONLY,
    ),
    VariableSpec(
        "cvar_eta", "eta", None, "real", Stage.DERIVED, "million USD",
        "the value at risk of the CVaR term (free)", models=STOCHASTIC_ONLY,
    ),
    VariableSpec(
        "cvar_excess", "e[s]", None, "real >= 0", Stage.DERIVED, "million USD",
        "scenario s's cost above eta", models=STOCHASTIC_ONLY,
    ),
)  # fmt: skip


def variables_of(model: Model) -> tuple[VariableSpec, ...]:
    return tuple(v for v in VARIABLES if model in v.models)


def decision_variables(model: Model = Model.DETERMINISTIC) -> tuple[str, ...]:
    """Names of the variables a plan reports (the derived totals and shares aside)."""
    return tuple(v.name for v in variables_of(model) if v.stage is not Stage.DERIVED)


def recourse_positions() -> dict[str, int]:
    """Recourse variable -> where its key holds the year (the two-stage node mapping)."""
    return {
        v.name: v.year_position
        for v in VARIABLES
        if v.stage is Stage.RECOURSE and v.year_position is not None
    }


def index_sets(ix: ModelIndex) -> tuple:
    """Every variable's index set that comes straight from the data: an in-place re-solve is
    valid only if these are the same."""
    return tuple(tuple(v.keys(ix)) for v in VARIABLES if v.keys is not None)


def variable(name: str) -> VariableSpec:
    """The spec of one variable family, by its name in the model."""
    for v in VARIABLES + STOCHASTIC_VARIABLES:
        if v.name == name:
            return v
    raise KeyError(name)


def declare(m: Any, name: str, keys: Iterable) -> Any:
    """m.<name> over `keys`: a Pyomo Var, or in a matrix model (one with a `column_space`,
    models/columns.py) a dict key -> column number."""
    spec = variable(name)
    space = getattr(m, "column_space", None)
    family = spec.pyomo_var(keys) if space is None else space.declare(spec, keys)
    setattr(m, name, family)
    return family


def declare_data_variables(m: Any, ix: ModelIndex) -> None:
    """Every variable whose index set comes from the data, in registry order."""
    for v in variables_of(Model.DETERMINISTIC):
        if v.keys is not None:
            declare(m, v.name, v.keys(ix))
