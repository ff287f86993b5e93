"""The briefing: one self-contained HTML page of a plan, and its figures as PNG files.

`write_briefing(plan_path)` reads a plan workbook (and, where it can find them, the input
workbook's Sources sheet and a stress workbook) and writes PLAN.html beside it: headline figures
in words, supply by origin per mineral on the refining and the mine basis, the flow from mine
countries through refining countries to the home country, the projects timeline, budget use,
risk measures over time, shortfalls, disruption results where the plan has them, notes, sources
and assumptions, and the run stamp. Figures are embedded as PNG data (no network is needed to
view the page) and also written to PLAN_figures/ for slides.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from planner.export.colours import plan_colours
from planner.export.figures import (
    FigureFile,
    budget_figure,
    flow_figure,
    png_bytes,
    projects_figure,
    risk_figure,
    scenario_figure,
    shortfall_figure,
    supply_figure,
)
from planner.export.plan import read_plan
from planner.io.atomic import slug, write_atomically
from planner.results.mix import refined_supply_mix
from planner.results.plan import Plan

EXTRA_SHEETS = ("Scenarios", "VersusDeterministic")
STYLE = """
body { font-family: "Segoe UI", Calibri, Arial, sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #0072B2;
     padding-bottom: 0.2em; margin-top: 2em; } h3 { margin-bottom: 0.3em; }
.headline { font-size: 1.1em; background: #F2F7FB; padding: 0.8em 1em; border-radius: 4px; }
figure { margin: 1em 0; page-break-inside: avoid; } figure img { max-width: 100%; }
figcaption { font-size: 0.9em; color: #555; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left;
         overflow-wrap: anywhere; max-width: 30em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } th { background: #DDEBF7; }
.stamp td:first-child { color: #555; } .small { font-size: 0.85em; color: #555; }
@media print { body { max-width: none; margin: 0; } h2 { page-break-before: auto; }
               table, figure { page-break-inside: avoid; } }
"""
# After loading, the page records how many figures decoded (read by tests in a real browser)
CHECK_SCRIPT = """
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var shown = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute("data-figures", String(images.length));
  document.body.setAttribute("data-figures-shown", String(shown.length));
});
"""


def default_briefing_path(plan_path: str | Path) -> Path:
    return Path(plan_path).with_suffix(".html")


def write_briefing(
    plan_path: str | Path,
    html_path: str | Path | None = None,
    figures_dir: str | Path | None = None,
    input_path: str | Path | None = None,
    stress_path: str | Path | None = None,
) -> tuple[Path, list[Path]]:
    """Write the briefing of a plan workbook; returns the HTML path and the PNG paths."""
    plan_path = Path(plan_path)
    target = Path(html_path) if html_path else default_briefing_path(plan_path)
    figures_dir = Path(figures_dir) if figures_dir else target.with_name(f"{target.stem}_figures")
    plan = read_plan(plan_path, extra_sheets=EXTRA_SHEETS)
    inputs = Path(input_path) if input_path else _find_input(plan, plan_path)
    sources = _sources(inputs) if inputs else None
    stress = _stress_scenarios(Path(stress_path)) if stress_path else None
    page, figures = render(plan, plan_path.name, sources, inputs, stress)
    figures_dir.mkdir(parents=True, exist_ok=True)
    written = [
        write_atomically(figures_dir / f"{figure.name}.png", _writer(figure.png))
        for figure in figures
    ]
    write_atomically(target, _writer(page.encode("utf-8")))
    return target, written


def _writer(content: bytes):
    def write(tmp: Path) -> None:
        Path(tmp).write_bytes(content)

    return write


# ------------------------------------------------------------------------------ reading
def _find_input(plan: Plan, plan_path: Path) -> Path | None:
    """The input workbook the plan names, beside the plan or in the working directory."""
    name = str(plan.summary.get("input_file") or "")
    if not name:
        return None
    for folder in (plan_path.parent, Path.cwd(), plan_path.parent.parent):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _sources(input_path: Path) -> pd.DataFrame | None:
    """The input workbook's Sources sheet as it is (None if it has none)."""
    try:
        frame = pd.read_excel(input_path, sheet_name="Sources", engine="openpyxl")
    except (ValueError, OSError):
        return None
    return frame.dropna(how="all")


def _stress_scenarios(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name="Scenarios", engine="openpyxl")


# ------------------------------------------------------------------------------ words
def money(musd: float) -> str:
    """Million USD in words: USD 209.9 billion, USD 431 million."""
    if abs(musd) >= 1000:
        return f"USD {musd / 1000:,.1f} billion"
    return f"USD {musd:,.0f} million"


def tonnes(t: float) -> str:
    if abs(t) >= 1e6:
        return f"{t / 1e6:,.2f} Mt"
    if abs(t) >= 1e4:
        return f"{t / 1e3:,.0f} kt"
    return f"{t:,.0f} t"


def _shares_in_words(row: pd.Series, limit: int = 3) -> str:
    """The largest shares of a row of tonnes by origin, as "China 40%, Chile 38%"."""
    total = float(row.sum())
    if total <= 0:
        return "nothing"
    top = row.sort_values(ascending=False).head(limit)
    return ", ".join(
        f"{name} {100 * v / total:.0f}%" for name, v in top.items() if v >= 0.005 * total
    )


def headline(plan: Plan) -> list[str]:
    """The plan's key figures as sentences."""
    s = plan.summary

    def number(name: str) -> float:
        return plan.figure(name) or 0.0

    horizon = str(s.get("horizon", ""))
    first_year = horizon.split("-")[0] if horizon else ""
    rate = number("discount_rate")
    home = str(s.get("home_country", "the home country"))
    lines = [
        f"The plan costs {money(number('total_cost_discounted_musd'))} over {horizon} "
        f"(discounted at {100 * rate:.0f}% a year to {first_year}), of which purchases are "
        f"{money(number('cost_purchases_discounted_musd'))}.",
    ]
    short = number("total_shortfall_t")
    lines.append(
        "All demand is met in every year."
        if short <= 0
        else f"{tonnes(short)} of demand is left unmet over the horizon (see Shortfalls)."
    )
    projects = plan.projects
    if len(projects):
        capex = float(projects["capex_musd"].sum())
        lines.append(
            f"It takes stakes in {len(projects)} projects abroad or at home, for "
            f"{money(capex)} of capital (money of the year)."
        )
    built = plan.processing["modules_built"].fillna(0).sum() if len(plan.processing) else 0
    if built:
        lines.append(f"It builds {int(built)} processing modules in {home}.")
    lines.append(
        f"Its discounted risk exposure is {money(number('risk_exposure_discounted_musd'))}"
        f" and its concentration term {money(number('concentration_discounted_musd'))} "
        f"(on the {s.get('concentration_basis', 'mine')} basis)."
    )
    status, gap = s.get("status"), s.get("gap")
    if isinstance(gap, int | float):
        lines.append(
            f"HiGHS status: {status}; the plan is within {100 * gap:.3g}% of the best possible "
            "cost (the MIP gap)."
        )
    return lines


# ------------------------------------------------------------------------------ page
def render(
    plan: Plan,
    plan_name: str,
    sources: pd.DataFrame | None = None,
    input_path: Path | None = None,
    stress: pd.DataFrame | None = None,
) -> tuple[str, list[FigureFile]]:
    """The HTML page and its figures."""
    s = plan.summary
    home = str(s.get("home_country", ""))
    mixes = refined_supply_mix(plan)
    colours = plan_colours(plan, mixes)
    years = sorted(int(y) for y in plan.risk["year"].unique()) if len(plan.risk) else []
    last_year = years[-1] if years else 0
    figures: list[FigureFile] = []
    body: list[str] = []

    def figure(name: str, title: str, fig, caption: str = "") -> None:
        if fig is None:
            return
        png = png_bytes(fig)
        figures.append(FigureFile(name, title, png))
        data = base64.b64encode(png).decode("ascii")
        body.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(title)}">'
            f"<figcaption>{html.escape(caption or title)}</figcaption></figure>"
        )

    title = f"Sourcing plan: {s.get('input_file', plan_name)}"
    body.append(f"<h1>{html.escape(title)}</h1>")
    body.append(f'<p class="small">{html.escape(_stamp_line(plan, plan_name))}</p>')
    body.append('<div class="headline">')
    body += [f"<p>{html.escape(line)}</p>" for line in headline(plan)]
    body.append("</div>")

    body.append("<h2>Supply by origin</h2>")
    body.append(
        "<p>Refined supply of each mineral by the country where it was refined (imports, "
        f"project offtake, output of refineries and recyclers in {html.escape(home)}, stock "
        "drawn) and by the country where it was mined. One colour per country throughout.</p>"
    )
    for mineral in mixes:
        body.append(f"<h3>{html.escape(mineral)}</h3>")
        last = mixes[mineral].iloc[-1]
        body.append(
            f"<p>Refined supply in {mixes[mineral].index[-1]}: "
            f"{html.escape(_shares_in_words(last))}.</p>"
        )
        figure(f"supply_{slug(mineral)}", f"{mineral}: supply by origin",
               supply_figure(plan, mineral, mixes[mineral], colours))  # fmt: skip

    body.append(f"<h2>Flows from mine to {html.escape(home)} in {last_year}</h2>")
    for mineral in mixes:
        figure(f"flow_{slug(mineral)}", f"{mineral}: mine to refinery to {home}, {last_year}",
               flow_figure(plan, mineral, last_year, colours))  # fmt: skip

    body.append("<h2>Projects</h2>")
    if len(plan.projects):
        figure("projects", "Projects taken up", projects_figure(plan, last_year, colours))
        body.append(html_table(plan.projects, PROJECT_HEADERS))
    else:
        body.append("<p>The plan takes up no project.</p>")

    body.append("<h2>Budgets</h2>")
    if len(plan.budgets):
        figure("budgets", "Budget use per funding source", budget_figure(plan))
        body.append(html_table(plan.budgets, BUDGET_HEADERS))
    else:
        body.append("<p>The workbook sets no budget limits.</p>")

    body.append("<h2>Risk over time</h2>")
    body.append(
        "<p>HHI: the sum of squared shares of origins (1 = a single origin). Countries of "
        "concern are those the workbook marks so.</p>"
    )
    figure("risk", "Risk measures over time", risk_figure(plan))

    body.append("<h2>Shortfalls</h2>")
    short = shortfall_figure(plan)
    if short is None:
        body.append("<p>All demand is met in every year.</p>")
    else:
        figure("shortfalls", "Demand left unmet", short)

    scenarios = plan.extra.get("Scenarios")
    if scenarios is not None or stress is not None:
        body.append("<h2>Disruptions</h2>")
    if scenarios is not None:
        body.append("<p>The plan was made for the disruption scenarios below (stochastic).</p>")
        cost = "cost discounted (million USD)"
        chart = scenario_figure(scenarios, cost, "Discounted cost per scenario (million USD)")
        figure("scenarios", "Scenario cost", chart)
        body.append(html_table(scenarios, None))
    if stress is not None:
        body.append(
            "<p>Stress test: the plan's investments and stockpile held, each scenario "
            "re-optimised.</p>"
        )
        extra = "extra cost discounted (million USD)"
        chart = scenario_figure(stress, extra, "Extra cost per scenario (million USD)")
        figure("stress", "Stress test", chart)
        body.append(html_table(stress, None))

    if plan.notes:
        body.append("<h2>Notes</h2><ul>")
        body += [f"<li>{html.escape(n)}</li>" for n in plan.notes if n]
        body.append("</ul>")

    body.append("<h2>Sources and assumptions</h2>")
    body += _sources_section(sources, input_path)
    body.append("<h2>Run stamp</h2>")
    body.append(_stamp_table(plan, plan_name))
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(body)
        + f"\n<script>{CHECK_SCRIPT}</script></body></html>\n"
    )
    return page, figures


PROJECT_HEADERS = {
    "project": "project",
    "country": "host country",
    "mineral": "mineral",
    "form": "form",
    "build_year": "build year",
    "online_year": "online from",
    "stake": "stake",
    "offtake_capacity_t": "offtake capacity (t/yr)",
    "capex_musd": "capital (million USD)",
    "funding": "funding",
}
BUDGET_HEADERS = {
    "funding": "funding source",
    "first_year": "from",
    "last_year": "to",
    "limit_inr_crore": "limit (INR crore)",
    "spent_inr_crore": "used (INR crore)",
    "binding": "binding",
}


def _cell(value: object) -> tuple[str, bool]:
    if value is None or (isinstance(value, float) and value != value):
        return "", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, int | float):
        v = float(value)
        if v.is_integer() and abs(v) < 1e15:
            return f"{int(v):,}" if abs(v) >= 10_000 else str(int(v)), True
        return (f"{v:,.2f}" if abs(v) >= 1 else f"{v:.3g}"), True
    return str(value), False


def html_table(frame: pd.DataFrame, headers: dict[str, str] | None = None) -> str:
    columns = list(headers) if headers else list(frame.columns)
    columns = [c for c in columns if c in frame.columns]
    names = [headers[c] if headers else str(c) for c in columns]
    rows = ["<table><tr>" + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>"]
    for rec in frame[columns].itertuples(index=False):
        cells = []
        for value in rec:
            text, numeric = _cell(value)
            cells.append(f'<td class="num">{html.escape(text)}</td>' if numeric
                         else f"<td>{html.escape(text)}</td>")  # fmt: skip
        rows.append("<tr>" + "".join(cells) + "</tr>")
    rows.append("</table>")
    return "".join(rows)


def _sources_section(sources: pd.DataFrame | None, input_path: Path | None) -> list[str]:
    if sources is None or sources.empty:
        where = f" ({input_path.name})" if input_path else ""
        return [
            f"<p>The input workbook{html.escape(where)} was not found or has no Sources sheet: "
            "the figures above come from the plan workbook alone.</p>"
        ]
    text = sources.map(lambda v: "" if pd.isna(v) else str(v)).agg(" ".join, axis=1).str.lower()
    assumed = sources[text.str.contains("assum")]
    out = [
        f"<p>From the Sources sheet of {html.escape(input_path.name if input_path else '')}: "
        f"{len(sources)} rows, of which {len(assumed)} are marked as assumptions (listed "
        "first).</p>"
    ]
    ordered = pd.concat([assumed, sources.drop(assumed.index)])
    out.append(html_table(ordered, None))
    return out


def _stamp_line(plan: Plan, plan_name: str) -> str:
    s = plan.summary
    return (
        f"Plan {plan_name}, from {s.get('input_file', '')} (sha256 "
        f"{str(s.get('input_sha256', ''))[:12]}), {s.get('program', '')}, HiGHS "
        f"{s.get('highs_version', '')}. Briefing written {_now()}."
    )


def _stamp_table(plan: Plan, plan_name: str) -> str:
    s = plan.summary
    items: Iterable[tuple[str, object]] = [
        ("plan workbook", plan_name),
        ("input workbook", s.get("input_file")),
        ("input SHA-256", s.get("input_sha256")),
        ("program", s.get("program")),
        ("HiGHS", s.get("highs_version")),
        ("Pyomo", s.get("pyomo_version")),
        ("status", s.get("status")),
        ("MIP gap reached", s.get("gap")),
        ("solve time (s)", s.get("solve_time_s")),
        ("variables", s.get("variables")),
        ("constraints", s.get("constraints")),
        ("briefing written", _now()),
    ]
    frame = pd.DataFrame([(k, v) for k, v in items if v is not None], columns=["item", "value"])
    return html_table(frame, None).replace("<table>", '<table class="stamp">', 1)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
