"""Tangent cuts on the concentration term, refined until the model's term is the true one.

The model prices K = sum d_t V r_c share^2 through tangent cuts (models/concentration.py),
which underestimate share^2 between cut points. Before the MIP (step 0), the same refinement
as step 1 runs on the LP relaxation, so the MIP starts with cuts near its shares (on the India
case this cut the true objective's excess over the MIP's from about 27 MUSD to a few).
After HiGHS returns a plan:

1. With the integer decisions held, cuts are added at the plan's shares (Kelley's cutting
   planes) and the LP re-solved from its basis, until the cuts' K is within LP_TOLERANCE
   (relative) of the true K at the plan's shares, or MAX_ROUNDS.
2. The plan's true objective replaces the approximated one. The MIP bound stays a valid lower
   bound (cuts only ever underestimate), so the gap is stated against the true objective. If
   that gap exceeds the requested one by more than GAP_SLACK, the MIP is re-solved with all
   cuts so far, from the plan's integer decisions, and step 1 repeats (at most MAX_MIP_ROUNDS
   times).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.concentration import concentration_terms, piece_coefficient, unmet_terms
from models.expr import ge, grow_rows
from planner.solve.highs import HIGHS_ABS_GAP, HighsModel, SolveStatus

LP_TOLERANCE = 1e-5  # relative error of K at which the refinement stops
MAX_ROUNDS = 60
MAX_MIP_ROUNDS = 3
REPORT_TOLERANCE = 1e-3  # the published K is within 0.1% of its true value, or a note says not
SAME_POINT = 1e-9  # a share this close to a cut point is that point
# a true gap up to 5% over the requested one is accepted (and reported as it is) rather than
# paying for another MIP solve, which on the India case takes minutes
GAP_SLACK = 1.05


@dataclass
class CutReport:
    """K at the plan: true (from its shares) and as the cuts see it, in discounted MUSD."""

    true_musd: float
    model_musd: float
    rounds: int
    cuts: int

    @property
    def error(self) -> float:
        """Relative shortfall of the cuts' K below the true K (0 when K is 0)."""
        return (self.true_musd - self.model_musd) / self.true_musd if self.true_musd > 0 else 0.0


def _state(model, hm: HighsModel) -> tuple[dict, dict, dict]:
    """Per piece: share at the plan, share^2 and the cuts' value max_k (2 s_k s - s_k^2)."""
    share = hm.values(model.origin_share)
    true = {k: s * s for k, s in share.items()}
    cut = {k: max(2.0 * p * share[k] - p * p for p in model.cut_points[k]) for k in share}
    return share, true, cut


def measure(model, hm: HighsModel) -> CutReport:
    """K at the held plan, true and through the cuts (the unmet part, linear, is exact)."""
    ix = model.ix
    share, true, cut = _state(model, hm)
    coef = {k: piece_coefficient(ix, *k) for k in share}
    cuts = sum(len(model.cut_points[k]) for k in share)
    linear = hm.activity(unmet_terms(model, ix))
    return CutReport(
        float(sum(coef[k] * true[k] for k in share)) + linear,
        float(sum(coef[k] * cut[k] for k in share)) + linear,
        0,
        cuts,
    )


def add_cuts(model, hm: HighsModel, points: dict) -> int:
    """Tangent cuts at share points[piece], in the Pyomo model and in HiGHS."""
    rows = {}
    for key, s in points.items():
        model.cut_points[key] = (*model.cut_points[key], s)
        rows[(*key, s)] = ge(
            [(1.0, model.share_sq[key]), (-2.0 * s, model.origin_share[key])], -s * s
        )
    hm.add_rows(grow_rows(model.concentration_cut, rows), list(rows.values()))
    return len(rows)


def prepare(model, hm: HighsModel, time_limit_s: float) -> int:
    """Step 0, before the MIP: refine the cuts on the LP relaxation (integrality dropped),
    so that the MIP starts with cuts where its shares are likely to lie; returns the rounds."""
    status = hm.solve_with_integers_fixed(time_limit_s, relax=True)
    if not status.has_solution:
        return 0
    return refine(model, hm, time_limit_s, relax=True).rounds


def refine(model, hm: HighsModel, time_limit_s: float, relax: bool = False) -> CutReport:
    """Step 1: add cuts at the plan's shares, integers held (or relaxed), until K is exact to
    LP_TOLERANCE."""
    ix = model.ix
    coef = {k: piece_coefficient(ix, *k) for k in model.share_sq}
    rounds = 0
    for rounds in range(MAX_ROUNDS + 1):
        share, true, cut = _state(model, hm)
        total = sum(coef[k] * true[k] for k in share)
        missing = {k: coef[k] * (true[k] - cut[k]) for k in share}
        if sum(missing.values()) <= LP_TOLERANCE * max(total, 1e-12) or rounds == MAX_ROUNDS:
            break
        floor = LP_TOLERANCE * total / max(len(share), 1)
        points = {
            k: float(share[k])
            for k, gap in missing.items()
            if gap > floor and min(abs(share[k] - p) for p in model.cut_points[k]) > SAME_POINT
        }
        if not points:
            break
        add_cuts(model, hm, points)
        status = hm.solve_with_integers_fixed(time_limit_s, relax)
        if not status.has_solution:
            break
    report = measure(model, hm)
    report.rounds = rounds
    return report


def true_objective(model, hm: HighsModel, report: CutReport) -> float:
    """The held plan's objective with the true K in place of the cuts' epigraph values."""
    weight = model.ix.concentration_weight
    return hm.priced_objective() + weight * (
        report.true_musd - hm.activity(concentration_terms(model, model.ix))
    )


def solve_priced(
    model,
    hm: HighsModel,
    status: SolveStatus,
    mip_gap: float,
    mip_abs_gap: float | None,
    time_limit_s: float,
    options: dict | None,
) -> tuple[SolveStatus, CutReport]:
    """Steps 1 and 2 on a solved model whose objective or rules hold K; returns the status
    with the true objective and its gap, and the cut report."""
    report = refine(model, hm, time_limit_s)
    bound = status.bound
    for mip_round in range(MAX_MIP_ROUNDS + 1):
        objective = true_objective(model, hm, report)
        if not hm.is_mip:
            bound = hm.priced_objective()  # the LP with every cut: a lower bound
        scale = max(1.0, abs(objective))
        gap = None if bound is None else max(0.0, objective - bound) / scale
        # what the cuts themselves leave open: their tolerance on the weighted K
        cut_slack = model.ix.concentration_weight * LP_TOLERANCE * report.true_musd
        allowed = max(mip_gap * scale, mip_abs_gap or HIGHS_ABS_GAP) * GAP_SLACK + cut_slack
        within = gap is not None and gap * scale <= allowed
        if within or not hm.is_mip or mip_round == MAX_MIP_ROUNDS:
            break
        rounds = report.rounds
        status = hm.solve_from(hm.x, mip_gap, time_limit_s, options, mip_abs_gap=mip_abs_gap)
        if not status.has_solution:
            break
        bound = max(b for b in (bound, status.bound) if b is not None)
        report = refine(model, hm, time_limit_s)
        report.rounds += rounds
    status.objective, status.bound, status.gap = objective, bound, gap
    return status, report


def has_pieces(model) -> bool:
    """Does the model price or cap K (any concentration variable)?"""
    return len(model.share_sq) > 0
