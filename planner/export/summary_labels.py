"""How the Summary sheet names its items: in words with units, business figures first.

The plan's Summary keeps machine names (`total_cost_discounted_musd`); the sheet shows each
as words ("Total cost (million USD, discounted to the first year)") with the machine name in
a third column, so that a planner reads the words and a script, or `read_plan_summary`, the
name. Items about the run itself (timings, versions, hashes, model size, solver settings) go
in their own block below the plan's figures.
"""

from __future__ import annotations

from collections.abc import Mapping

# The plan's figures, in the order a briefing reads them
LABELS: dict[str, str] = {
    "scenario": "Named scenario",
    "scenario_overrides": "Its overrides of the workbook",
    "status": "Solver status",
    "total_cost_discounted_musd": "Total cost (million USD, discounted to the first year)",
    "cost_purchases_discounted_musd": "  of which purchases (million USD, discounted)",
    "cost_project_capital_and_fixed_discounted_musd": (
        "  of which project capital and fixed costs (million USD, discounted)"
    ),
    "cost_project_operating_discounted_musd": (
        "  of which project operating costs (million USD, discounted)"
    ),
    "cost_processing_capital_and_fixed_discounted_musd": (
        "  of which domestic processing capital and fixed costs (million USD, discounted)"
    ),
    "cost_processing_operating_discounted_musd": (
        "  of which domestic processing operating costs (million USD, discounted)"
    ),
    "cost_stock_holding_discounted_musd": "  of which stock holding (million USD, discounted)",
    "cost_shortfall_penalty_discounted_musd": (
        "  of which penalty for unmet demand (million USD, discounted)"
    ),
    "total_shortfall_t": "Demand left unmet, all years and minerals (t)",
    "risk_exposure_discounted_musd": "Risk exposure (million USD, discounted)",
    "concentration_discounted_musd": "Concentration term K (million USD, discounted)",
    "objective_musd": "Objective: cost + weighted risk terms (million USD, discounted)",
    "best_bound_musd": "Best bound on the objective (million USD, discounted)",
    "gap": "Gap between the plan and the bound (share of the objective)",
    "value_of_stochastic_solution_musd": (
        "Value of the stochastic solution: the deterministic plan's expected objective minus "
        "this plan's (million USD, discounted)"
    ),
    "value_of_stochastic_solution_at_most_musd": (
        "  at most (the deterministic plan's expected objective minus the best bound, which no "
        "plan beats; million USD)"
    ),
    "risk_weight": "Weight on risk exposure in the objective",
    "concentration_weight": "Weight on the concentration term in the objective",
    "concentration_basis": "Concentration measured where supply was (mined or refined)",
    "home_country": "Home country",
    "horizon": "Horizon (years)",
    "demand_scenario": "Demand scenario of the workbook",
    "discount_rate": "Discount rate (per year)",
    "inr_per_usd": "Exchange rate (INR per USD)",
}
# The run: how it was solved, how long it took, on what (timings end in _s)
RUN_ITEMS: dict[str, str] = {
    "mip_gap_setting": "Relative MIP gap asked for",
    "mip_abs_gap_setting_musd": "Absolute MIP gap asked for (million USD)",
    "variables": "Model variables",
    "integer_variables": "  of which integer",
    "constraints": "Model constraints",
    "concentration_model_discounted_musd": "K as the model's tangent cuts see it (million USD)",
    "concentration_approximation_error_pct": "Tangent cuts' shortfall from the true K (%)",
    "concentration_cuts": "Tangent cuts in the model",
    "concentration_cut_rounds": "Rounds of cut refinement",
    "input_file": "Input workbook",
    "input_sha256": "Input workbook SHA-256",
    "program": "Program and version",
    "pyomo_version": "Pyomo version",
    "highs_version": "HiGHS version",
    "seed": "Random seed",
    "solved_at_utc": "Solved at (UTC)",
}
TIMINGS = {
    "solve_time_s": "Time in HiGHS (s)",
    "build_s": "Time to build the model (s)",
    "handover_s": "Time to hand the model to HiGHS (s)",
    "dual_solve_s": "Time to read marginal costs (s)",
    "update_s": "Time to update the model in place (s)",
    "report_s": "Time to assemble the plan (s)",
}
RUN_BLOCK = "Run details"
PLAN_BLOCK = "The plan"


def is_run_item(key: str) -> bool:
    return key in RUN_ITEMS or key in TIMINGS or key.endswith("_s") or key == "rebuilds"


def label(key: str, fallback: str) -> str:
    return LABELS.get(key) or RUN_ITEMS.get(key) or TIMINGS.get(key) or fallback


def blocks(summary: Mapping[str, object]) -> list[tuple[str, list[str]]]:
    """(block title, keys in order): the plan's figures, then the run's details."""
    plan = [k for k in LABELS if k in summary]
    plan += [k for k in summary if k not in LABELS and not is_run_item(k)]
    run = [k for k in RUN_ITEMS if k in summary] + [k for k in TIMINGS if k in summary]
    run += [k for k in summary if is_run_item(k) and k not in run]
    return [(PLAN_BLOCK, plan), (RUN_BLOCK, run)]
