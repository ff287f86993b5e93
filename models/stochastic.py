"""Two-stage stochastic model over disruption scenarios (Settings mode = stochastic).

First stage, decided once for all scenarios: project builds and stakes, processing modules
built, and the stock path: inject[m,t] and the planned draws draw_plan[m,t]. Recourse, decided
per scenario history node: purchases, offtake, processing output, stock level, unmet demand,
and once the scenario has cut a mineral its stock drawn, stock bought back (at most to the
planned level: stock_cap) and the stock gap (and the policy totals R[m,t]).

Non-anticipativity is built into the variables rather than added as rows: every recourse
variable of year t is indexed by the history node of its scenario in t (models/disruption.py,
`history_nodes`), and scenarios that cannot yet be told apart in t share that node, so they
share one variable. The deterministic blocks (models/*.py) are reused as they are: each
scenario gets a view whose `buy`, `stock`, ... map the block's usual keys to its node's
variables, and identical rows of scenarios that share nodes are added once.

Objective, with p_s the scenario probabilities and z_s the scenario's discounted cost plus
risk_weight x risk exposure (the deterministic objective evaluated on its path):

    min  sum_s p_s z_s + w x CVaR_alpha(z)
    CVaR_alpha(z) = eta + 1/(1 - alpha) sum_s p_s e_s,   e_s >= z_s - eta,  e_s >= 0

(Rockafellar and Uryasev); the CVaR rows exist only when w = cvar_weight > 0. A risk_cap_musd
caps the expected risk exposure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from models import policy
from models.build import variable_bounds
from models.data import InputData
from models.disruption import Effects, Scenario, apply_effects, history_nodes, scenario_effects
from models.expr import add_rows, ge, le, linear
from models.index import ModelIndex, build_index
from models.objective import objective_terms, risk_terms
from models.registry import (
    Model,
    Stage,
    blocks_of,
    recourse_positions,
    variable,
    variables_of,
)
from models.supply_terms import collect_supply_terms

# recourse variable families: name -> position of the year in the key
RECOURSE = recourse_positions()
# blocks over first-stage variables only (added once, from the first scenario), then the
# blocks per scenario
FIRST_STAGE_BLOCKS = tuple(b for b in blocks_of(Model.STOCHASTIC) if b.stage is Stage.FIRST)
SCENARIO_BLOCKS = tuple(b for b in blocks_of(Model.STOCHASTIC) if b.stage is not Stage.FIRST)


@dataclass
class View:
    """One scenario's variables under the names and keys the deterministic blocks use."""

    build: pyo.Var
    stake: pyo.Var
    modules_built: pyo.Var
    inject: pyo.Var
    buy: dict = field(default_factory=dict)
    offtake: dict = field(default_factory=dict)
    output: dict = field(default_factory=dict)
    refine_origin: dict = field(default_factory=dict)
    stock: dict = field(default_factory=dict)
    draw: dict = field(default_factory=dict)
    unmet: dict = field(default_factory=dict)
    replenish: dict = field(default_factory=dict)
    stock_gap: dict = field(default_factory=dict)
    sourced: dict = field(default_factory=dict)
    policy_index: list = field(default_factory=list)


@dataclass
class StochasticIndex:
    """The scenarios as modelled: data, views, history nodes and probabilities."""

    base: ModelIndex  # the undisrupted data
    scenarios: list[Scenario]
    effects: list[Effects]
    ixs: list[ModelIndex]
    nodes: list[dict[int, int]]
    views: list[View] = field(default_factory=list)
    node_probability: dict[int, float] = field(default_factory=dict)

    @property
    def probabilities(self) -> list[float]:
        return [s.probability for s in self.scenarios]


def build_stochastic_model(
    data: InputData, scenarios: list[Scenario], cvar_alpha: float, cvar_weight: float
) -> pyo.ConcreteModel:
    """The two-stage model of `data` over `scenarios` (probabilities summing to 1). The
    concentration term is not available here (planner/io/validate.py refuses it)."""
    s = data.settings
    if s.concentration_weight > 0 or s.concentration_cap_musd is not None:
        raise ValueError("the stochastic model does not carry the concentration term")
    with PauseGC():
        return _build(data, scenarios, cvar_alpha, cvar_weight)


def stochastic_index(data: InputData, scenarios: list[Scenario]) -> StochasticIndex:
    base = build_index(data)
    effects = [scenario_effects(base, s) for s in scenarios]
    ixs = [apply_effects(base, e) for e in effects]
    nodes = history_nodes(effects, base.years)
    sx = StochasticIndex(base, list(scenarios), effects, ixs, nodes)
    for s, scenario in enumerate(scenarios):
        for n in set(nodes[s].values()):
            sx.node_probability[n] = sx.node_probability.get(n, 0.0) + scenario.probability
    return sx


def _build(data, scenarios, cvar_alpha, cvar_weight) -> pyo.ConcreteModel:
    sx = stochastic_index(data, scenarios)
    m = pyo.ConcreteModel(name="sourcing_plan_stochastic")
    m.ix, m.sx = sx.base, sx
    _declare_variables(m, sx)
    terms = _supply_terms_and_totals(m, sx)
    for s, view in enumerate(sx.views):
        for var, lower, upper in variable_bounds(view, sx.ixs[s]):
            var.setlb(lower)
            var.setub(upper)
    _add_rows(m, sx, terms)
    _objective(m, sx, data.settings.risk_weight, cvar_alpha, cvar_weight)
    return m


def _declare_variables(m: pyo.ConcreteModel, sx: StochasticIndex) -> None:
    """First-stage variables once; recourse variables per history node (see _declare_node_vars)."""
    ix = sx.base
    first = [v for v in variables_of(Model.STOCHASTIC) if v.stage is Stage.FIRST]
    for spec in [*first, variable("draw_plan")]:
        m.add_component(spec.name, spec.pyomo_var(spec.index(ix)))
    sx.views = [View(m.build, m.stake, m.modules_built, m.inject) for _ in sx.scenarios]
    for name, position in RECOURSE.items():
        spec = variable(name)
        if name == "draw":  # recourse only once the scenario has cut the mineral
            keys = [[k for k in spec.index(ix) if _after_cut(ix_s, k)] for ix_s in sx.ixs]
        elif spec.scenario_data:  # keys of the scenario's own data (after a disruption only)
            keys = [spec.index(ix_s) for ix_s in sx.ixs]
        else:
            keys = [spec.index(ix)] * len(sx.scenarios)
        _declare_node_vars(m, sx, name, keys, position)
    draw_keys = variable("draw").index(ix)
    for s, view in enumerate(sx.views):  # before the cut: the planned draw
        for k in draw_keys:
            if not _after_cut(sx.ixs[s], k):
                view.draw[k] = m.draw_plan[k]
        view.draw = {k: view.draw[k] for k in draw_keys}  # in key order


def _after_cut(ix: ModelIndex, key: tuple) -> bool:
    """Is (mineral, year) at or after the scenario's first cut of the mineral?"""
    start = ix.cut_start.get(key[0])
    return start is not None and key[1] >= start


def _supply_terms_and_totals(m: pyo.ConcreteModel, sx: StochasticIndex) -> list:
    """Each scenario's supply terms and policy bindings; the policy totals R[m,t] per node."""
    terms = []
    for s, view in enumerate(sx.views):
        t = collect_supply_terms(view, sx.ixs[s])
        view.policy_index = policy.expand_policy(sx.ixs[s], t)
        terms.append(t)
    share_keys = [
        sorted({(r.mineral, r.year) for r in v.policy_index if r.rule in policy.SHARE_RULES})
        for v in sx.views
    ]
    _declare_node_vars(m, sx, "sourced", share_keys, 1)
    return terms


def stock_cap(m: pyo.ConcreteModel, sx: StochasticIndex) -> dict:
    """After a scenario's first cut of mineral m, its stock is bought back at most to the
    planned level: stock[n,m,t] - sum_{y <= t} (inject[m,y] - draw_plan[m,y]) <= 0."""
    rows = {}
    for s, ix_s in enumerate(sx.ixs):
        view = sx.views[s]
        for m_name, start in ix_s.cut_start.items():
            for t in ix_s.years:
                if t < start:
                    continue
                planned = [(-1.0, m.inject[m_name, y]) for y in ix_s.years if y <= t]
                planned += [(1.0, m.draw_plan[m_name, y]) for y in ix_s.years if y <= t]
                rows[s, m_name, t] = le([(1.0, view.stock[m_name, t]), *planned], 0.0)
    return rows


def _add_rows(m: pyo.ConcreteModel, sx: StochasticIndex, terms: list) -> None:
    """First-stage blocks once; scenario blocks per scenario, a row shared by scenarios (the
    same terms on the same node variables, the same bounds) added once."""
    for block in FIRST_STAGE_BLOCKS:
        add_rows(m, block.name, _keyed(0, block.rows(sx.views[0], sx.base, terms[0])))
    for block in SCENARIO_BLOCKS:
        rows = (
            (_flat(s, key), row)
            for s, view in enumerate(sx.views)
            for key, row in block.rows(view, sx.ixs[s], terms[s]).items()
        )
        add_rows(m, block.name, _unique(rows))
    add_rows(m, "stock_cap", _unique(stock_cap(m, sx).items()))


def _unique(rows) -> dict:
    """key -> row, keeping the first of rows with the same terms (the same node variables)
    and bounds: scenarios that share a node give the same row."""
    out: dict = {}
    seen: set = set()
    for key, row in rows:
        signature = (tuple((c, id(v)) for c, v in row.terms), row.lower, row.upper)
        if signature not in seen:
            seen.add(signature)
            out[key] = row
    return out


def _flat(s: int, key) -> tuple:
    return (s, *key) if isinstance(key, tuple) else (s, key)


def _keyed(s: int, rows: dict) -> dict:
    return {_flat(s, key): row for key, row in rows.items()}


def _declare_node_vars(m, sx: StochasticIndex, name: str, keys_per_scenario, position) -> None:
    """m.<name>[node, *key] >= 0 over the nodes the scenarios pass through; each view maps
    key -> its node's variable."""
    index: dict[tuple, None] = {}
    node_keys = []
    for s, keys in enumerate(keys_per_scenario):
        nodes = sx.nodes[s]
        flat = [(nodes[k[position]], *k) for k in keys]
        node_keys.append(flat)
        index.update(dict.fromkeys(flat))
    var = variable(name).pyomo_var(index)
    m.add_component(name, var)
    data = {k: var[k] for k in index}
    for s, keys in enumerate(keys_per_scenario):
        getattr(sx.views[s], name).update(zip(keys, (data[k] for k in node_keys[s]), strict=True))


def scenario_objective_terms(sx: StochasticIndex, s: int, risk_weight: float) -> list:
    """z_s as (coef, var): the deterministic objective on scenario s's path."""
    return objective_terms(sx.views[s], sx.ixs[s], risk_weight)


def _objective(m, sx: StochasticIndex, risk_weight, cvar_alpha, cvar_weight) -> None:
    """min sum_s p_s z_s (+ w CVaR); an expected risk cap if risk_cap_musd is set."""
    ix = sx.base
    expected: dict[int, list] = {}
    cvar_rows = {}
    if cvar_weight > 0:
        m.cvar_excess = variable("cvar_excess").pyomo_var(range(len(sx.scenarios)))
        m.cvar_eta = pyo.Var(domain=pyo.Reals)  # one free variable (registry: cvar_eta)
    for s, p in enumerate(sx.probabilities):
        z = scenario_objective_terms(sx, s, risk_weight)
        for c, v in z:
            slot = expected.setdefault(id(v), [0.0, v])
            slot[0] += p * c
        if cvar_weight > 0:
            row = [(1.0, m.cvar_excess[s]), (1.0, m.cvar_eta)] + [(-c, v) for c, v in z]
            cvar_rows[s] = ge(row, ix.existing_fixed_cost_musd)
    terms = [(c, v) for c, v in expected.values() if c != 0]
    if cvar_weight > 0:
        add_rows(m, "cvar", cvar_rows)
        tail = cvar_weight / (1.0 - cvar_alpha)
        terms.append((cvar_weight, m.cvar_eta))
        terms += [(tail * p, m.cvar_excess[s]) for s, p in enumerate(sx.probabilities) if p]
    if ix.risk_cap_musd is not None:
        risk = [
            (p * c, v)
            for s, p in enumerate(sx.probabilities)
            for c, v in risk_terms(sx.views[s], sx.ixs[s])
        ]
        add_rows(m, "risk_cap", {0: le(risk, ix.risk_cap_musd)})
    m.objective = pyo.Objective(
        expr=linear(terms, constant=ix.existing_fixed_cost_musd), sense=pyo.minimize
    )
