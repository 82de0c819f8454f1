"""LibreOffice conversion: the real soffice for the good path, fake soffice scripts for failures."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from docx import Document
from fake_libreoffice import fake_libreoffice
from pypdf import PdfReader

from packgen.convert.conversion import (
    INSTALL_HINT,
    Conversion,
    convert_to_pdf,
    require_soffice,
    split_batches,
)
from packgen.convert.office import StartedOffice, start_offices
from packgen.convert.soffice import Patience, soffice_version
from packgen.errors import ConversionError

pytestmark = pytest.mark.soffice


def make_docx(path: Path, heading: str, paragraphs: int = 1) -> Path:
    """Write a small Word document with a heading and some paragraphs."""
    document = Document()
    document.add_heading(heading)
    for _ in range(paragraphs):
        document.add_paragraph("The partnership agreed the recommendations. " * 20)
    document.save(path)
    return path


def fake_soffice(folder: Path, body: str) -> str:
    """Write an executable shell script standing in for soffice; return its path."""
    script = folder / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


@pytest.fixture
def docs(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "docs"
    folder.mkdir()
    return [make_docx(folder / f"paper-{i}.docx", f"Paper {i}", i * 8 + 1) for i in range(3)]


def test_converts_every_document_to_a_non_empty_pdf(docs: list[Path], tmp_path: Path) -> None:
    done: list[Path] = []
    pdfs = convert_to_pdf(docs, tmp_path / "pdf", jobs=2, progress=done.append)
    assert list(pdfs) == docs
    for doc, pdf in pdfs.items():
        assert pdf == tmp_path / "pdf" / f"{doc.stem}.pdf"
        assert f"Paper {doc.stem[-1]}" in PdfReader(pdf).pages[0].extract_text()
    assert sorted(done) == sorted(docs)


def test_batches_cover_every_document_once_in_order() -> None:
    docs = [Path(f"/nonexistent/{n}.docx") for n in "abcde"]
    batches = split_batches(docs, 2)
    assert len(batches) == 2
    assert sorted(d for b in batches for d in b) == sorted(docs)
    assert all(b == sorted(b, key=docs.index) for b in batches)


def test_one_document_gives_one_batch() -> None:
    assert split_batches([Path("a.docx")], 2) == [[Path("a.docx")]]


def test_missing_soffice_names_the_documents_and_how_to_install(
    docs: list[Path], tmp_path: Path
) -> None:
    with pytest.raises(ConversionError) as info:
        convert_to_pdf(docs, tmp_path / "pdf", soffice=str(tmp_path / "no-such-soffice"))
    message = str(info.value)
    assert INSTALL_HINT in message
    assert all(doc.name in message for doc in docs)


def test_soffice_exiting_0_without_pdf_names_the_document(docs: list[Path], tmp_path: Path) -> None:
    soffice = fake_soffice(tmp_path, "exit 0")
    with pytest.raises(ConversionError, match="paper-1.docx") as info:
        convert_to_pdf(docs, tmp_path / "pdf", soffice=soffice)
    assert "produced no PDF" in str(info.value)


def test_failing_soffice_gives_its_exit_status(docs: list[Path], tmp_path: Path) -> None:
    soffice = fake_soffice(tmp_path, "echo 'Error: source file could not be loaded'; exit 81")
    with pytest.raises(ConversionError, match="exit status 81") as info:
        convert_to_pdf(docs[:1], tmp_path / "pdf", soffice=soffice)
    assert "paper-0.docx" in str(info.value)
    assert "could not be loaded" in str(info.value)


def test_hanging_soffice_is_killed_with_its_children(docs: list[Path], tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    soffice = fake_soffice(tmp_path, f"sleep 300 & echo $! >> {pids}; echo $$ >> {pids}; wait")
    with pytest.raises(ConversionError, match="did not finish within 2 s") as info:
        convert_to_pdf(docs, tmp_path / "pdf", soffice=soffice, timeout=2)
    assert all(doc.name in str(info.value) for doc in docs)
    for pid in pids.read_text().split():
        assert not _alive(int(pid)), f"process {pid} survived"


def test_two_documents_with_the_same_name_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = make_docx(tmp_path / "a" / "letter.docx", "A")
    second = make_docx(tmp_path / "b" / "Letter.docx", "B")
    with pytest.raises(ConversionError, match="same PDF"):
        convert_to_pdf([first, second], tmp_path / "pdf")


def test_soffice_version_names_libreoffice() -> None:
    assert soffice_version().startswith("LibreOffice ")


def _alive(pid: int) -> bool:
    """Tell whether a process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return bool(state.stdout.strip()) and not state.stdout.strip().startswith("Z")


def test_soffice_that_cannot_run_names_the_document(docs: list[Path], tmp_path: Path) -> None:
    soffice = fake_soffice(tmp_path, "exit 0")
    Path(soffice).write_text("#!/nonexistent/interpreter\n")  # executable, but exec fails
    with pytest.raises(ConversionError, match="paper-0.docx") as info:
        convert_to_pdf(docs[:1], tmp_path / "pdf", soffice=soffice)
    assert "can't be run" in str(info.value)


def _office_traces(offices: list[StartedOffice]) -> list[str]:
    """What started-ahead LibreOffices left: live processes, profiles, IPC pipes."""
    left = [str(o.profile) for o in offices if o.profile.exists()]
    left += [str(p) for o in offices for p in o.pipes if p.exists()]
    found = subprocess.run(["pgrep", "-af", "packgen-office-"], capture_output=True, text=True)
    mine = {str(o.profile) for o in offices}
    live = [ln for ln in found.stdout.splitlines() if any(m in ln for m in mine)]
    return left + [ln for ln in live if _alive(int(ln.split()[0]))]


def test_offices_started_ahead_convert_batch_after_batch(docs: list[Path], tmp_path: Path) -> None:
    offices = start_offices(2)
    try:
        done: list[Path] = []
        pdfs = convert_to_pdf(docs, tmp_path / "pdf", offices=offices, progress=done.append)
        again = convert_to_pdf(docs[:1], tmp_path / "again", offices=offices)
        assert all(not o.closed for o in offices)  # still up for the next batch
    finally:
        for office in offices:
            office.close()
    assert sorted(done) == sorted(docs)
    for doc, pdf in [*pdfs.items(), *again.items()]:
        assert f"Paper {doc.stem[-1]}" in PdfReader(pdf).pages[0].extract_text()
    assert _office_traces(offices) == []


def test_a_soffice_that_is_no_server_falls_back_to_its_own_runs(
    docs: list[Path], tmp_path: Path
) -> None:
    calls = tmp_path / "calls"
    soffice = fake_soffice(tmp_path, f'echo "$*" >> {calls}; exit 0')
    offices = start_offices(2, soffice)
    with pytest.raises(ConversionError, match="produced no PDF"):
        convert_to_pdf(docs, tmp_path / "pdf", soffice=soffice, offices=offices)
    runs = calls.read_text().splitlines()
    assert sum("--convert-to" in run for run in runs) == 2  # each batch ran a soffice of its own
    conversions = [run for run in runs if "--convert-to" in run]
    assert not any(str(o.profile) in run for o in offices for run in conversions)
    assert _office_traces(offices) == []


def test_a_hanging_office_is_given_up_and_killed(docs: list[Path], tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    soffice = fake_soffice(tmp_path, f"sleep 300 & echo $! >> {pids}; echo $$ >> {pids}; wait")
    offices = start_offices(1, soffice)
    with pytest.raises(ConversionError, match="did not finish within 2 s"):
        convert_to_pdf(docs, tmp_path / "pdf", soffice=soffice, timeout=2, offices=offices)
    assert offices[0].closed
    for pid in pids.read_text().split():
        assert not _alive(int(pid)), f"process {pid} survived"
    assert _office_traces(offices) == []


def test_a_killed_office_leaves_nothing_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("TMPDIR", str(scratch))
    offices = start_offices(1)
    assert offices[0].ready(30)
    offices[0].close()  # killed outright, as on a failed build
    assert list(scratch.iterdir()) == []
    assert _office_traces(offices) == []


def test_documents_handed_over_are_converted_while_the_caller_goes_on(
    docs: list[Path], tmp_path: Path
) -> None:
    offices = start_offices(1)
    out = tmp_path / "pdf"
    try:
        with Conversion(out, offices=offices) as conversion:
            conversion.add(docs[:1])
            deadline = time.monotonic() + 60
            while not (out / f"{docs[0].stem}.pdf").is_file() and time.monotonic() < deadline:
                time.sleep(0.05)
            # Converted before `finish`: a build renders the next document meanwhile.
            assert (out / f"{docs[0].stem}.pdf").is_file()
            conversion.add(docs[1:])
            pdfs = conversion.finish()
        assert not offices[0].closed  # one office did it all, and is still up
    finally:
        offices[0].close()
    assert list(pdfs) == docs
    for doc, pdf in pdfs.items():
        assert f"Paper {doc.stem[-1]}" in PdfReader(pdf).pages[0].extract_text()


def test_an_error_while_documents_come_leaves_the_offices_whole(
    docs: list[Path], tmp_path: Path
) -> None:
    offices = start_offices(1)
    try:
        with pytest.raises(RuntimeError), Conversion(tmp_path / "pdf", offices=offices) as conv:
            conv.add(docs[:1])
            raise RuntimeError("a template could not be rendered")
        assert not offices[0].closed  # not killed, as it is on Ctrl-C: it converts on
        pdfs = convert_to_pdf(docs[1:2], tmp_path / "again", offices=offices)
        assert "Paper 1" in PdfReader(pdfs[docs[1]]).pages[0].extract_text()
    finally:
        offices[0].close()


# --- a LibreOffice that hangs: its cost is bounded in timeouts, counted in soffice runs ------


def _problems(info: pytest.ExceptionInfo[ConversionError]) -> dict[str, str]:
    return {problem.location.file: problem.message for problem in info.value.problems}


def sized_docx(path: Path, kilobytes: int) -> Path:
    """A Word document of about `kilobytes` KB: conversions take the largest first."""
    document = Document()
    document.add_paragraph(os.urandom(kilobytes * 512).hex())
    document.save(path)
    return path


def test_the_document_libreoffice_hangs_on_is_named_and_the_ones_after_it_converted(
    tmp_path: Path,
) -> None:
    names = ["big", "stuck", "middle", "small"]  # largest first: the order LibreOffice gets them
    batch = [sized_docx(tmp_path / f"{n}.docx", 40 - 10 * i) for i, n in enumerate(names)]
    fake = fake_libreoffice(tmp_path / "fake", hang_on=("stuck",))
    with pytest.raises(ConversionError) as info:
        convert_to_pdf(batch, tmp_path / "pdf", soffice=str(fake.soffice), timeout=1, jobs=1)
    assert _problems(info) == {
        "stuck.docx": "LibreOffice did not finish within 1 s and was stopped"
    }
    # One run hung on the second document; a new one converted the two after it.
    assert fake.runs() == [[f"{n}.docx" for n in names], ["middle.docx", "small.docx"]]
    for name in ("big", "middle", "small"):
        assert (tmp_path / "pdf" / f"{name}.pdf").stat().st_size > 0
    assert not (tmp_path / "pdf" / "stuck.pdf").exists()


def test_a_libreoffice_that_hangs_twice_is_given_up_naming_what_it_never_reached(
    tmp_path: Path,
) -> None:
    names = ["first", "stuck-1", "second", "stuck-2", "last"]
    batch = [sized_docx(tmp_path / f"{n}.docx", 50 - 10 * i) for i, n in enumerate(names)]
    fake = fake_libreoffice(tmp_path / "fake", hang_on=("stuck",))
    with pytest.raises(ConversionError) as info:
        convert_to_pdf(batch, tmp_path / "pdf", soffice=str(fake.soffice), timeout=1, jobs=1)
    stopped = "LibreOffice did not finish within 1 s and was stopped"
    assert _problems(info) == {
        "stuck-1.docx": stopped,
        "stuck-2.docx": stopped,
        "last.docx": "not converted: LibreOffice hung on stuck-2.docx before it came to this one",
    }
    # Two timeouts, then no third run: "first" and "second" converted.
    assert fake.runs() == [
        [f"{n}.docx" for n in names],
        ["second.docx", "stuck-2.docx", "last.docx"],
    ]


def test_a_version_that_hangs_counts_as_one_of_the_two_timeouts(tmp_path: Path) -> None:
    batch = [sized_docx(tmp_path / f"{n}.docx", kb) for n, kb in (("a", 30), ("b", 20), ("c", 10))]
    fake = fake_libreoffice(tmp_path / "fake", hang_on=(".docx",), version=False)
    patience = Patience()
    assert soffice_version(str(fake.soffice), timeout=1, patience=patience) == "unknown"
    with pytest.raises(ConversionError) as info:
        convert_to_pdf(
            batch, tmp_path / "pdf", soffice=str(fake.soffice), timeout=1, jobs=2,
            patience=patience,
        )  # fmt: skip
    # One round of two runs side by side ([a], [b, c]), then no retry.
    assert fake.runs() == [["a.docx"], ["b.docx", "c.docx"]] or fake.runs() == [
        ["b.docx", "c.docx"],
        ["a.docx"],
    ]
    assert fake.runs("version") == [[]]
    assert patience.hung == ["soffice --version", "a.docx, b.docx"] and patience.exhausted
    stopped = "LibreOffice did not finish within 1 s and was stopped"
    assert _problems(info) == {
        "a.docx": stopped,
        "b.docx": stopped,
        "c.docx": "not converted: LibreOffice hung on b.docx before it came to this one",
    }


def test_no_libreoffice_at_all_is_said_once(tmp_path: Path) -> None:
    with pytest.raises(ConversionError) as info:
        require_soffice(str(tmp_path / "no-such-soffice"))
    assert not info.value.problems
    assert str(info.value).startswith(f"LibreOffice ({tmp_path / 'no-such-soffice'}) was not found")
    assert INSTALL_HINT in str(info.value)
