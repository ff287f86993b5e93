"""The key figures of a plan that a sweep or a frontier reports, one flat dict per plan."""

from __future__ import annotations

from planner.results.plan import Plan

# the two axes of sweeps and frontiers, as KPI column names
COST = "total_cost_discounted_musd"
RISK = "risk_exposure_discounted_musd"

STOCHASTIC_KPIS = (
    "expected_cost_discounted_musd",
    "cvar_of_scenario_objective_musd",
    "value_of_stochastic_solution_musd",
)


def plan_kpis(plan: Plan) -> dict[str, object]:
    """status, objective, cost, risk exposure, concentration, shortfall, last-year HHI and
    concern share per mineral on both bases, last-year main origins per mineral, and the
    chosen projects. Every figure is the plan's own (Summary and Risk sheet, which take them
    from planner/results/measures.py)."""
    s = plan.summary
    out: dict[str, object] = {
        "status": s["status"],
        "objective_musd": s["objective_musd"],
        "total_cost_discounted_musd": s["total_cost_discounted_musd"],
        "risk_exposure_discounted_musd": s["risk_exposure_discounted_musd"],
        "concentration_discounted_musd": s.get("concentration_discounted_musd"),
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
            if "hhi_mine" in row:
                out[f"hhi_mine_{last}_{mineral}"] = row["hhi_mine"]
                out[f"concern_share_mine_{last}_{mineral}"] = row["concern_share_mine"]
        out["main_origins_last_year"] = _main_origins(plan, last, "refining_country")
        out["main_mine_origins_last_year"] = _main_origins(plan, last, "mine_country")
    chosen = plan.projects
    out["projects"] = "; ".join(
        f"{p} {100 * s:.0f}% ({y})"
        for p, s, y in zip(chosen["project"], chosen["stake"], chosen["build_year"], strict=True)
    )
    return out


def _main_origins(plan: Plan, year: int, basis_column: str) -> str:
    """'lithium: Chile 40%, India 30%; cobalt: ...': the two largest origins per mineral on a
    basis (the MineOrigin sheet's refining_country or mine_country column)."""
    leaders = origin_leaders(plan, basis_column)
    return "; ".join(
        f"{mineral}: {leaders[mineral, year]}"
        for mineral in plan.risk["mineral"].unique()
        if (mineral, year) in leaders
    )


def origin_leaders(plan: Plan, basis_column: str) -> dict[tuple[str, int], str]:
    """(mineral, year) -> 'Chile 40%, India 30%': the two largest origins of each
    mineral-year on a basis, from one grouping of the MineOrigin table."""
    flows = plan.mine_origin
    if flows.empty:
        return {}
    tonnes = flows.groupby(["mineral", "year", basis_column])["tonnes_t"].sum()
    out = {}
    for (mineral, year), block in tonnes.groupby(level=["mineral", "year"], sort=False):
        total = float(block.sum())
        if total <= 0:
            continue
        top = block.droplevel(["mineral", "year"]).sort_values(ascending=False).head(2)
        out[str(mineral), int(year)] = ", ".join(
            f"{c} {100 * v / total:.0f}%" for c, v in top.items()
        )
    return out


YEARLY_COLUMNS = (
    "refined_supply_t",
    "hhi",
    "concern_share",
    "self_sufficiency",
    "hhi_mine",
    "concern_share_mine",
    "self_sufficiency_mine",
    "risk_exposure_musd",
    "concentration_musd",
)


def yearly_kpis(plan: Plan) -> list[dict[str, object]]:
    """One record per mineral and year: supply, HHI and concern share on both bases, risk
    terms, unmet demand, the marginal cost of demand and the two largest origins on each
    basis (what explains a jump between two sweep points)."""
    risk = plan.risk
    if risk.empty:
        return []
    unmet = _by_key(plan.shortfall, "unmet_t")
    marginal = _by_key(plan.marginal_costs, "marginal_cost_usd_per_t")
    refining = origin_leaders(plan, "refining_country")
    mined = origin_leaders(plan, "mine_country")
    rows = []
    for rec in risk.to_dict("records"):
        year, mineral = int(rec["year"]), str(rec["mineral"])
        row: dict[str, object] = {"mineral": mineral, "year": year}
        row |= {c: _plain(rec[c]) for c in YEARLY_COLUMNS if c in rec}
        row["unmet_t"] = unmet.get((mineral, year), 0.0)
        row["marginal_cost_usd_per_t"] = marginal.get((mineral, year))
        row["main_origins"] = refining.get((mineral, year), "")
        row["main_mine_origins"] = mined.get((mineral, year), "")
        rows.append(row)
    return rows


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def _by_key(frame, column: str) -> dict[tuple, float]:
    if frame.empty or column not in frame.columns:
        return {}
    return {
        (str(m), int(y)): float(v)
        for m, y, v in zip(frame["mineral"], frame["year"], frame[column], strict=True)
        if v == v  # not NaN
    }
