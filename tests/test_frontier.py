"""The cost-risk frontier (epsilon constraint): hand-derived answers, the filter, the CLI.

Conventions as in tests/test_known_answers.py: one year (2025), no discounting, mip_gap 0,
no tariff or freight, shortfall penalty 1e6 USD/t (far dearer than any purchase).
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.analysis.frontier import COST, RISK, pareto_filter
from planner.api import frontier, load_input
from planner.cli import app
from tests.builders import countries, demand, minerals, supply, write_workbook


def _two_suppliers(path, with_risky=True):
    rows = [supply("A", "li", "refined", 1e6, 10_000)]
    if with_risky:
        rows.append(supply("B", "li", "refined", 1e6, 8_000))
    return write_workbook(
        path,
        {
            "Minerals": minerals("li"),
            "Countries": countries(("A", 0.0), ("B", 0.5)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": rows,
        },
    )


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    return _two_suppliers(tmp_path_factory.mktemp("f") / "two.xlsx")


def test_two_supplier_frontier_is_the_hand_derived_segment(workbook):
    """Demand 100 t. A sells at 10,000 USD/t with risk_score 0 (safe, dear); B at 8,000 USD/t
    with risk_score 0.5 (risky, cheap); both have ample availability.

    With a t from A and b t from B, a + b = 100 (no shortfall: its penalty is far dearer), in
    million USD: cost = 0.01 a + 0.008 b = 1 - 0.002 b and risk = 0.5 x 8,000 x b / 1e6 =
    0.004 b. So every efficient plan lies on cost = 1 - risk / 2, from (risk 0, cost 1: all A)
    to (risk 0.4, cost 0.8: all B). The cost is linear and strictly falling in the cap, so
    each cap eps binds and 5 points sit at risk 0, 0.1, 0.2, 0.3, 0.4: all distinct.
    """
    frame = frontier(load_input(workbook), points=5)
    assert len(frame) == 5
    assert frame["point"].tolist() == [1, 2, 3, 4, 5]
    assert set(frame["status"]) == {"optimal"}
    risk, cost = frame[RISK].to_numpy(), frame[COST].to_numpy()
    np.testing.assert_allclose(cost, 1 - risk / 2, rtol=1e-6)
    np.testing.assert_allclose(risk, [0, 0.1, 0.2, 0.3, 0.4], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(frame["risk_cap_musd"], [0, 0.1, 0.2, 0.3, 0.4], atol=1e-9)
    assert cost[0] == pytest.approx(1.0, rel=1e-6) and cost[-1] == pytest.approx(0.8, rel=1e-6)
    assert (np.diff(risk) > 0).all() and (np.diff(cost) < 0).all()  # sorted, non-dominated
    assert (frame["total_shortfall_t"] == 0).all()
    # key decisions: all A at the risk end, all B at the cost end
    assert frame["main_origins_last_year"].iloc[0] == "li: A 100%"
    assert frame["main_origins_last_year"].iloc[-1] == "li: B 100%"
    assert sorted(frame["main_origins_last_year"].iloc[2][4:].split(", ")) == ["A 50%", "B 50%"]
    assert frame["concern_share_2025_li"].iloc[0] == 0
    assert frame["hhi_2025_li"].iloc[2] == pytest.approx(0.5)
    # one model, updated in place; 6 solves: cost end, one weighted risk solve (risk 0 at
    # once, so no larger weight is tried), cheapest plan at risk 0, 3 interior caps
    assert frame.attrs["rebuilds"] == 1
    assert frame.attrs["solves"] == 6
    assert frame.attrs["dominated"] == 0 and frame.attrs["failed"] == []


def test_no_trade_off_gives_one_point(tmp_path):
    """Only the safe supplier A: the cheapest plan already has the least risk (0), so the
    frontier is the single point (risk 0, cost 100 x 10,000 USD = 1 MUSD)."""
    frame = frontier(load_input(_two_suppliers(tmp_path / "one.xlsx", False)), points=4)
    assert len(frame) == 1
    assert frame[RISK].iloc[0] == pytest.approx(0, abs=1e-12)
    assert frame[COST].iloc[0] == pytest.approx(1.0)


def test_pareto_filter_drops_dominated_duplicate_and_missing_points():
    """(risk, cost): p (1, 10), q (2, 8), r (2, 9) dominated by q (same risk, dearer),
    s (3, 8) dominated by q (riskier, same cost), t (0.5, 12), u = q within 1e-9 (a twin: the
    first is kept), v without a plan. Kept, by risk: t, p, q."""
    frame = pd.DataFrame(
        {
            "name": ["p", "q", "r", "s", "t", "u", "v"],
            RISK: [1, 2, 2, 3, 0.5, 2 + 1e-9, np.nan],
            COST: [10, 8, 9, 8, 12, 8, np.nan],
        }
    )
    assert pareto_filter(frame)["name"].tolist() == ["t", "p", "q"]
    assert pareto_filter(frame, rel_tol=0)["name"].tolist() == ["t", "p", "q"]


def test_cli_frontier_writes_workbook_and_png(workbook, tmp_path):
    out = tmp_path / "frontier.xlsx"
    result = CliRunner().invoke(app, ["frontier", str(workbook), "--points", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    png = out.with_suffix(".png")
    assert out.exists() and png.exists() and png.stat().st_size > 1000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sheet = pd.read_excel(out, sheet_name="Frontier", engine="openpyxl")
    assert len(sheet) == 3
    assert sheet[COST].tolist() == pytest.approx([1.0, 0.9, 0.8], rel=1e-6)
    wb = openpyxl.load_workbook(out)
    assert wb["Frontier"]._charts
    notes = " ".join(str(r[0].value) for r in wb["Notes"].iter_rows())
    assert "epsilon constraint" in notes and "mip_gap = 0" in notes
    # the long form (each point by mineral and year) and the run stamp
    long = pd.read_excel(out, sheet_name="FrontierByYear", engine="openpyxl")
    assert set(long["point"]) == {1, 2, 3} and {"mineral", "year", "hhi"} <= set(long.columns)
    run = {r[0]: r[1] for r in wb["Run"].iter_rows(min_row=2, values_only=True)}
    assert len(run["input_sha256"]) == 64 and run["program"].startswith("critical-minerals")
    other = tmp_path / "chart.png"
    again = CliRunner().invoke(
        app, ["frontier", str(workbook), "-n", "2", "-o", str(out), "--png", str(other)]
    )
    assert again.exit_code == 0, again.output
    assert other.exists() and len(pd.read_excel(out, sheet_name="Frontier", engine="openpyxl")) == 2


def test_cli_frontier_bad_input_and_help(tmp_path):
    bad = write_workbook(tmp_path / "bad.xlsx", {"Minerals": minerals("li")})  # no Demand etc.
    result = CliRunner().invoke(app, ["frontier", str(bad), "-o", str(tmp_path / "f.xlsx")])
    assert result.exit_code == 2
    assert not (tmp_path / "f.xlsx").exists()
    helped = CliRunner().invoke(app, ["frontier", "--help"])
    assert helped.exit_code == 0 and "epsilon-constraint" in helped.output


def test_concentration_frontier_is_the_hand_derived_curve(tmp_path):
    """Demand 100 t; A sells at 10,000 USD/t with risk_score 0.1, B at 8,000 with 0.5. With b
    the share from B: cost = 1 - 0.2 b MUSD; V = 100 x 9,000 / 1e6 = 0.9 MUSD and
    K = V (0.1 (1 - b)^2 + 0.5 b^2). The cost end buys all from B (cost 0.8, K = 0.45); K is
    least at dK/db = 0, b = 1/6 (K = V / 12 = 0.075, cost 0.96667). Every point between lies
    on that curve: its b follows from its cost, and its K from b."""
    path = write_workbook(
        tmp_path / "conc.xlsx",
        {
            "Minerals": minerals("li"),
            "Countries": countries(("A", 0.1), ("B", 0.5)),
            "Demand": [demand("li", {2025: 100})],
            "Supply": [
                supply("A", "li", "refined", 1e6, 10_000),
                supply("B", "li", "refined", 1e6, 8_000),
            ],
        },
        {"schema_version": 3},
    )
    frame = frontier(load_input(path), points=4, measure="concentration")
    k = frame["concentration_discounted_musd"].to_numpy()
    cost = frame[COST].to_numpy()
    assert len(frame) == 4 and set(frame["status"]) == {"optimal"}
    # at the risk end K is flat: a K within the cuts' 1e-5 tolerance of 0.075 allows b to
    # move by sqrt(1e-5 x 0.075 / 0.54) ~ 1e-3, the cost by 2e-4
    assert k[0] == pytest.approx(0.075, rel=1e-4)
    assert cost[0] == pytest.approx(1 - 0.2 / 6, abs=3e-4)
    assert k[-1] == pytest.approx(0.45, rel=1e-6) and cost[-1] == pytest.approx(0.8, rel=1e-6)
    b = (1 - cost) / 0.2
    np.testing.assert_allclose(k, 0.9 * (0.1 * (1 - b) ** 2 + 0.5 * b**2), rtol=1e-4)
    np.testing.assert_allclose(k, frame["concentration_cap_musd"], rtol=1e-4)
    assert frame.attrs["measure"] == "concentration" and frame.attrs["rebuilds"] == 1
