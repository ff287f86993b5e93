"""Solve the two-stage stochastic model (Settings mode = stochastic) and report it.

Steps: the deterministic plan of the undisrupted case; the stochastic model over the
undisrupted case and every Disruptions scenario of positive probability (models/stochastic.py);
then the deterministic plan's first stage fixed in the stochastic model, which gives the
expected objective of the deterministic plan under the scenarios. The value of the stochastic
solution is that objective minus the stochastic plan's.

The main plan sheets show the undisrupted case under the stochastic plan (the plan as it runs
if no disruption comes); `Scenarios`, `ScenarioDetail` and `VersusDeterministic` show every
scenario and what the stochastic plan buys that the deterministic one does not.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from models.data import InputData
from models.disruption import UNDISRUPTED, scenario_set
from models.objective import cost_terms, risk_terms
from models.stochastic import build_stochastic_model
from planner.results.outcome import OUTCOME_COLUMNS, mineral_year_outcome, values_of
from planner.results.plan import Plan
from planner.solve import deterministic
from planner.solve.first_stage import (
    FirstStage,
    first_stage_of,
    fixed_bounds,
    from_tables,
)
from planner.solve.held import undisrupted_plan
from planner.solve.highs import HighsModel, Outcome, SolveStatus

SCENARIO_COLUMNS = (
    "scenario",
    "probability",
    "first_disruption_year",
    "cost_discounted_musd",
    "risk_exposure_discounted_musd",
    "objective_discounted_musd",
    "deterministic_plan_objective_discounted_musd",
    "shortfall_t",
    "stock_drawn_t",
    "in_cvar_tail",
)


def cvar(values: list[float], probabilities: list[float], alpha: float) -> tuple[float, list]:
    """CVaR_alpha of a discrete distribution: the probability-weighted mean of its worst
    (1 - alpha) tail; and, per outcome, whether it lies in that tail (outcomes tied with the
    tail's least value count as in it)."""
    tail = 1.0 - alpha
    order = sorted(range(len(values)), key=lambda i: -values[i])
    taken, total = 0.0, 0.0
    threshold = max(values)
    for i in order:
        if taken >= tail - 1e-12:
            break
        take = min(probabilities[i], tail - taken)
        if take > 0:
            total += take * values[i]
            taken += take
            threshold = values[i]
    tol = 1e-9 * max(1.0, abs(threshold))
    in_tail = [v >= threshold - tol for v in values]
    return (total / tail if tail > 0 else max(values)), in_tail


def scenario_figures(hm: HighsModel, sx, risk_weight: float) -> list[dict]:
    """Per scenario: discounted cost, risk exposure and objective z_s of the held solution."""
    out = []
    for s, view in enumerate(sx.views):
        ix = sx.ixs[s]
        cost = sum(hm.activity(t) for t in cost_terms(view, ix).values())
        cost += ix.existing_fixed_cost_musd
        risk = hm.activity(risk_terms(view, ix))
        out.append({"cost": cost, "risk": risk, "objective": cost + risk_weight * risk})
    return out


PROVEN_BY_RELAXATION = "within the gap of the LP relaxation: no branching needed"


def solve_bounded(
    hm: HighsModel,
    start: np.ndarray,
    mip_gap: float,
    mip_abs_gap: float | None,
    time_limit_s: float,
    options: dict | None,
) -> SolveStatus:
    """The stochastic MIP, bounded from both sides before any branching.

    lower: the LP relaxation's optimum (no plan costs less);
    upper: the integer decisions of `start` (the deterministic plan's) held and every
    continuous decision, the stock path included, re-optimised (an LP). Each LP has the whole
    time limit, so that a plan exists whatever the relaxation took.
    If upper - lower is within the gap asked for (relative mip_gap or absolute mip_abs_gap,
    whichever is met first, as HiGHS stops), that plan is returned, proven by the
    relaxation; otherwise HiGHS's branch and bound runs from `start` in the time left. The
    bound reported is the larger of the relaxation's and HiGHS's, and HiGHS's only where it
    does not exceed the cost of a plan (HiGHS 1.16's MIP presolve was seen to report a bound
    above a feasible plan's cost on the 200-scenario India model: benchmarks/README_stochastic.md).
    """
    t0 = time.perf_counter()
    relaxed = hm.solve_with_integers_fixed(time_limit_s, relax=True)
    lower = relaxed.objective if relaxed.status is Outcome.OPTIMAL else None
    hm.x = start.copy()
    # with its own time limit: a plan whatever the relaxation took; solved last, so that the
    # LPs after it (the deterministic plan's value, the duals) start from its basis
    held = hm.solve_with_integers_fixed(time_limit_s)
    upper = hm.priced_objective() if held.status is Outcome.OPTIMAL else None
    held_x = hm.x.copy()
    elapsed = time.perf_counter() - t0
    if upper is not None:
        scale = max(1.0, abs(upper))
        if lower is not None and upper - lower <= max(mip_gap * scale, mip_abs_gap or 0.0):
            return SolveStatus(
                Outcome.OPTIMAL,
                True,
                upper,
                lower,
                max(0.0, upper - lower) / scale,
                elapsed,
                PROVEN_BY_RELAXATION,
            )
        if elapsed >= time_limit_s:  # no time left to branch: the held plan, as far as proven
            bound = lower if lower is not None and lower <= upper else None
            gap = None if bound is None else (upper - bound) / scale
            return SolveStatus(Outcome.TIME_LIMIT, True, upper, bound, gap, elapsed)
    status = hm.solve_from(start, mip_gap, max(1.0, time_limit_s - elapsed), options, mip_abs_gap)
    status.solver_time_s += elapsed
    if upper is not None and (not status.has_solution or upper < hm.priced_objective()):
        hm.x = held_x  # the held plan is better than what branch and bound returned
        status.objective, status.has_solution = upper, True
        if status.status not in (Outcome.OPTIMAL, Outcome.TIME_LIMIT):
            status.status = Outcome.TIME_LIMIT
    if status.has_solution and status.objective is not None:
        tolerance = 1e-9 * max(1.0, abs(status.objective))
        bounds = [
            b for b in (lower, status.bound) if b is not None and b <= status.objective + tolerance
        ]
        status.bound = max(bounds) if bounds else None
        scale = max(1.0, abs(status.objective))
        status.gap = None if status.bound is None else (status.objective - status.bound) / scale
    return status


def solve_stochastic(data: InputData, mip_gap, time_limit_s, progress, highs_options) -> Plan:
    """The stochastic plan of `data` (see the module docstring)."""

    say = progress or (lambda _msg: None)
    s = data.settings
    scenarios, dropped = scenario_set(data)
    if not any(sc.name != UNDISRUPTED for sc in scenarios):
        raise deterministic.SolveError(
            "stochastic mode needs at least one Disruptions scenario with a probability above 0"
        )
    det_data = data.copy()
    det_data.settings.mode = "deterministic"
    say("solving the deterministic plan (to value the stochastic one)")
    t0 = time.perf_counter()
    det_plan = deterministic.solve_deterministic(
        det_data, mip_gap, time_limit_s, None, highs_options
    )
    det_s = time.perf_counter() - t0
    det_first = from_tables(det_plan.projects, det_plan.processing, det_plan.stock)

    timings: dict[str, float] = {"deterministic_plan_s": det_s}
    say(f"building the stochastic model ({len(scenarios)} scenarios)")
    t0 = time.perf_counter()
    model = build_stochastic_model(data, scenarios, s.cvar_alpha, s.cvar_weight)
    timings["build_s"] = time.perf_counter() - t0
    sx = model.sx
    hm = HighsModel(model)
    timings["handover_s"] = hm.handover_s
    hm.announce(say, progress)
    # start from the deterministic plan's integer decisions: the stochastic plan found is then
    # never worse than the deterministic plan under the scenarios (VSS >= 0)
    start = np.zeros(len(hm.columns))
    for var, value in fixed_bounds(model, det_first):
        col = hm.col_of.get(hm.key(var))
        if col is not None:
            start[col] = value
    abs_gap = data.settings.mip_abs_gap_musd
    say("bounding the stochastic plan (LP relaxation, and the deterministic plan's decisions)")
    status = solve_bounded(hm, start, mip_gap, abs_gap, time_limit_s, highs_options)
    timings["solve_s"] = status.solver_time_s
    if not status.has_solution:
        raise deterministic.SolveError(
            f"HiGHS found no stochastic plan (status {status.status}) within "
            f"{time_limit_s:g} s; raise time_limit_s or mip_gap",
            status,
        )
    say("valuing the deterministic plan under the scenarios")
    stochastic_x = hm.x.copy()
    cols = hm.fix_columns(fixed_bounds(model, det_first))
    # every integer decision is held: an LP, solved as one (HiGHS's MIP path may stop anywhere
    # within its gap of the LP's optimum, and the value would carry that error)
    if np.isin(np.flatnonzero(hm.integer), cols).all():
        det_status = hm.solve_with_integers_fixed(time_limit_s, relax=True)
    else:  # an integer decision outside the first stage: a MIP after all
        det_status = hm.solve(mip_gap, time_limit_s, highs_options, abs_gap)
    if det_status.has_solution:  # what the plan costs, whatever HiGHS reports (see solver.py)
        det_status.objective = hm.priced_objective()
    timings["vss_solve_s"] = det_status.solver_time_s
    det_figures = scenario_figures(hm, sx, s.risk_weight) if det_status.has_solution else None
    hm.release_columns(cols)
    det_objective, objective = det_status.objective, status.objective
    adopted = det_objective is not None and objective is not None and det_objective < objective
    if adopted and det_objective is not None:
        # the deterministic plan is better than the best plan HiGHS found in the time: it is
        # feasible for the stochastic model, so it is the stochastic plan (VSS = 0)
        status.objective = det_objective
        if status.bound is not None:
            status.gap = (det_objective - status.bound) / max(1.0, abs(det_objective))
    else:
        hm.x = stochastic_x

    say("reading marginal costs (LP with the integer decisions fixed)")
    duals, timings["dual_solve_s"] = hm.duals_with_integers_fixed()
    first = first_stage_of(hm, model)
    figures = scenario_figures(hm, sx, s.risk_weight)
    detail = _detail(hm, sx)

    if sx.scenarios[0].name == UNDISRUPTED:
        plan = _undisrupted_plan(data, model, hm, duals)
        plan.summary = deterministic.summary(
            data, sx.views[0], hm, status, mip_gap, timings, plan, ix=sx.ixs[0]
        )
    else:
        plan = undisrupted_plan(data, first)
        sizes = {k: plan.summary[k] for k in ("variables", "integer_variables", "constraints")}
        plan.summary.update(status=str(status.status), objective_musd=status.objective)
        plan.summary.update(best_bound_musd=status.bound, gap=status.gap)
        plan.summary.update(  # the stochastic model's size and times, not the LP's
            variables=hm.num_columns,
            integer_variables=int(hm.integer.sum()),
            constraints=hm.num_rows,
            solve_time_s=round(timings["solve_s"], 3),
            build_s=round(timings["build_s"], 3),
            handover_s=round(timings["handover_s"], 3),
        )
        plan.notes.append(
            "The scenarios' probabilities sum to 1, so the undisrupted case is not one of the "
            "outcomes; the main sheets show it re-optimised with the plan's first stage held "
            f"(that LP had {sizes['variables']} variables)."
        )
    if status.message == PROVEN_BY_RELAXATION:
        plan.notes.append(
            "The stochastic plan keeps the deterministic plan's integer decisions and "
            "re-optimises every other decision, the stock path included; the LP relaxation of "
            f"the stochastic model proves it within {100 * (status.gap or 0):.3g}% of the "
            "optimum, so no branch and bound was needed."
        )
    if adopted:
        plan.notes.append(
            "HiGHS stopped before finding a plan better than the deterministic plan's first "
            "stage under the scenarios; that first stage is this plan."
        )

    plan.extra = {
        "Scenarios": _scenario_table(sx, figures, det_figures, s.cvar_alpha, detail),
        "ScenarioDetail": detail,
        "VersusDeterministic": versus_table(det_first, first),
    }
    plan.summary = (
        _stochastic_summary(data, sx, status, det_status, figures, dropped, timings) | plan.summary
    )
    plan.notes.append(
        "Mode stochastic: the main sheets and the cost split show the undisrupted case under "
        "the stochastic plan; sheets Scenarios and ScenarioDetail show every scenario, and "
        "VersusDeterministic what this plan buys that the deterministic plan does not."
    )
    vss = plan.figure("value_of_stochastic_solution_musd")
    objective = status.objective or 0.0
    if vss is not None and status.gap and vss < status.gap * abs(objective):
        plan.notes.append(
            f"The value of the stochastic solution ({vss:,.2f} MUSD) is within the MIP gap "
            f"({100 * status.gap:.3g}% of the objective): lower mip_gap to measure it."
        )
    if dropped:
        plan.notes.append(
            "Scenarios with probability 0 are not planned for: " + ", ".join(dropped) + "."
        )
    if status.status is not Outcome.OPTIMAL:
        plan.notes.append(
            f"HiGHS stopped with status {status.status}: this is the best plan found, "
            + (
                f"within {100 * status.gap:.3g}% of the optimum."
                if status.gap is not None
                else "with no bound on how far it is from the optimum: raise time_limit_s."
            )
        )
    return plan


def _undisrupted_plan(data, model, hm: HighsModel, duals) -> Plan:
    """Plan tables of scenario 0 (the undisrupted case). A balance dual is the expected
    marginal cost over the scenarios sharing its node; dividing by the node's probability
    gives the marginal cost given the history."""
    from planner.solve.deterministic import plan_tables

    sx = model.sx
    balance = hm.duals(model.balance, duals)
    nodes = sx.nodes[0]
    balance_dual = {
        (m, t): balance[0, m, t] / sx.node_probability[nodes[t]] for m, t in sx.views[0].stock
    }
    budget = {key[1]: d for key, d in hm.duals(model.budget, duals).items()}
    return plan_tables(sx.ixs[0], sx.views[0], hm, balance_dual, budget)


def _detail(hm: HighsModel, sx) -> pd.DataFrame:
    frames = []
    for s, view in enumerate(sx.views):
        frame = mineral_year_outcome(sx.ixs[s], values_of(hm, view))
        frame.insert(0, "scenario", sx.scenarios[s].name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)[["scenario", *OUTCOME_COLUMNS]]


def _scenario_table(sx, figures, det_figures, alpha: float, detail) -> pd.DataFrame:
    objectives = [f["objective"] for f in figures]
    _, in_tail = cvar(objectives, sx.probabilities, alpha)
    totals = detail.groupby("scenario", sort=False)[["shortfall_t", "stock_drawn_t"]].sum()
    rows = []
    for s, scenario in enumerate(sx.scenarios):
        rows.append(
            [
                scenario.name,
                scenario.probability,
                sx.effects[s].first_year,
                figures[s]["cost"],
                figures[s]["risk"],
                figures[s]["objective"],
                det_figures[s]["objective"] if det_figures else None,
                totals.at[scenario.name, "shortfall_t"],
                totals.at[scenario.name, "stock_drawn_t"],
                in_tail[s],
            ]
        )
    return pd.DataFrame(rows, columns=list(SCENARIO_COLUMNS))


def versus_table(deterministic: FirstStage, stochastic: FirstStage) -> pd.DataFrame:
    """First-stage decisions that differ: project stakes, modules built, stock injected and
    drawn (the stock path of the undisrupted case)."""
    rows = []
    parts = (
        ("project stake", deterministic.stakes, stochastic.stakes),
        ("modules built", deterministic.modules, stochastic.modules),
        ("stock injected (t)", deterministic.inject_t, stochastic.inject_t),
        ("stock drawn as planned (t)", deterministic.draw_t, stochastic.draw_t),
    )
    for what, det, sto in parts:
        for key in sorted(set(det) | set(sto), key=lambda k: (k[1], str(k[0]))):
            a, b = float(det.get(key, 0.0)), float(sto.get(key, 0.0))
            if abs(a - b) > 1e-6 * max(1.0, abs(a), abs(b)):
                rows.append([what, key[0], key[1], a, b, b - a])
    return pd.DataFrame(
        rows, columns=["decision", "name", "year", "deterministic", "stochastic", "difference"]
    )


def _stochastic_summary(data, sx, status, det_status, figures, dropped, timings) -> dict:
    s = data.settings
    probs = sx.probabilities
    objectives = [f["objective"] for f in figures]
    cvar_value, _ = cvar(objectives, probs, s.cvar_alpha)
    out = {
        "mode": "stochastic",
        "scenarios_modelled": len(sx.scenarios),
        "history_nodes": len(sx.node_probability),
        "undisrupted_probability": 1.0 - sum(sc.probability for sc in sx.scenarios[1:])
        if sx.scenarios[0].name == UNDISRUPTED
        else 0.0,
        "cvar_alpha": s.cvar_alpha,
        "cvar_weight": s.cvar_weight,
        "stochastic_objective_musd": status.objective,
        "expected_cost_discounted_musd": sum(
            p * f["cost"] for p, f in zip(probs, figures, strict=True)
        ),
        "expected_risk_exposure_discounted_musd": sum(
            p * f["risk"] for p, f in zip(probs, figures, strict=True)
        ),
        "expected_objective_discounted_musd": sum(
            p * z for p, z in zip(probs, objectives, strict=True)
        ),
        "cvar_of_scenario_objective_musd": cvar_value,
        "deterministic_plan_objective_musd": det_status.objective
        if det_status.has_solution
        else None,
        "value_of_stochastic_solution_musd": det_status.objective - status.objective
        if det_status.has_solution
        else None,
        # the stochastic optimum is at least the best bound, so the value is at most this
        "value_of_stochastic_solution_at_most_musd": det_status.objective - status.bound
        if det_status.has_solution and status.bound is not None
        else None,
        "deterministic_plan_s": round(timings["deterministic_plan_s"], 3),
        "vss_solve_s": round(timings["vss_solve_s"], 3),
    }
    return out
