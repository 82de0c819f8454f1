"""The keeper: a small process that keeps one LibreOffice open between builds, then stops it.

Run as `python -m packgen.convert.keeper SLOT SOFFICE KEEP STAMP`, detached from the build that
starts it (see packgen.convert.kept). It starts LibreOffice headless on the slot's own profile and
stops it, removing the profile, once the slot has gone unused for KEEP seconds, when LibreOffice
exits, when the slot's folder disappears, or on SIGTERM (`packgen stop`). It never stops
LibreOffice while a build holds the slot's lock. Standard library only, so it starts in a few
milliseconds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from packgen.convert.profile import prepare_profile
from packgen.files import read_json_object

# The keeper's module, and its name before packgen's stages had folders: a keeper started by
# the earlier layout is still found, kept and stopped.
KEEPER_MODULES = (b"packgen.convert.keeper", b"packgen.keeper")
POLL = 0.25  # seconds between the keeper's looks at its slot
STATE = "keeper.json"  # the keeper's and LibreOffice's process ids, for builds and `packgen stop`
LOCK = "lock"  # held (flock) by the build using the slot, and by the keeper while it stops
LAST_USED = "last-used"  # its modification time is when a build last let go of the slot
PROFILE = "profile"
INSTALLATION = "installation"  # the stamp of the LibreOffice installation the profile is for
KEEP_OPEN = "keep-open.txt"  # the document LibreOffice keeps open so that it stays up
OPENED = f".~lock.{KEEP_OPEN}#"  # written by LibreOffice once it has opened that document
PIPE_FOLDERS = (Path("/tmp"), Path("/var/tmp"))  # where LibreOffice puts its IPC pipes


def office_command(soffice: str, profile: Path) -> list[str]:
    """The command that starts LibreOffice headless on `profile`, kept open by an empty file."""
    return [
        soffice,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        "--nolockcheck",
        str(profile / KEEP_OPEN),
    ]


def pipe_paths(profile: Path) -> list[Path]:
    """Where LibreOffice's IPC pipe for `profile` may be: named by an MD5 of the profile's URL."""
    url = profile.resolve().as_uri().encode("utf-16-le")
    digest = hashlib.md5(url, usedforsecurity=False).digest()
    name = f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{''.join(f'{b:x}' for b in digest)}"
    return [folder / name for folder in PIPE_FOLDERS]


def read_state(slot: Path) -> dict:
    """Return the slot's keeper.json, or {} when there is none or it can't be read."""
    return read_json_object(slot / STATE)


def is_keeper(pid: object) -> bool:
    """Tell whether `pid` is a live keeper process of this user (not a reused process id)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(module in command for module in KEEPER_MODULES)


def serve(slot: Path, soffice: str, keep: float, stamp: str) -> int:
    """Keep LibreOffice running in `slot` until it is no longer wanted; return an exit status."""
    stop = _on_sigterm()
    profile = slot / PROFILE
    _clear(profile)  # what a LibreOffice killed before left behind would fake its readiness
    (profile / "tmp").mkdir(parents=True, exist_ok=True)
    (profile / KEEP_OPEN).touch()
    prepare_profile(profile, soffice)
    office = subprocess.Popen(
        office_command(soffice, profile),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(profile / "tmp")},
    )
    state = {"keeper": os.getpid(), "office": office.pid, "soffice": soffice, "stamp": stamp}
    _write_state(slot, state)
    lock = None
    try:
        while not stop() and office.poll() is None and slot.is_dir():
            if _idle(slot, keep):
                lock = try_lock(slot)
                if lock is not None:
                    break
            time.sleep(POLL)
        if lock is None and slot.is_dir() and office.poll() is None:
            lock = _wait_for_lock(slot)  # told to stop: let a running build finish first
    finally:
        _stop_office(office)
        _clean(slot, profile)
        if lock is not None:
            os.close(lock)
    return 0


def _on_sigterm():
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C meant for the build that started it
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    return lambda: bool(stopping)


def _idle(slot: Path, keep: float) -> bool:
    try:
        return time.time() - (slot / LAST_USED).stat().st_mtime >= keep
    except OSError:
        return True


def try_lock(slot: Path) -> int | None:
    """Take the slot's lock without waiting; return its descriptor, or None if it is held."""
    try:
        fd = os.open(slot / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.fstat(fd).st_ino != os.stat(slot / LOCK).st_ino:  # the slot went meanwhile
            raise FileNotFoundError(slot / LOCK)
    except OSError:
        os.close(fd)
        return None
    return fd


def _wait_for_lock(slot: Path, wait: float = 600.0) -> int | None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and slot.is_dir():
        fd = try_lock(slot)
        if fd is not None:
            return fd
        time.sleep(POLL)
    return None


def _write_state(slot: Path, state: dict) -> None:
    tmp = slot / f".{STATE}.tmp"
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, slot / STATE)


def _stop_office(office: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(office.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        office.wait(timeout=10)


def _clean(slot: Path, profile: Path) -> None:
    """Remove the state, the pipe and the open document's lock, keeping the profile itself.

    LibreOffice starts about 0.2 s sooner on a profile it has set up before (a new one makes it
    start twice), so the next keeper of the slot reuses it, as a desktop LibreOffice does.
    """
    with contextlib.suppress(OSError):
        (slot / STATE).unlink()
    _clear(profile)


def _clear(profile: Path) -> None:
    """Remove the pipe, the open document's lock file and the temporary files of a profile."""
    for path in [profile / OPENED, *pipe_paths(profile)]:
        with contextlib.suppress(OSError):
            path.unlink()
    shutil.rmtree(profile / "tmp", ignore_errors=True)


def main(argv: list[str]) -> int:
    slot, soffice, keep, stamp = argv
    return serve(Path(slot), soffice, float(keep), stamp)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
