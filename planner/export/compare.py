"""The comparison's outputs: a workbook (Summary, Headline, Origins, Projects, Budgets) and
the same tables as one self-contained HTML page, both written atomically."""

from __future__ import annotations

import html
from pathlib import Path

from planner.analysis.compare import SHARE_MOVE, Comparison
from planner.export.briefing import STYLE, html_table
from planner.export.plan import write_report
from planner.io.atomic import write_atomically

SECTIONS = {
    "Headline": "Cost and risk of each plan, and the change from the baseline.",
    "Origins": (
        f"Origins whose share of a mineral's supply moved by {100 * SHARE_MOVE:.0f} percentage "
        "points or more against the baseline, largest move first, on the refining and the "
        "mine basis: what moves an HHI or a concern share."
    ),
    "Projects": "Projects added, dropped or changed (stake or build year) against the baseline.",
    "Budgets": "Capital used per Budgets row, one column per plan.",
}


def summary_of(comparison: Comparison, stamp: dict[str, object]) -> dict[str, object]:
    return {
        "baseline": comparison.names[0],
        "plans compared": ", ".join(comparison.names[1:]),
        "share move reported (percentage points)": 100 * SHARE_MOVE,
        **stamp,
    }


def write_comparison(
    comparison: Comparison, xlsx_path: str | Path, stamp: dict[str, object], notes: list[str]
) -> tuple[Path, Path]:
    """The comparison workbook and, beside it, the same tables as HTML."""
    xlsx_path = Path(xlsx_path)
    summary = summary_of(comparison, stamp)
    write_report(xlsx_path, summary, notes, comparison.tables())
    page = render(comparison, summary, notes)
    html_path = xlsx_path.with_suffix(".html")

    def write(tmp: Path) -> None:
        Path(tmp).write_text(page, encoding="utf-8")

    write_atomically(html_path, write)
    return xlsx_path, html_path


def render(comparison: Comparison, summary: dict[str, object], notes: list[str]) -> str:
    title = f"Plans compared with {comparison.names[0]}"
    body = [f"<h1>{html.escape(title)}</h1>"]
    body += [f"<p>{html.escape(n)}</p>" for n in notes]
    for name, frame in comparison.tables().items():
        body.append(f"<h2>{name}</h2><p>{html.escape(SECTIONS[name])}</p>")
        body.append(html_table(frame) if len(frame) else "<p>None.</p>")
    stamp = [(k, v) for k, v in summary.items()]
    body.append("<h2>Run stamp</h2><table>")
    body += [
        f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>" for k, v in stamp
    ]
    body.append("</table>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
