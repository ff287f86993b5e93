"""The input template: generated from the schema, documented, validated, written atomically."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from planner.io import schema
from planner.io.template import LAST_ROW, write_template

MILESTONES = (2025, 2030, 2035, 2040)
# The sheet order of DESIGN.md, then the README.
DESIGN_ORDER = [
    "Settings",
    "Minerals",
    "Countries",
    "Demand",
    "Supply",
    "Projects",
    "Processing",
    "Scrap",
    "Budgets",
    "Policy",
    "Disruptions",
    "MineOrigins",
    "Sources",
    "README",
]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = write_template(tmp_path_factory.mktemp("template") / "template.xlsx", MILESTONES)
    return openpyxl.load_workbook(path)


def expected_headers(sheet: schema.Sheet, years: tuple[int, ...] = MILESTONES) -> list:
    names: list = [col.name for col in sheet.columns]
    return names + list(years) if sheet.year_columns else names


def shown_default(default: object) -> str:
    """How a default is written for people: blank, or the number without a trailing .0."""
    if default is None or default == "":
        return "blank"
    return f"{default:g}" if isinstance(default, float) else str(default)


def header_row(ws: Worksheet) -> list:
    return [cell.value for cell in ws[1]]


def validations_covering(ws: Worksheet, cell: str) -> list[DataValidation]:
    return [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]


def column_cells(index: int) -> tuple[str, str]:
    letter = get_column_letter(index)
    return f"{letter}2", f"{letter}{LAST_ROW}"


# --- sheets and headers -----------------------------------------------------------------------


def test_sheets_in_design_order(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == DESIGN_ORDER
    assert workbook.sheetnames[1:-1] == [sheet.name for sheet in schema.SHEETS]


@pytest.mark.parametrize("sheet", schema.SHEETS, ids=lambda s: s.name)
def test_headers_are_exactly_the_schema_columns(
    workbook: openpyxl.Workbook, sheet: schema.Sheet
) -> None:
    ws = workbook[sheet.name]
    assert header_row(ws) == expected_headers(sheet)
    assert ws.max_row == 1, "the template must hold no data rows"
    assert ws.freeze_panes == "A2"
    assert all(cell.font.bold for cell in ws[1])


def test_demand_and_scrap_have_integer_milestone_year_headers(
    workbook: openpyxl.Workbook,
) -> None:
    assert header_row(workbook["Demand"]) == ["mineral", "scenario", 2025, 2030, 2035, 2040]
    assert header_row(workbook["Scrap"]) == ["mineral", 2025, 2030, 2035, 2040]
    years = header_row(workbook["Demand"])[2:]
    assert all(type(year) is int for year in years)


def test_custom_milestone_years(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", (2024, 2030, 2050)))
    assert header_row(wb["Demand"]) == ["mineral", "scenario", 2024, 2030, 2050]
    assert header_row(wb["Scrap"]) == ["mineral", 2024, 2030, 2050]


@pytest.mark.parametrize("years", [(), (2030, 2025), (2025, 2025), (2025.0, 2030)])
def test_bad_milestone_years_are_refused(tmp_path: Path, years: tuple) -> None:
    target = tmp_path / "t.xlsx"
    with pytest.raises(ValueError, match="milestone"):
        write_template(target, years)
    assert list(tmp_path.iterdir()) == []


def test_column_widths_are_fitted(workbook: openpyxl.Workbook) -> None:
    ws = workbook["Minerals"]
    width = ws.column_dimensions["C"].width  # shortfall_penalty_usd_per_t
    assert width >= len("shortfall_penalty_usd_per_t")


# --- header comments --------------------------------------------------------------------------


@pytest.mark.parametrize("sheet", schema.SHEETS, ids=lambda s: s.name)
def test_every_header_has_a_comment_with_meaning_unit_and_default(
    workbook: openpyxl.Workbook, sheet: schema.Sheet
) -> None:
    ws = workbook[sheet.name]
    for index, col in enumerate(sheet.columns, start=1):
        comment = ws.cell(row=1, column=index).comment
        assert comment is not None, f"{sheet.name}.{col.name} has no comment"
        text = comment.text
        assert col.doc in text
        if col.unit:
            assert f"Unit: {col.unit}" in text, f"{sheet.name}.{col.name}: unit missing"
        if col.required:
            assert "Required: yes" in text
        else:
            assert "Required: no" in text
            assert f"(default: {shown_default(col.default)})" in text
    for offset, year in enumerate(MILESTONES if sheet.year_columns else ()):
        comment = ws.cell(row=1, column=len(sheet.columns) + 1 + offset).comment
        assert comment is not None
        assert sheet.extra["year_doc"] in comment.text
        assert sheet.extra["year_unit"] in comment.text
        assert str(year) in comment.text


def test_comment_gives_default_value(workbook: openpyxl.Workbook) -> None:
    text = workbook["Projects"]["J1"].comment.text  # max_stake
    assert "Required: no (default: 1)" in text
    text = workbook["Demand"]["B1"].comment.text  # scenario
    assert "default: base" in text


# --- data validation --------------------------------------------------------------------------


CHOICE_COLUMNS = [
    (sheet, index, col)
    for sheet in schema.SHEETS
    for index, col in enumerate(sheet.columns, start=1)
    if col.kind in ("yesno", "choice")
]


def test_choice_columns_are_the_expected_ones() -> None:
    found = {(sheet.name, col.name) for sheet, _, col in CHOICE_COLUMNS}
    assert found == {
        ("Countries", "of_concern"),
        ("Countries", "partner"),
        ("Supply", "form"),
        ("Projects", "form"),
        ("Processing", "feed"),
        ("Policy", "rule"),
        ("Policy", "basis"),
        ("Disruptions", "form"),
    }


@pytest.mark.parametrize(
    ("sheet", "index", "col"), CHOICE_COLUMNS, ids=lambda x: getattr(x, "name", str(x))
)
def test_choice_columns_have_drop_downs(
    workbook: openpyxl.Workbook, sheet: schema.Sheet, index: int, col: schema.Column
) -> None:
    ws = workbook[sheet.name]
    first, last = column_cells(index)
    lists = [dv for dv in validations_covering(ws, first) if dv.type == "list"]
    assert len(lists) == 1, f"{sheet.name}.{col.name}: expected one drop-down"
    dv = lists[0]
    assert last in dv.sqref
    assert "A1" not in dv.sqref and f"{get_column_letter(index)}1" not in dv.sqref
    assert dv.formula1 == '"' + ",".join(col.choices) + '"'
    assert dv.allow_blank
    assert not dv.showDropDown  # in OOXML, showDropDown=1 *hides* the arrow
    assert dv.showErrorMessage and dv.error and dv.errorTitle
    assert all(choice in dv.error for choice in col.choices)
    assert dv.showInputMessage and dv.prompt


def test_drop_down_choices_match_schema_constants(workbook: openpyxl.Workbook) -> None:
    def formula(sheet: str, cell: str) -> str:
        (dv,) = validations_covering(workbook[sheet], cell)
        return dv.formula1

    assert formula("Countries", "C2") == '"yes,no"'
    assert formula("Countries", "D500") == '"yes,no"'
    assert formula("Supply", "C2") == '"concentrate,refined"'
    assert formula("Projects", "D2") == '"concentrate,refined"'
    assert formula("Processing", "C2") == '"concentrate,scrap"'
    assert formula("Policy", "A1000") == '"' + ",".join(schema.RULES) + '"'


def test_numeric_validations(workbook: openpyxl.Workbook) -> None:
    (stake,) = validations_covering(workbook["Projects"], "I2")  # min_stake, a fraction
    assert (stake.type, stake.operator, stake.formula1, stake.formula2) == (
        "decimal",
        "between",
        "0",
        "1",
    )
    (life,) = validations_covering(workbook["Projects"], "M2")  # life_years, integer >= 1
    assert (life.type, life.operator, life.formula1) == ("whole", "greaterThanOrEqual", "1")
    (year,) = validations_covering(workbook["Budgets"], "B2")  # first_year
    assert year.type == "whole"
    (capacity,) = validations_covering(workbook["Projects"], "E2")  # capacity_t > 0
    assert (capacity.type, capacity.operator, capacity.formula1) == (
        "decimal",
        "greaterThan",
        "0",
    )
    (demand,) = validations_covering(workbook["Demand"], "C2")  # 2025
    assert (demand.type, demand.operator, demand.formula1) == (
        "decimal",
        "greaterThanOrEqual",
        "0",
    )
    for ws in workbook.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert dv.error and dv.showErrorMessage, f"{ws.title} {dv.sqref}: no message"
            assert len(dv.errorTitle or "") <= 32 and len(dv.promptTitle or "") <= 32
            assert len(dv.error) <= 255 and len(dv.prompt or "") <= 255


def test_text_columns_are_not_restricted(workbook: openpyxl.Workbook) -> None:
    assert validations_covering(workbook["Projects"], "A2") == []  # project name
    assert workbook["Sources"].data_validations.dataValidation == []


# --- Settings ---------------------------------------------------------------------------------


def settings_rows(workbook: openpyxl.Workbook) -> dict[str, tuple]:
    rows = list(workbook["Settings"].iter_rows(min_row=2, values_only=True))
    return {row[0]: row[1:] for row in rows}


def test_settings_sheet_holds_every_setting(workbook: openpyxl.Workbook) -> None:
    ws = workbook["Settings"]
    assert header_row(ws) == ["key", "value", "note"]
    assert ws.freeze_panes == "A2"
    keys = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert keys == [setting.name for setting in schema.SETTINGS]


def test_settings_values_and_notes(workbook: openpyxl.Workbook) -> None:
    rows = settings_rows(workbook)
    assert rows["schema_version"][0] == schema.SCHEMA_VERSION
    for setting in schema.SETTINGS:
        value, note = rows[setting.name]
        assert setting.doc in note
        if setting.unit:
            assert setting.unit in note
        if setting.name == "schema_version":
            continue
        if setting.required or setting.default in (None, ""):
            assert value is None, f"{setting.name} should be blank"
        else:
            assert value == setting.default
    assert rows["mip_gap"][0] == pytest.approx(0.001)
    assert rows["home_country"][0] is None
    assert rows["demand_scenario"][0] is None


def test_settings_values_are_validated(workbook: openpyxl.Workbook) -> None:
    ws = workbook["Settings"]
    row = {setting.name: index for index, setting in enumerate(schema.SETTINGS, start=2)}
    (rate,) = validations_covering(ws, f"B{row['discount_rate']}")
    assert (rate.type, rate.formula1, rate.formula2) == ("decimal", "0", "1")
    (first,) = validations_covering(ws, f"B{row['first_year']}")
    assert first.type == "whole"
    assert validations_covering(ws, f"B{row['home_country']}") == []


# --- README -----------------------------------------------------------------------------------


def test_readme_is_last_and_documents_every_column(workbook: openpyxl.Workbook) -> None:
    ws = workbook.worksheets[-1]
    assert ws.title == "README"
    rows = list(ws.iter_rows(values_only=True))
    text = " ".join(str(value) for row in rows for value in row if value is not None)
    for phrase in ("A1", "_pct", "interpolated", "flat", "default", "Budgets", "Policy"):
        assert phrase in text
    header_index = next(i for i, row in enumerate(rows) if row[:2] == ("sheet", "column"))
    assert rows[header_index] == ("sheet", "column", "required", "default", "unit", "meaning")
    documented = {(row[0], row[1]) for row in rows[header_index + 1 :]}
    for setting in schema.SETTINGS:
        assert ("Settings", setting.name) in documented
    for sheet in schema.SHEETS:
        for col in sheet.columns:
            assert (sheet.name, col.name) in documented, f"{sheet.name}.{col.name}"
    table = {(row[0], row[1]): row for row in rows[header_index + 1 :]}
    assert table[("Projects", "max_stake")][2:5] == ("no", 1, "fraction 0..1")
    assert table[("Projects", "capex_musd")][2:5] == ("yes", None, "million USD")
    assert table[("Demand", "2025, 2030, 2035, 2040")][4] == "t/yr"


# --- atomic writing ---------------------------------------------------------------------------


def test_overwrites_existing_file_atomically(tmp_path: Path) -> None:
    target = tmp_path / "template.xlsx"
    target.write_bytes(b"not a workbook")
    result = write_template(str(target))
    assert result == target
    assert openpyxl.load_workbook(target).sheetnames == DESIGN_ORDER
    assert [p.name for p in tmp_path.iterdir()] == ["template.xlsx"]


def test_failed_write_leaves_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "template.xlsx"
    target.write_bytes(b"previous contents")

    def broken_save(self: openpyxl.Workbook, filename: str) -> None:
        Path(filename).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        write_template(target)
    assert target.read_bytes() == b"previous contents"
    assert [p.name for p in tmp_path.iterdir()] == ["template.xlsx"]


def test_creates_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "template.xlsx"
    assert write_template(target) == target
    assert target.is_file()


def test_readme_names_the_optional_sheets_of_other_commands(workbook: openpyxl.Workbook) -> None:
    """The Scenarios and Sweep sheets are not part of the table contract, but a planner
    filling in the template must learn of them, with the parameter KEY syntax."""
    text = " ".join(str(c.value) for row in workbook["README"].iter_rows() for c in row if c.value)
    assert "'Scenarios'" in text and "'Sweep'" in text
    assert "Table[column=value,...].column" in text
