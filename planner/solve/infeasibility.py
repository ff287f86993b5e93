"""Explain an infeasible model: which policy rules (and budgets and caps) cannot hold together.

Every policy, budget, risk-cap and concentration-cap row gets a nonnegative slack that
relaxes it; a second solve minimises the total slack (all other costs set to zero). The rules
whose slack is positive are the ones that conflict with the rest of the model; they are
reported by Policy/Budgets row (or setting), mineral and years, with the amount by which each
must give.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyomo.environ as pyo

from models.index import ModelIndex
from planner.solve.highs import SLACK_TOL, HighsModel


def _elastic_rows(hm: HighsModel, model: pyo.ConcreteModel) -> list[tuple[int, str, object]]:
    """(matrix row, block name, index) for every row of the policy and budget blocks."""
    rows = []
    for block in ("policy", "budget", "risk_cap", "concentration_cap"):
        for k, con in getattr(model, block).items():
            for r in hm.rows_of.get(id(con), []):
                rows.append((r, block, k))
    return rows


def explain_infeasibility(hm: HighsModel, model: pyo.ConcreteModel, ix: ModelIndex) -> str:
    """A plain-words explanation of why no plan satisfies the hard rules (the elastic solve
    runs on a copy of the HiGHS instance: `hm` is left as it was)."""
    rows = _elastic_rows(hm, model)
    if not rows:
        return (
            "The model is infeasible, and it has no policy or budget rules to relax: "
            "check the Processing and Projects data."
        )
    slack = hm.least_relaxation([r for r, _, _ in rows])
    if slack is None:
        return (
            "The model is infeasible even with every policy and budget rule relaxed: "
            "check the Processing and Projects data."
        )
    return _describe(rows, slack, model, ix)


# the unit of each rule's relaxation: share rules and stock rules are rows in tonnes
UNITS = {
    "max_country_share": "t of refined supply",
    "max_concern_share": "t of refined supply",
    "min_domestic_share": "t of refined supply",
    "min_stock_days": "t of stock",
    "budget": "INR crore",
    "risk_cap": "million USD (discounted)",
    "concentration_cap": "million USD (discounted)",
}


def _describe(rows: list, slack: np.ndarray, model: pyo.ConcreteModel, ix: ModelIndex) -> str:
    by_rule: dict[tuple, list] = defaultdict(list)
    for (_, block, k), s in zip(rows, slack, strict=True):
        if s <= SLACK_TOL:
            continue
        if block in ("risk_cap", "concentration_cap"):
            name = f"{block}_musd"
            setting = f"Settings {name} ({getattr(ix, name):,.6g} million USD, discounted)"
            by_rule[(setting, block)] += [
                ("all minerals", ix.years[0], s),
                ("all minerals", ix.years[-1], 0),
            ]
        elif block == "policy":
            binding = model.policy_index[k]
            rec = ix.policy[binding.row]
            on = f" on the {binding.basis} basis" if binding.basis != "refining" else ""
            where = f"Policy row {rec.excel_row} ({binding.rule} {binding.value:g}{on}"
            where += f", {binding.country})" if binding.country != "*" else ")"
            by_rule[(where, binding.rule)].append((binding.mineral, binding.year, s))
        else:
            rec = ix.budgets[k]
            where = f"Budgets row {rec.excel_row} ({rec.funding} {rec.first_year}-{rec.last_year})"
            by_rule[(where, "budget")].append(("capital", rec.first_year, s))
    lines = [
        "No plan satisfies every rule. Each rule below must give, by at least the amount "
        "shown, for a plan to exist (the other rules can stay as they are):"
    ]
    for (where, kind), items in by_rule.items():
        minerals = sorted({m for m, _, _ in items})
        years = sorted({y for _, y, _ in items})
        total = sum(s for _, _, s in items)
        amount = f"{total:,.1f}" if total >= 1 else f"{total:.3g}"
        lines.append(
            f"  - {where}: {', '.join(minerals)} in {_years(years)}, short by {amount} "
            f"{UNITS.get(kind, '')} in total".rstrip()
        )
    return "\n".join(lines)


def _years(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
