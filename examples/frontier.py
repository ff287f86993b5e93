"""Cost-versus-risk frontier of a workbook, from a script.

    .venv/bin/python examples/frontier.py                      # the teaching example, 8 points
    .venv/bin/python examples/frontier.py inputs/india_2040.xlsx --points 6
    .venv/bin/python examples/frontier.py --measure concentration   # cost vs concentration

Writes examples/output/<name>_frontier.xlsx and .png and prints the points. The same as
`planner frontier WORKBOOK --points N`, through the Python API.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.api import frontier, load_input, write_frontier

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", nargs="?", default=HERE / "teaching.xlsx", type=Path)
    parser.add_argument("--points", type=int, default=8)
    parser.add_argument("--measure", choices=("exposure", "concentration"), default="exposure")
    args = parser.parse_args()

    data = load_input(args.workbook)
    table = frontier(data, points=args.points, measure=args.measure)
    out = HERE / "output" / f"{args.workbook.stem}_{args.measure}_frontier.xlsx"
    xlsx, png = write_frontier(table, out)
    columns = [
        "point",
        "risk_exposure_discounted_musd",
        "concentration_discounted_musd",
        "total_cost_discounted_musd",
        "total_shortfall_t",
        "projects",
    ]
    print(table[columns].to_string(index=False, float_format=lambda v: f"{v:,.1f}"))
    print(f"wrote {xlsx} and {png}")


if __name__ == "__main__":
    main()
