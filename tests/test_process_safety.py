"""What a killed process leaves behind: no orphaned sweep worker, no hidden .tmp file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from planner.io.atomic import write_atomically

ROOT = Path(__file__).resolve().parents[1]


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path):
    """A write killed mid-way leaves `.plan.xlsx.<pid>.<random>.tmp`; the next write of the
    same target deletes it once that process is gone, and leaves a live writer's file."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(done.stdout)
    target = tmp_path / "plan.xlsx"
    orphan = tmp_path / f".plan.xlsx.{dead_pid}.k3j9.tmp"
    live = tmp_path / f".plan.xlsx.{os.getpid()}.a1b2.tmp"
    orphan.write_bytes(b"")
    live.write_bytes(b"")
    write_atomically(target, lambda p: p.write_bytes(b"plan"))
    assert target.read_bytes() == b"plan"
    assert not orphan.exists()
    assert live.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, live.name])


SWEEP = """
import sys
from examples.teaching_workbook import write
from planner.api import load_input, sweep
from planner.analysis.sweep import grid

data = load_input(write(sys.argv[1]))
points = grid(("Demand[mineral=lithium]", "scale", [1 + i / 1000 for i in range(400)])).points()
sweep(data, points, workers=2)
"""


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux-only")
def test_sweep_workers_die_with_their_killed_parent(tmp_path):
    """kill -9 of a sweep's main process used to leave its workers solving for minutes."""
    parent = subprocess.Popen(
        [sys.executable, "-c", SWEEP, str(tmp_path / "t.xlsx")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        workers: set[int] = set()
        deadline = time.monotonic() + 120
        while len(workers) < 2 and time.monotonic() < deadline:
            # the spawn start method also starts a resource tracker: count solving workers
            workers = {
                p
                for p in _children(parent.pid)
                if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")
            }
            time.sleep(0.5)
        assert len(workers) >= 2, "the sweep did not start its workers"
        time.sleep(2)  # let them start solving
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 20
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(p) for p in workers)
    finally:
        if parent.poll() is None:
            parent.kill()
