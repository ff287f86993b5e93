"""Scale benchmark: time every phase of the solve pipeline on a synthetic instance.

Writes ONE synthetic input workbook (deterministic given --seed) that follows the schema-1
contract, then runs the planner's own pipeline on it, phase by phase:

    read            planner.workbook.open_workbook alone
    read+validate   planner.validate.load_input (it reads the workbook again itself)
    build           models.index.build_index + models.build.build_matrix_model (the pipeline's)
    hand-over       planner.solve.highs.HighsModel(model): the rows compiled to a matrix
                    (models/standard_form.py) + passModel
    release         planner.solve.deterministic.BackgroundRelease: the model, its index and
                    the instance's row handles freed on a helper thread once HiGHS's run
                    starts (as a one-shot solve does); timed: starting it, and what of the
                    freeing outlasts the solve
    solve           HiGHS's own time for the MIP (SolveStatus.solver_time_s)
    dual LP         HighsModel.duals_with_integers_fixed: HiGHS's own run
    rebuild         planner.solve.deterministic.start_rebuild / finish_rebuild: index and
                    model built again on the helper thread during the dual LP, attached to
                    the instance; timed: the wait for it, the attach, and the dual LP call's
                    time outside HiGHS's run
    extraction      planner.deterministic.extract_plan (and discard_rebuild)
    export          planner.export.write_plan

and prints a table: sizes, seconds per phase, each phase outside HiGHS as a multiple of
HiGHS's solve time, the dominant phase and the peak RSS (after each phase: the process's peak
so far, and its resident size then).

    python benchmarks/bench_scale.py --preset medium
    python benchmarks/bench_scale.py --minerals 10 --countries 30 --years 16 \\
        --projects 40 --technologies 20 --seed 1 --repeat 3

See benchmarks/README.md for measured figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
from pyomo.common.gc_manager import PauseGC

from models.build import build_matrix_model
from models.data import InputData
from models.index import build_index
from planner.export.plan import write_plan
from planner.io.schema import column_names
from planner.io.validate import load_input
from planner.io.workbook import open_workbook
from planner.solve.deterministic import (
    BackgroundRelease,
    close_solver,
    discard_rebuild,
    extract_plan,
    finish_rebuild,
    keep_model,
    prepare_extraction,
    released_options,
    start_rebuild,
)
from planner.solve.highs import HighsModel

FIRST_YEAR = 2025
HOME = "Home"
INR_PER_USD = 85.0
CRORE_PER_MUSD = 1e6 * INR_PER_USD / 1e7
MILESTONE_STEP = 5
FUNDING_SOURCES = ("govt", "psu", "private")


# ---------------------------------------------------------------- instance size


@dataclass(frozen=True)
class Size:
    """What one synthetic instance is made of."""

    minerals: int
    countries: int
    years: int
    projects: int
    technologies: int
    mip_gap: float = 0.001
    time_limit_s: float = 600.0

    @property
    def last_year(self) -> int:
        return FIRST_YEAR + self.years - 1


# Variables ~ minerals x (countries x 1.4 forms + 4) x years
#           + projects x (2 x build years + online years) + technologies x ~2 x years.
# 25 countries throughout: every max_country_share row sums the mineral-year's whole sourced
# supply, so nonzeros grow with countries^2 per mineral-year (see README.md).
PRESETS: dict[str, Size] = {
    "small": Size(minerals=14, countries=25, years=16, projects=40, technologies=20),
    "medium": Size(minerals=150, countries=25, years=16, projects=300, technologies=100),
    # LP-heavy: few integer decisions, so that HiGHS mostly solves an LP.
    "large": Size(
        minerals=1550, countries=25, years=16, projects=100, technologies=50, mip_gap=0.01
    ),
}


# ---------------------------------------------------------------- synthetic instance


@dataclass
class Instance:
    """Rows of every sheet (header first) of one synthetic workbook."""

    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)


@dataclass
class Market:
    """Per-mineral scale of the synthetic market: demand and prices."""

    names: list[str]
    demand0: np.ndarray  # t/yr in FIRST_YEAR
    demand_growth: np.ndarray  # fraction per year
    price: np.ndarray  # USD/t, reference refined price in FIRST_YEAR

    def demand(self, i: int, year: int) -> float:
        return float(self.demand0[i] * (1 + self.demand_growth[i]) ** (year - FIRST_YEAR))


def milestone_years(size: Size) -> list[int]:
    """Every MILESTONE_STEP years from FIRST_YEAR, plus the last year."""
    years = list(range(FIRST_YEAR, size.last_year + 1, MILESTONE_STEP))
    return years if years[-1] == size.last_year else [*years, size.last_year]


def settings_rows(size: Size) -> list[list[Any]]:
    return [
        ["key", "value", "note"],
        ["schema_version", 1, "synthetic benchmark instance"],
        ["home_country", HOME, ""],
        ["first_year", FIRST_YEAR, ""],
        ["last_year", size.last_year, ""],
        ["discount_rate", 0.08, ""],
        ["inr_per_usd", INR_PER_USD, ""],
        ["risk_weight", 0.1, ""],
        ["demand_scenario", "base", ""],
        ["mip_gap", size.mip_gap, ""],
        ["time_limit_s", size.time_limit_s, ""],
    ]


def make_market(size: Size, rng: np.random.Generator) -> Market:
    n = size.minerals
    return Market(
        names=[f"mineral_{i:04d}" for i in range(n)],
        demand0=np.round(rng.lognormal(np.log(10_000), 0.8, n), 0),
        demand_growth=rng.uniform(0.03, 0.10, n),
        price=np.round(rng.lognormal(np.log(15_000), 0.7, n), 0),
    )


def minerals_rows(market: Market, rng: np.random.Generator) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["mineral", "unit", "shortfall_penalty_usd_per_t", "stock_holding_cost_pct"]
    ]
    holding = rng.uniform(5, 15, len(market.names))
    for i, name in enumerate(market.names):
        rows.append([name, "t", float(market.price[i] * 10), round(float(holding[i]), 1)])
    return rows


def country_names(size: Size) -> list[str]:
    return [f"country_{i:03d}" for i in range(size.countries)]


def countries_rows(names: list[str], rng: np.random.Generator) -> list[list[Any]]:
    rows: list[list[Any]] = [["country", "risk_score", "of_concern", "partner", "tariff_pct"]]
    risk = rng.uniform(0.05, 0.95, len(names))
    concern = rng.random(len(names)) < 0.2
    partner = rng.random(len(names)) < 0.3
    tariff = rng.choice([0.0, 2.5, 5.0, 7.5, 10.0], len(names))
    for i, name in enumerate(names):
        rows.append(
            [
                name,
                round(float(risk[i]), 3),
                "yes" if concern[i] else "no",
                "yes" if partner[i] else "no",
                float(tariff[i]),
            ]
        )
    rows.append([HOME, 0.0, "no", "no", 0.0])
    return rows


def demand_rows(size: Size, market: Market) -> list[list[Any]]:
    years = milestone_years(size)
    rows: list[list[Any]] = [["mineral", "scenario", *years]]
    for i, name in enumerate(market.names):
        rows.append([name, "base", *(round(market.demand(i, y), 1) for y in years)])
    return rows


def supply_forms(n_countries: int, rng: np.random.Generator) -> list[tuple[str, ...]]:
    """Per country: refined only (40%), concentrate only (20%) or both (40%)."""
    options = [("refined",), ("concentrate",), ("refined", "concentrate")]
    picks = rng.choice(3, n_countries, p=[0.4, 0.2, 0.4])
    return [options[k] for k in picks]


def supply_rows(
    size: Size, market: Market, countries: list[str], rng: np.random.Generator
) -> list[list[Any]]:
    """Every country sells every mineral in 1-2 forms; refined supply is ~3x peak demand."""
    header = column_names("Supply")
    rows: list[list[Any]] = [header]
    for i, name in enumerate(market.names):
        forms = supply_forms(len(countries), rng)
        n_refined = max(1, sum("refined" in f for f in forms))
        n_conc = max(1, sum("concentrate" in f for f in forms))
        peak = market.demand(i, size.last_year)
        for country, offered in zip(countries, forms, strict=True):
            for form in offered:
                share = 3.0 / n_refined if form == "refined" else 1.5 / n_conc
                factor = (0.85, 1.30) if form == "refined" else (0.45, 0.65)
                rows.append(
                    [
                        country,
                        name,
                        form,
                        round(peak * share * rng.uniform(0.5, 1.5), 1),
                        round(rng.uniform(0.0, 3.0), 2),
                        round(market.price[i] * rng.uniform(*factor), 1),
                        round(rng.uniform(0.0, 2.0), 2),
                        round(rng.uniform(100, 1_000), 0),
                    ]
                )
    return rows


def funding_sources(rng: np.random.Generator) -> tuple[str, ...]:
    return FUNDING_SOURCES[: int(rng.integers(2, 4))]


def projects_rows(
    size: Size,
    market: Market,
    countries: list[str],
    sources: tuple[str, ...],
    rng: np.random.Generator,
) -> list[list[Any]]:
    header = column_names("Projects")
    rows: list[list[Any]] = [header]
    for j in range(size.projects):
        i = int(rng.integers(size.minerals))
        country = HOME if rng.random() < 0.1 else countries[int(rng.integers(len(countries)))]
        capacity = round(market.demand0[i] * rng.uniform(0.05, 0.25), 0) + 1
        capex = round(capacity * market.price[i] * rng.uniform(1.0, 3.0) / 1e6, 3)
        rows.append(
            [
                f"project_{j:05d}",
                country,
                market.names[i],
                "refined" if rng.random() < 0.65 else "concentrate",
                capacity,
                capex,
                round(capex * 0.03, 4),
                round(market.price[i] * rng.uniform(0.4, 0.7), 1),
                round(rng.uniform(0.1, 0.3), 2),
                round(rng.uniform(0.5, 1.0), 2),
                FIRST_YEAR + int(rng.integers(0, min(4, size.years))),
                int(rng.integers(1, 5)),
                int(rng.integers(10, 26)),
                sources[int(rng.integers(len(sources)))],
            ]
        )
    return rows


def technology_minerals(size: Size, rng: np.random.Generator) -> list[tuple[int, str]]:
    """(mineral index, feed) per technology: 75% refineries, 25% recyclers."""
    return [
        (int(rng.integers(size.minerals)), "concentrate" if rng.random() < 0.75 else "scrap")
        for _ in range(size.technologies)
    ]


def processing_rows(
    market: Market,
    techs: list[tuple[int, str]],
    sources: tuple[str, ...],
    rng: np.random.Generator,
) -> list[list[Any]]:
    header = column_names("Processing")
    rows: list[list[Any]] = [header]
    for k, (i, feed) in enumerate(techs):
        module_t = round(market.demand0[i] * rng.uniform(0.05, 0.2), 0) + 1
        capex = round(module_t * market.price[i] * rng.uniform(0.3, 1.0) / 1e6, 3)
        kind = "refinery" if feed == "concentrate" else "recycler"
        rows.append(
            [
                f"{kind}_{k:05d}",
                market.names[i],
                feed,
                module_t,
                round(rng.uniform(0.8, 0.95) if kind == "refinery" else rng.uniform(0.6, 0.9), 3),
                capex,
                round(capex * 0.03, 4),
                round(market.price[i] * rng.uniform(0.05, 0.15), 1),
                1 if rng.random() < 0.3 else 0,
                int(rng.integers(2, 11)),
                FIRST_YEAR,
                int(rng.integers(1, 4)),
                int(rng.integers(15, 26)),
                sources[int(rng.integers(len(sources)))],
            ]
        )
    return rows


def scrap_rows(
    size: Size, market: Market, techs: list[tuple[int, str]], rng: np.random.Generator
) -> list[list[Any]]:
    """Scrap for the minerals that have a recycler: 3-8% of demand, rising."""
    years = milestone_years(size)
    rows: list[list[Any]] = [["mineral", *years]]
    for i in sorted({i for i, feed in techs if feed == "scrap"}):
        share = rng.uniform(0.03, 0.08)
        rows.append(
            [
                market.names[i],
                *(
                    round(market.demand(i, y) * share * (1 + 0.03 * (y - FIRST_YEAR)), 1)
                    for y in years
                ),
            ]
        )
    return rows


def budgets_rows(
    size: Size,
    projects: list[list[Any]],
    processing: list[list[Any]],
    sources: tuple[str, ...],
) -> list[list[Any]]:
    """Per source and 5-year window: 30% of the capital its candidates could spend there."""
    capex: dict[str, float] = dict.fromkeys(sources, 0.0)
    for row in projects[1:]:
        capex[row[13]] += row[5] * row[9]
    for row in processing[1:]:
        capex[row[13]] += row[5] * (row[9] - row[8])
    windows = [(y, min(y + MILESTONE_STEP - 1, size.last_year)) for y in milestone_years(size)]
    windows = [(a, b) for a, b in windows if a <= b and not (a == b == size.last_year)] or [
        (FIRST_YEAR, size.last_year)
    ]
    rows: list[list[Any]] = [["funding", "first_year", "last_year", "limit_inr_crore"]]
    for source in sources:
        limit = 0.3 * capex[source] * CRORE_PER_MUSD / len(windows)
        for a, b in windows:
            rows.append([source, a, b, round(max(limit, 1.0), 1)])
    return rows


def policy_rows(size: Size) -> list[list[Any]]:
    from_year = min(FIRST_YEAR + 2, size.last_year)
    return [
        ["rule", "mineral", "country", "first_year", "last_year", "value"],
        ["max_country_share", "*", "*", from_year, None, 0.5],
        ["min_stock_days", "*", "*", None, None, 15],
    ]


def make_instance(size: Size, seed: int) -> Instance:
    """The synthetic workbook's rows; the same seed gives the same workbook."""
    rng = np.random.default_rng(seed)
    market = make_market(size, rng)
    countries = country_names(size)
    sources = funding_sources(rng)
    techs = technology_minerals(size, rng)
    projects = projects_rows(size, market, countries, sources, rng)
    processing = processing_rows(market, techs, sources, rng)
    return Instance(
        {
            "Settings": settings_rows(size),
            "Minerals": minerals_rows(market, rng),
            "Countries": countries_rows(countries, rng),
            "Demand": demand_rows(size, market),
            "Supply": supply_rows(size, market, countries, rng),
            "Projects": projects,
            "Processing": processing,
            "Scrap": scrap_rows(size, market, techs, rng),
            "Budgets": budgets_rows(size, projects, processing, sources),
            "Policy": policy_rows(size),
        }
    )


def write_instance(instance: Instance, path: Path) -> Path:
    """Write the workbook with openpyxl in write-only mode."""
    wb = openpyxl.Workbook(write_only=True)
    for name, rows in instance.sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append([_plain(v) for v in row])
    wb.save(path)
    return path


def _plain(value: Any) -> Any:
    """numpy scalars as Python scalars (openpyxl writes those)."""
    return value.item() if isinstance(value, np.generic) else value


# ---------------------------------------------------------------- timing the pipeline

# Phases in pipeline order: (key, label, inside HiGHS?)
PHASES: tuple[tuple[str, str, bool], ...] = (
    ("read", "read (open_workbook)", False),
    ("read_validate", "read+validate (load_input)", False),
    ("build_index", "  build_index", False),
    ("build_model", "  build_matrix_model", False),
    ("build", "build (index + model)", False),
    ("handover", "hand-over (compile + passModel)", False),
    ("release", "release (freeing after the solve)", False),
    ("solve", "solve (HiGHS, MIP)", True),
    ("dual", "dual LP re-solve (HiGHS)", True),
    ("rebuild", "rebuild (index + model, attach)", False),
    ("extract", "plan extraction", False),
    ("export", "export (write_plan)", False),
)
# Phases that make up "everything outside HiGHS" (read is inside read_validate; the build
# sub-phases are inside build).
OUTSIDE = ("read_validate", "build", "handover", "release", "rebuild", "extract", "export")
MODELLING = ("build", "handover", "release", "rebuild", "extract")


@dataclass
class RunResult:
    """One pass through the pipeline."""

    seconds: dict[str, float] = field(default_factory=dict)
    rss_mib: dict[str, float] = field(default_factory=dict)  # peak RSS after each phase
    now_mib: dict[str, float] = field(default_factory=dict)  # RSS after each phase
    stats: dict[str, Any] = field(default_factory=dict)


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux)."""
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def rss_now_mib() -> float:
    """Resident set size of this process now (Linux: /proc/self/statm; elsewhere NaN)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(result: RunResult, key: str, call: Callable[[], Any]) -> Any:
    """Run `call`, record its wall time, the peak RSS after it and the RSS then under `key`."""
    t0 = time.perf_counter()
    out = call()
    result.seconds[key] = time.perf_counter() - t0
    result.rss_mib[key] = peak_rss_mib()
    result.now_mib[key] = rss_now_mib()
    return out


def run_pipeline(
    path: Path,
    out_dir: Path,
    skip_export: bool,
    say: Callable[[str], None],
    threads: int | None = None,
) -> RunResult:
    """Read, validate, build, hand over, release, solve, re-solve for duals, rebuild,
    extract and export (planner/solve/deterministic.py's one-shot path, phase by phase)."""
    r = RunResult()
    say("read")
    timed(r, "read", lambda: open_workbook(path))
    say("read+validate")
    data: InputData = timed(r, "read_validate", lambda: load_input(path))
    # planner.solve.dispatch.solve keeps the cyclic garbage collector paused from the build to
    # the end of extraction; so does this pass (write_plan pauses it too)
    pause = PauseGC()
    pause.__enter__()
    say("build")
    ix = timed(r, "build_index", lambda: build_index(data))
    # partial, not lambda: a closure would keep the model and index alive past `release`
    model = timed(r, "build_model", partial(build_matrix_model, data, ix))
    r.seconds["build"] = r.seconds["build_index"] + r.seconds["build_model"]
    r.rss_mib["build"] = r.rss_mib["build_model"]
    r.now_mib["build"] = r.now_mib["build_model"]
    say("hand-over")
    hm: HighsModel = timed(r, "handover", partial(HighsModel, model, threads=threads))
    r.stats |= model_stats(hm)
    say("release")
    kept = model if keep_model(model) else None  # as solve_deterministic decides
    # as solve_deterministic runs a released model: one HiGHS thread unless --threads says
    options = None if kept is not None or threads is not None else released_options(None)
    del ix  # the model holds the index: freeing the model frees both
    # as solve_deterministic does: the model freed on a helper thread while HiGHS solves, and
    # rebuilt there while HiGHS re-solves for the duals
    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner-model")
    try:
        t0 = time.perf_counter()
        freeing = BackgroundRelease(hm, model, helper) if kept is None else None
        started_s = time.perf_counter() - t0  # counted with the release
        # a kept model: what the plan reads of it and no solution changes, worked out on the
        # helper while HiGHS solves; any wait for it is counted with the extraction
        prepared = helper.submit(prepare_extraction, kept) if kept is not None else None
        if prepared is not None:
            record_busy(prepared, r, "helper_prepare_s")
        del model
        say(f"solve ({r.stats['variables']:,} variables)")
        s = data.settings
        status = timed(
            r,
            "solve_wall",
            partial(hm.solve, mip_gap=s.mip_gap, time_limit_s=s.time_limit_s, options=options),
        )
        # the release phase: starting it, and what of the freeing outlasts the solve
        timed(r, "release", freeing.finish if freeing is not None else (lambda: None))
        r.seconds["release"] += started_s
        if freeing is not None:
            r.stats["helper_freeing_s"] = freeing.free_s
        r.seconds["solve"] = status.solver_time_s
        r.rss_mib["solve"] = r.rss_mib["solve_wall"]
        r.now_mib["solve"] = r.now_mib["solve_wall"]
        r.stats |= {
            "status": status.status,
            "objective_musd": status.objective,
            "gap": status.gap,
            **hm.run_statistics(),
        }
        if not status.has_solution:
            pause.__exit__(None, None, None)
            helper.shutdown()
            raise SystemExit(f"HiGHS found no plan (status {status.status}); nothing more to time")
        rebuilding = start_rebuild(data, helper) if kept is None else None
        if rebuilding is not None:
            record_busy(rebuilding, r, "helper_rebuild_s")
        say("dual LP")
        duals, dual_highs_s = timed(r, "dual_wall", hm.duals_with_integers_fixed)
        r.stats["dual_highs_s"] = dual_highs_s
        # HiGHS's own run; the rest of the call's wall time (fixing the integers, Python's lock
        # shared with the rebuild) is counted in the rebuild phase, outside HiGHS
        r.seconds["dual"] = dual_highs_s
        r.rss_mib["dual"], r.now_mib["dual"] = r.rss_mib["dual_wall"], r.now_mib["dual_wall"]
        timings = {
            "build_s": r.seconds["build"],
            "handover_s": r.seconds["handover"],
            "solve_s": r.seconds["solve"],
            "dual_solve_s": dual_highs_s,
        }
        close_solver(hm)  # as solve_deterministic does: no more HiGHS runs
        say("rebuild")
        if rebuilding is not None:
            model = timed(r, "rebuild", partial(finish_rebuild, rebuilding, hm))
        else:
            model = timed(r, "rebuild", partial(_same, kept))
        r.seconds["rebuild"] += r.seconds["dual_wall"] - dual_highs_s
    except BaseException:
        helper.shutdown(wait=False, cancel_futures=True)
        raise
    helper.shutdown()
    del kept
    say("extraction")
    plan = timed(
        r,
        "extract",
        partial(extract_prepared, prepared, data, model, hm, status, duals, s.mip_gap, timings),
    )
    if rebuilding is not None:  # as solve_deterministic does, counted with the extraction
        t0 = time.perf_counter()
        discard_rebuild(model, hm)
        r.seconds["extract"] += time.perf_counter() - t0
    pause.__exit__(None, None, None)
    r.stats["sourcing_rows"] = len(plan.sourcing)
    del model, hm  # the plan is written once the solve has returned it, as `planner solve` does
    if skip_export:
        r.seconds["export"] = float("nan")
    else:
        say("export")
        timed(r, "export", lambda: write_plan(plan, out_dir / f"{path.stem}_plan.xlsx"))
    return r


def extract_prepared(prepared: Future | None, *args: Any) -> Any:
    """extract_plan(*args), with the kept model's cost terms from `prepared` (waited for)."""
    costs = prepared.result() if prepared is not None else None
    return extract_plan(*args, None, costs)


def record_busy(task: Future, r: RunResult, key: str) -> None:
    """Record in r.stats[key] how long the helper thread works on `task`, submitted just now
    to an idle helper: its time overlaps HiGHS's runs and is in no phase, so it is shown
    beside them."""
    since = time.perf_counter()
    task.add_done_callback(lambda _done: r.stats.__setitem__(key, time.perf_counter() - since))


def _same(held: Any) -> Any:
    return held


def model_stats(hm: HighsModel) -> dict[str, int]:
    return {
        "variables": hm.num_columns,
        "integer_variables": int(hm.integer.sum()),
        "constraints": hm.num_rows,
        "nonzeros": hm.nonzeros(),
    }


# ---------------------------------------------------------------- reporting


def is_nan(x: float) -> bool:
    return x != x


def summarise(runs: list[RunResult], pick: Callable[[list[float]], float]) -> dict[str, float]:
    """`pick` (median, min) of each phase's seconds over the repeats; NaN if skipped."""
    keys = {k for r in runs for k in r.seconds}
    out = {}
    for key in keys:
        finite = [r.seconds[key] for r in runs if not is_nan(r.seconds.get(key, float("nan")))]
        out[key] = pick(finite) if finite else float("nan")
    return out


def fmt_s(seconds: float) -> str:
    return f"{'skipped':>9}" if is_nan(seconds) else f"{seconds:9.3f}"


def fmt_x(ratio: float) -> str:
    return "" if is_nan(ratio) else f"{ratio:8.2f}x"


def header_lines(size: Size, seed: int, stats: dict[str, Any]) -> list[str]:
    gap = "n/a" if stats["gap"] is None else f"{100 * stats['gap']:.3g}%"
    return [
        f"instance: {size.minerals} minerals, {size.countries} countries, {size.years} years "
        f"({FIRST_YEAR}-{size.last_year}), {size.projects} projects, "
        f"{size.technologies} technologies, seed {seed}, mip_gap {size.mip_gap:g}",
        f"model: {stats['variables']:,} variables ({stats['integer_variables']:,} integer), "
        f"{stats['constraints']:,} constraints, {stats['nonzeros']:,} nonzeros",
        f"HiGHS: status {stats['status']}, objective {stats['objective_musd']:.6g} MUSD, "
        f"gap {gap}, {stats['mip_nodes']} B&B nodes, getRunTime after solve "
        f"{stats['highs_run_time_s']:.3f} s, dual LP run {stats['dual_highs_s']:.3f} s; "
        f"{stats['sourcing_rows']:,} Sourcing rows",
        *(
            [
                f"helper thread, alongside HiGHS (in no phase): freeing the model "
                f"{stats['helper_freeing_s']:.3f} s, rebuilding it "
                f"{stats.get('helper_rebuild_s', float('nan')):.3f} s"
            ]
            if "helper_freeing_s" in stats
            else []
        ),
        *(
            [
                f"helper thread, alongside HiGHS (in no phase): the plan's flows and cost "
                f"terms of the kept model {stats['helper_prepare_s']:.3f} s"
            ]
            if "helper_prepare_s" in stats
            else []
        ),
    ]


def phase_lines(runs: list[RunResult]) -> list[str]:
    """One line per phase: median seconds (and min with repeats), x solve, peak RSS."""
    sec, low = summarise(runs, statistics.median), summarise(runs, min)
    with_min = len(runs) > 1
    title = f"{'phase':34} {'seconds':>9}" + (f" {'min s':>9}" if with_min else "")
    lines = [f"{title} {'x HiGHS solve':>13} {'peak RSS MiB':>13} {'RSS then':>9}"]  # 1st pass
    for key, label, inside in PHASES:
        ratio = float("nan") if inside else sec[key] / sec["solve"]
        rss = runs[0].rss_mib.get(key, float("nan"))
        now = runs[0].now_mib.get(key, float("nan"))
        extra = f" {fmt_s(low[key])}" if with_min else ""
        shown_rss = "" if is_nan(rss) else f"{rss:.0f}"
        shown_now = "" if is_nan(now) else f"{now:.0f}"
        lines.append(
            f"{label:34} {fmt_s(sec[key])}{extra} {fmt_x(ratio):>13} {shown_rss:>13} {shown_now:>9}"
        )
    return lines


def total_lines(runs: list[RunResult]) -> list[str]:
    sec = summarise(runs, statistics.median)
    solve = sec["solve"]
    outside = sum(sec[k] for k in OUTSIDE if not is_nan(sec[k]))
    modelling = sum(sec[k] for k in MODELLING)
    highs_total = solve + sec["dual"]
    return [
        f"{'total outside HiGHS':34} {fmt_s(outside)} {fmt_x(outside / solve):>13}",
        f"{'  of which build+hand-over+extract':34} {fmt_s(modelling)} "
        f"{fmt_x(modelling / solve):>13}",
        f"{'HiGHS (solve + dual LP)':34} {fmt_s(highs_total)}",
        f"outside HiGHS / all HiGHS time: {outside / highs_total:.2f}x",
        f"dominant phase: {dominant(sec, outside_only=False)}",
        f"dominant phase outside HiGHS: {dominant(sec, outside_only=True)}",
        f"peak RSS: {max(r.rss_mib[k] for r in runs for k in r.rss_mib):.0f} MiB",
    ]


def report_lines(
    size: Size, seed: int, workbook_s: float, workbook_mib: float, runs: list[RunResult]
) -> list[str]:
    shown = "median seconds" + (", and the minimum" if len(runs) > 1 else "")
    return [
        *header_lines(size, seed, runs[-1].stats),
        f"workbook written in {workbook_s:.3f} s (not counted), {workbook_mib:.2f} MiB",
        f"pipeline passes: {len(runs)} ({shown})",
        "",
        *phase_lines(runs),
        "",
        *total_lines(runs),
    ]


def dominant(sec: dict[str, float], outside_only: bool) -> str:
    """The phase with the most wall time among the top-level phases (not read, which is part
    of read+validate, nor the build sub-phases)."""
    top = [
        (key, label)
        for key, label, inside in PHASES
        if key not in ("read", "build_index", "build_model") and not (outside_only and inside)
    ]
    candidates = {label.strip(): sec[key] for key, label in top if not is_nan(sec[key])}
    label = max(candidates, key=candidates.__getitem__)
    share = candidates[label] / sum(candidates.values())
    what = "outside-HiGHS" if outside_only else "measured"
    return f"{label} ({candidates[label]:.3f} s, {100 * share:.0f}% of the {what} total)"


# ---------------------------------------------------------------- command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--preset", choices=sorted(PRESETS), help="a prepared size")
    p.add_argument("--minerals", type=int, default=10)
    p.add_argument("--countries", type=int, default=30)
    p.add_argument("--years", type=int, default=16, help="horizon length from 2025")
    p.add_argument("--projects", type=int, default=40)
    p.add_argument("--technologies", type=int, default=20)
    p.add_argument("--mip-gap", type=float, default=None, help="override the preset's mip_gap")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=1, help="pipeline passes (median reported)")
    p.add_argument("--skip-export", action="store_true", help="do not time write_plan")
    p.add_argument("--out-dir", type=Path, default=None, help="default: a temporary directory")
    p.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="HiGHS's threads option (0: HiGHS's default; default: as the planner, one "
        "thread for a model released for its solve, else HiGHS's)",
    )
    p.add_argument(
        "--disable-gc",
        action="store_true",
        help="what-if: run the pipeline with Python's cyclic garbage collector off",
    )
    return p.parse_args(argv)


def size_from_args(args: argparse.Namespace) -> Size:
    if args.preset:
        size = PRESETS[args.preset]
    else:
        size = Size(args.minerals, args.countries, args.years, args.projects, args.technologies)
    if args.mip_gap is not None:
        size = Size(**{**asdict(size), "mip_gap": args.mip_gap})
    return size


def code_version() -> str:
    """Commit of the planner code measured, and whether planner/ or models/ differ from it."""
    import planner

    root = Path(planner.__file__).resolve().parents[1]
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "planner", "models"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"{root} (not a git checkout)"
    return f"{commit}" + (" + uncommitted changes in planner/ or models/" if dirty else "")


def run(args: argparse.Namespace, out_dir: Path) -> list[str]:
    size = size_from_args(args)
    t0 = time.perf_counter()

    def say(msg: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - t0:8.2f} s] {msg}", file=sys.stderr, flush=True)

    load_before = os.getloadavg()[0]
    say("generating the workbook")
    path = out_dir / f"bench_{args.preset or 'custom'}_seed{args.seed}.xlsx"
    w0 = time.perf_counter()
    write_instance(make_instance(size, args.seed), path)
    workbook_s = time.perf_counter() - w0
    if args.disable_gc:
        gc.collect()
        gc.disable()
    runs = [
        run_pipeline(path, out_dir, args.skip_export, say, args.threads) for _ in range(args.repeat)
    ]
    lines = report_lines(size, args.seed, workbook_s, path.stat().st_size / 2**20, runs)
    lines += [
        f"code: {code_version()}"
        + (" (garbage collector disabled)" if args.disable_gc else "")
        + (f", HiGHS threads {args.threads}" if args.threads is not None else ""),
        f"machine: {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, 1-min load average {load_before:.2f} "
        f"before / {os.getloadavg()[0]:.2f} after (above ~1 means other work competed)",
        f"files in {out_dir}",
    ]
    if args.json:
        payload = {
            "size": asdict(size),
            "seed": args.seed,
            "code": code_version(),
            "runs": [asdict(r) for r in runs],
            "median_seconds": summarise(runs, statistics.median),
        }
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.out_dir is None:
        with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
            print("\n".join(run(args, Path(tmp))))
    else:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        print("\n".join(run(args, args.out_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
