"""One build per meeting at a time: an flock on `output/.<date>.lock` holding the builder's pid."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from packgen.errors import Location, PackgenError, Problem

log = logging.getLogger(__name__)

WAIT_ENV = "PACKGEN_LOCK_WAIT"
DEFAULT_WAIT = 60.0  # seconds a second build waits for the first
POLL = 0.2


class LockError(PackgenError):
    """Another build of the same meeting holds the lock."""


def lock_path(output: Path, meeting: dt.date) -> Path:
    """The lock file of a meeting's builds: `output/.2020-10-15.lock`."""
    return output / f".{meeting.isoformat()}.lock"


def lock_wait() -> float:
    """Seconds to wait for another build: PACKGEN_LOCK_WAIT, else DEFAULT_WAIT."""
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


@contextlib.contextmanager
def meeting_lock(output: Path, meeting: dt.date, wait: float | None = None) -> Iterator[Path]:
    """Hold the meeting's lock while building; wait at most `wait` s, then name the holder."""
    path = lock_path(output, meeting)
    seconds = lock_wait() if wait is None else wait
    fd = _acquire(path, time.monotonic() + seconds, seconds)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        # Unlink while still holding the lock; a waiter that opened the old file notices.
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        os.close(fd)


def _acquire(path: Path, deadline: float, seconds: float) -> int:
    """Open and lock the file until the deadline; the file must still be the one locked."""
    logged = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if time.monotonic() >= deadline:
                raise _busy(path, seconds) from exc
            if not logged:
                log.warning("Another build of this meeting is running (%s); waiting", _holder(path))
                logged = True
            time.sleep(POLL)
            continue
        if _same_file(fd, path):
            return fd
        os.close(fd)  # the holder removed it as we locked it: lock the new one


def _same_file(fd: int, path: Path) -> bool:
    try:
        here = os.stat(path)
    except FileNotFoundError:
        return False
    there = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        pid = ""
    return f"pid {pid}" if pid.isdigit() else "pid unknown"


def _busy(path: Path, seconds: float) -> LockError:
    return LockError(
        "Another build of this meeting is still running.",
        [
            Problem(
                Location(str(path)),
                f"locked by {_holder(path)}; wait for it to finish, or stop that process "
                f"(waited {seconds:g} s, {WAIT_ENV})",
            )
        ],
    )
