"""What each plan column means, for the header comments of the plan workbook.

A header comment reads "<what the column holds>" and, on its last line, the column's name in
code in brackets ("[tonnes_t]"), which `read_plan_tables` uses to read an export back.
"""

from __future__ import annotations

MEANINGS: dict[str, str] = {
    "year": "Calendar year of the horizon.",
    "mineral": "Mineral, as named on the workbook's Minerals sheet.",
    "country": "Country sold from (purchases) or hosting the project (offtake).",
    "form": "refined, or concentrate fed to a refinery at home.",
    "channel": "import, domestic market, or the project the tonnes come from.",
    "tonnes_t": "Tonnes a year, in the mineral's unit (LCE, metal, REO, bauxite-equivalent...).",
    "cost_musd": "What the tonnes cost that year, landed (price, tariff, freight), undiscounted.",
    "share": "Share of the mineral's sourced supply of its form that year (0-1).",
    "mine_country": "Country where the ore was mined (MineOrigins shares of the refiner).",
    "refining_country": "Country where it was refined (the home country for home output).",
    "project": "Project name, as on the workbook's Projects sheet.",
    "build_year": "Year the stake is bought and the capital spent.",
    "online_year": "First year of output: build year + lead time.",
    "stake": "India's equity share of the project (0-1).",
    "offtake_capacity_t": "Tonnes a year the stake entitles India to take.",
    "capex_musd": "Capital for the stake, million USD of the build year.",
    "funding": "Funding source charged (a Budgets row's funding).",
    "technology": "Processing technology, as on the workbook's Processing sheet.",
    "feed": "concentrate (a refinery) or scrap (a recycler).",
    "modules_built": "Modules whose construction starts this year.",
    "modules_online": "Modules producing this year (existing and new).",
    "capacity_t": "Output the modules online can make, t/yr.",
    "output_t": "Refined output this year, t.",
    "feed_t": "Concentrate or scrap fed this year: output / yield, t.",
    "utilisation": "Output / capacity.",
    "injected_t": "Tonnes put into the strategic stock this year.",
    "drawn_t": "Tonnes drawn from the stock this year.",
    "stock_t": "Stock held at the end of the year, t.",
    "required_t": "Stock a min_stock_days Policy rule asks for, t.",
    "demand_t": "Demand of the year (Demand sheet, scenario of Settings), t.",
    "unmet_t": "Demand left unmet, t (priced at the mineral's shortfall penalty).",
    "unmet_share": "Unmet / demand.",
    "penalty_musd": "Shortfall penalty of the unmet tonnes, million USD of the year.",
    "refined_supply_t": "Sourced refined supply: purchases, offtake and home output, t.",
    "hhi": "Herfindahl index of refining origins: sum of squared shares (1 = one origin).",
    "governance_hhi": "HHI with each share weighted by its country's risk score.",
    "concern_share": "Share refined in countries marked of concern.",
    "self_sufficiency": "Share refined at home.",
    "hhi_mine": "Herfindahl index of mine origins (where the ore was mined).",
    "governance_hhi_mine": "Mine-origin HHI weighted by risk score.",
    "concern_share_mine": "Share mined in countries marked of concern.",
    "self_sufficiency_mine": "Share mined at home.",
    "risk_exposure_musd": "Value bought x the origin's risk score, million USD, discounted.",
    "concentration_musd": "The concentration term K of the mineral-year, million USD, discounted.",
    "marginal_cost_usd_per_t": "Cost of one more tonne of demand (the balance's dual), USD/t.",
    "first_year": "First build year the Budgets row covers.",
    "last_year": "Last build year the Budgets row covers.",
    "limit_inr_crore": "The row's capital limit, INR crore.",
    "spent_inr_crore": "Capital the plan charges to the row, INR crore.",
    "binding": "yes when the plan uses the whole limit.",
    "value_musd_per_inr_crore": "Cost saved per extra INR crore of limit, million USD.",
}


def comment(name: str) -> str:
    """A header's comment: what the column holds, then its name in code."""
    meaning = MEANINGS.get(name)
    return f"{meaning}\n[{name}]" if meaning else f"[{name}]"


def name_in(comment_text: str) -> str:
    """The column name a header comment gives: the bracketed last line, or (plans written
    before comments explained) the whole comment."""
    text = comment_text.strip()
    last = text.splitlines()[-1] if text else ""
    return last[1:-1] if len(last) > 2 and last[0] == "[" and last[-1] == "]" else text
