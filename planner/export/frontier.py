"""The frontier's outputs: the Frontier workbook (one row per point, a native chart, notes)
and the cost-risk chart as a PNG, both written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from planner.analysis.frontier import MEASURES, frontier_notes
from planner.export.sweep import run_stamp, write_results
from planner.io.atomic import write_atomically
from planner.results.kpis import COST


def plot_frontier(frame: pd.DataFrame, png_path: str | Path) -> Path:
    """Cost against risk, a line with one numbered marker per point (PNG, written atomically).

    Points that leave demand unmet are drawn hollow."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 5.5), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    m = MEASURES[frame.attrs.get("measure", "exposure")]
    x, y = frame[m.column].to_numpy(float), frame[COST].to_numpy(float)
    ax.plot(x, y, "-", color="tab:blue", zorder=1)
    short = frame["total_shortfall_t"].to_numpy(float) > 1e-6 if len(frame) else np.array([])
    ax.scatter(x[~short], y[~short], color="tab:blue", zorder=2, label="demand met")
    if short.any():
        ax.scatter(
            x[short],
            y[short],
            facecolor="white",
            edgecolor="tab:red",
            zorder=2,
            label="demand partly unmet",
        )
    for point, xi, yi in zip(frame["point"], x, y, strict=True):
        ax.annotate(str(point), (xi, yi), textcoords="offset points", xytext=(6, 6), fontsize=9)
    ax.set_xlabel(m.label)
    ax.set_ylabel("discounted cost (million USD)")
    ax.set_title("Cost-risk Pareto frontier (epsilon constraint)")
    ax.grid(True, alpha=0.3)
    ax.ticklabel_format(axis="both", style="plain", useOffset=False)
    ax.get_yaxis().set_major_formatter(_thousands())
    ax.get_xaxis().set_major_formatter(_thousands())
    ax.legend(loc="upper right", fontsize=9)
    fig.tight_layout()
    return write_atomically(png_path, lambda tmp: fig.savefig(tmp, format="png"))


def _thousands():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:,.6g}")


def write_frontier(
    frame: pd.DataFrame, xlsx_path: str | Path, png_path: str | Path | None = None
) -> tuple[Path, Path]:
    """Write the Frontier workbook (table, native scatter chart, Notes) and the PNG chart.

    The PNG goes beside the workbook with a .png suffix unless `png_path` is given."""
    xlsx_path = Path(xlsx_path)
    png = Path(png_path) if png_path else xlsx_path.with_suffix(".png")
    risk = MEASURES[frame.attrs.get("measure", "exposure")].column
    a = frame.attrs
    stamp = run_stamp(
        a.get("input_file", ""),
        a.get("input_sha256", ""),
        measure=a.get("measure", ""),
        mip_gap=a.get("mip_gap"),
    )
    write_results(
        frame, xlsx_path, sheet="Frontier", notes=frontier_notes(frame), risk=risk, stamp=stamp
    )
    plot_frontier(frame, png)
    return xlsx_path, png
