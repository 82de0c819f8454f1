"""The staging folder a build writes in, and the swap of the finished folder into place."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

STAGING_PREFIX = ".packgen-build-"
# What a build never makes but a meeting's folder keeps: the issued packs, the send log, and
# what `packgen notes` and `packgen actions` wrote for the secretariat (glob patterns). Each is
# moved from the previous folder into the new one, by a rename, before the swap.
CARRIED = ("issued", "email", "notes-*.docx", "new-actions.xlsx")


@contextlib.contextmanager
def staging_folder(output: Path) -> Iterator[Path]:
    """Give a temporary folder inside `output/`, removed however the build ends."""
    _remove_abandoned(output)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=output))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_abandoned(output: Path) -> None:
    """Remove temporary folders left by builds that were killed outright (their process is gone)."""
    for folder in output.glob(f"{STAGING_PREFIX}*"):
        pid = folder.name[len(STAGING_PREFIX) :].split("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            _rescue(folder, output)
            log.info("Removing %s, left by an interrupted build", folder.name)
            shutil.rmtree(folder, ignore_errors=True)


def _rescue(abandoned: Path, output: Path) -> None:
    """Put back what a build killed between its renames left in its folder: the previous
    meeting folder when none is in place, else the issued packs and send log moved out of it."""
    meetings = [p for p in abandoned.iterdir() if p.is_dir() and _MEETING.fullmatch(p.name)]
    if len(meetings) != 1:
        return
    final, previous = output / meetings[0].name, abandoned / "previous"
    if previous.is_dir() and not final.exists():
        _carry(meetings[0], previous)
        os.replace(previous, final)
        log.warning("Put back %s, left aside by an interrupted build", final)
    elif final.is_dir():
        _carry(meetings[0], final)


_MEETING = re.compile(r"\d{4}-\d{2}-\d{2}")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def move_into_place(folder: Path, final: Path, staging: Path) -> Path:
    """Swap the finished folder in for the previous one by renames; put it back on failure."""
    previous = staging / "previous"
    if final.exists():
        os.replace(final, previous)
    try:
        _carry(previous, folder)
        os.replace(folder, final)
    except BaseException:
        if previous.exists():
            _carry(folder, previous)
            os.replace(previous, final)
        raise
    log.info("Wrote %s", final)
    return final


def _carry(source: Path, target: Path) -> None:
    """Move what a build doesn't make (CARRIED) from `source` into `target`."""
    for pattern in CARRIED:
        for path in sorted(source.glob(pattern)):
            if not (target / path.name).exists():
                os.replace(path, target / path.name)
