"""LibreOffices started ahead and kept running during a build, each converting batches on demand.

`start_offices` starts them; `packgen.convert.conversion.Conversion` uses the ready ones (its
`offices`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from packgen.convert.keeper import KEEP_OPEN, OPENED, office_command, pipe_paths
from packgen.convert.profile import prepare_profile
from packgen.convert.soffice import (
    Progress,
    Run,
    client_command,
    kill_group,
    report_line,
    run_command,
)

log = logging.getLogger(__name__)

_REPORTING = threading.Lock()
_EXITED = "packgen-office: LibreOffice exited"
# The office runs under a shell that kills their whole process group as soon as packgen's end
# of its standard input closes, so even a packgen killed outright leaves no LibreOffice behind
# (and, a second later, no profile or pipe).
_CLEAN_UP = 'sleep 1; rm -rf -- "$1" "$2"'
_WATCHDOG = (
    f'profile=$1 pipe=$2; shift 2; ("$@" </dev/null; echo "{_EXITED}") & read -r _; '
    f'setsid sh -c \'{_CLEAN_UP}\' - "$profile" "$pipe" </dev/null >/dev/null 2>&1 & '
    "sleep 0.2; kill -KILL 0"
)


class StartedOffice:
    """A LibreOffice started ahead with its own profile, kept open by an empty document.

    `convert` hands it one batch at a time through a short-lived client soffice on the same
    profile, which passes the request on through LibreOffice's IPC pipe and returns once the
    PDFs are written. The client is run only once LibreOffice has opened its document and its
    pipe exists, so two LibreOffices never share a profile. `close` kills its whole process
    group and removes its profile and pipe.
    """

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.profile = Path(tempfile.mkdtemp(prefix="packgen-office-"))
        self.pipes = pipe_paths(self.profile)
        self.closed = False
        self._lock = threading.Lock()
        self._call: tuple[Run, Progress | None, set[Path], list[str]] | None = None
        self._reader: threading.Thread | None = None
        (self.profile / KEEP_OPEN).touch()
        prepare_profile(self.profile, executable)
        # LibreOffice locks the document once it has opened it: it is then up and listening
        # (its pipe alone comes too early: a fresh profile's first start restarts itself).
        self.opened = self.profile / OPENED
        self.exited = False  # LibreOffice itself has exited (the watchdog shell has not)
        office = office_command(executable, self.profile)
        scratch = self.profile / "tmp"  # its temporary files go with its profile when killed
        scratch.mkdir()
        try:
            self.proc: subprocess.Popen[str] | None = subprocess.Popen(
                ["/bin/sh", "-c", _WATCHDOG, "-", self.profile, self.pipes[0], *office],
                env={**os.environ, "TMPDIR": str(scratch)},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                text=True,
                errors="replace",
            )
        except OSError as exc:
            log.debug("Could not start LibreOffice ahead: %s", exc)
            self.proc = None
            self.close()
            return
        try:
            self._reader = threading.Thread(target=self._read, daemon=True)
            self._reader.start()
        except BaseException:  # e.g. Ctrl-C right after the start: no caller will close it
            self.close()
            raise

    def _read(self) -> None:
        """Pass the conversions LibreOffice reports to the current call's progress."""
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.strip() == _EXITED:
                self.exited = True
                continue
            with self._lock:
                call = self._call
                if call is not None:
                    call[3].append(line)
            if call is not None:
                run, progress, reported, _lines = call
                report_line(line, run.docs, _once(progress, reported))

    def ready(self, wait: float) -> bool:
        """Wait up to `wait` s for its IPC pipe; close it and say False if it never comes."""
        deadline = time.monotonic() + wait
        while not self.closed and not self.exited and self.proc is not None:
            if self.opened.exists() and any(pipe.exists() for pipe in self.pipes):
                return True
            if time.monotonic() >= deadline:
                log.info("LibreOffice started ahead is not ready after %g s; starting anew", wait)
                break
            time.sleep(0.02)
        self.close()
        return False

    def convert(self, run: Run, out_dir: Path, timeout: float, progress: Progress | None) -> None:
        """Convert one batch in this LibreOffice; on a timeout or a failure, close it."""
        command = client_command(self.executable, self.profile, run.docs, out_dir)
        reported: set[Path] = set()
        lines: list[str] = []
        with self._lock:
            self._call = (run, progress, reported, lines)
        log.debug("Asking LibreOffice started ahead: %s", " ".join(command))
        try:
            run_command(command, run, timeout, None)
        finally:
            with self._lock:
                self._call = None
            if run.timed_out or run.returncode != 0:
                self.close()
        run.output = "".join(lines) + run.output
        for doc in run.docs:  # the last line LibreOffice printed may not have been read yet
            if (out_dir / f"{doc.stem}.pdf").is_file():
                _once(progress, reported)(doc)

    def abandon(self) -> None:
        """Stop it because it failed or was interrupted: for a LibreOffice of one build, `close`."""
        self.close()

    def close(self) -> None:
        """Kill this LibreOffice's whole process group and remove its profile and pipe."""
        with self._lock:
            if self.closed and self.proc is None:
                return
            self.closed = True
            proc, self.proc = self.proc, None
        if proc is not None:
            kill_group(proc.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        if self._reader is not None:
            self._reader.join(timeout=5)
        if proc is not None:
            for stream in (proc.stdin, proc.stdout):
                with contextlib.suppress(OSError):
                    stream.close()  # type: ignore[union-attr]
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.unlink()
        shutil.rmtree(self.profile, ignore_errors=True)


def start_offices(count: int, soffice: str = "soffice") -> list[StartedOffice]:
    """Start `count` LibreOffices ahead of their conversions (none if soffice isn't found)."""
    executable = shutil.which(soffice)
    if executable is None or count <= 0:
        return []
    log.debug("Starting %d LibreOffices ahead", count)
    offices: list[StartedOffice] = []
    try:
        for _ in range(count):
            offices.append(StartedOffice(executable))
    except BaseException:  # interrupted half-way: stop the ones already started
        for office in offices:
            office.close()
        raise
    return offices


def _once(progress: Progress | None, reported: set[Path]) -> Progress:
    """Wrap `progress` so that each document is reported once."""

    def report(doc: Path) -> None:
        with _REPORTING:
            if progress is None or doc in reported:
                return
            reported.add(doc)
        progress(doc)

    return report
