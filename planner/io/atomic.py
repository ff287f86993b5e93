"""Write output files atomically: a crash never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success move it over `target` in one step.

    The temporary file lives in the same folder so that the final `os.replace` is a rename on
    one file system (atomic on POSIX and Windows). On any error the temporary file is removed
    and `target`, if it existed, is left untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_orphans(target)
    # the writer's process id in the name tells a killed writer's file from a live one
    prefix = f".{target.name}.{os.getpid()}."
    fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        # mkstemp creates the file readable by its owner only: give it the usual permissions
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _remove_orphans(target: Path) -> None:
    """Delete temporary files of `target` left by writers that were killed (their process no
    longer runs), so that no hidden .tmp file survives a killed write for long."""
    start = f".{target.name}."
    for tmp in target.parent.glob(f"{glob.escape(start)}*.tmp"):
        pid_text = tmp.name[len(start) :].split(".", 1)[0]
        if pid_text.isdigit() and not _running(int(pid_text)):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(target: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp_path)` and move the result over `target` atomically."""
    with atomic_path(target) as tmp:
        write(tmp)
    return Path(target)


def slug(text: str, empty: str = "") -> str:
    """A file-name-safe form of a name (lower case, other characters as "_"), for the files
    named after a mineral or a scenario; `empty` when nothing is left."""
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_") or empty
