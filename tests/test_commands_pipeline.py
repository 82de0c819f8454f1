"""End to end: `packgen build` of the sample meeting with the real LibreOffice, built once."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_libreoffice import fake_libreoffice
from pypdf import PdfReader

from packgen.cli import cli

pytestmark = pytest.mark.soffice

ROOT = Path(__file__).resolve().parent.parent
DATA, TEMPLATES = ROOT / "data", ROOT / "packgen" / "templates"
MEETING = "2020-10-15"


def run_build(output: Path, *args: str, data: Path = DATA):
    """Run `packgen build` for the sample meeting through click."""
    command = [*args, "build", MEETING, "--data", str(data), "--templates", str(TEMPLATES)]
    return CliRunner().invoke(cli, [*command, "--output", str(output)])


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Build the sample pack once for the whole session."""
    output = tmp_path_factory.mktemp("output")
    result = run_build(output)
    assert result.exit_code == 0, result.output
    folder = output / MEETING
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {
        "output": output,
        "folder": folder,
        "stdout": result.output,
        "manifest": manifest,
        "pack": folder / "meeting-pack.pdf",
        "reader": PdfReader(folder / "meeting-pack.pdf"),
    }


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def stamped_items(pdf: Path) -> dict[int, int]:
    """Map each page carrying an item stamp (top right) to its item number."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True)
    stamps = {}
    for number, page in enumerate(html.stdout.split("<page ")[1:], start=1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        found = re.search(
            r'xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">Item</word>'
            r"\s*<word[^>]*>(\d+)</word>",
            page,
        )
        if found and float(found.group(1)) > width / 2 and float(found.group(2)) < 40:
            stamps[number] = int(found.group(3))
    return stamps


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_summary_line_names_the_pack_pages_documents_and_time(built: dict) -> None:
    pages, documents = built["manifest"]["pages"], len(built["manifest"]["documents"])
    pattern = rf"Built .*{MEETING}/meeting-pack.pdf: {pages} pages, {documents} documents, [\d.]+ s"
    assert re.fullmatch(pattern, built["stdout"].strip().splitlines()[-1])


def test_page_count_is_the_sum_of_the_parts(built: dict) -> None:
    parts = [PdfReader(built["folder"] / d["pdf"]) for d in built["manifest"]["documents"]]
    assert len(built["reader"].pages) == sum(len(r.pages) for r in parts)
    assert built["manifest"]["pages"] == len(built["reader"].pages)


def test_pack_holds_the_agenda_first_then_the_papers_in_agenda_order(built: dict) -> None:
    items = [d["item"] for d in built["manifest"]["documents"]]
    assert items[0] is None
    assert items[1:] == sorted(items[1:])
    assert {2, 3, 6, 7, 8, 9, 10, 11} <= set(items)


def test_bookmarks_match_the_agenda(built: dict) -> None:
    outline, manifest = built["reader"].outline, built["manifest"]
    tops = [o.title for o in outline if not isinstance(o, list)]
    with_documents = [i for i in manifest["items"] if i["documents"]]
    assert tops == ["Agenda"] + [f"{i['number']} {i['title']}" for i in with_documents]
    titles = {d["key"]: d["title"] for d in manifest["documents"]}
    children = [[c.title for c in o] for o in outline if isinstance(o, list)]
    assert children == [[titles[key] for key in i["documents"]] for i in with_documents]


def test_every_page_carries_its_number_and_the_meeting(built: dict) -> None:
    texts = page_texts(built["pack"])
    assert len(texts) == built["manifest"]["pages"]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text
        assert "BHR Safeguarding Partnership – 15 October 2020" in text


def test_each_document_starts_on_a_page_stamped_with_its_item(built: dict) -> None:
    expected = {d["pages"][0]: d["item"] for d in built["manifest"]["documents"] if d["item"]}
    assert stamped_items(built["pack"]) == expected


def test_agenda_page_references_are_the_real_start_pages(built: dict) -> None:
    stamps = stamped_items(built["pack"])
    first = {item: min(p for p, i in stamps.items() if i == item) for item in set(stamps.values())}
    agenda_pages = built["manifest"]["documents"][0]["pages"]
    agenda = " ".join(page_texts(built["pack"])[agenda_pages[0] - 1 : agenda_pages[1]])
    printed = [int(n) for n in re.findall(r"\bpp?\. (\d+)", agenda)]
    assert printed == [first[item] for item in sorted(first)]
    ranges = {i["number"]: i["pages"] for i in built["manifest"]["items"] if i["pages"]}
    assert all(ranges[item][0] == page for item, page in first.items())


def test_landscape_pages_are_stamped_inside_their_own_bounds(built: dict) -> None:
    reader = built["reader"]
    landscape = [n for n, p in enumerate(reader.pages) if p.mediabox.width > p.mediabox.height]
    assert landscape, "the sample has landscape tables"
    html = subprocess.run(
        [
            "pdftotext",
            "-bbox",
            "-f",
            str(landscape[0] + 1),
            "-l",
            str(landscape[0] + 1),
            str(built["pack"]),
            "-",
        ],
        capture_output=True,
        text=True,
    ).stdout
    width, height = (
        float(v) for v in re.search(r'width="([\d.]+)" height="([\d.]+)"', html).groups()
    )
    x0, y0, x1, y1 = (
        float(v)
        for v in re.search(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">Page<', html
        ).groups()
    )
    assert width > height
    assert 0 < x0 < x1 < width and height - 40 < y0 < y1 < height


def test_page_labels_match_the_stamped_numbers(built: dict) -> None:
    assert built["reader"].page_labels == [str(n) for n in range(1, built["manifest"]["pages"] + 1)]


def test_metadata_names_the_pack_and_no_local_path(built: dict) -> None:
    meta = built["reader"].metadata
    assert meta.title == "BHR Safeguarding Partnership – Meeting Pack – 15 October 2020"
    assert meta.author == "BHR Safeguarding Partnership"
    assert "15 October 2020" in meta.subject
    data = built["pack"].read_bytes() + (built["folder"] / "manifest.json").read_bytes()
    for local in (str(ROOT), str(built["output"]), "/tmp/", "file:"):
        assert local.encode() not in data


def test_manifest_lists_every_source_with_its_sha256(built: dict) -> None:
    sources = {s["file"]: s["sha256"] for s in built["manifest"]["sources"]}
    for workbook in DATA.glob("*.xlsx"):
        digest = hashlib.sha256(workbook.read_bytes()).hexdigest()
        assert sources[f"data/{workbook.name}"] == digest
    assert f"data/papers/{MEETING}/Sir Alan Wood - Phase One Report.pdf" in sources
    assert "templates/agenda.docx" in sources
    assert built["manifest"]["versions"]["libreoffice"].startswith("LibreOffice")


def test_output_holds_documents_pdfs_and_no_temporary_folders(built: dict) -> None:
    folder = built["folder"]
    assert (folder / "documents" / "00-agenda.docx").is_file()
    assert sorted(p.name for p in (folder / "pdf").iterdir()) == sorted(
        f"{d['key']}.pdf" for d in built["manifest"]["documents"]
    )
    kept = [p.name for p in built["output"].iterdir() if p.name != ".cache"]  # the PDF cache
    assert kept == [MEETING]


@pytest.fixture
def previous(built: dict, tmp_path: Path) -> Path:
    """An output folder holding a copy of the good pack."""
    output = tmp_path / "output"
    shutil.copytree(built["folder"], output / MEETING)
    return output


def fake_soffice(folder: Path, body: str) -> Path:
    script = folder / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return script


def test_failing_libreoffice_leaves_the_previous_pack_byte_for_byte(
    previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(previous / MEETING)
    monkeypatch.setenv("PACKGEN_SOFFICE", str(fake_soffice(tmp_path, "exit 3")))
    result = run_build(previous)
    assert result.exit_code == 1
    # The agenda is converted only once the other documents' pages are known: never, here.
    assert "LibreOffice could not convert" in result.output
    assert "03-action-log.docx" in result.output
    assert snapshot(previous / MEETING) == before
    assert [p.name for p in previous.iterdir() if p.name != ".cache"] == [MEETING]  # caches


def _named(output: str) -> dict[str, str]:
    """The documents a failed build names, with what it says of each."""
    lines = [line.strip().split(": ", 1) for line in output.splitlines() if line.startswith("  ")]
    return {line[0]: line[1] for line in lines if len(line) == 2}


def test_a_build_whose_libreoffice_hangs_fails_after_two_timeouts_naming_every_document(
    previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(previous / MEETING)
    fake = fake_libreoffice(tmp_path / "fake", hang_on=(".",))
    monkeypatch.setenv("PACKGEN_SOFFICE", str(fake.soffice))
    monkeypatch.setenv("PACKGEN_SOFFICE_TIMEOUT", "1")
    result = run_build(previous)
    assert result.exit_code == 1 and "Traceback" not in result.output
    runs = fake.runs()
    # Two rounds of two runs side by side, each run hanging on its first document; the second
    # round took what the first never reached; no third round.
    assert len(runs) == 4
    first, second = runs[:2], runs[2:]
    assert sorted(sum(second, [])) == sorted(sum((run[1:] for run in first), []))
    named = _named(result.output)
    assert set(named) == set(sum(first, []))  # every document the build had to convert
    stopped = [doc for doc, message in named.items() if "did not finish within 1 s" in message]
    assert sorted(stopped) == sorted(run[0] for run in runs)
    assert all(
        "before it came to this one" in message
        for doc, message in named.items()
        if doc not in stopped
    )
    assert snapshot(previous / MEETING) == before


def test_a_libreoffice_that_hangs_even_on_its_version_costs_two_timeouts(
    previous: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = fake_libreoffice(tmp_path / "fake", hang_on=(".",), version=False)
    monkeypatch.setenv("PACKGEN_SOFFICE", str(fake.soffice))
    monkeypatch.setenv("PACKGEN_SOFFICE_TIMEOUT", "1")
    result = run_build(previous)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(fake.runs("version")) == 1 and len(fake.runs()) == 2  # one round, no retry
    assert "did not say its version within 1 s" in caplog.text
    assert set(_named(result.output)) == set(sum(fake.runs(), []))


def test_the_one_document_libreoffice_hangs_on_is_the_one_named(
    previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_libreoffice(tmp_path / "fake", hang_on=("08c-",))
    monkeypatch.setenv("PACKGEN_SOFFICE", str(fake.soffice))
    monkeypatch.setenv("PACKGEN_SOFFICE_TIMEOUT", "1")
    result = run_build(previous)
    assert result.exit_code == 1 and "Traceback" not in result.output
    first, again = fake.runs()[:2], fake.runs()[2:]  # two side by side, then the rest again
    hung = next(run for run in first if any(doc.startswith("08c-") for doc in run))
    stuck = next(doc for doc in hung if doc.startswith("08c-"))
    assert _named(result.output) == {stuck: "LibreOffice did not finish within 1 s and was stopped"}
    assert sorted(sum(again, [])) == sorted(hung[hung.index(stuck) + 1 :])


def test_a_missing_libreoffice_is_said_once_before_anything_is_rendered(
    previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PACKGEN_SOFFICE", str(tmp_path / "no-such-soffice"))
    result = CliRunner().invoke(
        cli,
        ["--verbose", "build", MEETING, "--data", str(DATA), "--templates", str(TEMPLATES),
         "--output", str(previous)],
    )  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.count("was not found") == 1
    assert f"LibreOffice ({tmp_path / 'no-such-soffice'}) was not found" in result.output
    assert "not converted" not in result.output
    assert "Rendering" not in result.output and "Converting" not in result.output


def test_a_build_removes_folders_left_by_killed_builds(
    previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    abandoned = previous / ".packgen-build-999999999-x1y2"
    (abandoned / MEETING).mkdir(parents=True)
    monkeypatch.setenv("PACKGEN_SOFFICE", str(fake_soffice(tmp_path, "exit 3")))
    assert run_build(previous).exit_code == 1
    assert [p.name for p in previous.iterdir() if p.name != ".cache"] == [MEETING]  # caches


def test_an_encrypted_paper_stops_the_build_by_name(
    previous: Path, sample_copy: Path, tmp_path: Path
) -> None:
    """PDF papers are checked while LibreOffice converts the Word documents: nothing is kept."""
    before = snapshot(previous / MEETING)
    paper = sample_copy / "papers" / MEETING / "Sir Alan Wood - Phase One Report.pdf"
    paper.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Encrypt 2 0 R >>\nendobj\n%%EOF\n")
    result = run_build(previous, data=sample_copy)
    assert result.exit_code == 1
    assert "Sir Alan Wood - Phase One Report.pdf" in result.output
    assert "Traceback" not in result.output
    assert snapshot(previous / MEETING) == before
    assert not list(previous.glob(".packgen-build-*"))  # the staging folder went too


def test_an_interrupted_build_leaves_the_previous_pack_and_no_process(
    previous: Path, tmp_path: Path
) -> None:
    before = snapshot(previous / MEETING)
    pids = tmp_path / "pids"
    soffice = fake_soffice(tmp_path, f"echo $$ >> {pids}; sleep 300 & echo $! >> {pids}; wait")
    env = {**os.environ, "PACKGEN_SOFFICE": str(soffice)}
    command = [
        sys.executable,
        "-m",
        "packgen",
        "build",
        MEETING,
        "--data",
        str(DATA),
        "--templates",
        str(TEMPLATES),
        "--output",
        str(previous),
    ]
    build = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while not pids.exists() or len(pids.read_text().split()) < 4:
        assert build.poll() is None, build.communicate()
        time.sleep(0.1)
    build.send_signal(signal.SIGTERM)
    assert build.wait(timeout=30) == 128 + signal.SIGTERM
    assert snapshot(previous / MEETING) == before
    assert [p.name for p in previous.iterdir() if p.name != ".cache"] == [MEETING]  # caches
    for pid in pids.read_text().split():
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state(int(pid))


def _state(pid: int) -> str:
    return subprocess.run(
        ["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True
    ).stdout


def test_deciding_to_keep_a_pack_imports_no_document_or_pdf_library() -> None:
    """An unchanged rebuild stays light: the build module alone pulls in no docx, Jinja or PDF."""
    code = (
        "import sys, packgen.commands.pipeline, packgen.cli; "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'docx', 'docxtpl', 'jinja2', 'pypdf', 'reportlab', 'smtplib'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_wrong_first_guess_of_the_agendas_length_settles_on_the_real_pages(
    built: dict, tmp_path: Path
) -> None:
    """The agenda is first rendered for 3 pages it doesn't have: another round fixes that."""
    from datetime import date

    from packgen.check.inputs import prepare
    from packgen.convert.cache import CachedConverter
    from packgen.pack.pagerefs import PageReferences
    from packgen.plan.documents import plan_pack
    from packgen.plan.layout import Part

    prepared = prepare(DATA, date.fromisoformat(MEETING))
    plan = plan_pack(prepared)
    folder = tmp_path / MEETING
    shutil.copytree(built["folder"] / "pdf", folder / "pdf")
    (folder / "pdf" / "00-agenda.pdf").unlink()
    by_key = {doc.key: doc for doc in plan.documents}
    parts = [
        Part(d["key"], folder / d["pdf"], d["title"], d["item"], by_key[d["key"]].item.title)
        if d["item"] is not None
        else Part(d["key"], folder / d["pdf"], d["title"])
        for d in built["manifest"]["documents"]
    ]
    with CachedConverter.for_output(tmp_path / "out") as convert:
        refs = PageReferences(prepared, TEMPLATES, convert, agenda_pages=3)
        layout = refs.settle(parts, plan, folder)
    expected = {i["number"]: tuple(i["pages"]) for i in built["manifest"]["items"] if i["pages"]}
    assert layout.items == expected
    assert convert.converted == 2  # the agenda for 3 pages, then for its real 1
