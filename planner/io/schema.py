"""The input workbook contract (schema version 4) as data.

Version 2 adds the `Disruptions` sheet and the `mode`, `cvar_alpha` and `cvar_weight` settings
(two-stage stochastic planning). Version 3 adds the `MineOrigins` sheet, the Policy `basis`
column and the `concentration_weight`, `concentration_basis` and `mip_abs_gap_musd` settings
(risk on the mine-origin basis, concentration priced). Version 4 adds the Budgets
`capex_share_pct` column: a source that pays a share of the capital (a capital subsidy) draws
only that share on its limit. Older workbooks load unchanged.

Every sheet and column the planner reads is declared here once; the reader, the validator,
the template writer and the documentation all work from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.data import ANY, UNDISRUPTED  # noqa: F401 - part of the contract's vocabulary

SCHEMA_VERSION = 4

FORMS = ("concentrate", "refined")
MODES = ("deterministic", "stochastic")
FEEDS = ("concentrate", "scrap")
RULES = ("max_country_share", "max_concern_share", "min_domestic_share", "min_stock_days")
YES_NO = ("yes", "no")
# refining: a refined tonne's origin is where it was refined; mine: where it was mined
BASES = ("refining", "mine")
# the words a yes/no cell may hold (any case, surrounding spaces ignored)
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
# The largest figure accepted in a cell. The India case's largest is about 1e8 (t of bauxite);
# HiGHS's feasibility tolerance is 1e-7 and the model's matrix already spans 1e-1..1e7, so a
# figure many orders larger leaves the small ones below the solver's resolution.
MAX_MAGNITUDE = 1e12


@dataclass(frozen=True)
class Column:
    """One column of a table sheet.

    kind is one of: text, number, integer, year, fraction, yesno, choice.
    A column with a default is optional: a blank cell (or a missing column) takes the default.
    """

    name: str
    kind: str
    doc: str
    unit: str = ""
    required: bool = True
    default: object = None
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    min_exclusive: bool = False


@dataclass(frozen=True)
class Sheet:
    """A table sheet: header row at row 1, one record per following row."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True
    year_columns: bool = False  # milestone year columns follow the named columns
    extra: dict = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _num(name: str, doc: str, unit: str = "", **kw) -> Column:
    kw.setdefault("min", 0.0)
    return Column(name, "number", doc, unit, **kw)


def _year(name: str, doc: str, **kw) -> Column:
    return Column(name, "year", doc, "year", **kw)


def _frac(name: str, doc: str, **kw) -> Column:
    return Column(name, "fraction", doc, "fraction 0..1", min=0.0, max=1.0, **kw)


def _text(name: str, doc: str, **kw) -> Column:
    return Column(name, "text", doc, **kw)


# Settings: key/value pairs, declared like columns so that they are checked the same way.
SETTINGS: tuple[Column, ...] = (
    Column("schema_version", "integer", "Version of this workbook contract", min=1),
    _text("home_country", "The planning country (imports come into it; refining is done in it)"),
    _year("first_year", "First year of the plan"),
    _year("last_year", "Last year of the plan"),
    _frac("discount_rate", "Real discount rate per year (0.08 = 8%)", default=0.0, required=False),
    _num("inr_per_usd", "Exchange rate used to convert budgets", "INR per USD", min_exclusive=True),
    _num(
        "risk_weight",
        "Weight of discounted risk exposure in the objective (0 = pure cost)",
        "1",
        default=0.0,
        required=False,
    ),
    _text(
        "demand_scenario",
        "Demand scenario to plan for (a value of Demand.scenario)",
        default="",
        required=False,
    ),
    _num(
        "risk_cap_musd",
        "Upper bound on discounted risk exposure (epsilon constraint); blank = none",
        "million USD",
        default=None,
        required=False,
    ),
    Column(
        "mode",
        "choice",
        "deterministic: plan for the undisrupted case; stochastic: plan once for every "
        "Disruptions scenario (two-stage)",
        choices=MODES,
        default="deterministic",
        required=False,
    ),
    Column(
        "cvar_alpha",
        "fraction",
        "CVaR level: the worst (1 - cvar_alpha) share of scenario probability is averaged",
        "fraction 0..1",
        default=0.9,
        required=False,
        min=0.0,
        max=0.999,
    ),
    _num(
        "cvar_weight",
        "Weight of the CVaR of scenario cost in the stochastic objective (0 = expected cost)",
        "1",
        default=0.0,
        required=False,
    ),
    _num(
        "concentration_weight",
        "Weight of the concentration term in the objective: sum over mineral-years of the "
        "supply value x sum over origins of risk_score x share^2 (0 = not priced)",
        "1",
        default=0.0,
        required=False,
    ),
    Column(
        "concentration_basis",
        "choice",
        "Origins the concentration term counts: mine (where a tonne was mined) or refining "
        "(where it was last refined)",
        choices=BASES,
        default="mine",
        required=False,
    ),
    _num(
        "concentration_cap_musd",
        "Upper bound on the discounted concentration term (epsilon constraint); blank = none",
        "million USD",
        default=None,
        required=False,
    ),
    _frac("mip_gap", "Relative MIP optimality gap at which to stop", default=0.001, required=False),
    _num(
        "mip_abs_gap_musd",
        "Absolute MIP gap at which to stop (HiGHS stops at whichever of the two gaps is met "
        "first); blank = none",
        "million USD",
        default=None,
        required=False,
    ),
    _num(
        "time_limit_s",
        "Solver time limit",
        "seconds",
        default=300.0,
        required=False,
        min_exclusive=True,
    ),
)

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "Minerals",
        "One row per mineral.",
        (
            _text("mineral", "Mineral name"),
            _text("unit", "Unit of every quantity of this mineral, e.g. 't LCE' or 't Co'"),
            _num(
                "shortfall_penalty_usd_per_t",
                "Cost of one tonne of unmet demand",
                "USD/t",
                min_exclusive=True,
            ),
            _num(
                "stock_holding_cost_pct",
                "Yearly cost of holding stock, % of the mean refined price of the year",
                "% per year",
                default=0.0,
                required=False,
            ),
        ),
        key=("mineral",),
    ),
    Sheet(
        "Countries",
        "One row per supplier country (the home country may be listed too).",
        (
            _text("country", "Country name"),
            _frac("risk_score", "Supply risk: 0 = safest, 1 = riskiest"),
            Column(
                "of_concern",
                "yesno",
                "Country of concern?",
                choices=YES_NO,
                default="no",
                required=False,
            ),
            Column(
                "partner",
                "yesno",
                "Strategic partner?",
                choices=YES_NO,
                default="no",
                required=False,
            ),
            _num(
                "tariff_pct",
                "Import tariff on purchases from this country",
                "%",
                default=0.0,
                required=False,
            ),
        ),
        key=("country",),
    ),
    Sheet(
        "Demand",
        "Demand per mineral and scenario; one column per milestone year (t per year).",
        (
            _text("mineral", "Mineral name (from Minerals)"),
            _text("scenario", "Scenario name", default="base", required=False),
        ),
        key=("mineral", "scenario"),
        year_columns=True,
        extra={"year_unit": "t/yr", "year_doc": "Demand in this milestone year"},
    ),
    Sheet(
        "Supply",
        "What the home country can buy: one row per country, mineral and form.",
        (
            _text("country", "Exporting country (from Countries)"),
            _text("mineral", "Mineral (from Minerals)"),
            Column("form", "choice", "concentrate or refined", choices=FORMS),
            _num("available_t", "Most that can be bought per year in first_year", "t/yr"),
            Column(
                "growth_pct",
                "number",
                "Yearly growth of availability",
                "% per year",
                default=0.0,
                required=False,
                min=-100.0,
            ),
            _num("price_usd_per_t", "Price in first_year, before tariff and freight", "USD/t"),
            Column(
                "price_growth_pct",
                "number",
                "Yearly price growth",
                "% per year",
                default=0.0,
                required=False,
                min=-100.0,
            ),
            _num(
                "freight_usd_per_t",
                "Freight and insurance to the home country",
                "USD/t",
                default=0.0,
                required=False,
            ),
        ),
        key=("country", "mineral", "form"),
    ),
    Sheet(
        "Projects",
        "Candidate equity projects: joint ventures abroad and domestic mines.",
        (
            _text("project", "Project name"),
            _text("country", "Host country (the home country for a domestic mine)"),
            _text("mineral", "Mineral (from Minerals)"),
            Column("form", "choice", "Form of the offtake", choices=FORMS),
            _num(
                "capacity_t", "Output at full production, at 100% stake", "t/yr", min_exclusive=True
            ),
            _num("capex_musd", "Capital cost at 100% stake", "million USD"),
            _num(
                "fixed_opex_musd",
                "Fixed operating cost per online year, at 100% stake",
                "million USD/yr",
                default=0.0,
                required=False,
            ),
            _num(
                "unit_cost_usd_per_t",
                "Operating cost per tonne of offtake",
                "USD/t",
                default=0.0,
                required=False,
            ),
            _frac("min_stake", "Smallest stake if invested", default=0.0, required=False),
            _frac("max_stake", "Largest stake", default=1.0, required=False),
            _year(
                "earliest_year",
                "First year the investment can be made",
                default=None,
                required=False,
            ),
            Column(
                "lead_time_years",
                "integer",
                "Years from investment to first output",
                "years",
                default=0,
                required=False,
                min=0,
            ),
            Column("life_years", "integer", "Years of output once online", "years", min=1),
            _text(
                "funding",
                "Budget the capital comes from (from Budgets); blank = none",
                default="",
                required=False,
            ),
        ),
        key=("project",),
        required=False,
    ),
    Sheet(
        "Processing",
        "Domestic processing technologies: refineries (concentrate feed) and recyclers (scrap).",
        (
            _text("technology", "Technology name"),
            _text("mineral", "Mineral (from Minerals)"),
            Column("feed", "choice", "concentrate or scrap", choices=FEEDS),
            _num("module_t", "Refined output capacity of one module", "t/yr", min_exclusive=True),
            Column(
                "yield",
                "fraction",
                "Refined output per tonne of feed",
                "fraction 0..1",
                min=0.0,
                max=1.0,
                min_exclusive=True,
            ),
            _num("capex_musd_per_module", "Capital cost of one module", "million USD"),
            _num(
                "fixed_opex_musd",
                "Fixed operating cost per module per online year",
                "million USD/yr",
                default=0.0,
                required=False,
            ),
            _num(
                "unit_cost_usd_per_t",
                "Operating cost per tonne of output",
                "USD/t",
                default=0.0,
                required=False,
            ),
            Column(
                "existing_modules",
                "integer",
                "Modules already built (online all horizon)",
                "modules",
                default=0,
                required=False,
                min=0,
            ),
            Column("max_modules", "integer", "Most modules online at any time", "modules", min=0),
            _year(
                "earliest_year", "First year a module can be built", default=None, required=False
            ),
            Column(
                "lead_time_years",
                "integer",
                "Years from build to first output",
                "years",
                default=0,
                required=False,
                min=0,
            ),
            Column("life_years", "integer", "Years a new module runs", "years", min=1),
            _text(
                "funding",
                "Budget the capital comes from (from Budgets); blank = none",
                default="",
                required=False,
            ),
        ),
        key=("technology",),
        required=False,
    ),
    Sheet(
        "Scrap",
        "End-of-life scrap available at home; one column per milestone year (t per year).",
        (_text("mineral", "Mineral (from Minerals)"),),
        key=("mineral",),
        required=False,
        year_columns=True,
        extra={"year_unit": "t/yr", "year_doc": "Scrap available in this milestone year"},
    ),
    Sheet(
        "Budgets",
        "Capital budgets per funding source and window; no row for a source = no limit.",
        (
            _text("funding", "Funding source name"),
            _year("first_year", "First year of the window"),
            _year("last_year", "Last year of the window"),
            _num("limit_inr_crore", "Most this source pays out in the window", "INR crore"),
            Column(
                "capex_share_pct",
                "number",
                "Share of its items' capital this source pays (a 20% capital subsidy = 20; "
                "schema version 4)",
                "%",
                default=100.0,
                required=False,
                min=0.0,
                max=100.0,
            ),
        ),
        key=("funding", "first_year", "last_year"),
        required=False,
    ),
    Sheet(
        "Policy",
        "Policy rules; an empty sheet means no rule.",
        (
            Column("rule", "choice", "Rule name", choices=RULES),
            _text("mineral", "Mineral, or * for every mineral", default=ANY, required=False),
            _text(
                "country",
                "Country, or * for every country (max_country_share only)",
                default=ANY,
                required=False,
            ),
            _year(
                "first_year",
                "First year the rule binds (blank = first_year)",
                default=None,
                required=False,
            ),
            _year(
                "last_year",
                "Last year the rule binds (blank = last_year)",
                default=None,
                required=False,
            ),
            _num("value", "Share as a fraction (0.4 = 40%), or days for min_stock_days", "1"),
            Column(
                "basis",
                "choice",
                "Share rules: origins by where a tonne was refined (refining) or mined (mine)",
                choices=BASES,
                default="refining",
                required=False,
            ),
        ),
        key=("rule", "mineral", "country", "first_year", "last_year", "basis"),
        required=False,
    ),
    Sheet(
        "Disruptions",
        "Supply disruption scenarios (schema version 2): one row per event of a scenario; "
        "the undisrupted case has the remaining probability.",
        (
            _text("scenario", "Scenario name (rows with the same name form one scenario)"),
            _frac(
                "probability",
                "Probability of the scenario (give it on at least one of its rows)",
                default=None,
                required=False,
            ),
            _text(
                "country",
                "Exporting or host country, or * for every foreign country",
                default=ANY,
                required=False,
            ),
            _text("mineral", "Mineral, or * for every mineral", default=ANY, required=False),
            Column(
                "form",
                "choice",
                "concentrate, refined, or * for both",
                choices=(*FORMS, ANY),
                default=ANY,
                required=False,
            ),
            _year("first_year", "First year the event cuts supply"),
            _year(
                "last_year",
                "Last year the event cuts supply (blank = the plan's last_year)",
                default=None,
                required=False,
            ),
            _num(
                "supply_cut_pct",
                "Share of purchases and project offtake lost while the event lasts",
                "%",
                max=100.0,
            ),
            Column(
                "price_shock_pct",
                "number",
                "Price change of the remaining purchases while the event lasts",
                "%",
                default=0.0,
                required=False,
                min=-100.0,
            ),
        ),
        key=("scenario", "country", "mineral", "form", "first_year", "last_year"),
        required=False,
    ),
    Sheet(
        "MineOrigins",
        "Where refined supply was mined (schema version 3): for refined purchases from a "
        "country, the share mined in each country; shares of a (country, mineral) sum to 1. "
        "Without a row the refining country is the mine country.",
        (
            _text("country", "Refining (exporting) country (from Countries)"),
            _text("mineral", "Mineral (from Minerals)"),
            _text("mine_country", "Country where that refined supply was mined (from Countries)"),
            _frac("share", "Share of the country's refined supply mined in mine_country"),
        ),
        key=("country", "mineral", "mine_country"),
        required=False,
    ),
    Sheet(
        "Sources",
        "Where each figure comes from.",
        (
            _text("sheet", "Sheet the figure is on"),
            _text("field", "Column or setting"),
            _text("value", "The figure", default="", required=False),
            _text("source", "Publication", default="", required=False),
            _text("year", "Year of the publication", default="", required=False),
            _text("url_or_reference", "Address or reference", default="", required=False),
        ),
        key=(),
        required=False,
    ),
)

# Sheets read by other commands, or documentation: not read here, no warning.
LATER_SHEETS = ("sweep", "scenarios", "readme")
# The first schema version that has each sheet (a later sheet in an older workbook is warned of).
SHEET_SINCE = {"Disruptions": 2, "MineOrigins": 3}
# The first schema version that has each later optional column (sheet, column).
COLUMN_SINCE = {("Budgets", "capex_share_pct"): 4}

SHEET_BY_NAME = {sheet.name.lower(): sheet for sheet in SHEETS}
SETTING_BY_NAME = {col.name: col for col in SETTINGS}


def column_names(sheet_name: str) -> list[str]:
    """The named columns of a table sheet, in contract order."""
    return [col.name for col in SHEET_BY_NAME[sheet_name.lower()].columns]
