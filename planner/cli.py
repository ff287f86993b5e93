"""The `planner` command: a thin layer over the same functions a script calls."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from planner.api import default_plan_path
from planner.plan import Plan
from planner.problems import InputError
from planner.solve import SolveError, solve
from planner.validate import load_input

app = typer.Typer(
    help="Critical-minerals sourcing planner: Excel workbook in, optimal plan workbook out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
err = Console(stderr=True, highlight=False)

EXIT_INPUT = 2
EXIT_NO_PLAN = 3


def _report_problems(exc: InputError, path: Path) -> None:
    err.print(f"[bold red]{path}: {len(exc.problems)} problem(s) found[/]")
    for problem in exc.problems:
        err.print(f"  {problem}", markup=False)


def _show_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        err.print(f"warning: {warning}", style="yellow", markup=False)


@app.command()
def template(
    path: Annotated[Path, typer.Argument(help="Where to write the blank workbook (.xlsx)")],
) -> None:
    """Write a blank, documented input workbook (comments on every header, drop-downs)."""
    from planner.template import write_template

    write_template(path)
    console.print(f"wrote {path}")


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="Input workbook (.xlsx)")],
) -> None:
    """Check a workbook and list every problem at once (exit code 2 if any)."""
    try:
        data = load_input(path)
    except InputError as exc:
        _report_problems(exc, path)
        raise typer.Exit(EXIT_INPUT) from None
    _show_warnings(data.warnings)
    s = data.settings
    console.print(
        f"[green]{path} is valid[/]: {len(data.minerals)} minerals, {len(data.countries)} "
        f"countries, {len(data.supply)} supply rows, {len(data.projects)} projects, "
        f"{len(data.processing)} technologies, {s.first_year}-{s.last_year}, "
        f"scenario {s.demand_scenario!r}"
    )


@app.command(name="solve")
def solve_command(
    path: Annotated[Path, typer.Argument(help="Input workbook (.xlsx)")],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Plan workbook to write [default: INPUT_plan.xlsx]"),
    ] = None,
    mip_gap: Annotated[
        float | None, typer.Option(help="Relative MIP gap (overrides Settings mip_gap)")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option(help="Time limit in seconds (overrides time_limit_s)")
    ] = None,
) -> None:
    """Solve a workbook and export the optimal plan workbook."""
    from planner.export import write_plan

    target = output or default_plan_path(path)
    if target.resolve() == path.resolve():
        err.print(f"[red]refusing to overwrite the input workbook {path}; choose another -o[/]")
        raise typer.Exit(EXIT_INPUT)
    with console.status("reading the workbook") as status:
        try:
            data = load_input(path)
        except InputError as exc:
            status.stop()
            _report_problems(exc, path)
            raise typer.Exit(EXIT_INPUT) from None
        _show_warnings(data.warnings)
        try:
            plan = solve(data, mip_gap=mip_gap, time_limit_s=time_limit, progress=status.update)
        except SolveError as exc:
            status.stop()
            err.print(f"[bold red]no plan[/]: {exc}", markup=True)
            raise typer.Exit(EXIT_NO_PLAN) from None
        status.update(f"writing {target}")
        write_plan(plan, target)
    show_plan(plan)
    console.print(f"plan written to [bold]{target}[/]")


def show_plan(plan: Plan) -> None:
    """What a planner wants at a glance: status, cost, risk, main sources, shortfall."""
    s = plan.summary
    gap = s.get("gap")
    gap_text = f", gap {100 * gap:.3g}%" if isinstance(gap, float) else ""
    console.print(
        f"[bold]{s['status']}[/]{gap_text} in {s['solve_time_s']} s — "
        f"discounted cost {s['total_cost_discounted_musd']:,.1f} MUSD, "
        f"risk exposure {s['risk_exposure_discounted_musd']:,.1f} MUSD"
    )
    table = Table(title="Largest refined sources in the last year", title_justify="left")
    for column in ("mineral", "sources (share of refined supply)", "shortfall (t, all years)"):
        table.add_column(column)
    risk = plan.risk
    last = int(risk["year"].max()) if len(risk) else None
    for mineral in risk["mineral"].unique():
        rows = plan.sourcing[
            (plan.sourcing["mineral"] == mineral)
            & (plan.sourcing["year"] == last)
            & (plan.sourcing["form"] == "refined")
        ]
        top = rows.groupby("country")["share"].sum().sort_values(ascending=False).head(3)
        text = ", ".join(f"{c} {100 * v:.0f}%" for c, v in top.items()) or "-"
        out = plan.processing[
            (plan.processing["mineral"] == mineral) & (plan.processing["year"] == last)
        ]["output_t"].sum()
        if out > 0:
            text += f"; refined at home {out:,.0f} t"
        short = plan.shortfall[plan.shortfall["mineral"] == mineral]["unmet_t"].sum()
        table.add_row(str(mineral), text, f"{short:,.0f}" if short > 1e-6 else "-")
    console.print(table)
    for note in plan.notes:
        console.print(f"[yellow]{note}[/]")


if __name__ == "__main__":  # pragma: no cover
    app()
