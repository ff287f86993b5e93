"""The ten inputs that move the India plan most: a tornado from the sweep API.

Seventeen candidate inputs are each moved on their own to a low and a high end (x0.8 / x1.2
unless stated), every other input at its base value; all points are one `planner.api.sweep`
(the model is built once and re-solved in place) at the workbook's gap. The sweep runs on the
cost-only what-if (concentration_weight 0): with concentration priced each point refines its
tangent cuts over several MIP solves, and the 35 points had not finished after an hour on 2
cores; the cost-only points take seconds each. The ten with the
largest swing of discounted total cost are printed as a Markdown table and drawn to
`inputs/figures/tornado.png`. A second sweep moves the copper concentrate price alone
(payability 0.88-0.97 of the refined price) and prints copper refined at home in 2040.

    .venv/bin/python inputs/tornado_figure.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from examples.tornado import Input, draw, tornado_points, tornado_table  # noqa: E402
from planner.api import load_input, solve, sweep  # noqa: E402

SPREAD = 0.2
FIGURE = HERE / "figures" / "tornado.png"
CANDIDATES = (
    Input("Copper demand", "Demand[mineral=copper]", "scale"),
    Input("Bauxite demand", "Demand[mineral=bauxite]", "scale"),
    Input("Lithium demand", "Demand[mineral=lithium]", "scale"),
    Input("Nickel demand", "Demand[mineral=nickel]", "scale"),
    Input("Graphite demand", "Demand[mineral=graphite]", "scale"),
    Input("Rare-earth demand", "Demand[mineral=rare_earths]", "scale"),
    Input(
        "Copper concentrate price",
        "Supply[mineral=copper,form=concentrate].price_usd_per_t",
        "scale",
        0.95,
        1.05,
    ),
    Input("Copper cathode price", "Supply[mineral=copper,form=refined].price_usd_per_t", "scale"),
    Input(
        "Lithium chemical price", "Supply[mineral=lithium,form=refined].price_usd_per_t", "scale"
    ),
    Input("Nickel metal price", "Supply[mineral=nickel,form=refined].price_usd_per_t", "scale"),
    Input("Alumina price", "Supply[mineral=bauxite,form=refined].price_usd_per_t", "scale"),
    Input("Bauxite price", "Supply[mineral=bauxite,form=concentrate].price_usd_per_t", "scale"),
    Input("Copper availability (contract share)", "Supply[mineral=copper].available_t", "scale"),
    Input("Graphite availability", "Supply[mineral=graphite].available_t", "scale"),
    Input("Discount rate", "Settings.discount_rate", "set", 0.05, 0.12),
    Input("PSU investment budget", "Budgets[funding=PSU_investment].limit_inr_crore", "scale"),
    Input(
        "Copper smelter capex", "Processing[technology=cu_smelter].capex_musd_per_module", "scale"
    ),
)
PAYABILITY_BASE = 0.92
PAYABILITIES = (0.88, 0.90, 0.92, 0.94, 0.95, 0.96, 0.97)


def main() -> None:
    data = load_input(HERE / "india_2040.xlsx")
    data.settings.concentration_weight = 0.0  # the cost-only what-if (see the docstring)
    results = sweep(data, tornado_points(SPREAD, CANDIDATES), workers=1)
    base = results.iloc[0]
    table = tornado_table(results, SPREAD, CANDIDATES).head(10)
    noise = float(data.settings.mip_abs_gap_musd)
    print(
        f"base: cost {base['total_cost_discounted_musd']:,.0f} MUSD, status {base['status']};"
        f" solver tolerance {noise:g} MUSD"
    )
    print("| input | low / high | cost change at low (MUSD) | at high (MUSD) |")
    print("|---|---|---|---|")
    for r in table.itertuples():
        print(
            f"| {r.input} | {r.low} / {r.high} | {r.d_cost_low_musd:+,.0f} | "
            f"{r.d_cost_high_musd:+,.0f} |"
        )
    draw(
        table,
        float(base["total_cost_discounted_musd"]),
        noise,
        FIGURE,
        SPREAD,
        title="India 2040, the ten inputs that move cost most",
    )
    print(f"chart: {FIGURE.relative_to(HERE.parent)}")
    print(
        "\n| copper concentrate payability | smelter modules built | copper refined at home "
        "2040 (t) | cost (MUSD) |\n|---|---|---|---|"
    )
    for pay in PAYABILITIES:
        case = data.copy()
        rows = case.supply[(case.supply.mineral == "copper") & (case.supply.form == "concentrate")]
        case.supply.loc[rows.index, "price_usd_per_t"] *= pay / PAYABILITY_BASE
        plan = solve(case)
        proc = plan.processing
        cu = proc[proc.mineral == "copper"]
        built = int(cu[cu.technology.str.startswith("cu_smelter")].modules_built.sum())
        home = cu[cu.year == 2040].output_t.sum()
        print(
            f"| {pay:.2f} | {built} | {home:,.0f} | "
            f"{plan.summary['total_cost_discounted_musd']:,.0f} |"
        )


if __name__ == "__main__":
    main()
