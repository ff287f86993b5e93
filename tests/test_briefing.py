"""The briefing report (planner report, solve --report): one self-contained HTML page with its
figures, checked as a file and in a real browser (headless Chromium)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from planner.api import load_input, solve, write_plan
from planner.cli import app
from planner.export.briefing import money, write_briefing
from planner.export.colours import HOME, CountryColours
from planner.export.plan import read_plan
from tests.builders import countries, demand, minerals, supply, write_workbook

TEACHING = "examples/teaching.xlsx"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def teaching_briefing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("briefing")
    plan_path = write_plan(solve(load_input(TEACHING)), folder / "teaching_plan.xlsx")
    page, pngs = write_briefing(plan_path, input_path=TEACHING)
    return plan_path, page, pngs


def test_the_page_is_self_contained_and_has_every_section(teaching_briefing):
    _plan_path, page, pngs = teaching_briefing
    text = page.read_text(encoding="utf-8")
    for heading in (
        "Supply by origin",
        "Flows from mine to India",
        "Projects",
        "Budgets",
        "Risk over time",
        "Shortfalls",
        "Sources and assumptions",
        "Run stamp",
    ):
        assert f"<h2>{heading}" in text, heading
    sources = re.findall(r'(?:src|href)="([^"]*)"', text)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<link" not in text and "@import" not in text  # nothing fetched from the network
    assert len(sources) == len(pngs) >= 6
    assert all(p.read_bytes().startswith(PNG_MAGIC) for p in pngs)
    assert {p.name for p in pngs} >= {"supply_lithium.png", "flow_cobalt.png", "risk.png"}


def test_the_headline_states_the_plans_figures_in_words(teaching_briefing):
    plan_path, page, _ = teaching_briefing
    summary = read_plan(plan_path).summary
    text = page.read_text(encoding="utf-8")
    assert f"The plan costs {money(summary['total_cost_discounted_musd'])}" in text
    assert summary["input_sha256"][:12] in text  # the run stamp
    assert money(431.0) == "USD 431 million" and money(209_896.3) == "USD 209.9 billion"


def test_one_colour_per_country_home_fixed():
    colours = CountryColours("India", {"China": 50.0, "Chile": 80.0, "India": 10.0})
    assert colours["India"] == colours["India (refined at home)"] == HOME
    assert colours["Chile"] != colours["China"]
    assert colours.of(["Chile", "China"]) == [colours["Chile"], colours["China"]]


def _stochastic_plan(tmp_path):
    path = write_workbook(
        tmp_path / "stoch.xlsx",
        {
            "Minerals": minerals("ree", penalty=10_000.0, holding_pct=9),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("ree", {2025: 100, 2026: 100})],
            "Supply": [supply("A", "ree", "refined", 1000, 1000)],
            "Disruptions": [
                {
                    "scenario": "A stops",
                    "probability": 0.05,
                    "country": "A",
                    "mineral": "*",
                    "form": "*",
                    "first_year": 2026,
                    "last_year": 2026,
                    "supply_cut_pct": 100,
                }
            ],
        },
        {"schema_version": 2, "last_year": 2026, "mode": "stochastic"},
    )
    return write_plan(solve(load_input(path)), tmp_path / "stoch_plan.xlsx"), path


def test_a_stochastic_plan_shows_its_scenarios(tmp_path):
    plan_path, input_path = _stochastic_plan(tmp_path)
    page, pngs = write_briefing(plan_path, input_path=input_path)
    text = page.read_text(encoding="utf-8")
    assert "<h2>Disruptions" in text and "A stops" in text
    assert "scenarios.png" in {p.name for p in pngs}


def test_cli_report_and_solve_report(tmp_path):
    runner = CliRunner()
    plan = tmp_path / "teaching_plan.xlsx"
    done = runner.invoke(app, ["solve", TEACHING, "-o", str(plan), "--report"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "teaching_plan.html").is_file()
    assert any((tmp_path / "teaching_plan_figures").glob("*.png"))
    out = tmp_path / "brief.html"
    done = runner.invoke(app, ["report", str(plan), "-o", str(out), "--figures", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert out.is_file() and (tmp_path / "risk.png").is_file()


@pytest.mark.parametrize(
    "args, said",
    [
        (["README.md"], "not a plan workbook"),
        ([TEACHING], "not a plan workbook"),
        (["no_such_plan.xlsx"], "no such plan workbook"),
    ],
)
def test_cli_report_refuses_what_is_not_a_plan(tmp_path, args, said):
    out = tmp_path / "x.html"
    done = CliRunner().invoke(app, ["report", *args, "-o", str(out)])
    assert done.exit_code == 2
    assert said in " ".join(done.output.split())
    assert not out.exists()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium package is not installed")
def test_the_page_renders_in_a_real_browser_without_console_errors(teaching_briefing):
    """Headless Chromium loads the page: every figure decodes (the page's own check writes the
    counts on <body>) and the console has no error."""
    _, page, pngs = teaching_briefing
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    body = re.search(r"<body[^>]*>", done.stdout)
    assert body, done.stderr[-2000:]
    shown = re.search(r'data-figures-shown="(\d+)"', body.group(0))
    total = re.search(r'data-figures="(\d+)"', body.group(0))
    assert shown and total and int(shown.group(1)) == int(total.group(1)) == len(pngs)
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
