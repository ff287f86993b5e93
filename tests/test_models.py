"""The formulation's sets and sizes: sparse index sets, and pinned sizes of the example."""

from __future__ import annotations

import pytest

from examples.teaching_workbook import write as write_teaching
from models.build import build_model
from models.index import build_index, capital_recovery_factor, crore_per_musd
from planner.api import load_input, solve


@pytest.fixture(scope="module")
def teaching(tmp_path_factory):
    return load_input(write_teaching(tmp_path_factory.mktemp("t") / "teaching.xlsx"))


def test_capital_recovery_factor():
    """CRF(r, n) = r / (1 - (1 + r)^-n); at r = 0 it is 1/n."""
    assert capital_recovery_factor(0.0, 4) == pytest.approx(0.25)
    assert capital_recovery_factor(0.1, 10) == pytest.approx(0.16274539)
    assert crore_per_musd(85.0) == pytest.approx(8.5)


def test_index_sets_are_sparse(teaching):
    """Purchases exist only on supply rows, and concentrate only in the years a refinery of
    its mineral can run; build years only where output starts in horizon."""
    ix = build_index(teaching)
    years = teaching.settings.years
    # 4 refined rows x 6 years; lithium concentrate from Australia from 2026, when the
    # refinery (lead 1, none existing) can first run; DR Congo's cobalt concentrate never
    # (cobalt has a recycler, no refinery)
    refined = [(c, m, f, t) for c, m, f in _rows(teaching, "refined") for t in years]
    concentrate = [("Australia", "lithium", "concentrate", t) for t in range(2026, 2031)]
    assert sorted(ix.buy) == sorted(refined + concentrate)
    assert len(refined) == 24
    # the dropped rows' figures are kept: mean prices and a disruption's losses use them
    assert ("DR Congo", "cobalt", "concentrate", 2025) in ix.available_t
    # Chile JV: lead 2, horizon 2025-2030 -> build years 2025..2028, online 2027..2030
    builds = [y for p, y in ix.project_build if p == "Chile lithium JV"]
    assert builds == [2025, 2026, 2027, 2028]
    online = [t for p, t in ix.project_online if p == "Chile lithium JV"]
    assert online == [2027, 2028, 2029, 2030]
    assert ix.builds_online["Chile lithium JV", 2028] == [2025, 2026]
    # recycler: lead 1, no existing modules -> output possible from 2026 only
    assert [t for k, t in ix.tech_online if k == "co_recycler"] == list(range(2026, 2031))


def test_teaching_example_size_and_objective_are_pinned(teaching):
    """A change to these numbers is a change to the formulation: update them on purpose."""
    model = build_model(teaching)
    assert len(model.buy) == 29
    assert len(model.build) == 8 and len(model.modules_built) == 10
    plan = solve(teaching)
    # 5 refinery outputs by concentrate origin; 7 unusable concentrate purchases not built
    assert plan.summary["variables"] == 134
    assert plan.summary["integer_variables"] == 18
    assert plan.summary["constraints"] == 116  # 5 refinery splits
    assert plan.summary["objective_musd"] == pytest.approx(668.61417, rel=1e-6)


def _rows(data, form: str) -> list[tuple[str, str, str]]:
    supply = data.supply[data.supply["form"] == form]
    return list(zip(supply["country"], supply["mineral"], supply["form"], strict=True))


def test_a_cut_counts_the_tonnes_of_concentrate_no_refinery_can_use(teaching):
    """DR Congo's cobalt concentrate is never bought (no cobalt refinery), but a disruption
    cutting DR Congo's cobalt concentrate by half still counts half its tonnes in the supply
    lost (with half the capacity of the cobalt concentrate project there, at its largest
    stake), as when the purchase set held every Supply row: the stock rules after a cut read
    those tonnes."""
    from models.disruption import Event, Scenario, scenario_effects, supply_lost

    ix = build_index(teaching)
    assert not [k for k in ix.buy if k[0] == "DR Congo"]
    cut = Event("DR Congo", "cobalt", "concentrate", 2027, 2028, supply_cut_pct=50.0)
    lost = supply_lost(ix, scenario_effects(ix, Scenario("cut", 0.1, (cut,))))
    projects = sum(
        0.5 * rec.capacity_t * rec.max_stake
        for rec in ix.project.values()
        if (rec.country, rec.mineral, rec.form) == ("DR Congo", "cobalt", "concentrate")
    )
    bought = {t: 0.5 * ix.available_t["DR Congo", "cobalt", "concentrate", t] for t in (2027, 2028)}
    assert all(v > 0 for v in bought.values())
    assert lost == pytest.approx({("cobalt", t): v + projects for t, v in bought.items()})
