"""The one list of the model's variables (models/variables.py) and constraint blocks.

Every consumer reads these lists instead of keeping its own: the deterministic build
(models/build.py), the stochastic build (models/stochastic.py: which variables are first-stage,
which are recourse and where their key holds the year, which blocks are added once and which per
scenario), the in-place re-solve (planner/solve/persistent.py: what must not change, which rows
to recompute), plan extraction (planner/solve/deterministic.py, planner/results/outcome.py) and
the formulation document (docs/formulation.md, generated from here by models/formulation_doc.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from models import balances, budgets, concentration, policy, processing, projects, stock
from models.expr import Row
from models.index import ModelIndex
from models.objective import risk_cap
from models.supply_terms import SupplyTerms
from models.variables import (
    BOTH,
    DETERMINISTIC_ONLY,
    STOCHASTIC_VARIABLES,
    VARIABLES,
    Model,
    Stage,
    VariableSpec,
    VariableView,
    decision_variables,
    declare_data_variables,
    index_sets,
    recourse_positions,
    variable,
    variables_of,
)

RowsFunction = Callable[[VariableView, ModelIndex, SupplyTerms], dict[Any, Row]]


@dataclass(frozen=True)
class BlockSpec:
    """One constraint block: m.<name>[key] from `rows(m, ix, terms) -> {key: Row}`."""

    name: str
    rows: RowsFunction
    stage: Stage  # FIRST: over first-stage variables only (added once in the two-stage model)
    models: frozenset[Model] = BOTH
    growing: bool = False  # rows are added after the build (tangent cuts)
    optional: bool = False  # one row, present only while a Setting asks for it (a cap)

    @property
    def open_index(self) -> bool:
        """Is the block indexed by Any, so that rows can come and go after the build?"""
        return self.growing or self.optional


# in the order the deterministic model adds them
BLOCKS: tuple[BlockSpec, ...] = (
    BlockSpec("build_once", projects.build_once, Stage.FIRST),
    BlockSpec("stake_min", projects.stake_min, Stage.FIRST),
    BlockSpec("stake_max", projects.stake_max, Stage.FIRST),
    BlockSpec("offtake_capacity", projects.offtake_capacity, Stage.RECOURSE),
    BlockSpec("throughput", processing.throughput, Stage.RECOURSE),
    BlockSpec("refinery_split", processing.refinery_split, Stage.RECOURSE),
    BlockSpec("max_modules", processing.max_modules, Stage.FIRST),
    BlockSpec("stock_flow", stock.stock_flow, Stage.RECOURSE),
    BlockSpec("balance", balances.balance, Stage.RECOURSE),
    BlockSpec("refinery_feed", balances.refinery_feed, Stage.RECOURSE),
    BlockSpec("recycler_feed", balances.recycler_feed, Stage.RECOURSE),
    BlockSpec("budget", budgets.budget, Stage.FIRST),
    BlockSpec("sourced_total", policy.sourced_total, Stage.RECOURSE),
    BlockSpec("policy", policy.policy, Stage.RECOURSE),
    # the two-stage model caps the expected exposure instead (models/stochastic.py)
    BlockSpec("risk_cap", risk_cap, Stage.RECOURSE, DETERMINISTIC_ONLY, optional=True),
    BlockSpec(
        "origin_share_def", concentration.origin_share_rows, Stage.DERIVED, DETERMINISTIC_ONLY
    ),
    BlockSpec(
        "concentration_cut",
        concentration.concentration_cut,
        Stage.DERIVED,
        DETERMINISTIC_ONLY,
        growing=True,
    ),
    BlockSpec(
        "concentration_cap",
        concentration.concentration_cap,
        Stage.DERIVED,
        DETERMINISTIC_ONLY,
        optional=True,
    ),
)

# the two-stage model's own blocks, built over all scenarios at once (models/stochastic.py)
STOCHASTIC_BLOCK_NAMES = ("stock_cap", "cvar", "risk_cap")


def blocks_of(model: Model) -> tuple[BlockSpec, ...]:
    return tuple(b for b in BLOCKS if model in b.models)


__all__ = [
    "BLOCKS",
    "STOCHASTIC_BLOCK_NAMES",
    "STOCHASTIC_VARIABLES",
    "VARIABLES",
    "BlockSpec",
    "Model",
    "Stage",
    "VariableSpec",
    "blocks_of",
    "decision_variables",
    "declare_data_variables",
    "index_sets",
    "recourse_positions",
    "variable",
    "variables_of",
]
