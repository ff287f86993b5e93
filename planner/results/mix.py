"""A plan's refined supply by origin, per mineral and year (the mix its charts show).

Origins are the countries refined imports and project offtake come from, the home country's
own processing output ("<home> (refined at home)") and stock drawn; shares of these are what a
planner reads as "where the supply comes from" on the refining basis.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from planner.results.plan import Plan

STOCK_DRAWN_LABEL = "stock drawn"
HOME_LABEL_SUFFIX = " (refined at home)"


def refined_supply_mix(plan: Plan) -> dict[str, pd.DataFrame]:
    """Refined supply by origin, per mineral: index year, one column per origin, tonnes.

    Origins: each country of refined imports and refined project offtake (Sourcing rows with
    form "refined"), domestic processing output labelled "<home_country> (refined at home)",
    and "stock drawn". Origins that supply nothing are left out, and so are minerals with no
    supply at all. Minerals are sorted by name; countries by total tonnes, largest first.
    """
    home_label = _home_label(plan.summary)
    supply = pd.concat(
        [
            _refined_sourcing(plan.sourcing),
            _origin_rows(plan.processing, "output_t", home_label),
            _origin_rows(plan.stock, "drawn_t", STOCK_DRAWN_LABEL),
        ],
        ignore_index=True,
    )
    mixes: dict[str, pd.DataFrame] = {}
    if supply.empty:
        return mixes
    # One pivot for all minerals, sorted by (mineral, year): each mineral's rows are one
    # slice, from which its block takes the origins it has, in their order.
    supply["mineral"] = supply["mineral"].map(str)
    table = supply.pivot_table(
        index=["mineral", "year"], columns="origin", values="tonnes", aggfunc="sum", fill_value=0.0
    )
    tonnes = table.to_numpy(dtype=float)
    origins = table.columns.tolist()
    minerals = table.index.get_level_values("mineral").to_numpy()
    years = table.index.get_level_values("year").to_numpy().astype(int)
    position = {origin: i for i, origin in enumerate(origins)}
    starts = np.flatnonzero(np.r_[True, minerals[1:] != minerals[:-1]])
    for start, stop in zip(starts, [*starts[1:], len(minerals)], strict=True):
        block = tonnes[start:stop]
        totals = block.sum(axis=0)
        supplied = {origins[i]: float(totals[i]) for i in np.flatnonzero(totals > 0)}
        if not supplied:
            continue
        order = _origin_order(supplied, home_label)
        mixes[str(minerals[start])] = pd.DataFrame(
            block[:, [position[o] for o in order]],
            index=pd.Index(years[start:stop], name="year"),
            columns=order,
        )
    return mixes


def _home_label(summary: Mapping[str, object]) -> str:
    """Series label of domestic processing output."""
    home = summary.get("home_country") or "domestic"
    return f"{home}{HOME_LABEL_SUFFIX}"


def _refined_sourcing(sourcing: pd.DataFrame) -> pd.DataFrame:
    """Refined Sourcing rows as (year, mineral, origin, tonnes); the origin is the country."""
    refined = sourcing[sourcing["form"] == "refined"]
    return _supply_frame(
        refined["year"], refined["mineral"], refined["country"], refined["tonnes_t"]
    )


def _origin_rows(frame: pd.DataFrame, tonnes_column: str, origin: str) -> pd.DataFrame:
    """Rows of `frame` as (year, mineral, origin, tonnes) with one fixed origin label."""
    origins = pd.Series(origin, index=frame.index, dtype=object)
    return _supply_frame(frame["year"], frame["mineral"], origins, frame[tonnes_column])


def _supply_frame(
    year: pd.Series, mineral: pd.Series, origin: pd.Series, tonnes: pd.Series
) -> pd.DataFrame:
    """Long table of refined supply; rows without a year or mineral are dropped."""
    frame = pd.DataFrame(
        {
            "year": pd.to_numeric(year, errors="coerce"),
            "mineral": mineral.astype(object),
            "origin": origin.astype(object),
            "tonnes": pd.to_numeric(tonnes, errors="coerce").fillna(0.0).astype(float),
        }
    )
    frame = frame.dropna(subset=["year", "mineral", "origin"])
    return frame.astype({"year": int})


def _origin_order(totals: Mapping[str, float], home_label: str) -> list[str]:
    """Countries by total tonnes (largest first, then by name), then home output, then stock."""
    special = [home_label, STOCK_DRAWN_LABEL]
    countries = sorted((c for c in totals if c not in special), key=lambda c: (-totals[c], str(c)))
    return countries + [c for c in special if c in totals]
