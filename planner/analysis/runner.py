"""Run sweep points: in this process, in local worker processes, or on a Dask cluster.

Each worker builds the model once (PersistentModel) and re-solves it in place for every point
it gets. Every finished point is appended to a checkpoint (one JSON line, flushed to disk), so
an interrupted sweep rerun with the same checkpoint skips what is done. The checkpoint's first
line records the input: the workbook's SHA-256 and a fingerprint of the data the sweep starts
from (every setting and table); a checkpoint of other data (an edited workbook) is set aside
as CHECKPOINT.stale and the sweep starts afresh, saying so. Points are keyed by their changes,
so a different design reuses the points it shares with the old one. A point that fails
(infeasible, no plan in time, an error, a worker that died) is recorded with its reason and the
sweep goes on; points whose worker died are tried again on the next run.
"""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd

from models.data import InputData
from planner.analysis.sweep import Point, apply_point, varied_columns
from planner.results.kpis import plan_kpis, yearly_kpis
from planner.solve.dispatch import SolveError, solve
from planner.solve.persistent import PersistentModel

CRASHED = "crashed"
BY_YEAR = "by_year"  # a record's per-mineral, per-year figures (the long form)
OnResult = Callable[[dict], None]

# Each worker keeps the model it built, to re-solve it in place for its next point. Workers
# call `solve_point` as a plain function (it must pickle for process pools and Dask), so the
# model lives here, one per thread: a HiGHS instance must never be shared between threads.
_local = threading.local()


def solve_point(base: InputData, point: Point, highs_threads: int | None = 1) -> dict:
    """Solve one point with this worker's cached model; never raises for a bad point."""
    cache = getattr(_local, "models", None)
    if cache is None:
        cache = _local.models = {}
    record: dict = {"index": point.index, "point_id": point.point_id, **point.columns()}
    try:
        data = apply_point(base, point)
        if data.settings.mode == "stochastic":  # no in-place re-solve: a fresh solve
            options = {"threads": highs_threads} if highs_threads else None
            plan = solve(data, highs_options=options)
            record |= plan_kpis(plan)
            record[BY_YEAR] = yearly_kpis(plan)
            return record
        cached_base, model = cache.get("model", (None, None))
        if cached_base is not base:  # identity, not id(): the cache keeps the base alive
            model = PersistentModel(base, threads=highs_threads)
            cache["model"] = (base, model)
        plan = model.solve(data)
        record |= plan_kpis(plan)
        record[BY_YEAR] = yearly_kpis(plan)
        record["update_s"] = plan.summary.get("update_s")
    except SolveError as exc:
        record |= {"status": exc.status.status if exc.status else "no plan", "error": str(exc)}
    except Exception as exc:  # a bad point must not stop the sweep: record why and go on
        cache.clear()  # the model may be half-updated: rebuild for the next point
        record |= {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
    return record


# --- checkpoint --------------------------------------------------------------------------
HEADER = "checkpoint"  # the key of the header line


def input_fingerprint(base: InputData) -> str:
    """SHA-256 of the data a sweep starts from: every setting and every table's contents."""
    digest = hashlib.sha256()
    settings = dataclasses.asdict(base.settings)
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for field in dataclasses.fields(base):
        value = getattr(base, field.name)
        if isinstance(value, pd.DataFrame):
            digest.update(field.name.encode())
            digest.update(value.to_csv(index=False).encode())
    return digest.hexdigest()


def _read(path: Path | None) -> tuple[dict | None, dict[str, dict]]:
    """(header or None, point_id -> record of every finished point; crashed ones excluded)."""
    done: dict[str, dict] = {}
    header = None
    if path is None or not path.exists():
        return header, done
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a crash
            if HEADER in record:
                header = header or record
            elif record.get("status") != CRASHED:
                done[record["point_id"]] = record
    return header, done


def read_checkpoint(path: Path | None, fingerprint: str | None = None) -> dict[str, dict]:
    """point_id -> record of every finished point in the checkpoint (crashed ones excluded);
    with `fingerprint`, none unless the checkpoint was written for that input."""
    header, done = _read(path)
    if fingerprint is not None and (header or {}).get("input_fingerprint") != fingerprint:
        return {}
    return done


def _set_aside_if_stale(path: Path | None, base: InputData, fingerprint: str) -> str:
    """Move a checkpoint written for other data to PATH.stale; returns a note, or ''."""
    if path is None or not path.exists() or path.stat().st_size == 0:
        return ""
    header, _ = _read(path)
    if header is not None and header.get("input_fingerprint") == fingerprint:
        return ""
    stale = path.with_name(path.name + ".stale")
    os.replace(path, stale)
    why = (
        "it was written before checkpoints recorded their input"
        if header is None
        else f"it was written for other data (input SHA-256 {header.get('input_sha256', '')[:12]}"
        f"…, now {base.source_sha256[:12]}…)"
    )
    return f"checkpoint {path} not reused: {why}; moved to {stale}, starting afresh"


class Checkpoint:
    """Append-only JSON lines, each flushed and synced as soon as a point finishes."""

    def __init__(self, path: Path | None, header: dict | None = None):
        self.path = path
        self.handle = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            new = not path.exists() or path.stat().st_size == 0
            self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
            if new and header is not None:
                self.add(header)

    def add(self, record: dict) -> None:
        if self.handle is not None:
            self.handle.write(json.dumps(record, default=_jsonable) + "\n")
            self.handle.flush()
            os.fsync(self.handle.fileno())

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def _jsonable(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


# --- execution ---------------------------------------------------------------------------
def run_points(
    base: InputData,
    points: list[Point],
    workers: int = 1,
    checkpoint: str | Path | None = None,
    dask_address: str | None = None,
    on_result: OnResult | None = None,
    highs_threads: int = 1,
) -> pd.DataFrame:
    """Solve every point not already in the checkpoint; return one row per point, in order.
    `frame.attrs["checkpoint_note"]` says when a checkpoint of other data was set aside."""
    path = Path(checkpoint) if checkpoint else None
    fingerprint = input_fingerprint(base) if path is not None else ""
    note = _set_aside_if_stale(path, base, fingerprint)
    done = read_checkpoint(path, fingerprint) if path is not None else {}
    todo = [p for p in points if p.point_id not in done]
    results = {pid: rec for pid, rec in done.items()}
    header = {
        HEADER: 1,
        "input_fingerprint": fingerprint,
        "input_sha256": base.source_sha256,
        "input_file": Path(base.source_file).name if base.source_file else "",
        "design_points": [p.point_id for p in points],
    }
    sink = Checkpoint(path, header)

    def finished(record: dict) -> None:
        results[record["point_id"]] = record
        sink.add(record)
        if on_result:
            on_result(record)

    try:
        if dask_address:
            _run_dask(base, todo, dask_address, finished, highs_threads)
        elif workers <= 1:
            # HiGHS fixes its thread pool at the first solve of a process: leave this (the
            # caller's) process at its default and pin threads only in worker processes
            for point in todo:
                finished(solve_point(base, point, None))
        else:
            _run_processes(base, todo, workers, finished, highs_threads)
    finally:
        sink.close()
    rows, yearly = [], []
    for point in points:
        record = dict(results.get(point.point_id, {"status": "not run"}))
        ident = {"index": point.index, "point_id": point.point_id, **point.columns()}
        yearly += [ident | row for row in record.pop(BY_YEAR, None) or []]
        record |= ident
        rows.append(record)
    frame = pd.DataFrame(rows)
    first = ["index", *varied_columns(points)]  # the baseline (point 0) varies nothing
    frame = frame[first + [c for c in frame.columns if c not in first]]
    frame.attrs["checkpoint_note"] = note
    # the long form: one row per point, mineral and year (the frame has the last year only)
    frame.attrs[BY_YEAR] = pd.DataFrame(yearly)
    return frame


def _init_worker(base: InputData, parent_pid: int | None = None) -> None:
    global _BASE
    _BASE = base
    _die_with_parent(parent_pid)


PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h): a signal sent when the parent dies


def _die_with_parent(parent_pid: int | None) -> None:
    """Ask the kernel to end this worker when the sweep's main process dies (kill -9
    included), so that no orphan keeps solving; on Linux only (elsewhere the pool's own
    shutdown on SIGTERM and interrupts still applies)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # the parent died before the request was made


_BASE: InputData | None = None


def _solve_in_worker(point: Point, highs_threads: int) -> dict:
    assert _BASE is not None
    return solve_point(_BASE, point, highs_threads)


def _run_processes(
    base: InputData, todo: list[Point], workers: int, finished: OnResult, highs_threads: int
) -> None:
    """A pool of `workers` spawned processes. When a worker dies, the points it may have held
    go to a fresh pool once more; a point in flight at two deaths is recorded as crashed."""
    pending = list(todo)
    tries: dict[str, int] = {}
    while pending:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker, initargs=(base, os.getpid())
        ) as pool:
            futures = {pool.submit(_solve_in_worker, p, highs_threads): p for p in pending}
            pending = []
            try:
                _collect(futures, finished)
            except BrokenProcessPool:
                for future, point in futures.items():
                    if future.done() and future.exception() is None:
                        continue
                    tries[point.point_id] = tries.get(point.point_id, 0) + 1
                    if tries[point.point_id] < 2:
                        pending.append(point)
                    else:
                        finished(
                            {
                                "index": point.index,
                                "point_id": point.point_id,
                                **point.columns(),
                                "status": CRASHED,
                                "error": "the worker process died",
                            }
                        )
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise


def _collect(futures: dict, finished: OnResult) -> None:
    remaining = set(futures)
    while remaining:
        done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
        for future in done:
            finished(future.result())


def _run_dask(
    base: InputData, todo: Iterable[Point], address: str, finished: OnResult, highs_threads: int
) -> None:
    """Submit every point to an existing Dask cluster; the base data go to each worker once."""
    from distributed import Client, as_completed

    with Client(address) as client:
        base_future = client.scatter(base, broadcast=True)
        futures = [
            client.submit(solve_point, base_future, p, highs_threads, pure=False) for p in todo
        ]
        for future in as_completed(futures):
            finished(future.result())
