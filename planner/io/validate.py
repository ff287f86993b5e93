"""Load and validate an input workbook: every problem is collected, then raised at once."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.data import SHARE_RULES, InputData, Settings
from planner.io import schema
from planner.io.problems import InputError, Problem
from planner.io.workbook import RawTable, file_sha256, open_workbook, read_settings, read_table


def load_input(path: str | Path) -> InputData:
    """Read, check and type a workbook. Raises InputError listing every problem found."""
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(str(path), "", "file not found")])
    _check_file_type(path)
    try:
        values, uncached, _ = open_workbook(path)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(
            [
                Problem(
                    path.name,
                    "",
                    "cannot be read as an .xlsx workbook: the file is damaged "
                    f"({type(exc).__name__}: {str(exc)[:200]}); open it in Excel or "
                    "LibreOffice and save it again as .xlsx",
                )
            ]
        ) from None
    problems: list[Problem] = []
    warnings: list[Problem] = []
    settings_values, settings_cells = read_settings(
        values.get("settings"), uncached.get("settings", set()), problems, warnings
    )
    version = settings_values.get("schema_version")
    if isinstance(version, int) and version > schema.SCHEMA_VERSION:
        raise InputError(
            [
                Problem(
                    "Settings",
                    settings_cells.get("schema_version", ""),
                    f"schema_version is {version}; this program reads workbooks up "
                    f"to version {schema.SCHEMA_VERSION}: update the planner",
                )
            ]
        )
    tables = {
        sheet.name: read_table(
            sheet,
            values.get(sheet.name.lower()),
            uncached.get(sheet.name.lower(), set()),
            problems,
            warnings,
        )
        for sheet in schema.SHEETS
    }
    known_sheets = {"settings"} | set(schema.SHEET_BY_NAME) | set(schema.LATER_SHEETS)
    for name in values:
        if name not in known_sheets:
            warnings.append(
                Problem(name, "", "sheet is not part of the workbook contract; it is not read")
            )
    for sheet_name, since in schema.SHEET_SINCE.items():
        if isinstance(version, int) and version < since and tables[sheet_name].records:
            warnings.append(
                Problem(
                    sheet_name,
                    "",
                    f"sheet {sheet_name} belongs to schema version {since} and is read; set "
                    f"schema_version to {since}",
                )
            )
    for (sheet_name, column), since in schema.COLUMN_SINCE.items():
        letters = tables[sheet_name].column_letters
        if isinstance(version, int) and version < since and column in letters:
            warnings.append(
                Problem(
                    sheet_name,
                    letters[column] + "1",
                    f"column {column} belongs to schema version {since} and is read; set "
                    f"schema_version to {since}",
                )
            )
    checker = _Checker(settings_values, settings_cells, tables, problems)
    data = checker.run()
    if problems:
        raise InputError(_workbook_order(problems))
    assert data is not None
    data.warnings = [str(w) for w in warnings]
    data.source_file = str(path)
    data.source_sha256 = file_sha256(path)
    return data


OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # .xls, and Office's encrypted workbooks


def _check_file_type(path: Path) -> None:
    """One line naming the file and what is expected, for anything that is not an .xlsx."""

    def refuse(what: str) -> None:
        raise InputError([Problem(path.name, "", what)])

    if path.is_dir():
        refuse("is a folder; give the path of an .xlsx workbook")
    if not path.is_file():
        refuse("is not a regular file; give the path of an .xlsx workbook")
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head == OLE2_MAGIC:
        refuse(
            "is an Excel 97-2003 (.xls) file or a password-protected workbook; remove the "
            "password, or save it as an Excel Workbook (.xlsx), and try again"
        )
    if not head.startswith(b"PK"):
        refuse("is not an .xlsx workbook (an .xlsx file is a zip archive); save it as .xlsx")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            kind = (
                archive.read("mimetype")[:80].decode(errors="replace")
                if "mimetype" in names
                else ""
            )
    except zipfile.BadZipFile:
        refuse("is a damaged zip archive, not a readable .xlsx workbook")
    if "opendocument" in kind:
        refuse("is an OpenDocument spreadsheet (.ods); save it as an Excel Workbook (.xlsx)")
    if "xl/workbook.xml" not in names:
        refuse("is a zip archive but not an .xlsx workbook (no xl/workbook.xml)")


def _workbook_order(problems: list[Problem]) -> list[Problem]:
    order = {"Settings": 0} | {s.name: i + 1 for i, s in enumerate(schema.SHEETS)}

    def key(p: Problem) -> tuple:
        letters = "".join(ch for ch in p.cell if ch.isalpha())
        digits = "".join(ch for ch in p.cell if ch.isdigit())
        return (order.get(p.sheet, 99), int(digits) if digits else 0, len(letters), letters)

    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=key)


class _Checker:
    """Cross-sheet checks and the conversion of raw tables into InputData."""

    def __init__(
        self,
        settings: dict[str, Any],
        cells: dict[str, str],
        tables: dict[str, RawTable],
        problems: list[Problem],
    ):
        self.s = settings
        self.cells = cells
        self.tables = tables
        self.problems = problems

    def add(self, sheet: str, cell: str, message: str) -> None:
        self.problems.append(Problem(sheet, cell, message))

    # --- helpers -----------------------------------------------------------------------
    def names(self, sheet: str, column: str) -> dict[str, str]:
        """lower-case name -> name as written, from a defining sheet."""
        table = self.tables[sheet]
        out: dict[str, str] = {}
        for record in table.records:
            name = record.get(column)
            if isinstance(name, str) and name:
                out.setdefault(name.lower(), name)
        return out

    def check_duplicates(self, sheet: str, key: Iterable[str]) -> None:
        table = self.tables[sheet]
        key = tuple(key)
        if not key:
            return
        seen: dict[tuple, int] = {}
        for i, record in enumerate(table.records):
            values = tuple(str(record.get(k)).lower() for k in key)
            if any(record.get(k) is None for k in key):
                continue
            if values in seen:
                first = table.excel_rows[seen[values]]
                self.add(
                    sheet,
                    table.cell(key[0], i),
                    f"duplicate {', '.join(key)} {', '.join(str(record[k]) for k in key)} "
                    f"(already in row {first}); keep one row",
                )
            else:
                seen[values] = i

    def resolve(
        self, sheet: str, column: str, known: dict[str, str], what: str, allow_any: bool = False
    ) -> None:
        """Replace references by their canonical spelling; report unknown ones."""
        table = self.tables[sheet]
        for i, record in enumerate(table.records):
            name = record.get(column)
            if not isinstance(name, str) or not name:
                continue
            if allow_any and name == schema.ANY:
                continue
            canonical = known.get(name.lower())
            if canonical is None:
                listed = ", ".join(sorted(known.values())[:12])
                self.add(
                    sheet,
                    table.cell(column, i),
                    f"{column} {name!r} is not a known {what}; known: {listed}",
                )
            else:
                record[column] = canonical

    # --- the checks --------------------------------------------------------------------
    def run(self) -> InputData | None:
        settings = self.check_settings()
        for spec in schema.SHEETS:
            self.check_duplicates(spec.name, spec.key)
        minerals = self.names("Minerals", "mineral")
        countries = self.names("Countries", "country")
        home = self.s.get("home_country")
        if isinstance(home, str) and home:
            countries.setdefault(home.lower(), home)
        for sheet in ("Demand", "Supply", "Projects", "Processing", "Scrap"):
            self.resolve(sheet, "mineral", minerals, "mineral (see sheet Minerals)")
        for sheet in ("Supply", "Projects"):
            self.resolve(sheet, "country", countries, "country (see sheet Countries)")
        self.resolve("Policy", "mineral", minerals, "mineral (see sheet Minerals)", allow_any=True)
        self.resolve(
            "Policy", "country", countries, "country (see sheet Countries)", allow_any=True
        )
        self.resolve(
            "Disruptions", "mineral", minerals, "mineral (see sheet Minerals)", allow_any=True
        )
        self.resolve("MineOrigins", "mineral", minerals, "mineral (see sheet Minerals)")
        for column in ("country", "mine_country"):
            self.resolve("MineOrigins", column, countries, "country (see sheet Countries)")
        self.resolve(
            "Disruptions", "country", countries, "country (see sheet Countries)", allow_any=True
        )
        if settings is None:
            return None
        self.check_projects(settings)
        self.check_processing(settings)
        self.check_budgets(settings)
        self.check_policy(settings)
        self.check_disruptions(settings)
        self.check_mine_origins()
        demand = self.milestones("Demand", settings, ("scenario", "mineral"), "demand_t")
        scrap = self.milestones("Scrap", settings, ("mineral",), "scrap_t")
        self.check_scenario(settings, demand)
        if self.problems:
            return None
        return InputData(
            settings=settings,
            minerals=self.frame("Minerals"),
            countries=self.frame("Countries"),
            demand=demand,
            supply=self.frame("Supply"),
            projects=self.frame("Projects"),
            processing=self.frame("Processing"),
            scrap=scrap,
            budgets=self.frame("Budgets"),
            policy=self.frame("Policy"),
            sources=self.frame("Sources"),
            disruptions=self.frame("Disruptions"),
            mine_origins=self.frame("MineOrigins"),
        )

    def check_settings(self) -> Settings | None:
        s = self.s
        first, last = s.get("first_year"), s.get("last_year")
        if isinstance(first, int) and isinstance(last, int) and first > last:
            self.add(
                "Settings",
                self.cells.get("first_year", ""),
                f"first_year {first} is after last_year {last}",
            )
            return None
        required = [c.name for c in schema.SETTINGS if c.required]
        if any(s.get(name) is None for name in required):
            return None
        priced = (s.get("concentration_weight") or 0) > 0 or (
            s.get("concentration_cap_musd") is not None
        )
        if s.get("mode") == "stochastic" and priced:
            name = (
                "concentration_weight"
                if s.get("concentration_weight")
                else "concentration_cap_musd"
            )
            self.add(
                "Settings",
                self.cells.get(name, ""),
                f"{name} is not supported in stochastic mode yet; "
                + ("set it to 0" if name == "concentration_weight" else "leave it blank")
                + ", or use mode deterministic",
            )
        return Settings(**{k: v for k, v in s.items() if k in schema.SETTING_BY_NAME})

    def within(
        self, sheet: str, cell: str, column: str, year: int | None, settings: Settings
    ) -> None:
        if year is not None and not settings.first_year <= year <= settings.last_year:
            self.add(
                sheet,
                cell,
                f"{column} {year} is outside the plan's horizon "
                f"{settings.first_year}-{settings.last_year}",
            )

    def check_projects(self, settings: Settings) -> None:
        table = self.tables["Projects"]
        for i, rec in enumerate(table.records):
            lo, hi = rec.get("min_stake"), rec.get("max_stake")
            if lo is not None and hi is not None and lo > hi:
                self.add(
                    "Projects",
                    table.cell("min_stake", i),
                    f"min_stake {lo:g} is more than max_stake {hi:g}",
                )
            if hi == 0:
                self.add(
                    "Projects",
                    table.cell("max_stake", i),
                    "max_stake is 0; it must be more than 0 (delete the row instead)",
                )
            self.check_earliest("Projects", table, i, settings)

    def check_earliest(self, sheet: str, table: RawTable, i: int, settings: Settings) -> None:
        rec = table.records[i]
        year = rec.get("earliest_year")
        if year is None:
            rec["earliest_year"] = settings.first_year
        elif year > settings.last_year:
            self.add(
                sheet,
                table.cell("earliest_year", i),
                f"earliest_year {year} is after the plan's last_year {settings.last_year}",
            )

    def check_processing(self, settings: Settings) -> None:
        table = self.tables["Processing"]
        for i, rec in enumerate(table.records):
            existing, most = rec.get("existing_modules"), rec.get("max_modules")
            if existing is not None and most is not None and existing > most:
                self.add(
                    "Processing",
                    table.cell("existing_modules", i),
                    f"existing_modules {existing} is more than max_modules {most}",
                )
            self.check_earliest("Processing", table, i, settings)

    def check_budgets(self, settings: Settings) -> None:
        table = self.tables["Budgets"]
        for i, rec in enumerate(table.records):
            first, last = rec.get("first_year"), rec.get("last_year")
            self.within("Budgets", table.cell("first_year", i), "first_year", first, settings)
            self.within("Budgets", table.cell("last_year", i), "last_year", last, settings)
            if first is not None and last is not None and first > last:
                self.add(
                    "Budgets",
                    table.cell("first_year", i),
                    f"first_year {first} is after last_year {last}",
                )

    def check_policy(self, settings: Settings) -> None:
        table = self.tables["Policy"]
        for i, rec in enumerate(table.records):
            rule, value = rec.get("rule"), rec.get("value")
            first, last = rec.get("first_year"), rec.get("last_year")
            self.within("Policy", table.cell("first_year", i), "first_year", first, settings)
            self.within("Policy", table.cell("last_year", i), "last_year", last, settings)
            if first is None:
                rec["first_year"] = settings.first_year
            if last is None:
                rec["last_year"] = settings.last_year
            if (
                rec["first_year"] is not None
                and rec["last_year"] is not None
                and rec["first_year"] > rec["last_year"]
            ):
                self.add(
                    "Policy",
                    table.cell("first_year", i),
                    f"first_year {rec['first_year']} is after last_year {rec['last_year']}",
                )
            if rule in SHARE_RULES and value is not None and value > 1:
                self.add(
                    "Policy",
                    table.cell("value", i),
                    f"value is {value:g}; {rule} is a share between 0 and 1 (0.4 means 40%)",
                )
            if rule not in SHARE_RULES and rec.get("basis") == "mine":
                self.add(
                    "Policy",
                    table.cell("basis", i),
                    f"basis mine applies to share rules only; {rule} has no origin",
                )
            if rule != "max_country_share" and rec.get("country") not in (schema.ANY, None):
                self.add(
                    "Policy",
                    table.cell("country", i),
                    f"country must be * for {rule}; only max_country_share names a country",
                )

    def check_mine_origins(self) -> None:
        """The shares of each (country, mineral) sum to 1 (to 1e-6)."""
        table = self.tables["MineOrigins"]
        groups: dict[tuple, list[int]] = {}
        for i, rec in enumerate(table.records):
            if rec.get("country") is None or rec.get("mineral") is None:
                continue
            groups.setdefault((rec["country"].lower(), rec["mineral"].lower()), []).append(i)
        for rows in groups.values():
            shares = [table.records[i].get("share") for i in rows]
            if any(share is None for share in shares):
                continue
            total = 0.0
            for share in shares:
                total += float(share or 0.0)
            if abs(total - 1.0) > 1e-6:
                first = table.records[rows[0]]
                listed = ", ".join(str(table.excel_rows[i]) for i in rows)
                self.add(
                    "MineOrigins",
                    table.cell("share", rows[0]),
                    f"the shares of {first['country']} {first['mineral']} (rows {listed}) sum "
                    f"to {total:.6g}; they must sum to 1",
                )

    def check_disruptions(self, settings: Settings) -> None:
        """Event years inside the horizon; one probability per scenario, given on at least one
        of its rows; probabilities summing to at most 1 (the undisrupted case has the rest)."""
        table = self.tables["Disruptions"]
        sheet = "Disruptions"
        probability: dict[str, tuple[float, str]] = {}  # scenario (lower) -> (value, cell)
        spelling: dict[str, str] = {}
        for i, rec in enumerate(table.records):
            name = rec.get("scenario")
            if isinstance(name, str) and name:
                if name.lower() == schema.UNDISRUPTED:
                    self.add(
                        sheet,
                        table.cell("scenario", i),
                        f"scenario name {name!r} is reserved for the case without disruption; "
                        "choose another name",
                    )
                    continue
                rec["scenario"] = spelling.setdefault(name.lower(), name)
            first, last = rec.get("first_year"), rec.get("last_year")
            if last is None and first is not None:
                rec["last_year"] = last = max(settings.last_year, first)
            if first is not None and last is not None:
                if first > last:
                    self.add(
                        sheet,
                        table.cell("first_year", i),
                        f"first_year {first} is after last_year {last}",
                    )
                elif last < settings.first_year or first > settings.last_year:
                    self.add(
                        sheet,
                        table.cell("first_year", i),
                        f"the event ({first}-{last}) lies outside the plan's horizon "
                        f"{settings.first_year}-{settings.last_year}",
                    )
            p = rec.get("probability")
            if not isinstance(name, str) or not name or p is None:
                continue
            seen = probability.setdefault(name.lower(), (p, table.cell("probability", i)))
            if seen[0] != p:
                self.add(
                    sheet,
                    table.cell("probability", i),
                    f"probability {p:g} differs from {seen[0]:g} given for scenario {name!r} "
                    f"at {seen[1]}; a scenario has one probability",
                )
        for i, rec in enumerate(table.records):
            name = rec.get("scenario")
            if not isinstance(name, str) or not name or name.lower() == schema.UNDISRUPTED:
                continue
            cell = table.cell("probability", i)
            if name.lower() not in probability:
                if any(p.sheet == sheet and p.cell == cell for p in self.problems):
                    continue  # its probability cell is already reported as unreadable
                self.add(
                    sheet,
                    table.cell("probability", i),
                    f"scenario {name!r} has no probability on any of its rows; give it once",
                )
                probability[name.lower()] = (0.0, "")  # reported once
            elif rec.get("probability") is None:
                rec["probability"] = probability[name.lower()][0]
        total = sum(p for p, _ in probability.values())
        if total > 1 + 1e-9:
            column = table.column_letters.get("probability", "B")
            self.add(
                sheet,
                f"{column}:{column}",
                f"the scenarios' probabilities sum to {total:g}; they must sum to at most 1 "
                "(the undisrupted case has the rest)",
            )
        if settings.mode == "stochastic" and not probability:
            self.add(
                "Settings",
                self.cells.get("mode", "A:A"),
                "mode is stochastic but sheet Disruptions has no scenario; add scenarios or "
                "set mode to deterministic",
            )

    def milestones(
        self, sheet: str, settings: Settings, keys: tuple[str, ...], value_name: str
    ) -> pd.DataFrame:
        """Interpolate milestone columns linearly over the horizon (flat outside them)."""
        table = self.tables[sheet]
        years = settings.years
        kept, values = [], []  # the records with a milestone, and their values per year
        for i, rec in enumerate(table.records):
            points = sorted((y, rec[y]) for y in table.year_columns if rec.get(y) is not None)
            if not points:
                if table.year_columns:
                    self.add(
                        sheet,
                        f"{min(table.year_columns.values())}{table.excel_rows[i]}",
                        "every milestone year is blank; give at least one value",
                    )
                continue
            xs, ys = zip(*points, strict=True)
            kept.append(rec)
            values.append(np.interp(years, xs, ys))
        columns = [*keys, "year", value_name]
        if not kept:
            return pd.DataFrame(columns=columns)
        # one frame for all records (one per record, joined, took most of the validation)
        n = len(years)
        frame: dict[str, object] = {k: [rec[k] for rec in kept for _ in range(n)] for k in keys}
        frame["year"] = np.tile(np.asarray(years), len(kept))
        frame[value_name] = np.concatenate(values)
        return pd.DataFrame(frame, columns=columns)

    def check_scenario(self, settings: Settings, demand: pd.DataFrame) -> None:
        scenarios = sorted(set(demand["scenario"])) if len(demand) else []
        chosen = settings.demand_scenario
        if not chosen:
            if len(scenarios) == 1:
                settings.demand_scenario = scenarios[0]
            elif len(scenarios) > 1:
                self.add(
                    "Settings",
                    self.cells.get("demand_scenario", "A:A"),
                    f"demand_scenario is not set and Demand has several scenarios "
                    f"({', '.join(scenarios)}); choose one",
                )
            return
        match = {s.lower(): s for s in scenarios}.get(chosen.lower())
        if match is None:
            self.add(
                "Settings",
                self.cells.get("demand_scenario", "A:A"),
                f"demand_scenario {chosen!r} has no rows in sheet Demand; scenarios there: "
                f"{', '.join(scenarios) or 'none'}",
            )
        else:
            settings.demand_scenario = match

    def frame(self, sheet_name: str) -> pd.DataFrame:
        sheet = schema.SHEET_BY_NAME[sheet_name.lower()]
        table = self.tables[sheet_name]
        columns = [c.name for c in sheet.columns]
        frame = pd.DataFrame.from_records(table.records, columns=columns)
        frame["excel_row"] = table.excel_rows
        return frame
