"""The briefing's figures, drawn with matplotlib from a Plan: one function per figure.

matplotlib because it is already a dependency (the frontier's PNG), draws without a display
(the object API with the Agg canvas: no pyplot state, safe in worker processes), and writes
PNGs that paste into slides and embed into a self-contained HTML page. Every figure colours an
origin with the plan's CountryColours, so a country has one colour throughout a briefing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter, MaxNLocator

from planner.export.colours import OTHER_LABEL, CountryColours
from planner.results.plan import Plan

TOP_ORIGINS = 7  # origins named in a supply chart; the rest are "other origins"
DPI = 150
MINERAL_COLOURS = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
)


@dataclass
class FigureFile:
    """A drawn figure: a file name for slides, its title and its PNG bytes."""

    name: str
    title: str
    png: bytes


def _new(width_in: float, height_in: float) -> Figure:
    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _tonnes_axis(ax, values: np.ndarray) -> str:
    """Label an axis in t or kt (whichever reads better) and return the unit."""
    top = np.nanmax(values, initial=0.0)
    scale, unit = (1e6, "Mt") if top >= 1e7 else (1e3, "kt") if top >= 1e4 else (1.0, "t")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v / scale:,.0f}"))
    return unit


def _top(frame: pd.DataFrame, keep_first: list[str]) -> pd.DataFrame:
    """Columns of the TOP_ORIGINS largest origins (those in keep_first always), the rest
    summed as OTHER_LABEL."""
    totals = frame.sum().sort_values(ascending=False)
    named = [c for c in keep_first if c in frame.columns]
    named += [c for c in totals.index if c not in named][: max(TOP_ORIGINS - len(named), 0)]
    rest = [c for c in frame.columns if c not in named]
    out = frame[named].copy()
    if rest and frame[rest].to_numpy().sum() > 0:
        out[OTHER_LABEL] = frame[rest].sum(axis=1)
    return out


def mine_mix(plan: Plan, mineral: str) -> pd.DataFrame:
    """Sourced refined supply of a mineral by mine origin: index year, one column per origin."""
    rows = plan.mine_origin[plan.mine_origin["mineral"] == mineral]
    if rows.empty:
        return pd.DataFrame()
    table = rows.pivot_table(
        index="year", columns="mine_country", values="tonnes_t", aggfunc="sum", fill_value=0.0
    )
    table.index = table.index.astype(int)
    return table[table.sum().sort_values(ascending=False).index]


def supply_figure(
    plan: Plan, mineral: str, refined: pd.DataFrame | None, colours: CountryColours
) -> Figure | None:
    """Refined supply of one mineral by origin over time: where it was refined (left; its
    refined_supply_mix) and where it was mined (right), stacked areas in tonnes."""
    mined = mine_mix(plan, mineral)
    if refined is None or refined.empty:
        return None
    home = colours.home
    fig = _new(11, 4.2)
    panels = [("where it was refined", refined), ("where it was mined", mined)]
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (title, mix) in zip(axes, panels, strict=True):
        ax.set_title(f"{mineral}: {title}", fontsize=11)
        if mix is None or mix.empty:
            ax.text(0.5, 0.5, "no mine-origin data", ha="center", transform=ax.transAxes)
            continue
        shown = _top(mix, [c for c in mix.columns if str(c).startswith(home)])
        years = shown.index.to_numpy()
        ax.stackplot(
            years,
            shown.to_numpy().T,
            labels=[str(c) for c in shown.columns],
            colors=colours.of(str(c) for c in shown.columns),
            linewidth=0.3,
            edgecolor="white",
        )
        unit = _tonnes_axis(ax, shown.sum(axis=1).to_numpy())
        ax.set_ylabel(f"refined supply ({unit})")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(loc="upper left", fontsize=7, ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def flow_figure(plan: Plan, mineral: str, year: int, colours: CountryColours) -> Figure | None:
    """Where the mineral India uses in `year` comes from: mine country -> refining country
    -> India, bands as wide as the tonnes (an alluvial diagram)."""
    rows = plan.mine_origin[
        (plan.mine_origin["mineral"] == mineral) & (plan.mine_origin["year"] == year)
    ]
    rows = rows[rows["tonnes_t"] > 0]
    if rows.empty:
        return None
    flows = rows.groupby(["mine_country", "refining_country"])["tonnes_t"].sum()
    mine_totals = flows.groupby(level=0).sum().sort_values(ascending=False)
    refine_totals = flows.groupby(level=1).sum().sort_values(ascending=False)
    total = float(flows.sum())
    fig = _new(9, 5.2)
    ax = fig.add_subplot()
    ax.set_axis_off()
    gap = 0.02
    x_mine, x_refine, x_home, width = 0.05, 0.47, 0.89, 0.06

    def stack(totals: pd.Series) -> dict[str, float]:
        spare = 1.0 - gap * (len(totals) - 1)
        tops, y = {}, 1.0
        for name, tonnes in totals.items():
            tops[str(name)] = y
            y -= tonnes / total * spare + gap
        return tops

    mine_top, refine_top = stack(mine_totals), stack(refine_totals)
    spare_mine = 1.0 - gap * (len(mine_totals) - 1)
    spare_refine = 1.0 - gap * (len(refine_totals) - 1)
    mine_cursor, refine_in = dict(mine_top), dict(refine_top)
    refine_out = dict(refine_top)
    for (mine, refiner), tonnes in flows.sort_values(ascending=False).items():
        mine, refiner = str(mine), str(refiner)
        h1, h2 = tonnes / total * spare_mine, tonnes / total * spare_refine
        _band(ax, x_mine + width, mine_cursor[mine], h1, x_refine, refine_in[refiner], h2,
              colours[mine])  # fmt: skip
        mine_cursor[mine] -= h1
        refine_in[refiner] -= h2
    home_y = 1.0
    for refiner, tonnes in refine_totals.items():
        h2 = tonnes / total * spare_refine
        h3 = tonnes / total
        _band(ax, x_refine + width, refine_out[str(refiner)], h2, x_home, home_y, h3,
              colours[str(refiner)])  # fmt: skip
        home_y -= h3
    for x, totals, tops, spare in (
        (x_mine, mine_totals, mine_top, spare_mine),
        (x_refine, refine_totals, refine_top, spare_refine),
    ):
        for name, tonnes in totals.items():
            h = tonnes / total * spare
            top = tops[str(name)]
            ax.add_patch(Rectangle((x, top - h), width, h, color=colours[str(name)]))
            label = f"{name} {100 * tonnes / total:.0f}%"
            side = -0.01 if x == x_mine else width + 0.01
            ha = "right" if x == x_mine else "left"
            if h > 0.012:
                ax.text(x + side, top - h / 2, label, ha=ha, va="center", fontsize=8)
    ax.add_patch(Rectangle((x_home, 0.0), width, 1.0, color=colours[colours.home]))
    ax.text(x_home + width + 0.01, 0.5, colours.home, va="center", fontsize=9)
    ax.text(x_mine + width / 2, 1.04, "mined in", ha="center", fontsize=9, weight="bold")
    ax.text(x_refine + width / 2, 1.04, "refined in", ha="center", fontsize=9, weight="bold")
    ax.text(x_home + width / 2, 1.04, "used in", ha="center", fontsize=9, weight="bold")
    ax.set_xlim(-0.12, 1.08)
    ax.set_ylim(-0.03, 1.09)
    ax.set_title(f"{mineral} in {year}: {total:,.0f} t of sourced refined supply", fontsize=11)
    return fig


def _band(ax, x0: float, top0: float, h0: float, x1: float, top1: float, h1: float, colour):
    """A band from (x0, top0 - h0..top0) to (x1, top1 - h1..top1), eased as a cubic curve."""
    mid = (x0 + x1) / 2
    vertices = [
        (x0, top0),
        (mid, top0),
        (mid, top1),
        (x1, top1),
        (x1, top1 - h1),
        (mid, top1 - h1),
        (mid, top0 - h0),
        (x0, top0 - h0),
        (x0, top0),
    ]
    codes = [MplPath.MOVETO] + [MplPath.CURVE4] * 3 + [MplPath.LINETO] + [MplPath.CURVE4] * 3
    codes += [MplPath.CLOSEPOLY]
    ax.add_patch(PathPatch(MplPath(vertices, codes), facecolor=colour, alpha=0.45, lw=0))


def projects_figure(plan: Plan, last_year: int, colours: CountryColours) -> Figure | None:
    """Each project chosen: construction from the build year (hatched), then output to the
    end of the horizon, coloured by host country, labelled with stake and mineral."""
    projects = plan.projects.sort_values(["online_year", "project"])
    if projects.empty:
        return None
    fig = _new(11, 0.45 * len(projects) + 1.4)
    ax = fig.add_subplot()
    for i, rec in enumerate(projects.itertuples(index=False)):
        build, online = int(rec.build_year), int(rec.online_year)
        colour = colours[str(rec.country)]
        ax.barh(i, online - build, left=build, color="white", edgecolor=colour, hatch="///")
        ax.barh(i, last_year + 1 - online, left=online, color=colour)
        ax.text(
            last_year + 1.2,
            i,
            f"{100 * float(rec.stake):.0f}% of {rec.project} ({rec.mineral}, {rec.country})",
            va="center",
            fontsize=8,
        )
    ax.set_yticks([])
    ax.invert_yaxis()
    first = int(projects["build_year"].min())
    ax.set_xlim(first - 0.5, last_year + 9)  # room on the right for the labels
    ax.set_xticks(list(range(first, last_year + 1, max(1, (last_year - first) // 6 or 1))))
    ax.set_xlabel("year (hatched: building; solid: producing)")
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_title("Projects taken up", fontsize=11)
    fig.tight_layout()
    return fig


def budget_figure(plan: Plan) -> Figure | None:
    """Capital used against each Budgets row's limit (INR crore)."""
    budgets = plan.budgets
    if budgets.empty:
        return None
    labels = [
        f"{r.funding} {int(r.first_year)}-{int(r.last_year)}"
        for r in budgets.itertuples(index=False)
    ]
    fig = _new(9, 0.55 * len(budgets) + 1.3)
    ax = fig.add_subplot()
    y = np.arange(len(budgets))
    limit = budgets["limit_inr_crore"].to_numpy(float)
    spent = budgets["spent_inr_crore"].to_numpy(float)
    ax.barh(y, limit, color="#DDDDDD", label="limit")
    ax.barh(y, spent, height=0.5, color="#0072B2", label="used by the plan")
    for yi, s, lim in zip(y, spent, limit, strict=True):
        share = f"{100 * s / lim:.0f}%" if lim > 0 else ""
        label = f"{s:,.0f} of {lim:,.0f} ({share})"
        ax.text(max(s, lim) * 1.01, float(yi), label, va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(limit.max(), spent.max()) * 1.45)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax.set_xlabel("INR crore")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_title("Budget use per funding source", fontsize=11)
    fig.tight_layout()
    return fig


RISK_PANELS = (
    ("hhi", "HHI of refining origins"),
    ("hhi_mine", "HHI of mine origins"),
    ("concern_share", "share refined in countries of concern"),
    ("concern_share_mine", "share mined in countries of concern"),
)


def risk_figure(plan: Plan) -> Figure | None:
    """Concentration (HHI) and dependence on countries of concern, per mineral and year, on
    the refining and the mine basis."""
    risk = plan.risk
    if risk.empty:
        return None
    fig = _new(11, 7)
    axes = fig.subplots(2, 2, sharex=True).ravel()
    minerals = sorted(risk["mineral"].astype(str).unique())
    for ax, (column, title) in zip(axes, RISK_PANELS, strict=True):
        for i, mineral in enumerate(minerals):
            rows = risk[risk["mineral"] == mineral].sort_values("year")
            ax.plot(
                rows["year"].astype(int),
                rows[column].astype(float),
                label=mineral,
                color=MINERAL_COLOURS[i % len(MINERAL_COLOURS)],
            )
        ax.set_title(title, fontsize=10)
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=7, ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def shortfall_figure(plan: Plan) -> Figure | None:
    """Demand left unmet per mineral and year (only when there is some)."""
    short = plan.shortfall
    if short.empty or float(short["unmet_t"].sum()) <= 0:
        return None
    table = short.pivot_table(index="year", columns="mineral", values="unmet_t", aggfunc="sum")
    table = table.loc[:, table.sum() > 0]
    fig = _new(9, 4)
    ax = fig.add_subplot()
    bottom = np.zeros(len(table))
    for i, mineral in enumerate(table.columns):
        values = table[mineral].to_numpy(float)
        ax.bar(table.index.astype(int), values, bottom=bottom, label=str(mineral),
               color=MINERAL_COLOURS[i % len(MINERAL_COLOURS)])  # fmt: skip
        bottom += values
    unit = _tonnes_axis(ax, bottom)
    ax.set_ylabel(f"unmet demand ({unit})")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title("Demand left unmet", fontsize=11)
    fig.tight_layout()
    return fig


def scenario_figure(scenarios: pd.DataFrame, value: str, title: str) -> Figure | None:
    """One bar per scenario of a stochastic plan or a stress test (column `value`)."""
    if scenarios.empty or value not in scenarios.columns:
        return None
    fig = _new(9, 0.4 * len(scenarios) + 1.4)
    ax = fig.add_subplot()
    y = np.arange(len(scenarios))
    ax.barh(y, scenarios[value].astype(float), color="#D55E00")
    ax.set_yticks(y, scenarios["scenario"].astype(str), fontsize=8)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax.set_xlabel(value)
    ax.set_title(title, fontsize=11)
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    return fig
