"""Projects (equity in mines and JVs) and Processing (domestic plants), timed by stage.

Projects: projects.csv holds each candidate's size and cost; project_stages.csv its stage
(candidate, mou, exploration, feasibility, construction, operating) with the date and the
evidence; stage_lead_times.csv the fewest years from a stage to first output. A project can
produce no earlier than stage date + those years, so its earliest investment year is

    earliest_year = max(projects.csv earliest_year, stage year + min years - lead_time_years)

Processing: processing.csv holds the technologies India can build new (no existing modules).
Plants that operate today (domestic_plants.csv, status operating) enter at their real output as
one `<technology>_existing` row each (existing_modules 1): the 2025 figures then match what
plants produced, not nameplate capacity. The unused capacity of operating plants and the
plants under construction enter as committed rows, one module each, that the plan may bring
online from the year their stage allows (capital sunk for spare capacity).
"""

from __future__ import annotations

import math

import pandas as pd

from inputs.india.sources import Ledger, Raw, sig

FIRST_YEAR = 2025
BUILDING = ("construction",)
STAGE_OF_PLANT = {"construction": "refinery_construction", "planned": "refinery_planned"}


def _year(text: str) -> int:
    return int(str(text)[:4])


def _min_years(leads: pd.DataFrame, stage: str) -> int:
    """Whole years from a stage to first output (rounded up)."""
    return math.ceil(float(leads.loc[stage, "min_years_to_first_output"]))


def stage_table(raw: Raw) -> tuple[pd.DataFrame, pd.DataFrame]:
    stages = raw.table("project_stages").set_index("project")
    leads = raw.table("stage_lead_times").set_index("stage")
    return stages, leads


def _hcl_expansion(raw: Raw, led: Ledger, inr_per_usd: float) -> tuple[float, float]:
    """Hindustan Copper: ore capacity 3.47 -> 12.2 Mt/yr by FY31 at FY24 metal per t ore."""
    now = raw.fact("Hindustan Copper mine (ore) capacity")
    target = raw.fact("Hindustan Copper target mine capacity (phase I)")
    metal = raw.fact("Hindustan Copper metal-in-concentrate production")
    ore = raw.fact("Hindustan Copper ore production", "2023-24")
    capex = raw.fact("Hindustan Copper expansion capex (next 5-6 years)")
    capacity = sig((target.value - now.value) * metal.value / ore.value, 3)
    capex_musd = round(capex.value * 1e7 / inr_per_usd / 1e6)
    for f in (now, target, metal, ore, capex):
        led.fact("Projects", "hcl_copper_expansion (input)", f)
    return float(capacity), float(capex_musd)


def projects_sheet(raw: Raw, led: Ledger, columns: list[str]) -> list[dict]:
    s = "Projects"
    stages, leads = stage_table(raw)
    inr_per_usd = raw.const("inr_per_usd")
    rows = []
    for rec in raw.table("projects").to_dict("records"):
        name = rec["project"]
        row = {c: rec[c] for c in columns}
        if name == "hcl_copper_expansion":
            row["capacity_t"], row["capex_musd"] = _hcl_expansion(raw, led, inr_per_usd)
        if name == "nalco_pottangi_bauxite":
            pottangi = raw.fact("NALCO Pottangi bauxite mine capacity")
            row["capacity_t"] = pottangi.value * 1e6
            led.fact(s, f"{name} capacity_t", pottangi, "3.5 Mt/yr")
        stage = stages.loc[name]
        first_output = _year(stage.stage_as_of) + _min_years(leads, stage.stage)
        lead = int(row["lead_time_years"])
        earliest = max(int(row["earliest_year"]), first_output - lead, FIRST_YEAR)
        row["earliest_year"] = earliest
        row["funding"] = rec["funding"]
        rows.append(row)
        led.row(s, f"{name} stage {stage.stage} ({stage.stage_as_of})", stage.stage, stage)
        led.row(
            s,
            f"{name} earliest_year",
            earliest,
            {
                "source": f"derived: stage {stage.stage} as of {stage.stage_as_of} + "
                f"{_min_years(leads, stage.stage)} years to first output "
                f"(stage_lead_times.csv) - lead time {lead}; first output {earliest + lead}",
                "url": "inputs/data/project_stages.csv",
                "assumption": "no",
            },
        )
        led.row(s, f"{name} size, cost, stake", "see sheet", rec)
    for stage, rec in leads.iterrows():
        led.row(s, f"lead time from {stage} (min years)", rec.min_years_to_first_output, rec)
    return rows


def processing_sheet(raw: Raw, led: Ledger, columns: list[str]) -> list[dict]:
    s = "Processing"
    new = raw.table("processing")
    plants = raw.table("domestic_plants")
    _, leads = stage_table(raw)
    tech = new.set_index("technology")
    ramp = int(raw.const("spare_capacity_ramp_years"))
    rows = [{c: rec[c] for c in columns} for rec in new.to_dict("records")]
    for rec in new.to_dict("records"):
        led.row(s, f"{rec['technology']} (new build)", "see sheet", rec)
    for technology, group in plants.groupby("technology", sort=False):
        if technology not in tech.index:
            for rec in group.to_dict("records"):
                led.row(s, f"not a Processing row: {rec['plant']}", rec["status"], rec)
            continue
        base = tech.loc[technology]
        operating = group[group.status == "operating"]
        output = pd.to_numeric(operating.output_t, errors="coerce").fillna(0.0)
        capacity = pd.to_numeric(operating.capacity_t, errors="coerce")
        spare = float((capacity.fillna(output) - output).clip(lower=0).sum())
        whole = float(output.sum()) + spare
        if output.sum() > 0:
            row = _plant_row(
                base,
                f"{technology}_existing",
                output.sum(),
                columns,
                existing=1,
                capex=0.0,
                earliest=None,
                lead=0,
            )
            # the plants' whole fixed cost is paid whether or not the spare capacity runs
            row["fixed_opex_musd"] = _fixed(base, whole)
            rows.append(row)
        if spare > 0:
            row = _plant_row(
                base,
                f"{technology}_spare",
                spare,
                columns,
                existing=0,
                capex=0.0,
                earliest=FIRST_YEAR,
                lead=ramp,
            )
            row["fixed_opex_musd"] = 0.0 if output.sum() > 0 else _fixed(base, spare)
            rows.append(row)
            led.assume(
                s,
                f"{technology}_spare",
                sig(spare, 3),
                "capacity of operating plants beyond their 2025 output (domestic_plants.csv "
                "capacity - output): capital sunk, online after spare_capacity_ramp_years "
                "(constants.csv) when the plan runs it",
            )
        for rec in group.to_dict("records"):
            led.row(
                s,
                f"{technology}: {rec['plant']} ({rec['status']}) output_t",
                rec["output_t"] or "n/a",
                rec,
            )
        for rec in group[group.status.isin(BUILDING)].to_dict("records"):
            cap = pd.to_numeric(rec["capacity_t"], errors="coerce")
            if not cap or math.isnan(cap):
                continue
            lead = _min_years(leads, STAGE_OF_PLANT[rec["status"]])
            capex = float(base.capex_musd_per_module) * cap / float(base.module_t)
            name = f"{technology}_{_slug(rec['plant'])}"
            rows.append(
                _plant_row(
                    base,
                    name,
                    cap,
                    columns,
                    existing=0,
                    capex=round(capex, 1),
                    earliest=FIRST_YEAR,
                    lead=lead,
                )
            )
            led.assume(
                s,
                f"{name} capex_musd_per_module",
                round(capex, 1),
                f"{technology}'s capital per t/yr ({base.capex_musd_per_module} MUSD per "
                f"{base.module_t:g} t) x {cap:g} t; under construction: first output after "
                f"{lead} years (stage_lead_times.csv)",
            )
    return rows


def _fixed(base: pd.Series, tonnes: float) -> float:
    return round(float(base.fixed_opex_musd) * tonnes / float(base.module_t), 2)


def _slug(text: str) -> str:
    words = [w for w in "".join(ch if ch.isalnum() else " " for ch in text.lower()).split()]
    return "_".join(words[:3])


def _plant_row(
    base: pd.Series,
    name: str,
    module_t: float,
    columns: list[str],
    *,
    existing: int,
    capex: float,
    earliest: int | None,
    lead: int,
) -> dict:
    row = {c: base.get(c, "") for c in columns if c != "technology"}
    row |= {
        "technology": name,
        "module_t": sig(module_t, 3),
        "capex_musd_per_module": capex,
        "fixed_opex_musd": round(float(base.fixed_opex_musd) * module_t / float(base.module_t), 2),
        "existing_modules": existing,
        "max_modules": 1,
        "earliest_year": earliest if earliest is not None else "",
        "lead_time_years": lead,
        "funding": "",
    }
    return {c: row[c] for c in columns}
