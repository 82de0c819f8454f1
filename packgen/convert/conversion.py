"""LibreOffice headless conversion of Word documents to PDF, in parallel batches.

Each batch runs in a LibreOffice of its own, or in one started ahead (see packgen.convert.office).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from packgen.convert.soffice import (
    Office,
    Patience,
    Progress,
    Run,
    is_complete_pdf,
    run_soffice,
)
from packgen.errors import ConversionError, Location, Problem

log = logging.getLogger(__name__)

READY_WAIT = 10.0  # how long a conversion waits for a LibreOffice started ahead to be ready
FULL_DISK = 4 * 1024 * 1024  # bytes free below which a failed conversion is put down to the disk
INSTALL_HINT = "install LibreOffice: sudo apt-get install libreoffice-writer-nogui"
GIVEN_UP = "not converted: LibreOffice had already hung too often in this build (see above)"


def convert_to_pdf(
    docs: Sequence[Path],
    out_dir: Path,
    *,
    soffice: str = "soffice",
    timeout: float = 180.0,
    jobs: int = 2,
    progress: Progress | None = None,
    offices: Sequence[Office] = (),
    patience: Patience | None = None,
) -> dict[Path, Path]:
    """Convert each document to `out_dir/<stem>.pdf`, in `jobs` soffice runs side by side.

    With `offices` (LibreOffices started ahead), each takes a share of the documents as soon as
    it is up and again whenever it is free (see `Conversion`); what none of them takes is
    converted in soffice runs of its own.
    """
    with Conversion(out_dir, soffice, timeout, jobs, progress, offices, patience) as conversion:
        conversion.add(docs)
        return conversion.finish()


class Conversion:
    """Documents converted as they come: the offices that are up take shares of what waits.

    `add` hands documents over and returns at once, so that a build renders the next document
    while LibreOffice converts the last one; `finish` says that no more will come, waits,
    converts what no office took in soffice runs of its own, and checks every PDF. Each office
    takes the largest documents first, a shrinking share (a quarter of what waits, with two
    offices), so one up earlier starts at once and the last shares even out. Leaving the `with`
    block on an error lets the batches under way finish; on Ctrl-C, every LibreOffice at work
    is stopped.
    """

    def __init__(
        self,
        out_dir: Path,
        soffice: str = "soffice",
        timeout: float = 180.0,
        jobs: int = 2,
        progress: Progress | None = None,
        offices: Sequence[Office] = (),
        patience: Patience | None = None,
    ) -> None:
        self.out_dir, self.soffice, self.timeout, self.jobs = out_dir, soffice, timeout, jobs
        self.progress = progress
        self.patience = Patience() if patience is None else patience
        self.given_up: list[Path] = []  # not tried: LibreOffice had hung too often already
        self.docs: list[Path] = []  # every document added, in order
        self.runs: list[Run] = []
        self._offices = [office for office in offices if not office.closed]
        self._waiting: list[Path] = []  # added, not yet taken, largest first
        self._changed = threading.Condition()
        self._complete = self._stopped = False
        self._deadline = 0.0  # by when the offices must be up, once they have work
        self._pool: ThreadPoolExecutor | None = None
        self._workers: list[Future[None]] = []

    def __enter__(self) -> Conversion:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is not None and issubclass(exc_type, Exception):
            self._halt()  # an error: the batches under way finish, no LibreOffice is lost
        elif exc_type is not None:
            self.stop()  # Ctrl-C or SystemExit: stop at once
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def add(self, docs: Sequence[Path]) -> None:
        """Hand documents over for conversion; they are converted while the caller goes on."""
        docs = [Path(d) for d in docs]
        if not docs:
            return
        _refuse_same_names(self.docs + docs)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with self._changed:
            self.docs += docs
            self._waiting = sorted(self._waiting + docs, key=_size, reverse=True)
            self._changed.notify_all()
        if self._offices and self._pool is None:  # the offices start work with the first ones
            warm = len(self._offices)
            log.info("Converting with LibreOffice as the documents come (%d already started)", warm)
            # One that is not up at once is not waited for once LibreOffice has hung.
            wait = 0.0 if self.patience.hung else min(self.timeout, READY_WAIT)
            self._deadline = time.monotonic() + wait
            self._pool = ThreadPoolExecutor(max_workers=warm)
            self._workers = [self._pool.submit(self._work, office) for office in self._offices]

    def finish(self) -> dict[Path, Path]:
        """Convert what is left once every office is done; return each document's PDF."""
        with self._changed:
            self._complete = True
            self._changed.notify_all()
        for worker in self._workers:
            worker.result()
        left, self._waiting = self._waiting, []
        left += self._after_hangs(self.runs)  # an office hung: what it didn't reach
        if left and not self._offices:
            log.info("Converting %d documents with LibreOffice", len(left))
        while left:
            if self.patience.exhausted:  # those a run hung before are named as such
                ran = {doc for run in self.runs for doc in run.docs}
                self.given_up += [doc for doc in left if doc not in ran]
                break
            runs = _own_runs(
                _find_soffice(self.soffice, left), left, self.jobs, self.out_dir, self.timeout,
                self.progress,
            )  # fmt: skip
            self.runs += runs
            left = self._after_hangs(runs)
        pdfs = _collect(self.runs, self.out_dir, self.timeout, self.docs, self.given_up)
        return {doc: pdfs[doc] for doc in self.docs}

    def _after_hangs(self, runs: list[Run]) -> list[Path]:
        """Spend patience on a round of runs that timed out; return the documents they didn't
        reach, to be converted again (their PDFs, if any, are from before: removed)."""
        hung = [run for run in runs if run.timed_out and not run.stopped]
        if not hung:
            return []
        culprits = [doc for doc in (hung_on(run, self.out_dir) for run in hung) if doc is not None]
        names = ", ".join(doc.name for doc in culprits)
        self.patience.spend(names)
        left = [doc for run in hung for doc in unreached(run, self.out_dir)]
        for doc in left:
            (self.out_dir / f"{doc.stem}.pdf").unlink(missing_ok=True)
        if left and not self.patience.exhausted:
            log.warning(
                "LibreOffice hung on %s; converting the %d documents after it again", names,
                len(left),
            )  # fmt: skip
        return left

    def stop(self) -> None:
        """Stop every LibreOffice at work (interrupted): none takes another batch."""
        self._halt()
        with self._changed:
            for run in self.runs:
                run.stop()
        for office in self._offices:
            office.abandon()  # it may be half-way through a batch

    def _halt(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    def _take(self, offices: int) -> Run | None:
        """Wait for documents; take a share of them, or None once none will come."""
        with self._changed:
            while not self._waiting and not self._complete and not self._stopped:
                self._changed.wait()
            if self._stopped or not self._waiting:
                return None
            share = -(-len(self._waiting) // (2 * offices))  # rounded up
            run = Run(self._waiting[:share])
            del self._waiting[:share]
            self.runs.append(run)
            return run

    def _work(self, office: Office) -> None:
        if not office.ready(max(0.0, self._deadline - time.monotonic())):
            return
        while not office.closed and (run := self._take(len(self._offices))) is not None:
            office.convert(run, self.out_dir, self.timeout, self.progress)
            if run.timed_out or run.returncode != 0:
                return


def _own_runs(
    executable: str,
    docs: list[Path],
    jobs: int,
    out_dir: Path,
    timeout: float,
    progress: Progress | None,
) -> list[Run]:
    """Convert the documents in `jobs` soffice runs side by side, each with its own profile."""
    runs = [Run(batch) for batch in split_batches(docs, jobs)]
    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        try:
            futures = [
                pool.submit(run_soffice, executable, run, out_dir, timeout, progress)
                for run in runs
            ]
            for future in futures:
                future.result()
        except BaseException:  # interrupted: stop every LibreOffice before going
            for run in runs:
                run.stop()
            raise
    return runs


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


def require_soffice(soffice: str) -> str:
    """Return the soffice executable; if there is none, say so once, before any work is done."""
    executable = shutil.which(soffice)
    if executable is None:
        raise ConversionError(
            f"LibreOffice ({soffice}) was not found, so no document can be converted to PDF; "
            f"{INSTALL_HINT}"
        )
    return executable


def _find_soffice(soffice: str, docs: list[Path]) -> str:
    executable = shutil.which(soffice)
    if executable is None:
        raise ConversionError(
            f"LibreOffice ({soffice}) was not found, so these documents can't be converted to "
            f"PDF; {INSTALL_HINT}",
            [Problem(Location(d.name), "not converted") for d in docs],
        )
    return executable


def hung_on(run: Run, out_dir: Path) -> Path | None:
    """The document a timed-out run hung on: LibreOffice converts a batch in order, so the first
    one without a whole PDF."""
    return next((doc for doc in run.docs if not is_complete_pdf(out_dir / f"{doc.stem}.pdf")), None)


def unreached(run: Run, out_dir: Path) -> list[Path]:
    """The documents of a timed-out run after the one it hung on."""
    culprit = hung_on(run, out_dir)
    return [] if culprit is None else run.docs[run.docs.index(culprit) + 1 :]


def _collect(
    runs: list[Run], out_dir: Path, timeout: float, docs: list[Path], given_up: list[Path]
) -> dict[Path, Path]:
    """Check that every document has a non-empty PDF; name each one that doesn't, in order.

    In a run that timed out, the documents before the one it hung on converted."""
    pdfs: dict[Path, Path] = {}
    problems = []
    run_of = {doc: run for run in runs for doc in run.docs}  # a document's last run
    for doc in [doc for doc in docs if doc in run_of or doc in given_up]:
        pdf = out_dir / f"{doc.stem}.pdf"
        if doc in given_up:
            problems.append(Problem(Location(doc.name), GIVEN_UP))
            continue
        run = run_of[doc]
        culprit = hung_on(run, out_dir) if run.timed_out else None
        converted = pdf.is_file() and pdf.stat().st_size > 0
        if converted and (not run.timed_out or _before(doc, culprit, run)):
            pdfs[doc] = pdf
        elif run.timed_out and culprit is not None and doc != culprit:
            problems.append(Problem(Location(doc.name), _not_reached(culprit)))
        else:
            problems.append(Problem(Location(doc.name), _failure(run, timeout)))
    if problems:
        names = ", ".join(p.location.file for p in problems)
        message = f"LibreOffice could not convert {names} to PDF."
        if _disk_full(out_dir):  # LibreOffice says only "Io Abort"
            message = f"No space left on device: {out_dir}. {message}"
        raise ConversionError(message, problems)
    return pdfs


def _before(doc: Path, culprit: Path | None, run: Run) -> bool:
    return culprit is None or run.docs.index(doc) < run.docs.index(culprit)


def _not_reached(culprit: Path) -> str:
    return f"not converted: LibreOffice hung on {culprit.name} before it came to this one"


def _disk_full(folder: Path) -> bool:
    """Tell whether the disk holding `folder` has less than FULL_DISK bytes free."""
    try:
        return shutil.disk_usage(folder).free < FULL_DISK
    except OSError:
        return False


def _failure(run: Run, timeout: float) -> str:
    if run.timed_out:
        return f"LibreOffice did not finish within {timeout:g} s and was stopped"
    detail = _last_line(run.output)
    if run.returncode:
        return f"LibreOffice failed (exit status {run.returncode}){detail}"
    return f"LibreOffice produced no PDF{detail}"


def _last_line(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    return f": {lines[-1]}" if lines else ""
