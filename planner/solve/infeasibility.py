"""Explain an infeasible model: which policy rules (and budgets and caps) cannot hold together.

Every policy, budget, risk-cap and concentration-cap row gets a nonnegative slack that
relaxes it; a second solve minimises the total slack (all other costs set to zero). The rules
whose slack is positive are the ones that conflict with the rest of the model; they are
reported by Policy/Budgets row (or setting), mineral and years, with the amount by which each
must give.
"""

from __future__ import annotations

import time
from collections import defaultdict

import highspy
import numpy as np
import pyomo.environ as pyo

from models.index import ModelIndex
from planner.solve.highs import INF, HighsModel


def _elastic_rows(hm: HighsModel, model: pyo.ConcreteModel) -> list[tuple[int, str, object]]:
    """(matrix row, block name, index) for every row of the policy and budget blocks."""
    rows = []
    for block in ("policy", "budget", "risk_cap", "concentration_cap"):
        for k, con in getattr(model, block).items():
            for r in hm.rows_of.get(id(con), []):
                rows.append((r, block, k))
    return rows


def explain_infeasibility(hm: HighsModel, model: pyo.ConcreteModel, ix: ModelIndex) -> str:
    """A plain-words explanation of why no plan satisfies the hard rules."""
    rows = _elastic_rows(hm, model)
    if not rows:
        return (
            "The model is infeasible, and it has no policy or budget rules to relax: "
            "check the Processing and Projects data."
        )
    h = hm.highs
    n_col = h.getNumCol()
    h.changeColsCost(n_col, np.arange(n_col, dtype=np.int32), np.zeros(n_col))
    for r, _, _ in rows:
        # a <= row is relaxed by -s, a >= row by +s; an equality row never occurs here
        coef = -1.0 if hm.row_upper[r] < INF else 1.0
        h.addCol(1.0, 0.0, INF, 1, np.array([r], dtype=np.int32), np.array([coef]))
    h.setOptionValue("time_limit", 60.0)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return (
            "The model is infeasible even with every policy and budget rule relaxed: "
            "check the Processing and Projects data."
        )
    slack = np.asarray(h.getSolution().col_value)[n_col:]
    slack = _only_what_must_move(h, n_col, rows, slack)
    return _describe(rows, slack, model, ix)


def _only_what_must_move(
    h: highspy.Highs, n_col: int, rows: list, slack: np.ndarray, budget_s: float = 60.0
) -> np.ndarray:
    """Drop rules that need not move: for each relaxed rule in turn, forbid its slack and
    re-solve; if a plan still exists, that rule stays whole. What is left is a set of rules
    each of which must give (a minimal set, found greedily, smallest relaxation first)."""
    start = time.perf_counter()
    order = [i for i in np.argsort(slack) if slack[i] > SLACK_TOL]
    for i in order[:MAX_RULE_CHECKS]:
        if time.perf_counter() - start > budget_s:
            break
        h.changeColBounds(n_col + int(i), 0.0, 0.0)
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            slack = np.asarray(h.getSolution().col_value)[n_col:].copy()
        else:
            h.changeColBounds(n_col + int(i), 0.0, INF)
    h.run()  # the last accepted state, so that the reported amounts are consistent
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        slack = np.asarray(h.getSolution().col_value)[n_col:]
    return slack


SLACK_TOL = 1e-6
MAX_RULE_CHECKS = 30
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
            where = (f"Settings {name} ({getattr(ix, name):,.6g} million USD, discounted)", block)
            by_rule[where] += [("all minerals", ix.years[0], s), ("all minerals", ix.years[-1], 0)]
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
