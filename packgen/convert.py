"""LibreOffice headless conversion of Word documents to PDF, in parallel batches."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packgen.errors import ConversionError, Location, Problem

log = logging.getLogger(__name__)

INSTALL_HINT = "install LibreOffice: sudo apt-get install libreoffice-writer-nogui"

Progress = Callable[[Path], None]


@dataclass
class _Run:
    """What one soffice run did: its exit status, its output, and whether it was killed."""

    docs: list[Path]
    returncode: int | None = None
    output: str = ""
    timed_out: bool = False
    pid: int | None = None

    def stop(self) -> None:
        """Kill this run's whole process group, if it has started."""
        if self.pid is not None:
            _kill_group(self.pid)


def convert_to_pdf(
    docs: Sequence[Path],
    out_dir: Path,
    *,
    soffice: str = "soffice",
    timeout: float = 180.0,
    jobs: int = 2,
    progress: Progress | None = None,
    offices: Sequence[Office] = (),
) -> dict[Path, Path]:
    """Convert each document to `out_dir/<stem>.pdf`, in `jobs` soffice runs side by side.

    When some of `offices` (LibreOffices started ahead) are ready, the documents are shared
    among those alone; otherwise each run starts its own soffice.
    """
    docs = [Path(d) for d in docs]
    if not docs:
        return {}
    _refuse_same_names(docs)
    executable = _find_soffice(soffice, docs)
    out_dir.mkdir(parents=True, exist_ok=True)
    ready = _ready(offices, min(timeout, READY_WAIT))
    batches = split_batches(docs, len(ready) or jobs)
    warm = f" ({len(batches)} already started)" if ready else ""
    log.info("Converting %d documents with LibreOffice in %d runs%s", len(docs), len(batches), warm)
    runs = [_Run(batch) for batch in batches]
    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        try:
            futures = [
                pool.submit(ready[i].convert, run, out_dir, timeout, progress)
                if ready
                else pool.submit(_run_soffice, executable, run, out_dir, timeout, progress)
                for i, run in enumerate(runs)
            ]
            for future in futures:
                future.result()
        except BaseException:  # interrupted: stop every LibreOffice before going
            for run in runs:
                run.stop()
            for office in ready:
                office.close()
            raise
    pdfs = _collect(runs, out_dir, timeout)
    return {doc: pdfs[doc] for doc in docs}


def split_batches(docs: Sequence[Path], jobs: int) -> list[list[Path]]:
    """Split the documents into at most `jobs` batches of similar total size."""
    batches: list[list[Path]] = [[] for _ in range(max(1, min(jobs, len(docs))))]
    sizes = [0] * len(batches)
    for doc in sorted(docs, key=_size, reverse=True):
        smallest = sizes.index(min(sizes))
        batches[smallest].append(doc)
        sizes[smallest] += _size(doc) + 50_000  # each document also costs a fixed start-up
    order = {doc: i for i, doc in enumerate(docs)}
    return [sorted(b, key=order.__getitem__) for b in batches if b]


def soffice_version(soffice: str = "soffice", timeout: float = 60.0) -> str:
    """Return `soffice --version` ("LibreOffice 7.4.7.2 …"), or "unknown" if it can't be run."""
    executable = shutil.which(soffice)
    if executable is None:
        return "unknown"
    with tempfile.TemporaryDirectory(prefix="packgen-soffice-") as profile:
        run = _Run([])
        _run([executable, _profile_option(Path(profile)), "--version"], run, timeout, None)
    return run.output.strip().splitlines()[-1] if run.output.strip() else "unknown"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _refuse_same_names(docs: list[Path]) -> None:
    seen: dict[str, Path] = {}
    problems = []
    for doc in docs:
        other = seen.setdefault(doc.stem.casefold(), doc)
        if other is not doc:
            message = f"would write the same PDF as {other.name}"
            problems.append(Problem(Location(doc.name), message))
    if problems:
        raise ConversionError("Two documents would be converted to the same PDF.", problems)


def _find_soffice(soffice: str, docs: list[Path]) -> str:
    executable = shutil.which(soffice)
    if executable is None:
        raise ConversionError(
            f"LibreOffice ({soffice}) was not found, so these documents can't be converted to "
            f"PDF; {INSTALL_HINT}",
            [Problem(Location(d.name), "not converted") for d in docs],
        )
    return executable


def _profile_option(profile: Path) -> str:
    return f"-env:UserInstallation={profile.resolve().as_uri()}"


def _run_soffice(
    executable: str, run: _Run, out_dir: Path, timeout: float, progress: Progress | None
) -> None:
    """Run one soffice over a batch, with its own throw-away profile."""
    with tempfile.TemporaryDirectory(prefix="packgen-soffice-") as profile:
        command = [
            executable,
            _profile_option(Path(profile)),
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir.resolve()),
            *(str(d.resolve()) for d in run.docs),
        ]
        log.debug("Running %s", " ".join(command))
        _run(command, run, timeout, progress)


def _run(command: list[str], run: _Run, timeout: float, progress: Progress | None) -> None:
    """Run a command in its own process group; kill the whole group when the timeout passes."""
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

    def kill() -> None:
        run.timed_out = True
        _kill_group(proc.pid)

    timer = threading.Timer(timeout, kill)
    timer.start()
    lines = []
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            _report(line, run.docs, progress)
        run.returncode = proc.wait()
    finally:
        timer.cancel()
        _kill_group(proc.pid)  # a crashed soffice may leave helpers behind
        proc.stdout.close()  # type: ignore[union-attr]
    run.output = "".join(lines)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _report(line: str, docs: list[Path], progress: Progress | None) -> None:
    """Call `progress` for the document soffice says it converted ("convert /x/a.docx -> …")."""
    if progress is None or not line.startswith("convert "):
        return
    source = Path(line[len("convert ") :].split(" -> ", 1)[0]).resolve()
    for doc in docs:
        if source == doc.resolve():
            progress(doc)


def _collect(runs: list[_Run], out_dir: Path, timeout: float) -> dict[Path, Path]:
    """Check that every document has a non-empty PDF; name each one that doesn't."""
    pdfs: dict[Path, Path] = {}
    problems = []
    for run in runs:
        for doc in run.docs:
            pdf = out_dir / f"{doc.stem}.pdf"
            if pdf.is_file() and pdf.stat().st_size > 0 and not run.timed_out:
                pdfs[doc] = pdf
            else:
                problems.append(Problem(Location(doc.name), _failure(run, timeout)))
    if problems:
        names = ", ".join(p.location.file for p in problems)
        raise ConversionError(f"LibreOffice could not convert {names} to PDF.", problems)
    return pdfs


def _failure(run: _Run, timeout: float) -> str:
    if run.timed_out:
        return f"LibreOffice did not finish within {timeout:g} s and was stopped"
    detail = _last_line(run.output)
    if run.returncode:
        return f"LibreOffice failed (exit status {run.returncode}){detail}"
    return f"LibreOffice produced no PDF{detail}"


def _last_line(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    return f": {lines[-1]}" if lines else ""


READY_WAIT = 10.0  # how long a conversion waits for a LibreOffice started ahead to be ready
PIPE_FOLDERS = (Path("/tmp"), Path("/var/tmp"))  # where LibreOffice puts its IPC pipes
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


class Office:
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
        self.pipes = [folder / _pipe_name(self.profile) for folder in PIPE_FOLDERS]
        self.closed = False
        self._lock = threading.Lock()
        self._call: tuple[_Run, Progress | None, set[Path], list[str]] | None = None
        self._reader: threading.Thread | None = None
        keep_open = self.profile / "keep-open.txt"
        keep_open.touch()
        # LibreOffice locks the document once it has opened it: it is then up and listening
        # (its pipe alone comes too early: a fresh profile's first start restarts itself).
        self.opened = self.profile / f".~lock.{keep_open.name}#"
        self.exited = False  # LibreOffice itself has exited (the watchdog shell has not)
        office = [executable, _profile_option(self.profile), "--headless", "--norestore"]
        office += ["--nologo", "--nolockcheck", str(keep_open)]
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
                _report(line, run.docs, _once(progress, reported))

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

    def convert(self, run: _Run, out_dir: Path, timeout: float, progress: Progress | None) -> None:
        """Convert one batch in this LibreOffice; on a timeout or a failure, close it."""
        command = [
            self.executable,
            _profile_option(self.profile),
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir.resolve()),
            *(str(d.resolve()) for d in run.docs),
        ]
        reported: set[Path] = set()
        lines: list[str] = []
        with self._lock:
            self._call = (run, progress, reported, lines)
        log.debug("Asking LibreOffice started ahead: %s", " ".join(command))
        try:
            _run(command, run, timeout, None)
        finally:
            with self._lock:
                self._call = None
            if run.timed_out or run.returncode != 0:
                self.close()
        run.output = "".join(lines) + run.output
        for doc in run.docs:  # the last line LibreOffice printed may not have been read yet
            if (out_dir / f"{doc.stem}.pdf").is_file():
                _once(progress, reported)(doc)

    def close(self) -> None:
        """Kill this LibreOffice's whole process group and remove its profile and pipe."""
        with self._lock:
            if self.closed and self.proc is None:
                return
            self.closed = True
            proc, self.proc = self.proc, None
        if proc is not None:
            _kill_group(proc.pid)
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


def start_offices(count: int, soffice: str = "soffice") -> list[Office]:
    """Start `count` LibreOffices ahead of their conversions (none if soffice isn't found)."""
    executable = shutil.which(soffice)
    if executable is None or count <= 0:
        return []
    log.debug("Starting %d LibreOffices ahead", count)
    offices: list[Office] = []
    try:
        for _ in range(count):
            offices.append(Office(executable))
    except BaseException:  # interrupted half-way: stop the ones already started
        for office in offices:
            office.close()
        raise
    return offices


def _ready(offices: Sequence[Office], wait: float) -> list[Office]:
    """The offices that are up (each waited for until `wait` s have passed in all)."""
    deadline = time.monotonic() + wait
    live = [office for office in offices if not office.closed]
    return [o for o in live if o.ready(max(0.0, deadline - time.monotonic()))]


def _pipe_name(profile: Path) -> str:
    """Name LibreOffice's IPC pipe for a profile: an MD5 of its URL in UTF-16, unpadded hex."""
    url = profile.resolve().as_uri().encode("utf-16-le")
    digest = hashlib.md5(url, usedforsecurity=False).digest()
    return f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{''.join(f'{b:x}' for b in digest)}"


def _once(progress: Progress | None, reported: set[Path]) -> Progress:
    """Wrap `progress` so that each document is reported once."""

    def report(doc: Path) -> None:
        with _REPORTING:
            if progress is None or doc in reported:
                return
            reported.add(doc)
        progress(doc)

    return report
