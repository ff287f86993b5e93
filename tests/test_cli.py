"""End-to-end: the `planner` command on real files in a temporary folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from examples.teaching_workbook import write as write_teaching
from planner.cli import app
from planner.export.plan import CHART_MINERALS, read_plan, read_plan_summary, read_plan_tables
from tests.builders import countries, demand, minerals, supply, write_workbook

runner = CliRunner()
PLANNER = Path(sys.executable).with_name("planner")


@pytest.fixture
def teaching(tmp_path) -> Path:
    return write_teaching(tmp_path / "teaching.xlsx")


def test_solve_writes_a_plan_whose_balances_hold_from_the_export_alone(teaching, tmp_path):
    """Every mineral-year: refined purchases + refined offtake + home output + stock drawn +
    unmet = demand + stock injected, from the exported sheets only; and the stock carries
    over: stock[t] = stock[t-1] + injected - drawn."""
    before = teaching.read_bytes()
    result = subprocess.run(
        [str(PLANNER), "solve", str(teaching)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    plan_path = tmp_path / "teaching_plan.xlsx"
    assert plan_path.exists()
    assert teaching.read_bytes() == before  # the input is never modified
    assert "optimal" in result.stdout

    t = read_plan_tables(plan_path)
    key = ["year", "mineral"]
    refined = t["sourcing"][t["sourcing"]["form"] == "refined"].groupby(key)["tonnes_t"].sum()
    home = t["processing"].groupby(key)["output_t"].sum()
    stock = t["stock"].set_index(key)
    short = t["shortfall"].set_index(key)
    supply_side = (
        refined.reindex(short.index, fill_value=0)
        + home.reindex(short.index, fill_value=0)
        + stock["drawn_t"]
        + short["unmet_t"]
    )
    use_side = short["demand_t"] + stock["injected_t"]
    pd.testing.assert_series_equal(supply_side, use_side, check_names=False, atol=1e-4)
    for mineral, rows in t["stock"].groupby("mineral"):
        level = rows.sort_values("year")
        carried = (level["injected_t"] - level["drawn_t"]).cumsum()
        assert carried.to_numpy() == pytest.approx(level["stock_t"].to_numpy(), abs=1e-4), mineral


def test_solve_options_and_default_output(teaching, tmp_path):
    out = tmp_path / "custom.xlsx"
    result = runner.invoke(
        app, ["solve", str(teaching), "-o", str(out), "--mip-gap", "0.01", "--time-limit", "30"]
    )
    assert result.exit_code == 0, result.output
    summary, _ = read_plan_summary(out)
    assert float(summary["mip_gap_setting"]) == pytest.approx(0.01)
    assert summary["input_file"] == "teaching.xlsx"


def test_solve_all_charts_charts_every_mineral(teaching, tmp_path, monkeypatch):
    """With the Chart sheet's limit at 1, `planner solve` charts one mineral and says so in
    A1; with --all-charts it charts every mineral with refined supply (the plan's mix). The
    help names the default limit."""
    import openpyxl

    from planner.export import plan as export
    from planner.results.mix import refined_supply_mix

    monkeypatch.setattr(export, "CHART_MINERALS", 1)
    capped, every = tmp_path / "capped.xlsx", tmp_path / "every.xlsx"
    assert runner.invoke(app, ["solve", str(teaching), "-o", str(capped)]).exit_code == 0
    result = runner.invoke(app, ["solve", str(teaching), "-o", str(every), "--all-charts"])
    assert result.exit_code == 0, result.output
    n_minerals = len(refined_supply_mix(read_plan(every)))
    assert n_minerals >= 2
    capped_sheet = openpyxl.load_workbook(capped)["Chart"]
    assert len(capped_sheet._charts) == 1
    assert capped_sheet["A1"].value.startswith(f"Charted: the 1 of {n_minerals} minerals")
    assert len(openpyxl.load_workbook(every)["Chart"]._charts) == n_minerals
    help_text = runner.invoke(app, ["solve", "--help"], terminal_width=200).output
    assert f"the {CHART_MINERALS} with the largest" in " ".join(help_text.split())


def test_solve_refuses_to_overwrite_the_input(teaching):
    result = runner.invoke(app, ["solve", str(teaching), "-o", str(teaching)])
    assert result.exit_code == 2


def test_bad_input_exit_2_every_problem_no_traceback_no_file(tmp_path):
    path = write_workbook(
        tmp_path / "bad.xlsx",
        {
            "Minerals": minerals("li"),
            "Countries": countries(("A", 2.0)),
            "Demand": [demand("li", {2025: 10})],
            "Supply": [supply("A", "li", "refined", -5, 10), supply("B", "li", "ore", 1, 1)],
        },
    )
    result = subprocess.run(
        [str(PLANNER), "solve", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    for cell in ("Countries!B2", "Supply!D2", "Supply!A3", "Supply!C3"):
        assert cell in result.stderr
    assert not (tmp_path / "bad_plan.xlsx").exists()


def test_validate_command(teaching, tmp_path):
    ok = runner.invoke(app, ["validate", str(teaching)])
    assert ok.exit_code == 0 and "is valid" in ok.output
    blank = tmp_path / "blank.xlsx"
    assert runner.invoke(app, ["template", str(blank)]).exit_code == 0
    bad = runner.invoke(app, ["validate", str(blank)])
    assert bad.exit_code == 2
    assert "home_country is blank" in bad.output


def test_infeasible_rules_are_explained_with_exit_3(tmp_path):
    path = write_workbook(
        tmp_path / "inf.xlsx",
        {
            "Minerals": minerals("ree"),
            "Countries": countries(("A", 0.0)),
            "Demand": [demand("ree", {2025: 365})],
            "Supply": [supply("A", "ree", "refined", 0, 100)],
            "Policy": [{"rule": "min_stock_days", "mineral": "ree", "value": 30}],
        },
    )
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 3
    assert "Policy row 2" in result.output
    assert not (tmp_path / "inf_plan.xlsx").exists()


def test_every_command_has_help():
    for command in ("template", "validate", "solve"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_no_command_writes_over_a_file_it_reads(teaching, tmp_path):
    """sweep -o INPUT, a checkpoint that is the input or the output, and a template over an
    existing workbook all exit 2 and leave every file as it was; --force replaces."""
    before = teaching.read_bytes()
    sweep = ["sweep", str(teaching), "--set", "Settings.risk_weight=0,0.1", "--workers", "1"]
    out = tmp_path / "s.xlsx"
    for extra, message in (
        (["-o", str(teaching)], "is the input"),
        (["-o", str(out), "--checkpoint", str(teaching)], "is the input"),
        (["-o", str(out), "--checkpoint", str(out)], "are the same file"),
    ):
        result = runner.invoke(app, sweep + extra)
        assert result.exit_code == 2, result.output
        assert message in " ".join(result.output.split())
        assert not out.exists()
    result = runner.invoke(app, ["template", str(teaching)])
    assert result.exit_code == 2 and "--force" in result.output
    assert teaching.read_bytes() == before
    assert runner.invoke(app, ["template", str(teaching), "--force"]).exit_code == 0
    assert teaching.read_bytes() != before


def test_outputs_are_checked_before_any_solve(teaching, tmp_path):
    """An output that is a folder, or in a folder that does not exist, is refused with exit 2
    before the model is built (nothing is written, no folder is created)."""
    folder = tmp_path / "plan.xlsx"
    folder.mkdir()
    missing = tmp_path / "nowhere" / "plan.xlsx"
    cases = (
        (["solve", str(teaching), "-o", str(folder)], "is a folder"),
        (["solve", str(teaching), "-o", str(missing)], "does not exist"),
        (["sweep", str(teaching), "--set", "Settings.risk_weight=0", "-o", str(missing)],
         "does not exist"),
        (["frontier", str(teaching), "-o", str(tmp_path / "f.xlsx"), "--png",
          str(tmp_path / "f.jpg")], "name it .png"),
    )  # fmt: skip
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in " ".join(result.output.split()), result.output
    assert not missing.parent.exists() and not (tmp_path / "f.xlsx").exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--mip-gap", "5"),
        ("--mip-gap", "nan"),
        ("--time-limit", "-1"),
        ("--time-limit", "0"),
        ("--mip-abs-gap", "-2"),
        ("--mip-abs-gap", "inf"),
    ],
)
def test_solve_options_out_of_range_exit_2_and_write_nothing(teaching, tmp_path, option, value):
    out = tmp_path / "plan.xlsx"
    result = runner.invoke(app, ["solve", str(teaching), "-o", str(out), option, value])
    assert result.exit_code == 2, result.output
    assert "is not a number" in " ".join(result.output.split())
    assert not out.exists()


def test_every_help_is_complete_and_consistent():
    """`planner --help` gives every command a whole one-line summary (nothing cut with ...);
    every command's --help works, and every option and argument says what it is; the sweep's
    KEY syntax is shown as written; no default is stated twice."""
    import typer

    from planner.cli import SUMMARIES

    runner = CliRunner()
    top = runner.invoke(app, ["--help"], terminal_width=120)
    commands = top.output[top.output.index("Commands:") :]
    assert top.exit_code == 0 and "..." not in commands
    group = typer.main.get_command(app)
    assert set(group.commands) == set(SUMMARIES)
    for name, command in group.commands.items():
        assert SUMMARIES[name] in " ".join(top.output.split())
        done = runner.invoke(app, [name, "--help"], terminal_width=120)
        assert done.exit_code == 0, name
        for param in command.params:
            assert getattr(param, "help", None), f"{name} {param.name} has no help"
        assert "(default" not in done.output or "[default: 0]" not in done.output
    sweep_help = runner.invoke(app, ["sweep", "--help"], terminal_width=120).output
    assert "Table[column=value,...].column" in sweep_help
