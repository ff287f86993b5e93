"""The cost-versus-risk Pareto frontier, by the epsilon-constraint method.

Cost is the discounted cost of the plan (shortfall penalty included) and risk one of two
measures, both in million USD: the discounted risk exposure (models/objective.py; measure
`exposure`, capped by Settings risk_cap_musd) or the discounted concentration term
(models/concentration.py; measure `concentration`, capped by concentration_cap_musd). The
workbook's weights and caps of both measures are ignored. The frontier is traced in four steps:

1. Cost end: minimise cost (risk_weight 0, no cap) -> C_min and its risk R_at_Cmin.
2. Risk end: minimise cost + W x risk with W so large that risk dominates (W starts at
   1000 x C_min / R_at_Cmin; it is raised a hundredfold, at most twice, unless the risk is
   already 0 or the larger weight no longer lowers it), giving the least risk R_min; then
   minimise cost subject to risk <= R_min (loosened by a relative 1e-6 so the plan just found
   stays feasible): the cheapest plan at the least risk.
3. N caps eps_i evenly spaced from R_min to R_at_Cmin (both included); for each interior cap,
   minimise cost subject to risk <= eps_i (Settings.risk_cap_musd = eps_i, risk_weight 0). The
   two ends are the plans of steps 1 and 2.
4. Keep only non-dominated points (no other point has cost <= and risk <= with one strictly
   smaller, beyond a relative tolerance of 1e-6 of the column's scale), sorted by risk.

Every solve uses ONE PersistentModel, built at the start without a cap: a capped solve adds the
cap row in place (an optional block, models/registry.py), later caps change only its
right-hand side, an uncapped solve removes it again, and a weighted solve changes only the
objective's risk weight; each solve starts from the previous plan.
Caps are solved in increasing order, so the previous plan is always feasible for the next cap.
Each solve stops at the workbook's mip_gap: costs are within that gap of the optimum for their
cap, which is why step 4 may drop a point. The workbook's own risk_weight and risk_cap_musd are
ignored.

Unmet demand is exposed at the year's mean refined price x 1.0, the worst risk score, so the
low-risk end meets demand wherever supply exists; a point that still leaves demand unmet (no
supply to be had) is drawn hollow in the chart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from models.data import InputData
from planner.results.kpis import COST, RISK, plan_kpis, yearly_kpis
from planner.results.plan import Plan
from planner.solve.dispatch import SolveError
from planner.solve.persistent import PersistentModel

CAP = "risk_cap_musd"


@dataclass(frozen=True)
class Measure:
    """A risk measure the frontier trades against cost: its Summary item, the Settings that
    weight and cap it, and how the chart names it."""

    name: str
    column: str
    weight: str
    cap: str
    label: str


MEASURES = {
    "exposure": Measure(
        "exposure", RISK, "risk_weight", CAP, "discounted risk exposure (million USD)"
    ),
    "concentration": Measure(
        "concentration",
        "concentration_discounted_musd",
        "concentration_weight",
        "concentration_cap_musd",
        "discounted concentration term (million USD)",
    ),
}
REL_TOL = 1e-6
# cost + W x risk with W = WEIGHT_FACTOR x C_min / R_at_Cmin, raised up to WEIGHT_TRIES times
WEIGHT_FACTOR = 1e3
WEIGHT_STEP = 100.0
WEIGHT_TRIES = 3

OnStep = Callable[[int, int, str], None]  # (solves done, solves planned, what is next)

FIRST_COLUMNS = [
    "point",
    CAP,
    "concentration_cap_musd",
    COST,
    RISK,
    "concentration_discounted_musd",
    "total_shortfall_t",
    "status",
    "gap",
    "main_origins_last_year",
    "projects",
]

METHOD = [
    "Method: epsilon constraint. (1) Cost end: minimise discounted cost (risk_weight 0, no cap)"
    " -> C_min and its risk R_at_Cmin. (2) Risk end: minimise cost + W x risk with W large"
    " enough that risk dominates -> R_min; then the cheapest plan with risk <= R_min.",
    "(3) Risk caps evenly spaced from R_min to R_at_Cmin (both included); each interior point"
    " is the cheapest plan with discounted risk exposure <= its cap (risk_cap_musd column)."
    " (4) Only non-dominated points are kept (no other point is no dearer and no riskier, and"
    " strictly better in one), sorted by risk.",
    "All points are solved on one model, updated in place (only the cap's right-hand side and"
    " the measure's weight change). The workbook's weights and caps of both risk measures"
    " (risk_weight, risk_cap_musd, concentration_weight, concentration_cap_musd) are ignored.",
    "Cost = discounted cost in million USD, shortfall penalty included. Risk exposure ="
    " discounted tonnes x price x the origin's risk_score (offtake at unit cost x the host's"
    " risk_score; unmet demand at the mean refined price x 1.0). Concentration = discounted"
    " sum over mineral-years of demand value x sum over origins of risk_score x share^2.",
]


def pareto_filter(
    frame: pd.DataFrame, cost: str = COST, risk: str = RISK, rel_tol: float = REL_TOL
) -> pd.DataFrame:
    """The non-dominated rows of `frame`, sorted by risk (then cost), index reset.

    Row j dominates row i when cost_j <= cost_i and risk_j <= risk_i, one of them strictly;
    "equal" means within rel_tol x the column's largest absolute value. Of points equal in
    both, the first is kept. Rows with a missing cost or risk are dropped.
    """
    rows = frame[frame[cost].notna() & frame[risk].notna()]
    c = rows[cost].to_numpy(dtype=float)
    r = rows[risk].to_numpy(dtype=float)
    if len(rows) == 0:
        return rows.reset_index(drop=True)
    tc = rel_tol * max(float(np.abs(c).max()), 1e-12)
    tr = rel_tol * max(float(np.abs(r).max()), 1e-12)
    keep = []
    for i in range(len(rows)):
        no_worse = (c <= c[i] + tc) & (r <= r[i] + tr)
        better = (c < c[i] - tc) | (r < r[i] - tr)
        earlier_twin = np.arange(len(rows)) < i
        dominated = no_worse & (better | earlier_twin)
        dominated[i] = False
        keep.append(not dominated.any())
    kept = rows[np.array(keep)]
    return kept.sort_values([risk, cost], kind="stable").reset_index(drop=True)


def frontier(
    data: InputData,
    points: int = 10,
    on_step: OnStep | None = None,
    threads: int | None = None,
    measure: str = "exposure",
) -> pd.DataFrame:
    """The cost-versus-risk Pareto frontier of `data` with up to `points` points, risk being
    the `measure` (exposure or concentration, see MEASURES).

    One row per non-dominated point, sorted by risk: point (1, 2, ...), the measure's cap,
    cost, risk exposure, concentration, shortfall, status, gap, last-year main origins per
    mineral, projects chosen, and the last-year HHI and concern share per mineral on both bases
    (planner.kpis.plan_kpis). `frame.attrs` holds what the notes need: measure, requested,
    solved, failed, dominated, mip_gap, seconds, rebuilds.
    Raises SolveError when either end has no plan (e.g. the rules are infeasible).
    """
    if points < 2:
        raise ValueError("a frontier needs at least 2 points")
    m = MEASURES[measure]
    say = on_step or (lambda _done, _total, _msg: None)
    t0 = time.perf_counter()
    base = data.copy()
    for other in MEASURES.values():
        setattr(base.settings, other.weight, 0.0)
        setattr(base.settings, other.cap, None)
    base.settings.mode = "deterministic"  # the frontier is of the undisrupted case
    planned = points + 1  # cost end, weighted risk end, cheapest at least risk, interior caps
    done = 0

    def solve(risk_weight: float, cap: float | None, message: str) -> Plan:
        nonlocal done
        say(done, planned, message)
        d = base.copy()
        setattr(d.settings, m.weight, risk_weight)
        setattr(d.settings, m.cap, cap)
        try:
            return model.solve(d)
        finally:
            done += 1

    say(0, planned, "building the model")
    model = PersistentModel(base, threads=threads, carry_concentration=m.name == "concentration")

    # 1. cost end
    cheapest = solve(0.0, None, "cost end: minimum cost")
    c_min = _figure(cheapest, COST)
    r_at_cmin = _figure(cheapest, m.column)
    scale = max(abs(r_at_cmin), 1e-12)

    # 2. risk end: least risk, then the cheapest plan at that risk
    if r_at_cmin <= REL_TOL * scale:
        r_min, safest = r_at_cmin, cheapest
    else:
        weight = WEIGHT_FACTOR * max(abs(c_min), 1e-9) / r_at_cmin
        r_min = r_at_cmin
        for attempt in range(WEIGHT_TRIES):
            if attempt:
                planned += 1
                weight *= WEIGHT_STEP
            risky = solve(weight, None, f"risk end: minimum risk (weight {weight:.3g})")
            risk = _figure(risky, m.column)
            improved = risk < r_min - REL_TOL * scale
            r_min = min(r_min, risk)
            if r_min <= REL_TOL * scale or (not improved and attempt):
                break
        safest = solve(0.0, _cap(r_min, scale), "risk end: cheapest plan at the least risk")
        r_min = min(r_min, _figure(safest, m.column))

    # 3. caps evenly spaced from R_min to R_at_Cmin
    if r_at_cmin - r_min <= REL_TOL * scale:
        caps = [r_at_cmin]
        plans: list[Plan | SolveError] = [cheapest]
        planned = done
    else:
        caps = list(np.linspace(r_min, r_at_cmin, points))
        plans = [safest]
        for i, cap in enumerate(caps[1:-1], start=2):
            try:
                plans.append(solve(0.0, float(cap), f"point {i} of {points}: risk <= {cap:,.6g}"))
            except SolveError as exc:
                plans.append(exc)
        plans.append(cheapest)
    say(done, done, "done")

    records, failed, yearly = [], [], []
    for cap, plan in zip(caps, plans, strict=True):
        if isinstance(plan, SolveError):
            status = str(plan.status.status) if plan.status else "no plan"
            failed.append({m.cap: cap, "status": status, "error": str(plan)})
            continue
        kpis = plan_kpis(plan)
        kpis.pop("objective_musd", None)  # = cost, since the weights are 0
        records.append({m.cap: float(cap), **kpis})
        yearly.append((float(cap), yearly_kpis(plan)))
    frame = pd.DataFrame(records)
    kept = pareto_filter(frame, risk=m.column)
    kept.insert(0, "point", range(1, len(kept) + 1))
    kept = kept[
        [c for c in FIRST_COLUMNS if c in kept] + [c for c in kept if c not in FIRST_COLUMNS]
    ]
    kept.attrs = {
        "measure": m.name,
        "requested": points,
        "solved": len(records),
        "failed": failed,
        "dominated": len(records) - len(kept),
        "mip_gap": data.settings.mip_gap,
        "seconds": round(time.perf_counter() - t0, 2),
        "solves": done,
        "rebuilds": model.rebuilds,
        "input_file": Path(data.source_file).name if data.source_file else "",
        "input_sha256": data.source_sha256,
    }
    # the long form: one row per kept point, mineral and year
    point_of = dict(zip(kept[m.cap].astype(float), kept["point"], strict=True)) if len(kept) else {}
    kept.attrs["by_year"] = pd.DataFrame(
        [
            {"point": point_of[cap], m.cap: cap, **row}
            for cap, rows in yearly
            if cap in point_of
            for row in rows
        ]
    )
    return kept


def _figure(plan: Plan, name: str) -> float:
    value = plan.figure(name)
    if value is None:
        raise ValueError(f"the plan's Summary has no {name}")
    return value


def _cap(eps: float, scale: float) -> float:
    """The cap for target risk `eps`, loosened by a relative 1e-6 so that a plan found at
    exactly `eps` stays feasible within the solver's tolerances."""
    return float(eps + REL_TOL * max(abs(eps), 1e-3 * scale))


# --- output --------------------------------------------------------------------------------
def frontier_notes(frame: pd.DataFrame) -> list[str]:
    """The Notes sheet: the method, the gap, and what was dropped."""
    a = frame.attrs
    notes = list(METHOD)
    gap = a.get("mip_gap")
    if gap is not None:
        notes.append(
            f"Each solve stops at the workbook's mip_gap = {gap:g}: a point's cost is within"
            f" {100 * gap:g}% of the cheapest plan for its cap, so a point can look dominated"
            " and be dropped (see below)."
        )
    if "requested" in a:
        notes.append(
            f"{a['requested']} points requested; {a['solved']} solved, {a['dominated']} dropped as"
            f" dominated or duplicate, {len(a['failed'])} without a plan; {len(frame)} shown."
            f" {a['solves']} solves in {a['seconds']} s; model built {a['rebuilds']} time(s)."
        )
    m = MEASURES[a.get("measure", "exposure")]
    notes.append(f"Risk measure traded against cost: {m.name} ({m.label}); cap column {m.cap}.")
    for fail in a.get("failed", []):
        notes.append(
            f"No plan for {m.name} cap {fail[m.cap]:,.6g} MUSD: {fail['status']}: {fail['error']}"
        )
    if len(frame) and (frame["total_shortfall_t"] > 1e-6).any():
        short = ", ".join(str(p) for p in frame.loc[frame["total_shortfall_t"] > 1e-6, "point"])
        notes.append(
            f"Points {short} leave demand unmet: no supply was left to buy at any risk; unmet"
            " demand pays the shortfall penalty (part of the cost) and is exposed at the mean"
            " refined price x 1.0."
        )
    if a.get("input_file"):
        notes.append(f"Input: {a['input_file']} (SHA-256 {a.get('input_sha256', '')})")
    return notes
