"""Stress-test a plan: hold its investments and stock build-up, hit it with each disruption.

The plan's first stage (project stakes, modules built, stock injected) is held and purchases,
offtake, processing output, stock draws and unmet demand are re-optimised:
- the undisrupted case and every scenario with a probability together, in the stochastic model
  (models/stochastic.py) with its non-anticipativity: the decisions of a year are shared by
  the scenarios that cannot yet be told apart in it. The recourse before a disruption hedges for
  the disruptions that may come (the plan does not sell off a stockpile it may need), and no
  decision uses knowledge of a disruption before it starts, nor of how long it will last;
- a scenario of probability 0 on its own, from the deterministic model of its data: the years
  before its first disruption are held as in the undisrupted case, and from then on the planner
  reacts knowing the disruption's course.

Reported per scenario, mineral and year: shortfall, extra cost (the variable cost of the
mineral-year minus that of the undisrupted case, money of the year, planner/results/outcome.py) and
stock drawn; per scenario, the totals and the discounted extra cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from models.data import InputData
from models.disruption import (
    UNDISRUPTED,
    apply_effects,
    disruption_scenarios,
    scenario_effects,
    scenario_set,
)
from models.index import ModelIndex, build_index
from planner.results.outcome import OUTCOME_COLUMNS, mineral_year_outcome, values_of
from planner.solve.first_stage import (
    FirstStage,
    check,
    fixed_bounds,
)
from planner.solve.held import StressError, evaluate
from planner.solve.highs import HighsModel

DETAIL_COLUMNS = (
    "scenario",
    "probability",
    "year",
    "mineral",
    "demand_t",
    "shortfall_t",
    "extra_shortfall_t",
    "extra_cost_musd",
    "stock_drawn_t",
    "stock_replenished_t",
    "stock_t",
    "stock_gap_t",
    "supplied_t",
)
TOTAL_COLUMNS = (
    "scenario",
    "probability",
    "first_disruption_year",
    "shortfall_t",
    "extra_shortfall_t",
    "extra_cost_discounted_musd",
    "stock_drawn_t",
    "worst_mineral",
    "worst_mineral_shortfall_t",
)


@dataclass
class StressResult:
    summary: dict[str, object]
    scenarios: pd.DataFrame  # TOTAL_COLUMNS, one row per scenario
    detail: pd.DataFrame  # DETAIL_COLUMNS, one row per scenario, mineral and year
    notes: list[str] = field(default_factory=list)


def _unpriced(data: InputData) -> InputData:
    """`data` without the concentration term: the stress test re-optimises recourse at cost
    (plus risk_weight x exposure), and the two-stage model does not carry K."""
    s = data.settings
    if s.concentration_weight == 0 and s.concentration_cap_musd is None:
        return data
    data = data.copy()
    data.settings.concentration_weight = 0.0
    data.settings.concentration_cap_musd = None
    return data


def stress_test(
    data: InputData, first: FirstStage, progress: Callable[[str], None] | None = None
) -> StressResult:
    """Evaluate `first` (a plan's first stage) in the undisrupted case and every scenario of
    data.disruptions; see the module docstring."""
    say = progress or (lambda _msg: None)
    data = _unpriced(data)
    ix0 = build_index(data)
    first = check(first, ix0)
    scenarios = disruption_scenarios(data.disruptions)
    modelled, _ = scenario_set(data)
    outcomes: dict[str, pd.DataFrame] = {}
    base_values = None
    if any(sc.name != UNDISRUPTED for sc in modelled):
        say(f"{len(modelled)} scenarios with their probabilities, plan held")
        tree = tree_values(data, modelled, first)
        for name, (ix, values) in tree.items():
            outcomes[name] = mineral_year_outcome(ix, values)
        if UNDISRUPTED in tree:
            base_values = tree[UNDISRUPTED][1]
    if base_values is None:
        say("undisrupted case")
        base = evaluate(data, ix0, first)
        base_values = values_of(base.hm, base.model)
    base_outcome = outcomes.get(UNDISRUPTED)
    if base_outcome is None:
        base_outcome = mineral_year_outcome(ix0, base_values)
    frames = [
        _with_base(
            UNDISRUPTED, 1.0 - sum(sc.probability for sc in scenarios), base_outcome, base_outcome
        )
    ]
    starts: list[int | None] = [None]
    for i, scenario in enumerate(scenarios, start=1):
        effects = scenario_effects(ix0, scenario)
        start = effects.first_year
        starts.append(start)
        if scenario.name in outcomes:
            outcome = outcomes[scenario.name]
        elif start is None:  # nothing it names is supplied within the horizon
            outcome = base_outcome
        else:  # probability 0: on its own, the years before its start held as undisrupted
            say(f"scenario {i}/{len(scenarios)}: {scenario.name}")
            ix = apply_effects(ix0, effects)
            ev = evaluate(data, ix, first, start, base_values)
            outcome = mineral_year_outcome(ix, values_of(ev.hm, ev.model))
        frames.append(_with_base(scenario.name, scenario.probability, outcome, base_outcome))
    detail = pd.concat(frames, ignore_index=True)[list(DETAIL_COLUMNS)]
    totals = _totals(detail, starts, ix0)
    expected = float((totals["probability"] * totals["extra_cost_discounted_musd"]).sum())
    summary = {
        "scenarios": len(scenarios),
        "undisrupted_probability": float(totals["probability"].iloc[0]),
        "expected_extra_cost_discounted_musd": expected,
        "worst_scenario_by_shortfall": _worst(totals, "extra_shortfall_t"),
        "worst_scenario_by_extra_cost": _worst(totals, "extra_cost_discounted_musd"),
        "undisrupted_shortfall_t": float(base_outcome["shortfall_t"].sum()),
    }
    notes = [
        "The plan's investments, modules and stock injections are held; purchases, offtake, "
        "processing output, stock draws and unmet demand are re-optimised for the scenarios "
        "with a probability together, with the stochastic mode's non-anticipativity: a year's "
        "decisions are shared by every scenario that cannot yet be told apart in it. A "
        "scenario of probability 0 is re-optimised on its own, the years before its first "
        "disruption held as in the undisrupted case.",
        "extra cost = the mineral-year's variable cost (purchases, operating, holding and "
        "release, shortfall penalty) minus the undisrupted case's, in million USD of the year.",
    ]
    return StressResult(summary, totals, detail, notes)


def tree_values(data: InputData, scenarios, first: FirstStage) -> dict[str, tuple]:
    """scenario name -> (its data, its recourse values) from the stochastic model over
    `scenarios` with the first stage held at `first`."""
    from models.stochastic import build_stochastic_model

    s = data.settings
    model = build_stochastic_model(data, scenarios, s.cvar_alpha, s.cvar_weight)
    hm = HighsModel(model)
    hm.fix_columns(fixed_bounds(model, first))
    status = hm.solve(s.mip_gap, s.time_limit_s, None, s.mip_abs_gap_musd)
    if not status.has_solution:
        raise StressError(f"HiGHS found no solution with the plan held (status {status.status})")
    sx = model.sx
    return {sc.name: (sx.ixs[i], values_of(hm, sx.views[i])) for i, sc in enumerate(sx.scenarios)}


def _with_base(name: str, probability: float, outcome, base) -> pd.DataFrame:
    frame = outcome.copy()
    frame.insert(0, "scenario", name)
    frame.insert(1, "probability", max(probability, 0.0))
    frame["extra_shortfall_t"] = outcome["shortfall_t"].to_numpy() - base["shortfall_t"].to_numpy()
    frame["extra_cost_musd"] = (
        outcome["variable_cost_musd"].to_numpy() - base["variable_cost_musd"].to_numpy()
    )
    return frame


def _totals(detail: pd.DataFrame, starts: list, ix: ModelIndex) -> pd.DataFrame:
    discount = detail["year"].map(ix.discount)
    detail = detail.assign(extra_discounted=detail["extra_cost_musd"] * discount)
    rows = []
    for i, (name, block) in enumerate(detail.groupby("scenario", sort=False)):
        by_mineral = block.groupby("mineral")["shortfall_t"].sum()
        worst = by_mineral.idxmax() if by_mineral.max() > 1e-6 else ""
        rows.append(
            [
                name,
                float(block["probability"].iloc[0]),
                starts[i],
                float(block["shortfall_t"].sum()),
                float(block["extra_shortfall_t"].sum()),
                float(block["extra_discounted"].sum()),
                float(block["stock_drawn_t"].sum()),
                worst,
                float(by_mineral.max()) if worst else 0.0,
            ]
        )
    return pd.DataFrame(rows, columns=list(TOTAL_COLUMNS))


def _worst(totals: pd.DataFrame, column: str) -> str:
    block = totals.iloc[1:]
    if block.empty or block[column].max() <= 1e-6:
        return ""
    return str(block.loc[block[column].idxmax(), "scenario"])


__all__ = ["OUTCOME_COLUMNS", "StressError", "StressResult", "stress_test"]
