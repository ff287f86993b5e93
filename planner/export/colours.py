"""One colour per origin, the same in every chart of a plan's report and workbook.

Colours are assigned per plan: the home country (and its refined-at-home output) always gets
HOME, stock drawn and unmet demand their own greys and red, and the other origins the palette
in order of the tonnes they supply over the whole plan, largest first, so that a planner sees
the same country in the same colour in every figure of one briefing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from planner.results.mix import refined_supply_mix
from planner.results.plan import Plan

# Okabe-Ito and Tableau-like hues that stay distinct in print and for most colour-blind readers
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#8C564B",
    "#17BECF",
    "#7F7F7F",
    "#BCBD22",
    "#9467BD",
    "#393B79",
    "#FF9896",
    "#C5B0D5",
    "#AD494A",
    "#FFBB78",
    "#6B6ECF",
    "#C49C94",
)
HOME = "#009E73"
STOCK = "#B0B0B0"
UNMET = "#C0392B"
OTHER = "#D9D9D9"
OTHER_LABEL = "other origins"
STOCK_LABEL = "stock drawn"
UNMET_LABEL = "(unmet demand)"


class CountryColours:
    """origin name -> hex colour for one plan."""

    def __init__(self, home: str, tonnes_by_origin: Mapping[str, float]):
        self.home = home
        ranked = sorted(
            (o for o in tonnes_by_origin if not self._fixed(o)),
            key=lambda o: (-tonnes_by_origin[o], o),
        )
        self._colour = {o: PALETTE[i % len(PALETTE)] for i, o in enumerate(ranked)}

    def _fixed(self, origin: str) -> str | None:
        if origin == self.home or origin.startswith(f"{self.home} ("):
            return HOME
        return {STOCK_LABEL: STOCK, UNMET_LABEL: UNMET, OTHER_LABEL: OTHER}.get(origin)

    def __getitem__(self, origin: str) -> str:
        return self._fixed(origin) or self._colour.get(origin, OTHER)

    def of(self, origins: Iterable[str]) -> list[str]:
        return [self[o] for o in origins]


def origin_tonnes(plan: Plan, mixes: Mapping[str, pd.DataFrame] | None = None) -> dict[str, float]:
    """Total tonnes per origin over the plan, on both bases (ranks the colours); `mixes` is
    the plan's refined_supply_mix when the caller has it already."""
    totals: dict[str, float] = {}
    for mix in (refined_supply_mix(plan) if mixes is None else mixes).values():
        for origin, tonnes in mix.sum().items():
            totals[str(origin)] = totals.get(str(origin), 0.0) + float(tonnes)
    mine = plan.mine_origin
    if len(mine):
        for origin, tonnes in mine.groupby("mine_country")["tonnes_t"].sum().items():
            totals[str(origin)] = totals.get(str(origin), 0.0) + float(tonnes)
    return totals


def plan_colours(plan: Plan, mixes: Mapping[str, pd.DataFrame] | None = None) -> CountryColours:
    """The colours of one plan's origins, the same in its workbook and its briefing."""
    home = str(plan.summary.get("home_country") or "")
    return CountryColours(home, origin_tonnes(plan, mixes))
