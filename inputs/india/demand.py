"""Demand built bottom-up from drivers (demand_drivers.csv), per scenario and milestone year.

    battery minerals (lithium t LCE, cobalt, nickel, graphite):
        sum_use GWh[use] x sum_chem share[use, chem] x kg_per_kWh[chem, mineral] x 1000
        (graphite x the natural share of anode graphite) + non-battery use
    rare earths (t REO): NdPr oxide = NdFeB magnet tonnes x NdPr oxide per t NdFeB, where
        magnets = EV motors x kg per motor + wind GW added x t per GW + other magnets;
        REO = NdPr oxide / NdPr share of the REO basket + other REO uses
    copper (t Cu): base x (1 + elasticity x GDP growth)^(t - 2025)
        + (clean-energy copper in t - clean-energy copper in 2025)
    bauxite (t bauxite-eq): primary aluminium x alumina per t Al x bauxite per t alumina, the
        aluminium growing with GDP at its elasticity

A driver row applies to its scenario (or * for all) and its year (or * for all); a driver given
for some milestone years only is interpolated linearly between them and held flat outside.
"""

from __future__ import annotations

import pandas as pd

from inputs.india.sources import Ledger, Raw, sig

MILESTONES = (2025, 2030, 2035, 2040)
SCENARIOS = ("stated", "pledges", "accelerated")
BATTERY_USES = ("2w", "3w", "car", "bus_truck", "storage", "other")
CHEMISTRIES = ("lfp", "nmc", "nca", "lmfp_other")
BATTERY_MINERALS = ("lithium", "cobalt", "nickel", "graphite")
T_PER_GWH_PER_KG_PER_KWH = 1000.0  # 1 GWh x 1 kg/kWh = 1e6 kg


class Drivers:
    """Look-ups into demand_drivers.csv, recording each driver row used in the ledger once."""

    def __init__(self, raw: Raw, led: Ledger) -> None:
        table = raw.table("demand_drivers")
        table["year"] = table["year"].astype(str)
        table["scenario"] = table["scenario"].astype(str)
        self.table = table
        self.led = led
        self.used: set[int] = set()

    def has(self, name: str) -> bool:
        return bool((self.table["driver"] == name).any())

    def __call__(self, name: str, scenario: str = "*", year: int | str = "*") -> float:
        rows = self.table[self.table["driver"] == name]
        if rows.empty:
            raise LookupError(f"demand_drivers.csv has no driver {name!r}")
        exact = rows[rows["scenario"] == scenario]
        rows = exact if not exact.empty else rows[rows["scenario"] == "*"]
        if rows.empty:
            raise LookupError(f"demand driver {name!r}: no row for scenario {scenario}")
        flat = rows[rows["year"] == "*"]
        if not flat.empty:
            return self._use(flat.index[0])
        points = {int(y): i for y, i in zip(rows["year"], rows.index, strict=True)}
        if year == "*":
            if len(points) != 1:
                raise LookupError(f"demand driver {name!r} varies by year: give the year")
            return self._use(next(iter(points.values())))
        year = int(year)
        if year in points:
            return self._use(points[year])
        below = [y for y in points if y < year]
        above = [y for y in points if y > year]
        if not below:
            return self._use(points[min(above)])
        if not above:
            return self._use(points[max(below)])
        y0, y1 = max(below), min(above)
        v0, v1 = self._use(points[y0]), self._use(points[y1])
        return v0 + (v1 - v0) * (year - y0) / (y1 - y0)

    def optional(self, name: str, scenario: str = "*", year: int | str = "*") -> float:
        return self(name, scenario, year) if self.has(name) else 0.0

    def _use(self, index: int) -> float:
        rec = self.table.loc[index]
        if index not in self.used:
            self.used.add(index)
            scope = f"{rec['scenario']} {rec['year']}".replace("* *", "all").strip()
            self.led.row(
                "Demand",
                f"driver {rec['driver']} ({scope}) [{rec['unit']}]",
                float(rec["value"]),
                rec,
            )
        return float(rec["value"])


def battery_gwh(d: Drivers, use: str, scenario: str, year: int) -> float:
    return d.optional(f"battery_gwh_{use}", scenario, year)


def battery_t(d: Drivers, mineral: str, scenario: str, year: int) -> float:
    """Tonnes of `mineral` in the year's batteries (graphite: natural graphite only)."""
    total = 0.0
    for use in BATTERY_USES:
        gwh = battery_gwh(d, use, scenario, year)
        if gwh == 0:
            continue
        for chem in CHEMISTRIES:
            share = d.optional(f"chem_share_{use}_{chem}", scenario, year)
            if share:
                intensity = d.optional(f"intensity_{chem}_{mineral}")
                total += gwh * share * intensity * T_PER_GWH_PER_KG_PER_KWH
    if mineral == "graphite":
        total *= d("natural_graphite_share_of_anode", scenario, year)
    return total


def grown(base: float, growth_pct: float, year: int) -> float:
    return base * (1 + growth_pct / 100) ** (year - MILESTONES[0])


def nonbattery_t(d: Drivers, mineral: str, scenario: str, year: int) -> float:
    base = d.optional(f"{mineral}_nonbattery_t_2025")
    if base == 0:
        return 0.0
    return grown(base, d(f"{mineral}_nonbattery_growth_pct", scenario), year)


def gdp_elastic(d: Drivers, base: float, elasticity: str, scenario: str, year: int) -> float:
    growth = d("gdp_growth_pct", scenario)
    return grown(base, d(elasticity) * growth, year)


def scrap_sheet(raw: Raw, demand: list[dict], led: Ledger) -> list[dict]:
    """Scrap at home = a share of the stated demand of each recycled mineral (scrap_shares.csv)."""
    shares = raw.table("scrap_shares")
    recycled = sorted(set(raw.table("processing").query("feed == 'scrap'").mineral))
    rows = []
    for mineral in recycled:
        d = next(r for r in demand if r["mineral"] == mineral and r["scenario"] == "stated")
        row: dict[str, object] = {"mineral": mineral}
        for rec in shares.to_dict("records"):
            row[int(rec["year"])] = sig(
                float(d[int(rec["year"])]) * float(rec["share_of_stated_demand"]), 3
            )
        rows.append(row)
    for rec in shares.to_dict("records"):
        led.row(
            "Scrap",
            f"scrap share of stated demand {rec['year']}",
            rec["share_of_stated_demand"],
            rec,
        )
    return rows


def gdp_index(d: Drivers, elasticity: float, scenario: str, year: int) -> float:
    """prod_{t=2025}^{year-1} (1 + elasticity x g_t / 100), g_t the GDP growth of the five-year
    period holding t (each gdp_growth_pct row applies from its year to the next milestone)."""
    index = 1.0
    for t in range(MILESTONES[0], year):
        period = max(m for m in MILESTONES if m <= t)
        index *= 1 + elasticity * d("gdp_growth_pct", scenario, period) / 100
    return index


def ev_units(d: Drivers, segment: str, scenario: str, year: int) -> float:
    """EVs sold in a year (million x 1e6): segment sales x EV share."""
    sales = d(f"vehicle_sales_{segment}_million", scenario, year) * 1e6
    return sales * d(f"ev_share_{segment}", scenario, year)


def total_gwh(d: Drivers, scenario: str, year: int) -> float:
    return sum(battery_gwh(d, use, scenario, year) for use in BATTERY_USES)


def transition_copper_t(d: Drivers, scenario: str, year: int) -> float:
    """Copper in the year's solar and wind additions, electric cars and two-wheelers and
    batteries (t)."""
    return (
        d("solar_gw_added_per_year", scenario, year) * d("copper_t_per_gw_solar")
        + d("wind_gw_added_per_year", scenario, year) * d("copper_t_per_gw_wind")
        + ev_units(d, "car", scenario, year) * d("copper_kg_per_ev_car") / 1000
        + ev_units(d, "2w", scenario, year) * d("copper_kg_per_ev_2w") / 1000
        + total_gwh(d, scenario, year) * d("copper_kg_per_kwh_battery") * T_PER_GWH_PER_KG_PER_KWH
    )


def copper_total_t(d: Drivers, scenario: str, year: int) -> float:
    """Total copper use (primary and secondary): the 2025 base grown at its GDP elasticity,
    plus the growth of clean-energy copper above its 2025 level (the 2025 base already holds
    that year's clean-energy copper, so only the increment is added)."""
    base = d("copper_base_t_2025")
    elasticity = d("copper_gdp_elasticity", scenario)
    extra = transition_copper_t(d, scenario, year) - transition_copper_t(d, scenario, MILESTONES[0])
    return base * gdp_index(d, elasticity, scenario, year) + extra


def aluminium_t(d: Drivers, scenario: str, year: int) -> float:
    """Aluminium use: the 2025 base at its GDP elasticity plus the increments of solar and
    battery aluminium above 2025."""
    base = d("aluminium_base_t_2025")
    elasticity = d("aluminium_gdp_elasticity", scenario)

    def extra(y: int) -> float:
        return (
            d("solar_gw_added_per_year", scenario, y) * d("aluminium_t_per_gw_solar")
            + total_gwh(d, scenario, y) * d("aluminium_kg_per_kwh_battery") * 1000
        )

    return base * gdp_index(d, elasticity, scenario, year) + extra(year) - extra(MILESTONES[0])


MAGNET_SEGMENTS = ("car", "2w", "3w", "bus_truck")


def ndfeb_t(d: Drivers, scenario: str, year: int) -> float:
    """NdFeB magnets: EV traction motors + wind generators + other uses (t)."""
    motors = sum(
        d(f"ev_motor_units_ndfeb_{seg}", scenario, year) * d(f"ndfeb_kg_per_{seg}_motor") / 1000
        for seg in MAGNET_SEGMENTS
    )
    wind = (
        d("wind_gw_added_per_year", scenario, year)
        * 1000
        * d("ndfeb_t_per_mw_pmg")
        * d("wind_pmg_share", scenario, year)
    )
    other = grown(
        d("magnets_other_t", scenario, MILESTONES[0]), d("magnets_other_growth_pct", scenario), year
    )
    return motors + wind + other


def ndpr_oxide_t(d: Drivers, scenario: str, year: int) -> float:
    """NdPr oxide needed for the year's magnets: NdFeB x oxide per t x alloy yield."""
    return ndfeb_t(d, scenario, year) * d("ndpr_oxide_per_t_ndfeb") * d("magnet_yield_factor")


def demand_frame(raw: Raw, led: Ledger) -> pd.DataFrame:
    """Demand per mineral, scenario and milestone, in the model's units, with its parts."""
    d = Drivers(raw, led)
    refined_copper_share = refined_copper_fraction(raw, led)
    alumina = raw.const("alumina_per_aluminium")
    bauxite = raw.const("bauxite_per_alumina")
    primary_share = primary_aluminium_fraction(raw, d, led)
    rows = []
    for scenario in SCENARIOS:
        for year in MILESTONES:
            for mineral in BATTERY_MINERALS:
                rows.append(
                    (mineral, scenario, year, "batteries", battery_t(d, mineral, scenario, year))
                )
                # non-battery graphite (refractories, foundries) uses flake as mined: outside the
                # model, whose graphite is anode material; reported, not planned
                other = "graphite_other" if mineral == "graphite" else mineral
                rows.append(
                    (other, scenario, year, "other uses", nonbattery_t(d, mineral, scenario, year))
                )
            ndpr = ndpr_oxide_t(d, scenario, year)
            rows.append(("ndpr_oxide", scenario, year, "magnets", ndpr))
            rows.append(
                ("rare_earths", scenario, year, "magnets (REO basket)", ndpr * d("reo_per_ndpr"))
            )
            cu = copper_total_t(d, scenario, year)
            rows.append(("copper_total", scenario, year, "all uses", cu))
            rows.append(
                ("copper", scenario, year, "refined (primary) copper", cu * refined_copper_share)
            )
            al = aluminium_t(d, scenario, year)
            rows.append(("aluminium", scenario, year, "all uses", al))
            rows.append(
                (
                    "bauxite",
                    scenario,
                    year,
                    "primary aluminium",
                    al * primary_share * alumina * bauxite,
                )
            )
            rows.append(("battery_gwh", scenario, year, "all uses", total_gwh(d, scenario, year)))
    raw.record_const(led, "Demand", "alumina_per_aluminium")
    return pd.DataFrame(rows, columns=["mineral", "scenario", "year", "part", "t"])


def refined_copper_fraction(raw: Raw, led: Ledger) -> float:
    """Refined (primary) copper as a share of total copper use in 2025: the model sources
    refined copper; secondary copper from scrap is outside it."""
    cal = raw.table("calibration_2025")
    made = cal[(cal.mineral == "copper") & (cal.form == "refined") & (cal.flow == "production")]
    bought = cal[
        (cal.mineral == "copper")
        & (cal.form == "refined")
        & (cal.flow == "imports")
        & (cal.partner == "World")
    ]
    total = cal[(cal.mineral == "copper") & (cal.flow == "consumption")]
    refined = float(made.value_model_unit.iloc[0]) + float(bought.value_model_unit.iloc[0])
    share = refined / float(total.value_model_unit.iloc[0])
    for frame in (made, bought, total):
        rec = frame.iloc[0]
        led.row("Demand", f"copper 2025 {rec.flow} ({rec.form})", rec.value_model_unit, rec)
    led.add(
        "Demand",
        "refined share of copper use",
        round(share, 4),
        f"derived: (refined production {made.value_model_unit.iloc[0]} + cathode imports "
        f"{bought.value_model_unit.iloc[0]}) / copper use {total.value_model_unit.iloc[0]}, "
        "FY2024-25; held constant to 2040 (assumption)",
        "2025",
        "inputs/data/calibration_2025.csv",
    )
    return share


def primary_aluminium_fraction(raw: Raw, d: Drivers, led: Ledger) -> float:
    """Primary aluminium as a share of aluminium use in 2025 (bauxite feeds only primary)."""
    primary = raw.fact("India primary aluminium production", "2023-24")
    share = primary.value * 1e6 / d("aluminium_base_t_2025")
    led.fact("Demand", "primary aluminium (for the primary share)", primary)
    led.add(
        "Demand",
        "primary share of aluminium use",
        round(share, 4),
        "derived: primary aluminium production / aluminium use; held constant to 2040 "
        "(assumption: secondary aluminium keeps its share)",
        "2025",
        "inputs/data/demand_drivers.csv",
    )
    return share


MODEL_MINERALS = ("lithium", "cobalt", "nickel", "graphite", "rare_earths", "copper", "bauxite")


def demand_sheet(raw: Raw, led: Ledger) -> tuple[list[dict], pd.DataFrame]:
    """The Demand sheet (t per year at each milestone) and the parts it was built from."""
    frame = demand_frame(raw, led)
    totals = frame.groupby(["mineral", "scenario", "year"])["t"].sum()
    rows = []
    for mineral in MODEL_MINERALS:
        for scenario in SCENARIOS:
            row: dict[str, object] = {"mineral": mineral, "scenario": scenario}
            for year in MILESTONES:
                row[year] = sig(float(totals[mineral, scenario, year]), 3)
            rows.append(row)
    led.add(
        "Demand",
        "method",
        "bottom-up from drivers",
        "inputs/india/demand.py docstring; drivers in inputs/data/demand_drivers.csv "
        "(DEMAND-DRIVERS.md)",
        "2025",
        "inputs/data/demand_drivers.csv",
    )
    return rows, frame
