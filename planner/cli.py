"""The `planner` command: a thin layer over the same functions a script calls."""

from __future__ import annotations

import math
import os
import zipfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from planner.io.atomic import slug
from planner.io.problems import InputError

if TYPE_CHECKING:
    from planner.results.plan import Plan

# Commands import the solver stack (Pyomo, HiGHS, pandas) when they run, so that
# `planner --help` answers at once.

app = typer.Typer(
    help="Critical-minerals sourcing planner: Excel workbook in, optimal plan workbook out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # plain help: KEY syntax such as Demand[mineral=lithium] is shown as written (Rich markup
    # would take [...] for a style), and paragraphs are re-wrapped to the terminal's width
    rich_markup_mode=None,
)
# emoji off: a cell range such as "B:B:" would otherwise print as an emoji code
console = Console(highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)

EXIT_INPUT = 2
EXIT_NO_PLAN = 3
MAX_POINTS = 10_000  # a sweep's default cap on points (--max-points overrides it)


def _check_output(target: Path, suffix: str = ".xlsx") -> None:
    """Before any solve: the output is named for what it is (.xlsx workbooks, .png images),
    is not a folder, and goes into an existing folder the planner may write in."""
    problem = None
    if target.suffix.lower() != suffix:
        kind = "an Excel workbook" if suffix == ".xlsx" else f"a {suffix} file"
        problem = f"the output is {kind}; name it {suffix}"
    elif target.is_dir():
        problem = "is a folder; give a file name"
    elif not target.parent.is_dir():
        problem = f"the folder {target.parent} does not exist; create it first"
    elif not os.access(target.parent, os.W_OK):
        problem = f"the folder {target.parent} cannot be written to"
    if problem:
        err.print(f"{target}: {problem}", style="red", markup=False)
        raise typer.Exit(EXIT_INPUT)


def _number(
    value: float | None, low: float, high: float | None, above: bool = False
) -> float | None:
    """A finite option value within [low, high] (above low when `above`)."""
    if value is None:
        return value
    too_low = value <= low if above else value < low
    if not math.isfinite(value) or too_low or (high is not None and value > high):
        span = f"more than {low:g}" if above else f"at least {low:g}"
        if high is not None:
            span = f"from {low:g} to {high:g}"
        raise typer.BadParameter(f"{value:g} is not a number {span}")
    return value


def _refuse_overwriting(inputs: list[Path], outputs: dict[str, Path]) -> None:
    """Exit 2, writing nothing, when an output would replace an input or another output."""
    read = {p.resolve(): p for p in inputs}
    seen: dict[Path, str] = {}
    for what, target in outputs.items():
        where = target.resolve()
        if where in read:
            err.print(
                f"{what} {target} is the input {read[where]}; the planner never writes over "
                f"a file it reads: choose another {what}",
                style="red",
                markup=False,
            )
            raise typer.Exit(EXIT_INPUT)
        if where in seen:
            err.print(
                f"{what} and {seen[where]} are the same file {target}; give them different names",
                style="red",
                markup=False,
            )
            raise typer.Exit(EXIT_INPUT)
        seen[where] = what


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
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists")] = False,
) -> None:
    """Write a blank, documented input workbook (comments on every header, drop-downs).
    An existing file is never replaced unless --force is given."""
    from planner.io.template import write_template

    if path.exists() and not force:
        err.print(
            f"{path} exists; the template is not written over it (use --force to replace it)",
            style="red",
            markup=False,
        )
        raise typer.Exit(EXIT_INPUT)

    write_template(path)
    console.print(f"wrote {path}")


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="Input workbook (.xlsx)")],
) -> None:
    """Check a workbook and list every problem at once (exit code 2 if any)."""
    from planner.io.validate import load_input

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
        f"scenario {s.demand_scenario!r}, "
        f"{data.disruptions['scenario'].nunique() if len(data.disruptions) else 0} disruption "
        f"scenario(s), mode {s.mode}"
    )


@app.command(name="solve")
def solve_command(
    path: Annotated[Path, typer.Argument(help="Input workbook (.xlsx)")],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Plan workbook to write (default: INPUT_plan.xlsx)"),
    ] = None,
    mip_gap: Annotated[
        float | None,
        typer.Option(
            callback=lambda v: _number(v, 0.0, 1.0),
            help="Relative MIP gap, 0 to 1 (overrides Settings mip_gap)",
        ),
    ] = None,
    mip_abs_gap: Annotated[
        float | None,
        typer.Option(
            callback=lambda v: _number(v, 0.0, None),
            help="Absolute MIP gap in million USD (overrides Settings mip_abs_gap_musd); HiGHS "
            "stops at whichever gap is met first",
        ),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            callback=lambda v: _number(v, 0.0, None, above=True),
            help="Time limit in seconds, more than 0 (overrides time_limit_s)",
        ),
    ] = None,
    stochastic: Annotated[
        bool,
        typer.Option(
            "--stochastic",
            help="Plan once for every Disruptions scenario (two-stage; as Settings mode)",
        ),
    ] = False,
    report: Annotated[
        bool,
        typer.Option(
            "--report",
            help="Also write the briefing: PLAN.html and its figures in PLAN_figures/",
        ),
    ] = False,
    scenario: Annotated[
        str | None,
        typer.Option(
            help="Solve a named scenario of the workbook's Scenarios sheet (its overrides "
            "applied; default output INPUT_NAME_plan.xlsx)"
        ),
    ] = None,
    all_charts: Annotated[
        bool,
        typer.Option(
            "--all-charts",
            help="Chart every mineral on the Chart sheet (default: the 50 with the largest "
            "sourcing cost when there are more)",
        ),
    ] = False,
) -> None:
    """Solve a workbook and export the optimal plan workbook.

    With --stochastic (or Settings mode = stochastic) the investments and stock build-up are
    chosen once for the undisrupted case and every Disruptions scenario, minimising expected
    cost (plus cvar_weight x CVaR); the plan gains Scenarios, ScenarioDetail and
    VersusDeterministic sheets and the value of the stochastic solution."""
    from planner.api import default_plan_path
    from planner.export.plan import write_plan
    from planner.io.validate import load_input
    from planner.solve.dispatch import SolveError, solve

    target = output or default_plan_path(path)
    if scenario and output is None:
        target = path.with_name(f"{path.stem}_{slug(scenario, 'scenario')}_plan.xlsx")
    if target.resolve() == path.resolve():
        err.print(f"[red]refusing to overwrite the input workbook {path}; choose another -o[/]")
        raise typer.Exit(EXIT_INPUT)
    _check_output(target)
    with console.status("reading the workbook") as status:
        try:
            data = load_input(path)
        except InputError as exc:
            status.stop()
            _report_problems(exc, path)
            raise typer.Exit(EXIT_INPUT) from None
        _show_warnings(data.warnings)
        chosen = None
        if scenario:
            chosen = _named_scenarios(path, data, scenario)[-1]
            data = chosen.apply(data)
        if stochastic:
            data.settings.mode = "stochastic"
            s = data.settings
            if s.concentration_weight > 0 or s.concentration_cap_musd is not None:
                # the stochastic model has no concentration term; say so rather than refuse
                err.print(
                    f"[yellow]{path}: the stochastic model does not price concentration: "
                    f"planning with concentration_weight 0 (was {s.concentration_weight:g}) "
                    "and no concentration cap; K is still reported[/]"
                )
                s.concentration_weight = 0.0
                s.concentration_cap_musd = None
        if data.settings.mode == "stochastic" and not (
            len(data.disruptions) and (data.disruptions["probability"] > 0).any()
        ):
            status.stop()
            err.print(
                f"[red]{path}: --stochastic needs scenarios, and sheet Disruptions has none "
                "with a probability above 0[/]"
            )
            raise typer.Exit(EXIT_INPUT)
        try:
            plan = solve(
                data,
                mip_gap=mip_gap,
                time_limit_s=time_limit,
                progress=status.update,
                mip_abs_gap_musd=mip_abs_gap,
            )
        except SolveError as exc:
            status.stop()
            err.print(f"[bold red]no plan[/]: {exc}", markup=True)
            raise typer.Exit(EXIT_NO_PLAN) from None
        if chosen is not None:
            plan.summary = {
                "scenario": chosen.name,
                "scenario_overrides": chosen.describe(),
                **plan.summary,
            }
        status.update(f"writing {target}")
        write_plan(plan, target, all_charts=all_charts)
        if report:
            from planner.export.briefing import write_briefing

            status.update("writing the briefing")
            page, figures = write_briefing(target, input_path=path)
    show_plan(plan)
    console.print(f"plan written to [bold]{target}[/]")
    if report:
        console.print(f"briefing written to [bold]{page}[/] ({len(figures)} figures beside it)")


def _named_scenarios(path: Path, data, wanted: str) -> list:
    """The baseline and the scenarios `wanted` names (or all), read from the Scenarios sheet;
    exit 2 listing every problem of the sheet or naming an unknown scenario."""
    from planner.analysis.scenarios import pick, read_scenarios

    try:
        return pick(read_scenarios(path, data), wanted)
    except InputError as exc:
        _report_problems(exc, path)
        raise typer.Exit(EXIT_INPUT) from None
    except KeyError as exc:
        err.print(f"{path}: {exc.args[0]}", style="red", markup=False)
        raise typer.Exit(EXIT_INPUT) from None


@app.command(name="compare")
def compare_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Plan workbooks to compare, the baseline first; or, with --scenarios, one "
            "input workbook"
        ),
    ],
    scenarios: Annotated[
        str | None,
        typer.Option(
            help="Solve the input workbook's named scenarios ('all' or NAME,NAME) and the "
            "baseline, write each plan, and compare them"
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Comparison workbook (default: FIRST_compare.xlsx); the HTML goes beside it",
        ),
    ] = None,
) -> None:
    """Compare plans side by side, the baseline first: cost and risk and their changes,
    origins whose share moved, projects added or dropped, budgets. Writes a workbook and the
    same tables as HTML."""
    from planner.analysis.compare import compare
    from planner.export.compare import write_comparison
    from planner.export.plan import read_plan, write_plan
    from planner.io.validate import load_input
    from planner.solve.deterministic import program_version
    from planner.solve.dispatch import SolveError, solve

    if scenarios is None and len(paths) < 2:
        err.print("give two or more plan workbooks, or one input workbook and --scenarios",
                  style="red", markup=False)  # fmt: skip
        raise typer.Exit(EXIT_INPUT)
    if scenarios is not None and len(paths) != 1:
        err.print("--scenarios takes one input workbook", style="red", markup=False)
        raise typer.Exit(EXIT_INPUT)
    for given in paths:
        if not given.is_file():
            err.print(f"{given}: no such workbook", style="red", markup=False)
            raise typer.Exit(EXIT_INPUT)
    target = output or paths[0].with_name(f"{paths[0].stem}_compare.xlsx")
    _check_output(target)
    plans = {}
    notes: list[str] = []
    stamp: dict[str, object] = {"program": f"critical-minerals-planner {program_version()}"}
    if scenarios is not None:
        path = paths[0]
        try:
            data = load_input(path)
        except InputError as exc:
            _report_problems(exc, path)
            raise typer.Exit(EXIT_INPUT) from None
        chosen = _named_scenarios(path, data, scenarios)
        stamp |= {"input_file": path.name, "input_sha256": data.source_sha256}
        with console.status("solving") as status:
            for scenario in chosen:
                status.update(f"solving {scenario.name} ({scenario.describe()})")
                try:
                    plan = solve(scenario.apply(data))
                except SolveError as exc:
                    notes.append(f"{scenario.name}: no plan ({exc})")
                    continue
                named = {"scenario": scenario.name, "scenario_overrides": scenario.describe()}
                plan.summary = named | plan.summary
                name = slug(scenario.name, "scenario")
                plan_path = target.with_name(f"{path.stem}_{name}_plan.xlsx")
                write_plan(plan, plan_path)
                plans[scenario.name] = plan
                notes.append(f"{scenario.name}: {scenario.describe()} -> {plan_path.name}")
        if "baseline" not in plans:
            err.print(f"{path}: the baseline has no plan; nothing to compare with",
                      style="red", markup=False)  # fmt: skip
            raise typer.Exit(EXIT_NO_PLAN)
    else:
        for given in paths:
            try:
                plans[given.stem] = read_plan(given)
            except (KeyError, ValueError, OSError, zipfile.BadZipFile) as exc:
                err.print(f"{given}: not a plan workbook of this planner ({exc})",
                          style="red", markup=False)  # fmt: skip
                raise typer.Exit(EXIT_INPUT) from None
        notes += [f"{name}: {p.summary.get('input_file', '')}" for name, p in plans.items()]
    if len(plans) < 2:
        err.print("fewer than two plans to compare", style="red", markup=False)
        raise typer.Exit(EXIT_NO_PLAN)
    xlsx, page = write_comparison(compare(plans), target, stamp, notes)
    console.print(f"comparison written to [bold]{xlsx}[/] and [bold]{page}[/]")


@app.command(name="report")
def report_command(
    plan_path: Annotated[
        Path, typer.Argument(help="Plan workbook (.xlsx) written by planner solve")
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="HTML file to write (default: PLAN.html)"),
    ] = None,
    figures: Annotated[
        Path | None,
        typer.Option(help="Folder for the figures as PNG (default: OUTPUT_figures beside it)"),
    ] = None,
    input_path: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="The input workbook, for its Sources sheet (default: the workbook the plan "
            "names, looked for beside the plan and in the current folder)",
        ),
    ] = None,
    stress: Annotated[
        Path | None,
        typer.Option(help="A stress workbook of this plan (planner stress) to include"),
    ] = None,
) -> None:
    """Write the briefing of a plan: one self-contained HTML page (headline figures, supply by
    origin on both bases, mine-to-home flows, projects, budgets, risk, shortfalls, disruption
    results, sources and assumptions, run stamp) and its figures as PNG files for slides."""
    from openpyxl.utils.exceptions import InvalidFileException

    from planner.export.briefing import default_briefing_path, write_briefing

    target = output or default_briefing_path(plan_path)
    for given, what in ((plan_path, "plan"), (input_path, "input"), (stress, "stress")):
        if given is not None and not given.is_file():
            err.print(f"{given}: no such {what} workbook", style="red", markup=False)
            raise typer.Exit(EXIT_INPUT)
    _check_output(target, ".html")
    with console.status("drawing the figures"):
        try:
            page, pngs = write_briefing(plan_path, target, figures, input_path, stress)
        except (KeyError, ValueError, OSError, zipfile.BadZipFile, InvalidFileException) as exc:
            err.print(
                f"{plan_path}: not a plan workbook of this planner ({exc})",
                style="red",
                markup=False,
            )
            raise typer.Exit(EXIT_INPUT) from None
    console.print(
        f"briefing written to [bold]{page}[/] ({len(pngs)} figures in {pngs[0].parent})"
        if pngs
        else f"briefing written to [bold]{page}[/]"
    )


STRESS_HELP = """Stress-test a plan: hold its investments (project stakes, modules built) and
its stock build-up, and re-optimise purchases, throughput and stock draws in the undisrupted
case and in each scenario of the Disruptions sheet of WORKBOOK (an input workbook, usually the
one the plan was solved from). Years before a scenario's first disruption run as in the
undisrupted case. Writes, per scenario, mineral and year, the shortfall, the extra cost and the
stock drawn, with totals per scenario and a chart."""


@app.command(help=STRESS_HELP)
def stress(
    plan_path: Annotated[Path, typer.Argument(help="Plan workbook written by planner solve")],
    scenarios: Annotated[
        Path, typer.Option("--scenarios", "-s", help="Input workbook with a Disruptions sheet")
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Stress workbook (default: PLAN_stress.xlsx)"),
    ] = None,
) -> None:
    from planner.analysis.stress import StressError
    from planner.api import stress_plan_file
    from planner.export.stress import write_stress
    from planner.solve.first_stage import PlanMismatch

    target = output or plan_path.with_name(f"{plan_path.stem}_stress.xlsx")
    if target.resolve() in (plan_path.resolve(), scenarios.resolve()):
        err.print("[red]refusing to overwrite an input; choose another -o[/]")
        raise typer.Exit(EXIT_INPUT)
    _check_output(target)
    if not plan_path.exists():
        err.print(f"[red]{plan_path}: file not found[/]")
        raise typer.Exit(EXIT_INPUT)
    data = _load_or_exit(scenarios)
    _show_warnings(data.warnings)
    if data.disruptions.empty:
        err.print(f"[red]{scenarios}: sheet Disruptions has no scenario to stress the plan with[/]")
        raise typer.Exit(EXIT_INPUT)
    with console.status("stress-testing") as status:
        try:
            result = stress_plan_file(plan_path, data, progress=status.update)
        except PlanMismatch as exc:
            status.stop()
            err.print(f"[bold red]{plan_path} does not fit {scenarios}[/]")
            for problem in exc.problems:
                err.print(f"  {problem}", markup=False)
            raise typer.Exit(EXIT_INPUT) from None
        except (KeyError, ValueError, zipfile.BadZipFile, OSError):
            status.stop()
            err.print(
                f"{plan_path} is not a plan workbook written by planner solve (it needs the "
                "sheets Projects, Processing and Stock)",
                style="red",
                markup=False,
            )
            raise typer.Exit(EXIT_INPUT) from None
        except StressError as exc:
            status.stop()
            err.print(f"[bold red]no result[/]: {exc}")
            raise typer.Exit(EXIT_NO_PLAN) from None
        write_stress(result, target)
    table = Table(title="Stress test (shortfall in t, extra cost discounted in MUSD)")
    for column in ("scenario", "probability", "from", "shortfall", "extra cost", "stock drawn"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for rec in result.scenarios.to_dict("records"):
        year = rec["first_disruption_year"]
        table.add_row(
            str(rec["scenario"]),
            f"{rec['probability']:.3g}",
            "-" if year is None or year != year else str(int(year)),
            f"{rec['shortfall_t']:,.0f}",
            f"{rec['extra_cost_discounted_musd']:,.2f}",
            f"{rec['stock_drawn_t']:,.0f}",
        )
    console.print(table)
    for note in result.notes[2:]:
        console.print(f"[yellow]{note}[/]")
    console.print(f"stress test written to [bold]{target}[/]")


SWEEP_HELP = """Run many solves: every combination of the --set and --scale values (or, with
--zip, their i-th values together), or --samples Monte Carlo draws of --sample parameters.

KEY is Settings.NAME or Table[column=value,...].column, e.g. Settings.risk_weight,
'Demand[mineral=lithium]', 'Supply[country=China,mineral=graphite,form=refined].available_t'.
VALUES is a list 0,0.3,1 or a range START:STOP:COUNT (COUNT evenly spaced values).
--scale multiplies the selected cells; --set writes them. --sample KEY=normal(1,0.1) draws a
factor (a value for Settings keys) from normal(mean,sd), uniform(low,high),
triangular(low,mode,high) or lognormal(mean,sigma). Without any of these, the workbook's
Sweep sheet (columns parameter, operation, values, group) is used.

Finished points go to a checkpoint beside the output; rerunning the same command resumes."""


@app.command(help=SWEEP_HELP)
def sweep(
    path: Annotated[Path, typer.Argument(help="Input workbook (.xlsx)")],
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="KEY=VALUES to set (repeat for a grid)")
    ] = None,
    scale: Annotated[
        list[str] | None, typer.Option("--scale", help="KEY=FACTORS to multiply by")
    ] = None,
    zip_: Annotated[
        bool, typer.Option("--zip", help="Zip the --set/--scale lists instead of a grid")
    ] = False,
    sample: Annotated[
        list[str] | None, typer.Option("--sample", help="KEY=DISTRIBUTION for Monte Carlo")
    ] = None,
    samples: Annotated[int, typer.Option(min=1, help="Monte Carlo sample count")] = 100,
    seed: Annotated[int, typer.Option(min=0, help="Monte Carlo seed")] = 0,
    workers: Annotated[
        int,
        typer.Option(
            min=0,
            max=1024,
            show_default=False,
            help="Local worker processes (default 0: one per core of the machine)",
        ),
    ] = 0,
    dask: Annotated[
        str | None, typer.Option("--dask", help="Run on the Dask cluster at this address")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Sweep workbook to write (default: INPUT_sweep.xlsx)"),
    ] = None,
    checkpoint: Annotated[
        Path | None, typer.Option(help="Checkpoint file (default: OUTPUT.checkpoint.jsonl)")
    ] = None,
    fresh: Annotated[bool, typer.Option(help="Ignore an existing checkpoint")] = False,
    max_points: Annotated[
        int,
        typer.Option(
            "--max-points", min=1, help="Refuse a sweep of more points than this (a typo guard)"
        ),
    ] = MAX_POINTS,
) -> None:
    from planner.analysis import params
    from planner.analysis.runner import run_points
    from planner.analysis.sweep import (
        SweepDesign,
        fill_baseline,
        grid,
        monte_carlo,
        read_sweep_sheet,
        split_assignment,
        varied_columns,
        with_baseline,
        zipped,
    )
    from planner.api import check_points
    from planner.export.sweep import write_results

    target = output or path.with_name(f"{path.stem}_sweep.xlsx")
    ckpt = checkpoint or target.with_name(target.name + ".checkpoint.jsonl")
    _refuse_overwriting([path], {"--output": target, "--checkpoint": ckpt})
    _check_output(target)
    data = _load_or_exit(path)
    try:
        if sample:
            draws = []
            for text in sample:
                key, dist = split_assignment(text)
                op = "set" if key.lower().startswith("settings.") else "scale"
                draws.append((key, op, dist))
            if not 1 <= samples <= max_points:
                raise params.ParameterError(
                    f"--samples {samples:,}: give 1 to {max_points:,} (--max-points raises it)"
                )
            points = monte_carlo(draws, samples, seed)
        else:
            changes = [(*split_assignment(t), "set") for t in set_ or []]
            changes += [(*split_assignment(t), "scale") for t in scale or []]
            specs = [
                (key, op, params.parse_values(values, max_points)) for key, values, op in changes
            ]
            sizes = [len(values) for _, _, values in specs]
            count = (max(sizes) if zip_ else math.prod(sizes)) if sizes else 0
            if count > max_points:
                raise params.ParameterError(
                    f"the sweep has {count:,} points ({' x '.join(map(str, sizes))}), more than "
                    f"the limit of {max_points:,}; --max-points raises it"
                )
            if specs:
                design = zipped(*specs) if zip_ else grid(*specs)
            else:
                design = read_sweep_sheet(path) or SweepDesign()
            points = design.points()
        if not points:
            raise params.ParameterError(
                "nothing to sweep: give --set, --scale or --sample, "
                "or add a Sweep sheet to the workbook"
            )
        check_points(data, points)
        points = with_baseline(points)
    except params.ParameterError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    if fresh and ckpt.exists():
        ckpt.unlink()
    workers = workers or os.cpu_count() or 1
    frame = _run_with_progress(run_points, data, points, workers, ckpt, dask)
    if frame.attrs.get("checkpoint_note"):
        err.print(frame.attrs["checkpoint_note"], style="yellow", markup=False)
    frame = fill_baseline(frame, data, points)
    varied = varied_columns(points)
    write_results(frame, target, "Sweep", varied=varied, stamp=_run_stamp(data, seed, sample))
    failed = frame[~frame["status"].isin(["optimal"])]
    console.print(
        f"{len(frame)} points, {len(failed)} not optimal; written to [bold]{target}[/]"
        f" (checkpoint {ckpt})"
    )


def _run_stamp(data, seed: int | None = None, sample: list[str] | None = None) -> dict:
    """The sweep's Run sheet: the common stamp, and the seed and draws of a Monte Carlo."""
    from planner.export.sweep import run_stamp

    extra = {"seed": seed, "sampled": "; ".join(sample)} if sample else {}
    name = Path(data.source_file).name if data.source_file else ""
    return run_stamp(name, data.source_sha256, **extra)


def _load_or_exit(path: Path):
    from planner.io.validate import load_input

    try:
        return load_input(path)
    except InputError as exc:
        _report_problems(exc, path)
        raise typer.Exit(EXIT_INPUT) from None


def _run_with_progress(run, data, points, workers, ckpt, dask):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        "eta",
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err) as bar:
        task = bar.add_task("solving", total=len(points))
        from planner.analysis.runner import input_fingerprint, read_checkpoint

        reused = read_checkpoint(ckpt, input_fingerprint(data))
        bar.update(task, advance=len(reused.keys() & {p.point_id for p in points}))
        try:
            return run(
                data,
                points,
                workers=workers,
                checkpoint=ckpt,
                dask_address=dask,
                on_result=lambda _r: bar.update(task, advance=1),
            )
        except KeyboardInterrupt:
            bar.stop()
            err.print(
                f"interrupted: finished points are in {ckpt}; rerun the same command to resume"
            )
            raise typer.Exit(130) from None


class RiskMeasure(StrEnum):
    """The risk measures a frontier can trade against cost (planner.frontier.MEASURES)."""

    exposure = "exposure"
    concentration = "concentration"


FRONTIER_HELP = """Trace the cost-versus-risk Pareto frontier (epsilon-constraint method) and write
it as a workbook (one row per point, a chart, Notes) and a PNG chart. Risk is the --measure:
exposure (discounted value x risk_score, unmet demand at the worst score) or concentration
(discounted demand value x sum over origins of risk_score x share^2, on Settings
concentration_basis).

Method: (1) minimise discounted cost alone -> the cost end (C_min, its risk R_at_Cmin);
(2) minimise risk (cost + a dominating weight x risk), then the cheapest plan at that least
risk R_min -> the risk end; (3) --points caps evenly spaced from R_min to R_at_Cmin, ends
included: each interior point is the cheapest plan whose discounted risk exposure is at most
its cap; (4) only non-dominated points are kept, sorted by risk. One model is built and
re-solved in place. Each solve stops at the workbook's mip_gap, so costs are within that gap.
The workbook's weights and caps of both measures and its mode are ignored (the frontier
is of the undisrupted case). Cost includes the shortfall penalty.

Each point lists its risk cap, cost, risk, shortfall, main last-year origins per mineral,
projects chosen, and last-year HHI and concern share per mineral."""


@app.command(help=FRONTIER_HELP)
def frontier(
    path: Annotated[Path, typer.Argument(help="Input workbook (.xlsx)")],
    points: Annotated[
        int,
        typer.Option(
            "--points", "-n", min=2, max=1000, help="Points on the frontier, ends included"
        ),
    ] = 10,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Frontier workbook (default: INPUT_frontier.xlsx)"),
    ] = None,
    png: Annotated[
        Path | None, typer.Option("--png", help="Chart image (default: OUTPUT with .png)")
    ] = None,
    measure: Annotated[
        RiskMeasure,
        typer.Option("--measure", "-m", help="Risk measure traded against cost"),
    ] = RiskMeasure.exposure,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from planner.analysis.frontier import COST, MEASURES
    from planner.analysis.frontier import frontier as trace_frontier
    from planner.export.frontier import write_frontier
    from planner.solve.dispatch import SolveError

    target = output or path.with_name(f"{path.stem}_frontier.xlsx")
    image = png or target.with_suffix(".png")
    if path.resolve() in (target.resolve(), image.resolve()):
        err.print(f"[red]refusing to overwrite the input workbook {path}; choose another -o[/]")
        raise typer.Exit(EXIT_INPUT)
    _check_output(target)
    _check_output(image, ".png")
    data = _load_or_exit(path)
    _show_warnings(data.warnings)
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err) as bar:
        task = bar.add_task("building the model", total=points + 1)

        def step(done: int, total: int, message: str) -> None:
            bar.update(task, completed=done, total=total, description=message)

        try:
            frame = trace_frontier(data, points, on_step=step, measure=measure.value)
        except SolveError as exc:
            bar.stop()
            err.print(f"[bold red]no plan[/]: {exc}", markup=True)
            raise typer.Exit(EXIT_NO_PLAN) from None
    write_frontier(frame, target, image)
    m = MEASURES[measure]
    table = Table(title=f"Cost-{measure} frontier (discounted, million USD)", title_justify="left")
    for column in (
        "point",
        f"{m.name} cap",
        m.name,
        "cost",
        "shortfall (t)",
        "status",
        "projects (n)",
    ):
        table.add_column(column, justify="left" if column == "status" else "right")
    for _, row in frame.iterrows():
        projects = str(row.get("projects") or "")
        table.add_row(
            str(row["point"]),
            f"{row[m.cap]:,.1f}",
            f"{row[m.column]:,.1f}",
            f"{row[COST]:,.1f}",
            f"{row['total_shortfall_t']:,.0f}",
            str(row["status"]),
            str(len(projects.split("; ")) if projects else 0),
        )
    console.print(table)
    a = frame.attrs
    console.print(
        f"{len(frame)} non-dominated point(s) of {a['requested']} requested "
        f"({a['dominated']} dominated, {len(a['failed'])} without a plan) in {a['seconds']} s; "
        f"costs within mip_gap {a['mip_gap']:g}. Written to [bold]{target}[/] and [bold]{image}[/]"
    )


def show_plan(plan: Plan) -> None:
    """What a planner wants at a glance: status, cost, risk, main sources, shortfall."""
    s = plan.summary
    gap = s.get("gap")
    gap_text = f", gap {100 * gap:.3g}%" if isinstance(gap, float) else ""
    bound = s.get("best_bound_musd")
    objective = s.get("objective_musd")
    if isinstance(bound, float) and isinstance(objective, float):
        gap_text += f" ({objective - bound:,.1f} MUSD)"
    console.print(
        f"[bold]{s['status']}[/]{gap_text} in {s['solve_time_s']} s — "
        f"discounted cost {s['total_cost_discounted_musd']:,.1f} MUSD, "
        f"risk exposure {s['risk_exposure_discounted_musd']:,.1f} MUSD, "
        f"concentration {s.get('concentration_discounted_musd', float('nan')):,.1f} MUSD "
        f"(weight {s.get('concentration_weight', 0):g}, {s.get('concentration_basis', 'mine')} "
        "basis)"
    )
    table = Table(title="Largest refined sources in the last year", title_justify="left")
    for column in (
        "mineral",
        "refined in (share of refined supply)",
        "mined in",
        "shortfall (t, all years)",
    ):
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
        mined = plan.mine_origin[
            (plan.mine_origin["mineral"] == mineral) & (plan.mine_origin["year"] == last)
        ]
        top_mined = mined.groupby("mine_country")["share"].sum().sort_values(ascending=False)
        mined_text = ", ".join(f"{c} {100 * v:.0f}%" for c, v in top_mined.head(3).items())
        short = plan.shortfall[plan.shortfall["mineral"] == mineral]["unmet_t"].sum()
        table.add_row(
            str(mineral), text, mined_text or "-", f"{short:,.0f}" if short > 1e-6 else "-"
        )
    console.print(table)
    if s.get("mode") == "stochastic":
        vss = s.get("value_of_stochastic_solution_musd")
        vss_at_most = s.get("value_of_stochastic_solution_at_most_musd")
        proven = f" (at most {vss_at_most:,.1f}, by the bound)" if vss_at_most is not None else ""
        console.print(
            f"stochastic: {s['scenarios_modelled']} scenarios, expected cost "
            f"{s['expected_cost_discounted_musd']:,.1f} MUSD, CVaR "
            f"{s['cvar_of_scenario_objective_musd']:,.1f} MUSD; value of the stochastic "
            "solution " + (f"{vss:,.1f} MUSD{proven}" if vss is not None else "not available")
        )
    for note in plan.notes:
        console.print(f"[yellow]{note}[/]")


# One line per command in `planner --help` (click would cut the first sentence at 45 characters)
SUMMARIES = {
    "template": "Write a blank, documented input workbook.",
    "validate": "Check a workbook; list every problem at once (exit 2 if any).",
    "solve": "Solve a workbook and write its plan workbook (--report: and its briefing).",
    "compare": "Compare plans, or a workbook's named scenarios, side by side.",
    "report": "Write a plan's briefing: one HTML page and its figures as PNG.",
    "stress": "Hold a plan's investments and stockpile; re-optimise every disruption.",
    "sweep": "Run many solves over changed inputs (grid, zip or Monte Carlo).",
    "frontier": "Trace the cost-versus-risk Pareto frontier.",
}
for _command in app.registered_commands:
    _name = _command.name or (_command.callback.__name__ if _command.callback else "")
    _command.short_help = SUMMARIES.get(_name, _command.short_help)


if __name__ == "__main__":  # pragma: no cover
    app()
