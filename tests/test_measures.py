"""Each risk measure, once, on a hand-made flow table (planner/results/measures.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from models.index import ModelIndex
from planner.results import measures


def _index() -> ModelIndex:
    """One mineral, one year, demand 100 t at a mean refined price of 1000 USD/t
    (V = 0.1 MUSD), discount factor 0.5; risk scores China 0.5 (of concern), Congo 0.9."""
    return ModelIndex(
        years=[2030],
        first_year=2025,
        discount={2030: 0.5},
        minerals=["co"],
        home="India",
        risk_score={"China": 0.5, "Congo": 0.9, "India": 0.0},
        of_concern={"China"},
        demand_t={("co", 2030): 100.0},
        scrap_t={},
        mean_price_usd_per_t={("co", 2030): 1000.0},
    )


FLOWS = pd.DataFrame(
    # 50 t mined in Congo, refined in China; 30 t Chinese ore refined in India; 20 t recycled
    [
        (2030, "co", "Congo", "China", 50.0),
        (2030, "co", "China", "India", 30.0),
        (2030, "co", "India", "India", 20.0),
    ],
    columns=measures.FLOW_COLUMNS,
)


def test_measures_on_both_bases():
    """Refining basis: China 0.5, India 0.5 -> HHI 0.5, governance HHI 0.25 x 0.5 = 0.125,
    concern 0.5, home 0.5. Mine basis: Congo 0.5, China 0.3, India 0.2 -> HHI 0.38,
    governance 0.25 x 0.9 + 0.09 x 0.5 = 0.27, concern 0.3, home 0.2."""
    ix = _index()
    key = (2030, "co")
    refining = measures.origin_shares(FLOWS, "refining")
    mine = measures.origin_shares(FLOWS, "mine")
    assert measures.supply_total(mine)[key] == pytest.approx(100)
    assert measures.hhi(refining)[key] == pytest.approx(0.5)
    assert measures.governance_hhi(refining, ix)[key] == pytest.approx(0.125)
    assert measures.concern_share(refining, ix)[key] == pytest.approx(0.5)
    assert measures.home_share(refining, ix)[key] == pytest.approx(0.5)
    assert measures.hhi(mine)[key] == pytest.approx(0.38)
    assert measures.governance_hhi(mine, ix)[key] == pytest.approx(0.27)
    assert measures.concern_share(mine, ix)[key] == pytest.approx(0.3)
    assert measures.home_share(mine, ix)[key] == pytest.approx(0.2)


def test_concentration_with_unmet_demand():
    """Mine basis, 10 t of the 100 t demand also unmet: K = V (0.9 x 0.5^2 + 0.5 x 0.3^2)
    + 2 V x 0.1 = 0.1 x 0.27 + 0.02 = 0.047 MUSD in money of the year; discounted x 0.5."""
    ix = _index()
    mine = measures.origin_shares(FLOWS, "mine")
    unmet = {("co", 2030): 10.0}
    key = (2030, "co")
    assert measures.concentration(mine, unmet, ix, discounted=False)[key] == pytest.approx(0.047)
    assert measures.concentration(mine, unmet, ix, discounted=True)[key] == pytest.approx(0.0235)
