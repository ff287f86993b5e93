"""Plans side by side: what a scenario changes against the baseline (the first plan).

Four tables, each with the baseline first:
- headline: cost, risk exposure, concentration, shortfall, projects, status, and each
  figure's change from the baseline, flagged when the objective's change is within what the
  two solves' MIP gaps allow (then it is not a measured difference);
- origins: on the refining and the mine basis, every (mineral, year, origin) whose share of
  the mineral's supply moved by SHARE_MOVE or more against the baseline, largest move first;
  this is what explains a jump in an HHI or a concern share;
- projects: projects a plan takes up that the baseline does not (added), the baseline's that it
  drops (dropped), and those it keeps at another stake or build year (changed);
- budgets: capital used per Budgets row, one column per plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from planner.results.mix import refined_supply_mix
from planner.results.plan import Plan

SHARE_MOVE = 0.05  # a move of 5 percentage points in an origin's share is reported
HEADLINE = (
    ("total_cost_discounted_musd", "cost discounted (million USD)"),
    ("risk_exposure_discounted_musd", "risk exposure discounted (million USD)"),
    ("concentration_discounted_musd", "concentration discounted (million USD)"),
    ("total_shortfall_t", "shortfall (t)"),
)


@dataclass
class Comparison:
    names: list[str]  # the plans' names, the baseline first
    headline: pd.DataFrame
    origins: pd.DataFrame
    projects: pd.DataFrame
    budgets: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "Headline": self.headline,
            "Origins": self.origins,
            "Projects": self.projects,
            "Budgets": self.budgets,
        }


def compare(plans: dict[str, Plan]) -> Comparison:
    """Compare plans by name; the first is the baseline."""
    if len(plans) < 2:
        raise ValueError("a comparison needs a baseline and at least one other plan")
    names = list(plans)
    return Comparison(
        names,
        headline_table(plans),
        origin_moves(plans),
        project_changes(plans),
        budget_table(plans),
    )


def headline_table(plans: dict[str, Plan]) -> pd.DataFrame:
    base = next(iter(plans.values()))
    rows = []
    for name, plan in plans.items():
        s = plan.summary
        row: dict[str, object] = {"plan": name}
        for key, label in HEADLINE:
            value, reference = plan.figure(key) or 0.0, base.figure(key) or 0.0
            row[label] = value
            row[f"change of {label}"] = value - reference
            if key == "total_cost_discounted_musd" and reference:
                row["cost change (%)"] = 100 * (value - reference) / reference
        row["projects"] = len(plan.projects)
        row["status"] = str(s.get("status", ""))
        row["gap"] = s.get("gap")
        row["cost change within the MIP gaps"] = _within_gaps(plan, base)
        rows.append(row)
    return pd.DataFrame(rows)


def _within_gaps(plan: Plan, base: Plan) -> bool:
    """Is the cost change no larger than what the two solves may each be off the optimum
    (gap x objective)? Then it is not a measured difference between the plans."""
    now, before = (p.figure("objective_musd") or 0.0 for p in (plan, base))
    slack = (plan.figure("gap") or 0.0) * abs(now) + (base.figure("gap") or 0.0) * abs(before)
    return abs(now - before) <= slack


def origin_shares(plan: Plan) -> pd.DataFrame:
    """(basis, mineral, year, origin, share): shares of each mineral-year's supply."""
    frames = []
    for mineral, mix in refined_supply_mix(plan).items():
        long = mix.stack().rename("tonnes").reset_index()
        long.columns = ["year", "origin", "tonnes"]
        long["mineral"], long["basis"] = mineral, "refining"
        frames.append(long)
    mine = plan.mine_origin
    if len(mine):
        long = mine.groupby(["mineral", "year", "mine_country"], as_index=False)["tonnes_t"].sum()
        long = long.rename(columns={"mine_country": "origin", "tonnes_t": "tonnes"})
        long["basis"] = "mine"
        frames.append(long)
    if not frames:
        return pd.DataFrame(columns=["basis", "mineral", "year", "origin", "share"])
    table = pd.concat(frames, ignore_index=True)
    totals = table.groupby(["basis", "mineral", "year"])["tonnes"].transform("sum")
    table["share"] = (table["tonnes"] / totals.where(totals > 0)).fillna(0.0)
    table["year"] = table["year"].astype(int)
    return table[["basis", "mineral", "year", "origin", "share"]]


def origin_moves(plans: dict[str, Plan], threshold: float = SHARE_MOVE) -> pd.DataFrame:
    names = list(plans)
    keys = ["basis", "mineral", "year", "origin"]
    merged = None
    for name in names:
        shares = origin_shares(plans[name]).rename(columns={"share": name})
        merged = shares if merged is None else merged.merge(shares, on=keys, how="outer")
    columns = [*keys, "plan", "baseline share", "share", "change"]
    if merged is None or merged.empty:
        return pd.DataFrame(columns=columns)
    merged = merged.fillna({name: 0.0 for name in names})
    rows = []
    for name in names[1:]:
        moved = merged[(merged[name] - merged[names[0]]).abs() >= threshold - 1e-12]
        for basis, mineral, year, origin, base, now in moved[[*keys, names[0], name]].itertuples(
            index=False, name=None
        ):
            rows.append([basis, mineral, year, origin, name, base, now, now - base])
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    order = frame["change"].abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def project_changes(plans: dict[str, Plan]) -> pd.DataFrame:
    names = list(plans)
    base = _projects(plans[names[0]])
    rows = []
    for name in names[1:]:
        other = _projects(plans[name])
        for project in sorted(set(base) | set(other)):
            was, now = base.get(project), other.get(project)
            if was == now:
                continue
            change = "added" if was is None else "dropped" if now is None else "changed"
            rows.append([name, project, change, *(was or (None, None)), *(now or (None, None))])
    columns = [
        "plan",
        "project",
        "change",
        "baseline build year",
        "baseline stake",
        "build year",
        "stake",
    ]
    return pd.DataFrame(rows, columns=columns)


def _projects(plan: Plan) -> dict[str, tuple[int, float]]:
    return {
        str(r.project): (int(r.build_year), round(float(r.stake), 4))
        for r in plan.projects.itertuples(index=False)
    }


def budget_table(plans: dict[str, Plan]) -> pd.DataFrame:
    frames = []
    for name, plan in plans.items():
        b = plan.budgets
        if b.empty:
            continue
        frame = b[["funding", "first_year", "last_year", "limit_inr_crore"]].copy()
        frame[f"used by {name} (INR crore)"] = b["spent_inr_crore"].to_numpy(float)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["funding", "first_year", "last_year", "limit_inr_crore"])
    table = frames[0]
    for frame in frames[1:]:
        table = table.merge(frame, on=["funding", "first_year", "last_year", "limit_inr_crore"],
                            how="outer")  # fmt: skip
    return table
