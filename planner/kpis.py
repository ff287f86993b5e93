"""The key figures of a plan that a sweep or a frontier reports, one flat dict per plan."""

from __future__ import annotations

from planner.plan import Plan

STOCHASTIC_KPIS = (
    "expected_cost_discounted_musd",
    "cvar_of_scenario_objective_musd",
    "value_of_stochastic_solution_musd",
)


def plan_kpis(plan: Plan) -> dict[str, object]:
    """status, objective, cost, risk, shortfall, last-year HHI and concern share per mineral,
    last-year main origin per mineral, and the chosen projects."""
    s = plan.summary
    out: dict[str, object] = {
        "status": s["status"],
        "objective_musd": s["objective_musd"],
        "total_cost_discounted_musd": s["total_cost_discounted_musd"],
        "risk_exposure_discounted_musd": s["risk_exposure_discounted_musd"],
        "total_shortfall_t": s["total_shortfall_t"],
        "gap": s["gap"],
        "solve_time_s": s["solve_time_s"],
    }
    for key in STOCHASTIC_KPIS:  # stochastic plans only
        if key in s:
            out[key] = s[key]
    risk = plan.risk
    if len(risk):
        last = int(risk["year"].max())
        final = risk[risk["year"] == last].set_index("mineral")
        for mineral, row in final.iterrows():
            out[f"hhi_{last}_{mineral}"] = row["hhi"]
            out[f"concern_share_{last}_{mineral}"] = row["concern_share"]
        out["main_origins_last_year"] = _main_origins(plan, last)
    chosen = plan.projects
    out["projects"] = "; ".join(
        f"{p} {100 * s:.0f}% ({y})"
        for p, s, y in zip(chosen["project"], chosen["stake"], chosen["build_year"], strict=True)
    )
    return out


def _main_origins(plan: Plan, year: int) -> str:
    """'lithium: Chile 40%, India 30%; cobalt: ...' for the largest two refined origins."""
    rows = plan.sourcing[(plan.sourcing["year"] == year) & (plan.sourcing["form"] == "refined")]
    home = plan.processing[plan.processing["year"] == year].groupby("mineral")["output_t"].sum()
    parts = []
    for mineral in plan.risk["mineral"].unique():
        tonnes = rows[rows["mineral"] == mineral].groupby("country")["tonnes_t"].sum()
        if mineral in home.index and home[mineral] > 0:
            key = str(plan.summary.get("home_country", "home"))
            tonnes[key] = tonnes.get(key, 0.0) + home[mineral]
        total = tonnes.sum()
        if total <= 0:
            continue
        top = tonnes.sort_values(ascending=False).head(2)
        parts.append(
            f"{mineral}: " + ", ".join(f"{c} {100 * t / total:.0f}%" for c, t in top.items())
        )
    return "; ".join(parts)
