"""Capital budgets per funding source and window, in INR crore.

    s_b x [ sum_{p funded by f, y in [y1, y2]} capex_p x stake[p,y] x X
          + sum_{k funded by f, y in [y1, y2]} capex_k x modules_built[k,y] x X ]  <=  L_b

for each Budgets row b = (f, y1, y2, L_b, s_b), where X = inr_per_usd x 1e6 / 1e7 converts
million USD to INR crore and s_b = capex_share_pct / 100 is the share of the capital the source
pays (1 for a source that pays it all; 0.2 for a 20% capital subsidy). Capital is spent in full
in the build year. A funding source with no Budgets row has no limit. The objective counts the
whole capital whoever pays it: a subsidy moves cost between payers, not out of the economy.
"""

from __future__ import annotations

from models.expr import le
from models.index import ModelIndex
from models.variables import VariableView


def budget(m: VariableView, ix: ModelIndex, _terms) -> dict:
    """s_b x X x [sum_{p funded by f, y in [y1, y2]} capex_p x stake[p,y]
    + sum_{k funded by f, y in [y1, y2]} capex_k x modules_built[k,y]] <= L_b per Budgets row."""
    rows = {}
    for b, rec in enumerate(ix.budgets):
        f, y1, y2 = rec.funding.lower(), rec.first_year, rec.last_year
        share = float(rec.capex_share_pct) / 100.0
        terms = []
        for p, y in ix.project_build:
            if y1 <= y <= y2 and str(ix.project[p].funding).lower() == f:
                cost = share * ix.project[p].capex_musd * ix.crore_per_musd
                terms.append((cost, m.stake[p, y]))
        for k, y in ix.module_build:
            tech = ix.technology[k]
            if y1 <= y <= y2 and str(tech.funding).lower() == f:
                cost = share * tech.capex_musd_per_module * ix.crore_per_musd
                terms.append((cost, m.modules_built[k, y]))
        if terms:
            rows[b] = le(terms, rec.limit_inr_crore)
    return rows
