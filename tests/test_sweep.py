"""Sweeps: parameter keys, designs, the runner (checkpoint, failures, workers, Dask), the CLI."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from examples.teaching_workbook import write as write_teaching
from planner.analysis import params
from planner.analysis.sweep import Point, grid, monte_carlo, split_assignment, zipped
from planner.api import load_input, solve, sweep
from planner.cli import app


@pytest.fixture(scope="module")
def teaching_path(tmp_path_factory):
    return write_teaching(tmp_path_factory.mktemp("s") / "teaching.xlsx")


@pytest.fixture(scope="module")
def base(teaching_path):
    return load_input(teaching_path)


def test_parse_keys():
    assert params.parse_key("Settings.risk_weight") == params.Parameter(
        "Settings.risk_weight", "settings", "risk_weight"
    )
    demand = params.parse_key("Demand[mineral=lithium]")
    assert (demand.table, demand.column, demand.where) == (
        "demand",
        "demand_t",
        (("mineral", "lithium"),),
    )
    supply = params.parse_key("Supply[country=China, form=refined].price_usd_per_t")
    assert supply.where == (("country", "China"), ("form", "refined"))
    for bad in ("Nonsense.x", "Supply[country=China]", "Settings.home_country", "a b c"):
        with pytest.raises(params.ParameterError):
            params.parse_key(bad)


def test_apply_scales_and_sets_only_the_selected_cells(base):
    data = base.copy()
    params.apply(data, params.parse_key("Demand[mineral=LITHIUM]"), "scale", 2)
    lithium = data.demand["mineral"] == "lithium"
    assert (data.demand.loc[lithium, "demand_t"] == 2 * base.demand.loc[lithium, "demand_t"]).all()
    assert data.demand.loc[~lithium, "demand_t"].equals(base.demand.loc[~lithium, "demand_t"])
    params.apply(data, params.parse_key("Settings.risk_weight"), "set", 0.4)
    assert data.settings.risk_weight == 0.4
    assert base.settings.risk_weight == 0  # the base is never changed
    with pytest.raises(params.ParameterError, match="no supply row matches"):
        params.check(base, params.parse_key("Supply[country=Atlantis].price_usd_per_t"))
    with pytest.raises(params.ParameterError, match="no numeric column"):
        params.check(base, params.parse_key("Supply[country=China].colour"))


def test_values_and_assignments():
    assert params.parse_values("0,0.3, 1") == [0, 0.3, 1]
    assert params.parse_values("0.8:1.2:5") == pytest.approx([0.8, 0.9, 1.0, 1.1, 1.2])
    assert split_assignment("Demand[mineral=lithium]=0.8,1.2") == (
        "Demand[mineral=lithium]",
        "0.8,1.2",
    )
    with pytest.raises(params.ParameterError):
        params.parse_values("1:2")


def test_designs():
    points = grid(
        ("Settings.risk_weight", "set", [0, 1]), ("Demand[mineral=x]", "scale", [0.8, 1, 1.2])
    ).points()
    assert len(points) == 6 and len({p.point_id for p in points}) == 6
    assert len(zipped(("A.x", "set", [1, 2]), ("B.y", "set", [3, 4])).points()) == 2
    with pytest.raises(params.ParameterError):
        zipped(("A.x", "set", [1, 2]), ("B.y", "set", [3]))
    first = monte_carlo([("Settings.risk_weight", "set", "uniform(0, 1)")], 5, seed=7)
    again = monte_carlo([("Settings.risk_weight", "set", "uniform(0, 1)")], 5, seed=7)
    assert first == again and all(0 <= p.changes[0][2] <= 1 for p in first)


def test_sweep_points_equal_fresh_solves_and_failures_are_recorded(base, tmp_path):
    points = [
        Point(0, (("Settings.risk_weight", "set", 0.3),)),
        # ten years of cobalt stock cannot be bought: recorded as infeasible, the sweep goes on
        Point(1, (("Policy[rule=min_stock_days].value", "set", 3650),)),
        Point(2, (("Demand[mineral=cobalt]", "scale", 1.25),)),
    ]
    frame = sweep(base, points, checkpoint=tmp_path / "ck.jsonl", baseline=False)
    assert list(frame["status"]) == ["optimal", "infeasible", "optimal"]
    assert "infeasible" in frame.loc[1, "error"]
    for i in (0, 2):
        data = base.copy()
        key, op, value = points[i].changes[0]
        params.apply(data, params.parse_key(key), op, value)
        assert frame.loc[i, "objective_musd"] == pytest.approx(
            solve(data).summary["objective_musd"], rel=2e-4
        )
    assert {"hhi_2030_lithium", "concern_share_2030_cobalt", "projects"} <= set(frame.columns)


def test_checkpoint_resumes_without_recomputing(base, tmp_path):
    ck = tmp_path / "ck.jsonl"
    design = grid(("Settings.risk_weight", "set", [0.0, 0.2, 0.4]))
    first = sweep(base, design.points()[:2], checkpoint=ck, baseline=False)
    assert len(ck.read_text().splitlines()) == 3  # the header and two points
    solved = []
    full = sweep(base, design, checkpoint=ck, on_result=solved.append, baseline=False)
    assert [r["index"] for r in solved] == [2]  # only the new point was solved
    assert full.loc[:1, "objective_musd"].tolist() == first["objective_musd"].tolist()
    with open(ck, "a") as handle:  # a line cut short by a crash is ignored
        handle.write('{"point_id": "abc", "sta')
    assert len(sweep(base, design, checkpoint=ck, baseline=False)) == 3


def test_two_local_workers_match_one(base):
    design = grid(
        ("Settings.risk_weight", "set", [0.0, 0.5]),
        ("Demand[mineral=lithium]", "scale", [0.9, 1.1]),
    )
    one = sweep(base, design, workers=1, baseline=False)
    two = sweep(base, design, workers=2, baseline=False)
    pd.testing.assert_series_equal(one["objective_musd"], two["objective_musd"], rtol=2e-4)


def test_sweep_on_a_dask_local_cluster(base):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        frame = sweep(
            base,
            grid(("Settings.risk_weight", "set", [0.0, 0.5])),
            dask_address=cluster.scheduler_address,
            baseline=False,
        )
    assert list(frame["status"]) == ["optimal", "optimal"]
    assert (
        frame.loc[1, "risk_exposure_discounted_musd"]
        < frame.loc[0, "risk_exposure_discounted_musd"]
    )


def test_cli_sweep_grid_checkpoint_and_chart(teaching_path, tmp_path):
    out = tmp_path / "sweep.xlsx"
    args = [
        "sweep",
        str(teaching_path),
        "--set",
        "Settings.risk_weight=0:0.6:3",
        "--scale",
        "Demand[mineral=lithium]=0.9,1.1",
        "--workers",
        "1",
        "-o",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    frame = pd.read_excel(out, sheet_name="Sweep", engine="openpyxl")
    # the baseline (the workbook as it is) first, then the 3 x 2 grid
    assert len(frame) == 7 and set(frame["status"]) == {"optimal"}
    assert frame.loc[0, "Demand[mineral=lithium] (x)"] == 1.0
    assert frame.loc[0, "objective_musd"] == pytest.approx(
        solve(load_input(teaching_path)).summary["objective_musd"], rel=2e-4
    )
    book = openpyxl.load_workbook(out)
    assert book["Sweep"]._charts
    # prints one page wide with its header on every page; shares and HHIs in their formats
    ws = book["Sweep"]
    assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$A:$B"
    assert book["SweepByYear"].page_setup.scale == 60 or book["Run"].page_setup.fitToWidth == 1
    header = [c.value for c in ws[1]]
    hhi = header.index("hhi_2030_lithium") + 1
    assert ws.cell(row=2, column=hhi).number_format == "0.000"
    # the long form: one row per point, mineral and year (7 points x 2 minerals x 6 years)
    long = pd.read_excel(out, sheet_name="SweepByYear", engine="openpyxl")
    assert len(long) == 7 * 2 * 6 and set(long["year"]) == set(range(2025, 2031))
    assert {"hhi", "concern_share_mine", "unmet_t", "main_origins"} <= set(long.columns)
    final = long[(long["index"] == 0) & (long["year"] == 2030)].set_index("mineral")
    assert final.loc["lithium", "hhi"] == pytest.approx(frame.loc[0, "hhi_2030_lithium"])
    run = {r[0]: r[1] for r in book["Run"].iter_rows(min_row=2, values_only=True)}
    assert run["input_file"] == teaching_path.name and len(run["input_sha256"]) == 64
    checkpoint = out.with_name(out.name + ".checkpoint.jsonl")
    assert len(checkpoint.read_text().splitlines()) == 8  # the header and seven points
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0
    assert len(checkpoint.read_text().splitlines()) == 8  # nothing recomputed
    bad = CliRunner().invoke(
        app,
        [
            "sweep",
            str(teaching_path),
            "--set",
            "Supply[country=Mars].price_usd_per_t=1,2",
            "-o",
            str(tmp_path / "x.xlsx"),
        ],
    )
    assert bad.exit_code == 2 and "no supply row matches" in bad.output


def test_sweep_sheet_in_the_workbook(teaching_path, tmp_path):
    path = tmp_path / "with_sweep.xlsx"
    wb = openpyxl.load_workbook(teaching_path)
    ws = wb.create_sheet("Sweep")
    ws.append(["parameter", "operation", "values", "group"])
    ws.append(["Settings.risk_weight", "set", "0,0.5", "a"])
    ws.append(["Budgets[funding=govt].limit_inr_crore", "scale", "1,2", "a"])
    wb.save(path)
    out = tmp_path / "s.xlsx"
    result = CliRunner().invoke(app, ["sweep", str(path), "--workers", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_excel(out, sheet_name="Sweep", engine="openpyxl")
    # the baseline (the workbook's risk_weight) and 2 points zipped by group
    assert frame["Settings.risk_weight"].tolist()[1:] == [0, 0.5] and len(frame) == 3
    record = json.loads(out.with_name(out.name + ".checkpoint.jsonl").read_text().splitlines()[1])
    assert record["status"] == "optimal"


def test_risk_settings_can_be_swept_and_are_checked(base):
    data = base.copy()
    params.apply(data, params.parse_key("Settings.concentration_weight"), "set", 0.2)
    params.apply(data, params.parse_key("Settings.concentration_basis"), "set", "refining")
    params.apply(data, params.parse_key("Settings.mip_abs_gap_musd"), "set", 5)
    s = data.settings
    assert (s.concentration_weight, s.concentration_basis, s.mip_abs_gap_musd) == (
        0.2,
        "refining",
        5.0,
    )
    with pytest.raises(params.ParameterError, match="is not one of refining, mine"):
        params.apply(data, params.parse_key("Settings.concentration_basis"), "set", "mined")
    with pytest.raises(params.ParameterError, match="blank in the workbook; it can only be set"):
        params.apply(base.copy(), params.parse_key("Settings.concentration_cap_musd"), "scale", 2)


def test_a_checkpoint_of_other_data_is_set_aside_not_reused(base, tmp_path):
    """The checkpoint records its input; after the data change (a dearer lithium price), the
    same sweep does not return the old objectives: the old checkpoint is moved to .stale,
    every point is solved again, and the frame says why."""
    ck = tmp_path / "ck.jsonl"
    design = grid(("Settings.risk_weight", "set", [0.0, 0.2]))
    first = sweep(base, design, checkpoint=ck, baseline=False)
    header = json.loads(ck.read_text().splitlines()[0])
    assert header["checkpoint"] == 1 and header["input_sha256"] == base.source_sha256
    edited = base.copy()
    edited.supply["price_usd_per_t"] *= 1.5
    solved = []
    again = sweep(edited, design, checkpoint=ck, on_result=solved.append, baseline=False)
    assert len(solved) == 2
    assert (again["objective_musd"] > first["objective_musd"]).all()
    assert "written for other data" in again.attrs["checkpoint_note"]
    assert ck.with_name("ck.jsonl.stale").exists()
    solved.clear()
    assert (
        sweep(edited, design, checkpoint=ck, on_result=solved.append, baseline=False).attrs[
            "checkpoint_note"
        ]
        == ""
    )
    assert solved == []  # the same data reuse the checkpoint


def test_sweep_values_are_checked_like_workbook_cells(base):
    """A NaN, a negative budget or a risk score scaled past 1 is refused before any solve,
    naming the key and the rule, as the workbook's own check would."""
    from planner.api import check_points

    points = [
        Point(0, (("Settings.risk_weight", "set", float("nan")),)),
        Point(1, (("Budgets[funding=govt].limit_inr_crore", "set", -1),)),
        Point(2, (("Countries[country=China].risk_score", "scale", 3),)),
        Point(3, (("Settings.risk_weight", "set", 0.2),)),
    ]
    with pytest.raises(params.ParameterError) as info:
        check_points(base, points)
    lines = str(info.value).splitlines()
    assert len(lines) == 3, lines
    assert "Settings.risk_weight=nan: a finite number is needed" in lines[0]
    assert "limit_inr_crore is -1; it must be 0 or more" in lines[1]
    assert "x3 of the workbook's value" in lines[2] and "between 0 and 1" in lines[2]


def test_cli_sweep_caps_points_and_checks_distributions(teaching_path, tmp_path):
    runner = CliRunner()
    out = str(tmp_path / "s.xlsx")
    huge = ["sweep", str(teaching_path), "--set", "Settings.risk_weight=0:1:1000000000", "-o", out]
    result = runner.invoke(app, huge)
    assert result.exit_code == 2
    assert "1,000,000,000 values is more than the limit of 10,000" in " ".join(
        result.output.split()
    )
    grid_args = [
        "--set",
        "Settings.risk_weight=0:1:200",
        "--scale",
        "Demand[mineral=lithium]=0.5:1.5:100",
    ]
    result = runner.invoke(app, ["sweep", str(teaching_path), *grid_args, "-o", out])
    assert result.exit_code == 2 and "20,000 points (200 x 100)" in " ".join(result.output.split())
    for text, why in (
        ("uniform(1,0)", "low must not be above high"),
        ("normal(0,-1)", "sd must be 0 or more"),
    ):
        args = ["sweep", str(teaching_path), "--sample", f"Settings.risk_weight={text}", "-o", out]
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and why in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "s.xlsx").exists()
