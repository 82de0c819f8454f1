"""The soffice process layer: one LibreOffice command run with a timeout, in its own process
group, and what every kind of LibreOffice (started ahead, kept, or run once) offers.

Everything in packgen.convert that runs soffice does it through here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from packgen.convert.profile import prepare_profile

log = logging.getLogger(__name__)

Progress = Callable[[Path], None]

HANG_ROUNDS = 2  # rounds of soffice runs that may time out in one build before it gives up


@dataclass
class Run:
    """What one soffice run did: its exit status, its output, and whether it was killed."""

    docs: list[Path]
    returncode: int | None = None
    output: str = ""
    timed_out: bool = False
    pid: int | None = None
    stopped: bool = False  # stopped from outside (an interrupt): not to be tried again

    def stop(self) -> None:
        """Kill this run's whole process group, if it has started."""
        self.stopped = True
        if self.pid is not None:
            kill_group(self.pid)


class Patience:
    """How often LibreOffice may still hang in one build.

    Each round of soffice runs that times out spends one (runs side by side are one round, as
    they wait out their timeouts together), so a LibreOffice that hangs costs a build at most
    `rounds` timeouts before the documents left are named as not converted.
    """

    def __init__(self, rounds: int = HANG_ROUNDS) -> None:
        self.left = rounds
        self.hung: list[str] = []  # what hung, in order: "soffice --version", a document's name

    def spend(self, what: str) -> None:
        self.left = max(0, self.left - 1)
        self.hung.append(what)

    @property
    def exhausted(self) -> bool:
        return self.left == 0


class Office(Protocol):
    """A LibreOffice that is running already and converts one batch at a time: one started
    ahead for this build (packgen.convert.office) or one kept open between builds
    (packgen.convert.kept)."""

    @property
    def closed(self) -> bool: ...

    def ready(self, wait: float) -> bool:
        """Wait up to `wait` s for it to be up; give it up and say False if it never is."""
        ...

    def convert(self, run: Run, out_dir: Path, timeout: float, progress: Progress | None) -> None:
        """Convert one batch; on a timeout or a failure, give this LibreOffice up."""
        ...

    def close(self) -> None:
        """Done with it for this build."""
        ...

    def abandon(self) -> None:
        """Stop it for good: it failed, hung or was interrupted mid-batch."""
        ...


def soffice_version(
    soffice: str = "soffice", timeout: float = 60.0, patience: Patience | None = None
) -> str:
    """Return `soffice --version` ("LibreOffice 7.4.7.2 …"), or "unknown" if it can't be run.

    A LibreOffice that doesn't answer within `timeout` s has hung: that spends `patience`."""
    executable = shutil.which(soffice)
    if executable is None:
        return "unknown"
    with tempfile.TemporaryDirectory(prefix="packgen-soffice-") as profile:
        run = Run([])
        run_command([executable, profile_option(Path(profile)), "--version"], run, timeout, None)
    if run.timed_out:
        log.warning("LibreOffice (%s) did not say its version within %g s", executable, timeout)
        if patience is not None:
            patience.spend("soffice --version")
        return "unknown"
    return run.output.strip().splitlines()[-1] if run.output.strip() else "unknown"


def is_complete_pdf(path: Path) -> bool:
    """Tell whether a file looks like a whole PDF: its header, and %%EOF near its end."""
    try:
        with path.open("rb") as stream:
            if stream.read(5) != b"%PDF-":
                return False
            stream.seek(0, os.SEEK_END)
            size = stream.tell()
            stream.seek(max(0, size - 1024))
            return b"%%EOF" in stream.read()
    except OSError:
        return False


def install_stamp(executable: Path) -> str:
    """Identify a LibreOffice installation by its files' sizes and times (changed by upgrades)."""
    real = executable.resolve()
    files = [real, real.with_name("soffice.bin"), real.with_name("versionrc")]
    stats = []
    for file in files:
        with contextlib.suppress(OSError):
            stat = file.stat()
            stats.append(f"{file}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(stats)


def profile_option(profile: Path) -> str:
    return f"-env:UserInstallation={profile.resolve().as_uri()}"


def client_command(executable: str, profile: Path, docs: list[Path], out_dir: Path) -> list[str]:
    """The soffice command that converts `docs` on `profile`: in the LibreOffice already running
    there (packgen.convert.office, packgen.convert.kept), or in one of its own when none is."""
    return [
        executable,
        profile_option(profile),
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out_dir.resolve()),
        *(str(d.resolve()) for d in docs),
    ]


def run_soffice(
    executable: str, run: Run, out_dir: Path, timeout: float, progress: Progress | None
) -> None:
    """Run one soffice over a batch, with its own throw-away profile."""
    with tempfile.TemporaryDirectory(prefix="packgen-soffice-") as profile:
        prepare_profile(Path(profile), executable)
        command = client_command(executable, Path(profile), run.docs, out_dir)
        log.debug("Running %s", " ".join(command))
        run_command(command, run, timeout, progress)


def run_command(command: list[str], run: Run, timeout: float, progress: Progress | None) -> None:
    """Run a command in its own process group; kill the whole group when the timeout passes."""
    if run.stopped:  # interrupted before it started
        run.returncode = -signal.SIGKILL
        return
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        run.returncode, run.output = 126, f"{command[0]} can't be run: {exc.strerror or exc}"
        return
    run.pid = proc.pid
    if run.stopped:  # interrupted while it was starting
        kill_group(proc.pid)

    def kill() -> None:
        run.timed_out = True
        kill_group(proc.pid)

    timer = threading.Timer(timeout, kill)
    timer.start()
    lines = []
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            report_line(line, run.docs, progress)
        run.returncode = proc.wait()
    finally:
        timer.cancel()
        kill_group(proc.pid)  # a crashed soffice may leave helpers behind
        proc.stdout.close()  # type: ignore[union-attr]
    run.output = "".join(lines)


def kill_group(pid: int) -> None:
    """Kill a whole process group, if it is still there."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def report_line(line: str, docs: list[Path], progress: Progress | None) -> None:
    """Call `progress` for the document soffice says it converted ("convert /x/a.docx -> …")."""
    if progress is None or not line.startswith("convert "):
        return
    source = Path(line[len("convert ") :].split(" -> ", 1)[0]).resolve()
    for doc in docs:
        if source == doc.resolve():
            progress(doc)
