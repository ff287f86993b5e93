"""Plans that do not flip: as a supplier's availability falls, the optimal cost never falls
and that supplier's share never rises, and sweep points equal direct solves of their data."""

from __future__ import annotations

import itertools

import pytest

from planner.analysis import params
from planner.analysis.sweep import Point
from planner.api import load_input, solve, sweep
from tests.builders import countries, demand, minerals, supply, write_workbook

FACTORS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)
CHINA = "Supply[country=China,mineral=graphite].available_t"


@pytest.fixture(scope="module")
def graphite(tmp_path_factory):
    """Graphite 2025-2027, demand 100 -> 140 t. China sells refined graphite (90 t/yr at
    3000 USD/t) and concentrate (150 t at 900); Mozambique concentrate (200 t at 1000 + 200
    freight); Japan refined (100 t at 3600). A home anode plant is built in modules of 40 t
    output (yield 0.7, 2 MUSD each, life 10 years): a MIP whose choices move with China's
    availability."""
    path = tmp_path_factory.mktemp("g") / "graphite.xlsx"
    sheets = {
        "Minerals": minerals("graphite", penalty=50_000),
        "Countries": countries(("China", 0.52, "yes"), ("Mozambique", 0.8), ("Japan", 0.09)),
        "Demand": [demand("graphite", {2025: 100, 2027: 140})],
        "Supply": [
            supply("China", "graphite", "refined", 90, 3000),
            supply("China", "graphite", "concentrate", 150, 900),
            supply("Mozambique", "graphite", "concentrate", 200, 1000, freight_usd_per_t=200),
            supply("Japan", "graphite", "refined", 100, 3600),
        ],
        "Processing": [
            {
                "technology": "anode",
                "mineral": "graphite",
                "feed": "concentrate",
                "module_t": 40,
                "yield": 0.7,
                "capex_musd_per_module": 0.05,
                "unit_cost_usd_per_t": 400,
                "max_modules": 4,
                "life_years": 10,
            }
        ],
    }
    settings = {"schema_version": 3, "last_year": 2027, "mip_gap": 0.0}
    return load_input(write_workbook(path, sheets, settings))


def _china_mine_share(plan) -> float:
    """China's share of sourced refined graphite over the horizon, mine basis."""
    flows = plan.mine_origin
    return float(flows.loc[flows["mine_country"] == "China", "tonnes_t"].sum()) / float(
        flows["tonnes_t"].sum()
    )


def test_less_china_supply_never_lowers_cost_nor_raises_china_share(graphite):
    """Each point cuts China's availability (refined and concentrate) further: the feasible
    set shrinks, so the optimal cost cannot fall; China, the cheapest source, is bought to
    its limit, so its mine-basis share cannot rise. Sweep points (re-solved in place) equal
    direct solves of the same data (the MIP is solved to a gap of 0)."""
    points = [Point(i, ((CHINA, "scale", f),)) for i, f in enumerate(FACTORS)]
    frame = sweep(graphite, points, baseline=False)
    assert list(frame["status"]) == ["optimal"] * len(FACTORS)
    costs, shares = [], []
    for i, factor in enumerate(FACTORS):
        data = graphite.copy()
        params.apply(data, params.parse_key(CHINA), "scale", factor)
        plan = solve(data)
        assert frame.loc[i, "objective_musd"] == pytest.approx(
            plan.summary["objective_musd"], rel=1e-9
        ), factor
        costs.append(plan.summary["total_cost_discounted_musd"])
        shares.append(_china_mine_share(plan))
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(costs)), costs
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(shares)), shares
    assert costs[-1] > costs[0] and shares[-1] < shares[0]  # the cut matters
