"""LibreOffices kept open between builds, so that a rebuild converts at once.

Each kept LibreOffice lives in a slot, `<runtime>/office-<soffice id>-<n>/`, run by a keeper
process (packgen.convert.keeper) that stops it after `keep` seconds unused. A build takes a slot by
locking it (flock), so two builds never share one LibreOffice; a busy slot is passed over.
`packgen stop` stops them all. The runtime folder is private to the user (mode 0700):
$PACKGEN_RUNTIME_DIR, else $XDG_RUNTIME_DIR/packgen, else /tmp/packgen-<uid>. A slot no
keeper runs in is removed by the next build or `packgen stop` once its LibreOffice is gone or
changed, or once it has gone unused for the keep time (`prune_slots`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Collection
from pathlib import Path

import packgen
from packgen.convert.keeper import (
    INSTALLATION,
    LAST_USED,
    OPENED,
    PROFILE,
    STATE,
    is_keeper,
    pipe_paths,
    read_state,
    try_lock,
)
from packgen.convert.profile import SETTINGS
from packgen.convert.soffice import (
    Progress,
    Run,
    client_command,
    install_stamp,
    run_command,
    run_soffice,
)
from packgen.settings import Settings

log = logging.getLogger(__name__)

RUNTIME_ENV = "PACKGEN_RUNTIME_DIR"
STOP_WAIT = 15.0  # seconds `packgen stop` waits for each keeper (a build may be finishing)
_REMOVING = ".removing-"  # a slot being removed is renamed so first: no build takes it then
_LAUNCHED: list[subprocess.Popen] = []  # keepers started by this process, never waited for


def runtime_dir(environ: dict[str, str] | os._Environ = os.environ) -> Path | None:
    """Return the user's private folder for kept LibreOffices, made if needed; None if unsafe."""
    folder = _runtime_path(environ)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError as exc:
        log.warning("LibreOffice can't be kept open between builds: %s", exc)
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        log.warning("LibreOffice is not kept open: %s is not a private folder of yours", folder)
        return None
    return folder


class KeptOffice:
    """One slot's LibreOffice, taken for one build; it stays open after `close` for the next.

    It is an `Office` (packgen.convert.soffice), as a LibreOffice started ahead is, so a
    conversion uses either alike.
    """

    def __init__(self, slot: Path, lock: int, executable: str) -> None:
        self.slot, self.executable = slot, executable
        self.profile = slot / PROFILE
        self.closed = False
        self._lock: int | None = lock
        self._letting_go = threading.RLock()  # a worker and an interrupt may both let go
        self.pid = read_state(slot).get("office")

    @property
    def opened(self) -> Path:
        return self.profile / OPENED

    def ready(self, wait: float) -> bool:
        """Wait up to `wait` s for LibreOffice to be up; give the slot up if it never is."""
        deadline = time.monotonic() + wait
        while not self.closed:
            state = read_state(self.slot)
            if state and not is_keeper(state.get("keeper")):
                break  # the keeper has gone: so has its LibreOffice
            if state and _up(self.opened, pipe_paths(self.profile)):
                self.pid = state.get("office")
                return True
            if time.monotonic() >= deadline:
                log.info("LibreOffice kept in %s is not ready after %g s", self.slot.name, wait)
                break
            time.sleep(0.02)
        self.abandon()
        return False

    def convert(self, run: Run, out_dir: Path, timeout: float, progress: Progress | None) -> None:
        """Convert one batch; a LibreOffice that fails or hangs is stopped, not kept."""
        command = client_command(self.executable, self.profile, run.docs, out_dir)
        log.debug("Asking the kept LibreOffice: %s", " ".join(command))
        run_command(command, run, timeout, None)
        if run.timed_out or run.returncode != 0:
            self.abandon()
        if run.returncode != 0 and not run.timed_out and not run.stopped:  # gone bad while kept?
            log.warning("The kept LibreOffice failed; converting with a new one")
            run.returncode, run.output, run.pid = None, "", None  # the same run: stoppable
            run_soffice(self.executable, run, out_dir, timeout, None)
        for doc in run.docs:
            if progress is not None and (out_dir / f"{doc.stem}.pdf").is_file():
                progress(doc)

    def close(self) -> None:
        """Let go of the slot; its LibreOffice stays open for the next build."""
        with self._letting_go:
            if self._lock is None:
                return
            _touch(self.slot / LAST_USED)
            os.close(self._lock)
            self._lock, self.closed = None, True

    def abandon(self) -> None:
        """Stop this LibreOffice for good (it failed, hung or was interrupted mid-batch).

        Its profile goes too, in case that is what went wrong."""
        with self._letting_go:
            if self._lock is None:
                return
            _stop_keeper(self.slot, wait=5.0, lock_held=True)
            shutil.rmtree(self.profile, ignore_errors=True)
            self.close()


def take_offices(
    soffice: str, count: int, wanted: int, keep: float, slots: int = 2
) -> list[KeptOffice]:
    """Take the kept LibreOffices already open (up to `count`), then start more up to `wanted`.

    There are `slots` of them at most (one per parallel run); slots other builds (or this one)
    are using are passed over. Returns [] if nothing can be kept.
    """
    executable = shutil.which(soffice)
    folder = runtime_dir() if executable and keep > 0 else None
    if folder is None or executable is None:
        prune_slots(keep)
        return []
    stamp = f"{install_stamp(Path(executable))}|{SETTINGS}"  # a profile set up otherwise: anew
    places = [folder / f"office-{_short(executable)}-{n}" for n in range(slots)]
    prune_slots(keep, spare=places)
    taken: list[KeptOffice] = []
    try:
        for slot in places:  # first the ones already open, then the others
            if len(taken) < count and _open(slot, executable, stamp):
                _take(slot, executable, stamp, keep, taken, start=False)
        for slot in places:
            if len(taken) < wanted and slot not in {t.slot for t in taken}:
                _take(slot, executable, stamp, keep, taken, start=True)
    except BaseException:
        for office in taken:
            office.close()
        raise
    if taken:
        log.info("Using %d kept LibreOffices (kept open %g s after each build)", len(taken), keep)
    return taken


def stop_offices(
    environ: dict[str, str] | os._Environ = os.environ, keep: float = Settings.keep_libreoffice
) -> int:
    """Stop every kept LibreOffice of this user, waiting for builds using one; return how many.

    Then the slots are pruned as a build prunes them: those unused for `keep` seconds or whose
    LibreOffice is gone or changed go, the others keep their profiles for the next keeper."""
    folder = runtime_dir(environ)
    if folder is None:
        return 0
    stopped = 0
    for slot in sorted(folder.glob("office-*")):
        stopped += _stop_keeper(slot, wait=STOP_WAIT, lock_held=False)
    prune_slots(keep, environ)
    return stopped


def prune_slots(
    keep: float,
    environ: dict[str, str] | os._Environ = os.environ,
    spare: Collection[Path] = (),
) -> int:
    """Remove the slots no keeper runs in and no build is using: those whose LibreOffice is gone
    or changed (its profile would not be used again), or unused for `keep` seconds; return how
    many.

    The slots in `spare` (the ones a build is about to take) are left: their profiles start the
    next LibreOffice sooner, and one set up for another installation is made anew anyway."""
    folder = _existing_runtime_dir(environ)
    if folder is None:
        return 0
    for trash in folder.glob(f"{_REMOVING}*"):  # left by a removal that was killed
        shutil.rmtree(trash, ignore_errors=True)
    removed = 0
    for slot in sorted(set(folder.glob("office-*")) - set(spare)):
        if _outdated(slot) or _unused_for(slot) >= keep:
            removed += _remove_slot(slot)
    if removed:
        log.info("Removed %d unused slots of kept LibreOffices from %s", removed, folder)
    return removed


def kept_offices(environ: dict[str, str] | os._Environ = os.environ) -> list[dict]:
    """List the kept LibreOffices running now: each slot's keeper.json."""
    folder = runtime_dir(environ)
    if folder is None:
        return []
    states = [read_state(slot) for slot in sorted(folder.glob("office-*"))]
    return [s for s in states if is_keeper(s.get("keeper"))]


def _take(
    slot: Path, executable: str, stamp: str, keep: float, taken: list[KeptOffice], start: bool
) -> None:
    lock = _lock(slot)
    if lock is None:
        return  # another build is using it
    try:
        if not _open(slot, executable, stamp):
            if not start:
                os.close(lock)
                return
            _stop_keeper(slot, wait=5.0, lock_held=True)  # a keeper for another LibreOffice
            _launch(slot, executable, keep, stamp)
        _touch(slot / LAST_USED)
        taken.append(KeptOffice(slot, lock, executable))
    except BaseException:
        os.close(lock)
        raise


def _open(slot: Path, executable: str, stamp: str) -> bool:
    """Tell whether the slot's keeper runs, for this LibreOffice installation."""
    state = read_state(slot)
    return (
        is_keeper(state.get("keeper"))
        and state.get("soffice") == executable
        and state.get("stamp") == stamp
    )


def _launch(slot: Path, executable: str, keep: float, stamp: str) -> None:
    """Start a keeper for the slot, detached from this process and its terminal.

    The slot's profile is reused (see packgen.convert.keeper), unless another LibreOffice made it.
    """
    installed = slot / INSTALLATION
    if _read_text(installed) != stamp:
        shutil.rmtree(slot / PROFILE, ignore_errors=True)
        installed.write_text(stamp, encoding="utf-8")
    with contextlib.suppress(OSError):
        (slot / STATE).unlink()
    command = [
        sys.executable,
        "-m",
        "packgen.convert.keeper",
        str(slot),
        executable,
        str(keep),
        stamp,
    ]
    log.debug("Starting a kept LibreOffice: %s", " ".join(command))
    _LAUNCHED[:] = [keeper for keeper in _LAUNCHED if keeper.poll() is None]  # reap the exited
    _LAUNCHED.append(
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd="/",
            env={**os.environ, "PYTHONPATH": _package_root()},
        )
    )


def _stop_keeper(slot: Path, wait: float, lock_held: bool) -> bool:
    """Stop the slot's keeper (and so its LibreOffice); return whether one was running."""
    state = read_state(slot)
    pid = state.get("keeper")
    if not is_keeper(pid):
        return False
    if lock_held:  # the keeper would wait for our lock: stop LibreOffice first
        with contextlib.suppress(ProcessLookupError, PermissionError, TypeError):
            os.killpg(int(state.get("office", 0)), signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while is_keeper(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return True


def _remove_slot(slot: Path) -> bool:
    """Remove a slot unless a keeper runs in it or a build holds it; tell whether it went."""
    if not slot.is_dir() or slot.is_symlink() or is_keeper(read_state(slot).get("keeper")):
        return False
    lock = try_lock(slot)
    if lock is None:
        return False  # a build is using it
    try:
        if is_keeper(read_state(slot).get("keeper")):  # started just now
            return False
        trash = slot.with_name(f"{_REMOVING}{slot.name}-{os.getpid()}")
        os.rename(slot, trash)  # a build that opens its lock now finds it gone (try_lock)
    except OSError as exc:
        log.debug("Could not remove %s: %s", slot, exc)
        return False
    finally:
        os.close(lock)
    shutil.rmtree(trash, ignore_errors=True)
    return True


def _outdated(slot: Path) -> bool:
    """Tell whether the LibreOffice the slot was set up for is gone, upgraded or set otherwise."""
    stamp = _read_text(slot / INSTALLATION)
    if not stamp:
        return False  # nothing known: only its age counts
    executable = Path(stamp.split(":", 1)[0])
    return stamp != f"{install_stamp(executable)}|{SETTINGS}"


def _unused_for(slot: Path) -> float:
    """Seconds since a build last let go of the slot (or since it was made)."""
    for path in (slot / LAST_USED, slot / INSTALLATION, slot):
        with contextlib.suppress(OSError):
            return time.time() - path.stat().st_mtime
    return 0.0


def _runtime_path(environ: dict[str, str] | os._Environ) -> Path:
    if environ.get(RUNTIME_ENV):
        return Path(environ[RUNTIME_ENV])
    if environ.get("XDG_RUNTIME_DIR"):
        return Path(environ["XDG_RUNTIME_DIR"]) / "packgen"
    return Path("/tmp") / f"packgen-{os.getuid()}"


def _existing_runtime_dir(environ: dict[str, str] | os._Environ) -> Path | None:
    """The runtime folder if there is one already (none is made only to be pruned)."""
    return runtime_dir(environ) if _runtime_path(environ).is_dir() else None


def _lock(slot: Path) -> int | None:
    """Lock the slot for this build without waiting; None if another build holds it."""
    slot.mkdir(mode=0o700, exist_ok=True)
    return try_lock(slot)


def _up(opened: Path, pipes: list[Path]) -> bool:
    return opened.exists() and any(pipe.exists() for pipe in pipes)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.touch()


def _short(executable: str) -> str:
    return hashlib.sha256(executable.encode()).hexdigest()[:8]


def _package_root() -> str:
    root = str(Path(packgen.__file__).resolve().parent.parent)
    return os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
