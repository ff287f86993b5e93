"""Tests of the plan-workbook export (planner.export.plan)."""

from __future__ import annotations

import math
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from planner.export import column_notes
from planner.export import plan as export
from planner.export.plan import (
    SHEET_ORDER,
    TABLE_SHEETS,
    cell_value,
    column_header,
    number_format,
    read_plan,
    read_plan_summary,
    read_plan_tables,
    refined_supply_mix,
    write_plan,
)
from planner.results.plan import PLAN_COLUMNS, Plan

YEARS = (2025, 2026, 2027)


def _frame(name: str, rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS[name]))


def _sample_plan() -> Plan:
    """Two minerals over three years, every table filled, both sourcing forms."""
    sourcing = _frame(
        "sourcing",
        [
            (2025, "lithium", "Australia", "concentrate", "import", 12000.0, 14.4, 0.0),
            (2025, "lithium", "Chile", "refined", "import", 8000.0, 120.5, 0.64),
            (2025, "lithium", "Argentina", "refined", "project", 3000.0, 40.25, 0.24),
            (2026, "lithium", "Chile", "refined", "import", 7000.0, 108.0, 0.5),
            (2026, "lithium", "Argentina", "refined", "project", 3500.0, 47.1, 0.25),
            (2027, "lithium", "Chile", "refined", "import", 6500.5, np.nan, 0.42),
            (2025, "cobalt", "DR Congo", "refined", "import", 1500.5, 52.3, 0.75),
            (2026, "cobalt", "Zambia", "concentrate", "project", 900.0, 18.0, 0.0),
            (2026, "cobalt", "DR Congo", "refined", "import", 1200.0, 43.0, 0.6),
        ],
    )
    projects = _frame(
        "projects",
        [("Salar JV", "Argentina", "lithium", "refined", 2025, 2025, 0.3, 3500.0, 90.0, "KABIL")],
    )
    processing = _frame(
        "processing",
        [
            (2025, "li_refinery", "lithium", "concentrate", 2, 2, 2000.0, 1500.0, 1800.0, 0.75),
            (2026, "li_refinery", "lithium", "concentrate", 1, 3, 3000.0, 3000.0, 3600.0, 1.0),
            (2026, "li_recycler", "lithium", "scrap", 1, 1, 500.0, 250.0, 300.0, 0.5),
            (2026, "co_refinery", "cobalt", "concentrate", 1, 1, 1000.0, 800.0, 900.0, 0.8),
        ],
    )
    stock = _frame(
        "stock",
        [
            (2025, "lithium", 500.0, 0.0, 500.0, 400.0),
            (2026, "lithium", 0.0, 250.0, 250.0, 400.0),
            (2025, "cobalt", 0.0, 0.0, 0.0, 0.0),
        ],
    )
    shortfall = _frame(
        "shortfall",
        [(2025, "lithium", 12500.0, 0.0, 0.0, 0.0), (2026, "cobalt", 2100.0, 100.0, 0.048, 5.0)],
    )
    risk = _frame(
        "risk",
        [
            (2025, "lithium", 12500.0, 0.4, 0.12, 0.0, 0.12, 0.5, 0.1, 0.0, 0.0, 48.2, 3.1),
            (2025, "cobalt", 1500.5, 1.0, 0.8, 0.0, 0.0, 0.8, 0.7, 0.0, 0.0, 41.8, 12.0),
        ],
    )
    mine_origin = _frame(
        "mine_origin",
        [
            (2025, "lithium", "Chile", "Chile", 8000.0, 0.64),
            (2025, "lithium", "Australia", "India", 1500.0, 0.12),
            (2025, "cobalt", "DR Congo", "DR Congo", 1500.5, 1.0),
        ],
    )
    marginal_costs = _frame(
        "marginal_costs", [(2025, "lithium", 15062.5), (2025, "cobalt", 34855.0)]
    )
    budgets = _frame(
        "budgets",
        [
            ("KABIL", 2025, 2030, 5000.0, 5000.0, True, 0.0125),
            ("NMEM", 2025, 2040, 16300.0, 0.0, False, 0.0),
        ],
    )
    return Plan(
        summary={
            "status": "optimal",
            "objective_musd": 1234.5678,
            "solve_time_s": 1.25,
            "home_country": "India",
            "first_year": 2025,
            "mip_gap": 0.0,
            "input_file": "input.xlsx",
        },
        sourcing=sourcing,
        mine_origin=mine_origin,
        projects=projects,
        processing=processing,
        stock=stock,
        shortfall=shortfall,
        risk=risk,
        marginal_costs=marginal_costs,
        budgets=budgets,
        notes=["Cobalt demand is not fully met in 2026.", "Prices are in money of the year."],
    )


def _empty_plan() -> Plan:
    tables = {name: _frame(name, []) for name in PLAN_COLUMNS}
    return Plan(summary={"status": "optimal"}, **tables)


@pytest.fixture
def plan_path(tmp_path: Path) -> Path:
    return write_plan(_sample_plan(), tmp_path / "plan.xlsx")


def _header(ws) -> list[object]:
    return [cell.value for cell in ws[1]]


def test_sheet_names_and_order(plan_path: Path) -> None:
    assert load_workbook(plan_path).sheetnames == [
        "Summary", "Sourcing", "MineOrigin", "Projects", "Processing", "Stock", "Shortfall",
        "Risk", "MarginalCosts", "Budgets", "Chart",
    ]  # fmt: skip
    assert list(SHEET_ORDER) == load_workbook(plan_path).sheetnames
    assert list(TABLE_SHEETS) == list(PLAN_COLUMNS)


def test_headers_carry_units_and_machine_names(plan_path: Path) -> None:
    workbook = load_workbook(plan_path)
    assert _header(workbook["Sourcing"]) == [
        "year", "mineral", "country", "form", "channel", "tonnes (t)", "cost (million USD)",
        "share",
    ]  # fmt: skip
    assert "limit (INR crore)" in _header(workbook["Budgets"])
    assert "value (million USD per INR crore)" in _header(workbook["Budgets"])
    assert _header(workbook["MarginalCosts"])[-1] == "marginal cost (USD/t)"
    assert _header(workbook["Risk"])[3:] == [
        "HHI (0-1)", "governance-weighted HHI", "concern share",
        "self-sufficiency (refined at home)", "HHI, mine origin (0-1)",
        "governance-weighted HHI, mine origin", "concern share, mine origin",
        "self-sufficiency (mined at home)", "risk exposure (million USD)",
        "concentration (million USD)",
    ]  # fmt: skip
    for name, sheet in TABLE_SHEETS.items():
        comments = [cell.comment.text for cell in workbook[sheet][1]]
        # what the column holds, then its name in code (which reading back uses)
        assert comments == [column_notes.comment(c) for c in PLAN_COLUMNS[name]]
        assert [column_notes.name_in(c) for c in comments] == list(PLAN_COLUMNS[name])
        assert all(len(c.splitlines()) == 2 for c in comments)  # every column explained
        assert all(cell.font.b for cell in workbook[sheet][1])


def test_headers_are_unique_per_table() -> None:
    for columns in PLAN_COLUMNS.values():
        headers = [column_header(c) for c in columns]
        assert len(set(headers)) == len(headers)


def test_generic_headers_from_suffix() -> None:
    assert column_header("stock_t") == "stock (t)"
    assert column_header("penalty_musd") == "penalty (million USD)"
    assert column_header("solve_time_s") == "solve time (s)"
    assert column_header("growth_pct") == "growth (%)"
    assert column_header("price_usd_per_t") == "price (USD/t)"
    assert column_header("build_year") == "build year"


def test_tables_round_trip(plan_path: Path) -> None:
    plan = _sample_plan()
    tables = read_plan_tables(plan_path)
    assert list(tables) == list(PLAN_COLUMNS)
    for name, expected in plan.tables().items():
        assert list(tables[name].columns) == list(PLAN_COLUMNS[name])
        pd.testing.assert_frame_equal(
            tables[name].reset_index(drop=True),
            expected.reset_index(drop=True),
            check_dtype=False,
        )
    assert math.isnan(tables["sourcing"].loc[5, "cost_musd"])
    assert tables["budgets"]["binding"].tolist() == [True, False]


def test_summary_and_notes(plan_path: Path) -> None:
    """The plan's figures in words first (block "The plan"), the run's details in their own
    block, each item with its machine name in column C; a blank row, then the notes."""
    ws = load_workbook(plan_path)["Summary"]
    assert _header(ws) == ["item", "value", "name in code"]
    assert ws["A2"].value == "The plan"
    assert (ws["A3"].value, ws["C3"].value) == ("Solver status", "status")
    assert ws["C4"].value == "objective_musd" and "million USD" in ws["A4"].value
    assert ws["B4"].value == pytest.approx(1234.5678)
    assert ws["B4"].number_format == "#,##0.00"
    assert ws["A8"].value is None  # a blank row between the blocks
    assert ws["A9"].value == "Run details"
    assert [ws["C10"].value, ws["C11"].value] == ["input_file", "solve_time_s"]
    assert ws["A12"].value is None and ws["A13"].value == "notes"
    summary, notes = read_plan_summary(plan_path)
    assert summary == _sample_plan().summary
    assert notes == _sample_plan().notes


def test_read_plan_rebuilds_the_plan(plan_path: Path) -> None:
    plan = read_plan(plan_path)
    assert plan.summary["home_country"] == "India"
    assert len(plan.sourcing) == 9


def test_number_formats(plan_path: Path) -> None:
    workbook = load_workbook(plan_path)
    sourcing = workbook["Sourcing"]
    assert sourcing["A2"].number_format == "0"  # year
    assert sourcing["F2"].number_format == "#,##0.0"  # tonnes_t
    assert sourcing["G2"].number_format == "#,##0.00"  # cost_musd
    assert sourcing["H2"].number_format == "0.0%"  # share
    risk = workbook["Risk"]
    assert risk["D2"].number_format == "0.000"  # hhi
    assert risk["E2"].number_format == "0.000"  # governance_hhi
    assert risk["F2"].number_format == "0.0%"  # concern_share
    assert risk["G2"].number_format == "0.0%"  # self_sufficiency
    assert workbook["Projects"]["G2"].number_format == "0.0%"  # stake
    assert workbook["Processing"]["J2"].number_format == "0.0%"  # utilisation
    assert workbook["Shortfall"]["E2"].number_format == "0.0%"  # unmet_share
    assert workbook["Budgets"]["D2"].number_format == "#,##0.00"  # limit_inr_crore


def test_frozen_panes_filters_and_widths(plan_path: Path) -> None:
    workbook = load_workbook(plan_path)
    for sheet in ("Summary", *TABLE_SHEETS.values()):
        assert workbook[sheet].freeze_panes == "A2"
    assert workbook["Sourcing"].auto_filter.ref == "A1:H10"
    assert workbook["Budgets"].auto_filter.ref == "A1:G3"
    widths = workbook["Budgets"].column_dimensions
    assert widths["G"].min == 7
    assert widths["G"].width >= len("value (million USD per INR crore)")


def test_binding_is_written_as_yes_no(plan_path: Path) -> None:
    ws = load_workbook(plan_path)["Budgets"]
    assert [ws["F2"].value, ws["F3"].value] == ["yes", "no"]


def test_refined_supply_mix() -> None:
    mixes = refined_supply_mix(_sample_plan())
    assert list(mixes) == ["cobalt", "lithium"]
    lithium = mixes["lithium"]
    assert list(lithium.columns) == ["Chile", "Argentina", "India (refined at home)", "stock drawn"]
    assert lithium.index.tolist() == list(YEARS)
    assert lithium.loc[2025, "Chile"] == 8000.0
    assert lithium.loc[2026, "India (refined at home)"] == 3250.0  # refinery plus recycler
    assert lithium.loc[2026, "stock drawn"] == 250.0
    assert lithium.loc[2027, "Argentina"] == 0.0
    # Concentrate (Australia, Zambia) is not refined supply; cobalt never drew stock.
    assert list(mixes["cobalt"].columns) == ["DR Congo", "India (refined at home)"]


def test_home_label_defaults_to_domestic() -> None:
    plan = _sample_plan()
    del plan.summary["home_country"]
    assert "domestic (refined at home)" in refined_supply_mix(plan)["lithium"].columns


def test_chart_sheet_has_a_stacked_chart_per_mineral(plan_path: Path) -> None:
    ws = load_workbook(plan_path)["Chart"]
    assert len(ws._charts) == 2
    chart = ws._charts[0]
    assert chart.grouping == "stacked"
    assert chart.overlap == 100
    assert len(chart.series) == 2  # cobalt: DR Congo and home output
    assert ws["A1"].value == "cobalt: refined supply by origin (t)"
    # the chart under the title, its data below the chart (one mineral per printed page)
    assert [c.value for c in ws[21]][:3] == ["year", "DR Congo", "India (refined at home)"]
    assert [ws["A22"].value, ws["B22"].value] == [2025, 1500.5]
    assert ws.row_breaks.brk and ws.row_breaks.brk[0].id == 24  # lithium on its own page


def test_chart_sheet_past_its_limit_charts_the_largest_sourcing_cost(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Known answer: with the limit at 1, of the sample plan's two minerals the Chart sheet
    charts lithium only. Its sourcing cost over the horizon is 14.4 + 120.5 + 40.25 + 108.0
    + 47.1 = 330.25 MUSD (its 2027 cost is missing: counted as none) against cobalt's 52.3 +
    18.0 + 43.0 = 113.3. A note on the first line says so; lithium's block starts two rows
    below it: title in row 3, chart from row 4, header in row 3 + 19 + 1 = 23, its three
    years in rows 24-26, and no page break on the sheet (one block). With `all_charts` both
    are charted, cobalt first, as when they are within the limit."""
    monkeypatch.setattr(export, "CHART_MINERALS", 1)
    ws = load_workbook(write_plan(_sample_plan(), tmp_path / "capped.xlsx"))["Chart"]
    assert ws["A1"].value == (
        "Charted: the 1 of 2 minerals with the largest sourcing cost over the horizon. Every "
        "mineral's sourcing is on the Sourcing sheet; planner solve --all-charts charts them all."
    )
    assert ws["A3"].value == "lithium: refined supply by origin (t)"
    assert [chart.anchor._from.row for chart in ws._charts] == [3]
    assert [c.value for c in ws[23]][:2] == ["year", "Chile"]
    assert [ws["A24"].value, ws["A26"].value, ws["B26"].value] == [2025, 2027, 6500.5]
    assert not ws.row_breaks.brk
    chart = ws._charts[0]
    assert chart.title.tx.strRef.f == "Chart!$A$3"
    assert chart.series[0].val.numRef.f == "Chart!$B$24:$B$26"
    every = load_workbook(write_plan(_sample_plan(), tmp_path / "all.xlsx", all_charts=True))
    assert [c.anchor._from.row for c in every["Chart"]._charts] == [1, 25]
    assert every["Chart"]["A1"].value == "cobalt: refined supply by origin (t)"


def test_charted_minerals_rank_by_sourcing_cost_and_keep_their_order() -> None:
    """Known answer: sourcing costs lithium 330.25, cobalt 113.3, nickel none (no Sourcing
    row). A limit of 2 takes lithium and cobalt, in the order given; a limit of 1 lithium; no
    limit, or one as long as the list, all. With cobalt's cost raised to lithium's (a tie at
    330.25), a limit of 1 takes cobalt, first by name."""
    plan = _sample_plan()
    minerals = ["cobalt", "lithium", "nickel"]
    assert export.charted_minerals(plan, minerals, 2) == ["cobalt", "lithium"]
    assert export.charted_minerals(plan, minerals, 1) == ["lithium"]
    assert export.charted_minerals(plan, minerals, None) == minerals
    assert export.charted_minerals(plan, minerals, 3) == minerals
    tied = _sample_plan()
    tied.sourcing.loc[tied.sourcing["mineral"] == "cobalt", "cost_musd"] = [330.25, 0.0, 0.0]
    assert export.charted_minerals(tied, minerals, 1) == ["cobalt"]  # a tie goes by name


def test_empty_tables_still_get_headers(tmp_path: Path) -> None:
    path = write_plan(_empty_plan(), tmp_path / "empty.xlsx")
    workbook = load_workbook(path)
    for name, sheet in TABLE_SHEETS.items():
        ws = workbook[sheet]
        assert ws.max_row == 1
        assert _header(ws) == [column_header(c) for c in PLAN_COLUMNS[name]]
    assert workbook["Chart"]._charts == []
    tables = read_plan_tables(path)
    for name, frame in tables.items():
        assert frame.empty
        assert list(frame.columns) == list(PLAN_COLUMNS[name])


def _existing_plan(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"previous plan")
    return path, path.read_bytes()


def test_failure_while_building_leaves_previous_file(tmp_path: Path, monkeypatch) -> None:
    path, before = _existing_plan(tmp_path)

    def broken_chart(*args: object) -> None:
        raise RuntimeError("chart failed")

    monkeypatch.setattr(export, "_write_chart_sheet", broken_chart)
    with pytest.raises(RuntimeError, match="chart failed"):
        write_plan(_sample_plan(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]


def test_failure_while_saving_leaves_previous_file(tmp_path: Path, monkeypatch) -> None:
    path, before = _existing_plan(tmp_path)

    def disk_full(workbook: object, tmp: Path) -> None:
        tmp.write_bytes(b"PK\x03\x04 half a zip")
        raise OSError("No space left on device")

    monkeypatch.setattr(export, "_save", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_plan(_sample_plan(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]


def test_success_replaces_previous_file(tmp_path: Path) -> None:
    path, _ = _existing_plan(tmp_path)
    assert write_plan(_sample_plan(), path) == path
    assert load_workbook(path).sheetnames[0] == "Summary"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]


def test_missing_column_is_refused_before_writing(tmp_path: Path) -> None:
    plan = _sample_plan()
    plan.sourcing = plan.sourcing.drop(columns=["share"])
    with pytest.raises(ValueError, match=r"Plan\.sourcing lacks column\(s\) share"):
        write_plan(plan, tmp_path / "plan.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_cell_values_are_plain_python() -> None:
    assert cell_value(np.float64(1.5)) == 1.5
    assert type(cell_value(np.float64(1.5))) is float
    assert type(cell_value(np.int64(2030))) is int
    assert cell_value(np.float64("nan")) is None
    assert cell_value(float("nan")) is None
    assert cell_value(pd.NA) is None
    assert cell_value(np.bool_(True)) == "yes"
    assert cell_value(False) == "no"
    assert cell_value(float("inf")) == "inf"
    assert cell_value("a\x00b") == "ab"
    assert cell_value("a\r\nb\rc") == "a\nb\nc"


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    plan = _sample_plan()
    plan.sourcing.loc[0, "country"] = "=HYPERLINK(1)"
    path = write_plan(plan, tmp_path / "plan.xlsx")
    cell = load_workbook(path)["Sourcing"]["C2"]
    assert cell.data_type == "s"
    assert read_plan_tables(path)["sourcing"].loc[0, "country"] == "=HYPERLINK(1)"


def test_opens_in_libreoffice(plan_path: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path / "pdf"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(plan_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = out / "plan.pdf"
    assert pdf.exists()
    assert pdf.stat().st_size > 0


# ---------------------------------------------------------------- cells as written
# The tables are written through XlsxWriter, row by row with one format per column; these
# tests hold the cells to what openpyxl writes for the same values cell by cell.

_AWKWARD_TEXT = [
    " padded ",
    "a&b<c>d",
    "=SUM(A1)",
    "#N/A",
    "",
    "   ",
    "ünïcødé ☃ 日本",
    "</sheetData>",
    "x" * 40_000,  # longer than a cell holds: truncated
    "tab\tand\nnew line\r",  # the line end becomes "\n"
    "ctrl\x01char",  # illegal character: dropped
    "plain",
]


def _awkward_sourcing() -> pd.DataFrame:
    """A Sourcing table (plus extra columns) full of values that are awkward to write."""
    n = len(_AWKWARD_TEXT)
    tonnes = [np.nan, np.inf, -np.inf, -0.0, 1e16, 9.995, -0.004, 1 / 3, 0.0, 12.5, 99.999, -7.0]
    return pd.DataFrame(
        {
            "year": np.arange(2025, 2025 + n, dtype=np.int64),
            "mineral": _AWKWARD_TEXT,
            "country": [None, np.nan, pd.NA, 5, 2.5, True, np.int64(7), "Chile", "", "=1", 0, "z"],
            "form": pd.array(["refined", None] * (n // 2), dtype="string"),
            "channel": ["import"] * n,
            "tonnes_t": tonnes,
            "cost_musd": [np.nan] * n,
            "share": np.linspace(0.0, 1.0, n),
            "flag": [True, False] * (n // 2),
            "count_t": pd.array([1, None] * (n // 2), dtype="Int64"),
            "start_year": [2030.7, np.nan, -1.5, 2040.0] * (n // 4),
            "small": np.arange(n, dtype=np.uint8),
        }
    )


def _reference_table(frame: pd.DataFrame, columns: list[str], path: Path) -> Path:
    """The table written cell by cell through openpyxl: bold, filled header cells (right-
    aligned over numbers) with the machine names in comments; every value as `cell_value`
    makes it, text always as text, in its column's number format; no cell where the value is
    empty."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    ws = workbook.active
    formats = [export.number_format(c) for c in columns]
    for col, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=col, value=column_header(column))
        cell.font = Font(name="Calibri", size=11, bold=True)
        cell.fill = PatternFill(fill_type="solid", fgColor="DDEBF7")
        if formats[col - 1] != "General":
            cell.alignment = Alignment(horizontal="right")
        cell.comment = Comment(column_notes.comment(column), "planner")
    for row, values in enumerate(frame.loc[:, columns].itertuples(index=False), start=2):
        for col, value in enumerate(values, start=1):
            value = cell_value(value)
            if value is None or value == "":
                continue
            cell = ws.cell(row=row, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula or an error value
            if formats[col - 1] != "General":
                cell.number_format = formats[col - 1]
    workbook.save(path)
    return path


def _cell_facts(cell) -> tuple:
    return (
        cell.value,
        cell.data_type,
        cell.number_format,
        cell.font.name,
        cell.font.b,
        cell.fill.fill_type,
        cell.fill.fgColor.rgb[-6:],  # XlsxWriter writes the colour opaque (FF...), openpyxl 00...
        cell.alignment.horizontal,
        cell.comment.text if cell.comment is not None else None,
    )


def _expected_width(header: str, values: list, fmt: str) -> int:
    """A little wider than the longest header or value shown, within 8 to 50 characters."""
    shown = [len(header)]
    for value in values:
        if value is None:
            continue
        if isinstance(value, str):
            shown.append(len(value))
        elif fmt == "0":
            shown.append(len(str(int(value))))
        else:
            shown.append(len(f"{value:,.2f}"))
    return min(max(max(shown) + 2, 8), 50)


def _column_dimension(ws, col: int):
    """The column dimension covering column `col` (1 = A): columns of the same width and
    format are stored as one range."""
    found = [d for d in ws.column_dimensions.values() if d.min <= col <= d.max]
    assert len(found) == 1, col
    return found[0]


def test_table_rows_match_openpyxl_cell_by_cell(tmp_path: Path) -> None:
    plan = _sample_plan()
    plan.sourcing = _awkward_sourcing()
    columns = export.table_columns("sourcing", plan.sourcing)
    assert columns[8:] == ["flag", "count_t", "start_year", "small"]
    path = write_plan(plan, tmp_path / "plan.xlsx")
    with zipfile.ZipFile(path) as package:
        strings = package.read("xl/sharedStrings.xml").decode()
    assert '<t xml:space="preserve"> padded </t>' in strings  # Excel would strip it otherwise
    assert '<t xml:space="preserve">   </t>' in strings
    exported = load_workbook(path)["Sourcing"]
    reference = load_workbook(_reference_table(plan.sourcing, columns, tmp_path / "ref.xlsx"))
    reference = reference.active
    assert exported.dimensions == reference.dimensions == "A1:L13"
    assert sorted(exported._cells) == sorted(reference._cells)  # the same cells written
    for key, cell in reference._cells.items():
        assert _cell_facts(exported._cells[key]) == _cell_facts(cell), cell.coordinate
    for col, column in enumerate(columns, start=1):
        dimension = _column_dimension(exported, col)
        assert dimension.number_format == export.number_format(column), column
        values = [cell_value(v) for v in plan.sourcing[column]]
        fmt = export.number_format(column)
        expected = _expected_width(column_header(column), values, fmt)
        # XlsxWriter stores the width with the padding Excel adds (under one character)
        assert expected <= dimension.width < expected + 1, column
    assert exported["B2"].value == " padded "
    assert exported["B3"].value == "a&b<c>d"
    assert exported["B4"].value == "=SUM(A1)" and exported["B4"].data_type == "s"
    assert exported["B5"].value == "#N/A" and exported["B5"].data_type == "s"
    assert exported["B7"].value == "   "
    assert len(exported["B10"].value) == 32767
    assert exported["B11"].value == "tab\tand\nnew line\n"
    assert exported["B12"].value == "ctrlchar"
    assert exported["F3"].value == "inf"
    # an empty value is an empty cell, in its column's number format
    assert exported["G2"].value is None
    assert _column_dimension(exported, 7).number_format == "#,##0.00"
    assert [exported["I2"].value, exported["I3"].value] == ["yes", "no"]


def test_text_xlsxwriter_would_mistake_stays_text(tmp_path: Path) -> None:
    """XlsxWriter copies text shaped like "<r>...</r>" into the package as markup, and stops a
    row at text longer than a cell holds; neither may happen to plan text."""
    plan = _sample_plan()
    markup = ["<r>&</r>", "<r><t>x</t></r>", "<r></r>", "a_x0041_b", "https://example.com"]
    plan.sourcing["country"] = plan.sourcing["country"].astype(object)
    plan.sourcing.loc[0:4, "country"] = markup
    plan.sourcing.loc[5, "mineral"] = "😀" * 20_000  # 40,000 UTF-16 code units
    plan.sourcing["<r>&</r>"] = "x"  # an extra column: header and comment
    plan.summary["<r>item</r>"] = "<r>&</r>"
    plan.notes = ["<r>&</r>", "line\r\nend\r"]
    path = write_plan(plan, tmp_path / "plan.xlsx")
    ws = load_workbook(path)["Sourcing"]  # a package with broken XML would not load
    assert [ws.cell(row=row, column=3).value for row in range(2, 7)] == markup
    assert all(ws.cell(row=row, column=3).hyperlink is None for row in range(2, 7))
    assert ws["B7"].value == "😀" * 16_383  # as much as 32,767 UTF-16 code units hold
    assert [c.value for c in ws[7]][2:] == ["Chile", "refined", "import", 6500.5, None, 0.42, "x"]
    assert ws["I1"].value == "<r>&</r>"
    assert ws["I1"].comment.text == "[<r>&</r>]"
    summary, notes = read_plan_summary(path)
    assert summary["<r>item</r>"] == "<r>&</r>"
    assert notes == ["<r>&</r>", "line\nend\n"]
    tables = read_plan_tables(path)
    assert tables["sourcing"]["<r>&</r>"].tolist() == ["x"] * 9
    assert tables["sourcing"]["country"].tolist()[:5] == markup


def test_chart_titles_and_series_names_refer_to_their_cells(tmp_path: Path) -> None:
    """A mineral name that looks like a cell reference is a title, not a reference."""
    plan = _sample_plan()
    plan.sourcing["mineral"] = plan.sourcing["mineral"].replace({"cobalt": "=Chart!B5"})
    plan.processing["mineral"] = plan.processing["mineral"].replace({"cobalt": "=Chart!B5"})
    path = write_plan(plan, tmp_path / "plan.xlsx")
    ws = load_workbook(path)["Chart"]
    assert ws["A1"].value == "=Chart!B5: refined supply by origin (t)"
    assert ws["A1"].data_type == "s"
    chart = ws._charts[0]
    assert chart.title.tx.strRef.f == "Chart!$A$1"
    assert [s.tx.strRef.f for s in chart.series] == ["Chart!$B$21", "Chart!$C$21"]
    assert chart.series[0].val.numRef.f == "Chart!$B$22:$B$23"
    assert chart.series[0].cat.numRef.f == "Chart!$A$22:$A$23"


@pytest.mark.parametrize("fmt", ["#,##0.0", "0", "General", "0.0%"])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "uint16"])
def test_column_width_of_numbers_counts_every_value(fmt: str, dtype: str) -> None:
    rng = np.random.default_rng(7)
    edges = [0.0, -0.0, 9.994, 9.995, 99.995, -0.004, -0.006, 999.5, -999.49, 1e6 - 0.005]
    for scale in (1e-3, 1.0, 1e3, 1e7):
        raw = np.concatenate([rng.normal(0, scale, 50), edges])
        if dtype.startswith("uint"):
            raw = np.abs(raw)
        series = pd.Series(raw).astype(dtype)
        values, longest = export._column_values(series, fmt)
        assert values == [cell_value(v) for v in series]
        assert longest == max(export._shown_value_length(v, fmt) for v in values)
    values, longest = export._column_values(pd.Series([np.nan, -np.inf, 1.0]), fmt)
    assert values == [None, "-inf", 1.0]
    assert longest == 4
    assert export._column_values(pd.Series([], dtype=dtype), fmt) == ([], 0)


def test_chart_blocks_are_styled_and_placed(plan_path: Path) -> None:
    ws = load_workbook(plan_path)["Chart"]
    assert ws["A1"].font.b and ws["A1"].fill.fill_type is None
    for cell in ws[21][:3]:
        assert cell.font.b
        assert cell.fill.fgColor.rgb[-6:] == "DDEBF7"
        assert cell.alignment.horizontal == "right"
    assert [ws["A22"].number_format, ws["B22"].number_format] == ["0", "#,##0.0"]
    # cobalt's block (title, chart, 2 years of data) ends at row 23: lithium starts at 25
    assert ws["A25"].value == "lithium: refined supply by origin (t)"
    assert [c.value for c in ws[45]][:5] == [
        "year", "Chile", "Argentina", "India (refined at home)", "stock drawn",
    ]  # fmt: skip
    assert [c.value for c in ws[48]][:5] == [2027, 6500.5, 0, 0, 0]
    assert ws.dimensions == "A1:E48"
    assert [chart.anchor._from.row for chart in ws._charts] == [1, 25]


def test_written_files_get_the_usual_permissions(tmp_path):
    """An atomic write goes through a private temporary file; the result must not stay
    readable by its owner only: it gets 0666 less the process umask."""
    import os

    from planner.io.atomic import write_atomically

    mask = os.umask(0o022)
    try:
        path = write_atomically(tmp_path / "out.bin", lambda tmp: tmp.write_bytes(b"plan"))
    finally:
        os.umask(mask)
    assert path.read_bytes() == b"plan"
    assert path.stat().st_mode & 0o777 == 0o644


def test_mine_basis_risk_columns_are_formatted_like_their_refining_twins() -> None:
    for column in ("hhi", "governance_hhi", "concern_share", "self_sufficiency"):
        assert number_format(f"{column}_mine") == number_format(column), column


def test_chart_colours_are_the_plans_country_colours(plan_path: Path) -> None:
    """Each origin has one colour in every chart of the workbook, the same as in the
    briefing (planner.export.colours.plan_colours); home output has the home colour."""
    from planner.export.colours import HOME, plan_colours

    colours = plan_colours(_sample_plan())
    ws = load_workbook(plan_path)["Chart"]
    seen: dict[str, str] = {}
    for chart in ws._charts:
        for series in chart.series:
            ref = series.tx.strRef.f.split("!")[1].replace("$", "")
            name = ws[ref].value
            fill = series.graphicalProperties.solidFill
            colour = getattr(fill.srgbClr, "val", fill.srgbClr)
            assert colour == colours[name].lstrip("#").upper(), name
            assert seen.setdefault(name, colour) == colour
    assert seen["India (refined at home)"] == HOME.lstrip("#").upper()
