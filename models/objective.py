"""Objective: discounted cost + risk_weight x discounted risk exposure
+ concentration_weight x the discounted concentration term (million USD).

  cost = sum_{c,m,f,t} buy x (price_t (1 + tariff/100) + freight) x d_t
       + sum_{p,y} stake[p,y] x (capex_p x CRF_p + fixed_opex_p) x sum_{t online} d_t
       + sum_{p,t} offtake x unit_cost_p x d_t
       + sum_{k,y} modules_built x (capex_k x CRF_k + fixed_opex_k) x sum_{t online} d_t
       + existing modules' fixed opex + sum_{k,t} output x unit_cost_k x d_t
       + sum_{m,t} stock x holding_usd_per_t x d_t + sum_{m,t} draw x RELEASE x d_t
       + sum_{m,t} (unmet + stock gap outside cut years) x penalty_m x d_t
  risk = sum_{c,m,f,t} buy x price_t x risk_score_c x d_t
       + sum_{p,t} offtake x unit_cost_p x risk_score_{country(p)} x d_t
       + sum_{m,t} unmet x P[m,t] x 1.0 x d_t
  concentration: see models/concentration.py

with d_t = (1 + discount_rate)^-(t - first_year), CRF = r / (1 - (1 + r)^-life) the capital
recovery factor (capital is paid as an annuity in the online years inside the horizon).
Domestic processing adds no exposure: its concentrate feed carried it when bought. Unmet
demand is exposed at P[m,t], the year's mean refined price (the stock holding cost's
convention), times 1.0, the worst risk score: a plan cannot lower its risk by leaving demand
unmet.
RELEASE = 1 USD per tonne drawn from stock (an assumption: handling): without any cost on a
draw, injecting and drawing the same tonne in one year would cost nothing, and plans would show
such meaningless pairs.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.concentration import concentration_terms
from models.expr import le, linear
from models.index import USD_PER_MUSD, ModelIndex
from models.variables import VariableView

STOCK_RELEASE_USD_PER_T = 1.0


def cost_terms(m: VariableView, ix: ModelIndex) -> dict[str, list]:
    """Discounted cost in million USD, by part, as (coef, var) lists."""
    d = ix.discount
    musd = 1.0 / USD_PER_MUSD
    return {
        "purchases": [(ix.landed_usd_per_t[k] * d[k[3]] * musd, v) for k, v in m.buy.items()],
        "project_capital_and_fixed": [
            (ix.project_build_cost_musd[k], v) for k, v in m.stake.items()
        ],
        "project_operating": [
            (ix.project[p].unit_cost_usd_per_t * d[t] * musd, v) for (p, t), v in m.offtake.items()
        ],
        "processing_capital_and_fixed": [
            (ix.module_build_cost_musd[k], v) for k, v in m.modules_built.items()
        ],
        "processing_operating": [
            (ix.technology[k].unit_cost_usd_per_t * d[t] * musd, v)
            for (k, t), v in m.output.items()
        ],
        "stock_holding": [(ix.holding_usd_per_t[k] * d[k[1]] * musd, v) for k, v in m.stock.items()]
        + [(STOCK_RELEASE_USD_PER_T * d[k[1]] * musd, v) for k, v in m.draw.items()],
        "shortfall_penalty": [
            (ix.shortfall_usd_per_t[k[0]] * d[k[1]] * musd, v) for k, v in m.unmet.items()
        ]
        + [
            (ix.shortfall_usd_per_t[k[0]] * d[k[1]] * musd, v)
            for k, v in m.stock_gap.items()
            if k not in ix.stock_gap_free_t
        ],
    }


# the risk score of unmet demand: the worst there is
UNMET_RISK_SCORE = 1.0


def risk_terms_by_mineral_year(m: VariableView, ix: ModelIndex) -> dict[tuple, list]:
    """(mineral, year) -> discounted risk exposure in million USD, as (coef, var)."""
    d = ix.discount
    musd = 1.0 / USD_PER_MUSD
    terms: dict[tuple, list] = {
        key: [] for key in ((mi, t) for mi in ix.minerals for t in ix.years)
    }
    for k, v in m.buy.items():
        coef = ix.price_usd_per_t[k] * ix.risk_score.get(k[0], 0.0) * d[k[3]] * musd
        terms[k[1], k[3]].append((coef, v))
    for (p, t), v in m.offtake.items():
        rec = ix.project[p]
        coef = rec.unit_cost_usd_per_t * ix.risk_score.get(rec.country, 0.0)
        terms[rec.mineral, t].append((coef * d[t] * musd, v))
    for (mineral, t), v in m.unmet.items():
        coef = ix.mean_price_usd_per_t[mineral, t] * UNMET_RISK_SCORE * d[t] * musd
        terms[mineral, t].append((coef, v))
    return {key: [(c, v) for c, v in part if c != 0] for key, part in terms.items()}


def risk_terms(m: VariableView, ix: ModelIndex, by_mineral_year: dict | None = None) -> list:
    """Discounted risk exposure in million USD, as (coef, var); from `by_mineral_year`
    (risk_terms_by_mineral_year's result) when the caller has it."""
    groups = risk_terms_by_mineral_year(m, ix) if by_mineral_year is None else by_mineral_year
    return [term for part in groups.values() for term in part]


def risk_cap(m: VariableView, ix: ModelIndex, _terms) -> dict:
    """risk <= risk_cap_musd (risk: the discounted exposure of the objective), when Settings
    sets a cap (the epsilon-constraint frontier)."""
    if ix.risk_cap_musd is None:
        return {}
    return {0: le(risk_terms(m, ix), ix.risk_cap_musd)}


def objective_terms(
    m: VariableView, ix: ModelIndex, risk_weight: float, risk_groups: dict | None = None
) -> list:
    """(coef, var) of cost + risk_weight x risk + concentration_weight x K; zero coefficients
    dropped; `risk_groups` are risk_terms_by_mineral_year's when the caller has them."""
    cost = [term for part in cost_terms(m, ix).values() for term in part]
    risk = [(risk_weight * c, v) for c, v in risk_terms(m, ix, risk_groups)]
    weight = ix.concentration_weight
    concentration = [(weight * c, v) for c, v in concentration_terms(m, ix)] if weight > 0 else []
    return [t for t in cost + risk + concentration if t[0] != 0]


def add_objective(m: pyo.ConcreteModel, ix: ModelIndex, risk_weight: float) -> None:
    """min cost + risk_weight x risk (plus the constant fixed opex of existing modules)."""
    m.objective = pyo.Objective(
        expr=linear(objective_terms(m, ix, risk_weight), constant=ix.existing_fixed_cost_musd),
        sense=pyo.minimize,
    )
