"""The robustness corpus: bad, broken and hostile input through check, render and build.

Every row asserts the exit code, a message naming the file and its place, no traceback, every
input and the previous pack byte for byte unchanged, and nothing left behind: no temporary
folders, LibreOffice profiles, lock files or processes.
"""

from __future__ import annotations

import logging
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE
from corpus import (
    MEETING,
    PAPERS,
    Case,
    Damage,
    big_action_log,
    both,
    cell,
    docx_part,
    docx_text,
    empty_workbook,
    encrypted_pdf,
    entity_bomb,
    env,
    fake_soffice,
    file_bytes,
    hide_behind_stale_copy,
    hide_only_sheet,
    output_under_a_file,
    packgen_command,
    papers_cell,
    pids_alive,
    remove,
    sheet_edit,
    snapshot,
    stray_processes,
    template_text,
    wait_for,
    zip_bomb,
)
from docx import Document

from packgen.cli import cli

pytestmark = pytest.mark.soffice
TEMPLATES = ROOT / "packgen" / "templates"
KENT = f"{PAPERS}/Kent Thematic Analysis - Executive Summary.pdf"
LETTER = f"{PAPERS}/Rapid Review Letter.docx"
WOOD = f"{PAPERS}/Sir Alan Wood - Phase One Report.pdf"
ACTION_TEXT = "B23"  # action 2020/17, on the action log of 15 October 2020
LONG = "Officer's note. " * 1875  # 30,000 characters in one cell
JINJA = "{{ 7*7 }} {{ ''.__class__.__mro__ }}"
WORLD = "Family 👨‍👩‍👧 met on 3 Oct ✓ — مرحبا بالعالم — שלום עולם — Ünïcödé"


@dataclass(frozen=True)
class Row:
    id: str
    damage: Damage
    command: str  # check, render or build
    code: int
    fragments: tuple[str, ...]
    then: Callable[[Case], None] | None = None  # more checks on what a successful run wrote
    args: tuple[str, ...] = (MEETING,)


def in_action_log(text: str) -> Callable[[Case], None]:
    """Check the rendered action log holds `text` as typed (whitespace folded)."""

    def check(case: Case) -> None:
        written = docx_text(case.output / MEETING / "documents" / "03-action-log.docx")
        assert " ".join(text.split()) in written

    return check


def _drop_heading_row(wb) -> None:
    wb.worksheets[0].delete_rows(3)


def _duplicate_lead(wb) -> None:
    ws = wb.worksheets[0]
    ws["E3"], ws["E23"] = "Lead", "SOMEONE ELSE"


SEPTEMBER, OCTOBER = "minutes/2020-09-09.docx", "minutes/2020-10-15.docx"


def _notes(
    rel: str, content: bytes | None = None, headings: tuple[str, ...] = (),
    attendance: tuple[str, ...] = (),
) -> Damage:  # fmt: skip
    """Put Word notes (or `content`) at data/minutes/<date>.docx: item 1 with a line, then
    `headings`, and an attendance table marking `attendance` as attended."""

    def damage(case: Case) -> dict:
        path = case.data / rel
        path.parent.mkdir(exist_ok=True)
        if content is not None:
            path.write_bytes(content)
            return {}
        doc = Document()
        doc.add_heading("1. Welcome, Introductions and Apologies", 2)
        doc.add_paragraph("All were welcomed.")
        for heading in headings:
            doc.add_heading(heading, 2)
        if attendance:
            table = doc.add_table(rows=1, cols=2)
            table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Name", "Attendance"
            for name in attendance:
                row = table.add_row()
                row.cells[0].text, row.cells[1].text = name, "attended"
        doc.save(str(path))
        return {}

    return damage


def _in_notes(case: Case, text: str) -> None:
    written = docx_text(case.output / MEETING / "documents" / "02-notes-of-previous-meeting.docx")
    assert text in written


def _truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _half_xml(data: bytes) -> bytes:
    return data[: len(data) // 2]


# fmt: off
ROWS = [
    # --- workbooks -----------------------------------------------------------------------
    Row("xlsx-not-a-zip", file_bytes("meetings.xlsx", b"Date,Start,End\n15/10/2020,09:00\n"),
        "build", 1, ("meetings.xlsx: is not an .xlsx workbook",)),
    Row("xlsx-truncated", file_bytes("forward_plan.xlsx", _truncate), "render", 1,
        ("forward_plan.xlsx: is not an .xlsx workbook",)),
    Row("xlsx-password-protected",
        file_bytes("letters.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)), "build", 1,
        ("letters.xlsx: is password-protected or an old .xls file",)),
    Row("xlsx-zero-bytes", file_bytes("action_log.xlsx", b""), "build", 1,
        ("action_log.xlsx: is not an .xlsx workbook",)),
    Row("xlsx-no-sheets-with-data", empty_workbook("case_review_tracker.xlsx"), "build", 1,
        ("case_review_tracker.xlsx: no sheet has a heading row with Initials",)),
    Row("xlsx-no-heading-row", sheet_edit("action_log.xlsx", _drop_heading_row), "render", 1,
        ("action_log.xlsx: no sheet has a heading row with Date, Action, Lead",)),
    Row("heading-missing", cell("forward_plan.xlsx", "C4", "Presenter of"), "build", 1,
        ("forward_plan.xlsx: no sheet has a heading row with Agenda Item, Lead",)),
    Row("heading-duplicated", sheet_edit("action_log.xlsx", _duplicate_lead), "build", 1,
        ("action_log.xlsx › Action Log › E3: heading 'Lead' repeats 'Lead' in C3",)),
    Row("date-31-february", cell("meetings.xlsx", "A3", "31/02/2020", sheet="Attendance"),
        "build", 1, ("meetings.xlsx › Attendance › A3: ", "31/02/2020 is not a real date")),
    Row("date-31-february-tracker", cell("case_review_tracker.xlsx", "F8", "31/02/2020"),
        "render", 1, ("case_review_tracker.xlsx › Case Review Tracker › F8: Presentation to "
                      "Local SCP: 31/02/2020 is not a real date",)),
    Row("text-for-a-number", cell("meetings.xlsx", "C6", "eleven o'clock"), "build", 1,
        ("meetings.xlsx › Meetings › C6: End: \"eleven o'clock\" is not a time",)),
    Row("formula-without-cached-value", cell("action_log.xlsx", "C23", '=UPPER("jc")'),
        "build", 1, ("action_log.xlsx › Action Log › C23: the formula has no saved value",)),
    Row("hidden-stale-sheet-ignored", hide_behind_stale_copy("action_log.xlsx"), "render", 0,
        ("Rendered",), then=lambda case: _absent(case, "STALE ROW FROM A HIDDEN SHEET")),
    Row("hidden-only-sheet-warned", hide_only_sheet("action_log.xlsx"), "check", 0,
        ("action_log.xlsx › Action Log: the table is on a hidden sheet",)),
    Row("cell-30000-characters", cell("action_log.xlsx", ACTION_TEXT, LONG), "render", 0,
        ("Rendered 10 documents",), then=in_action_log(LONG)),
    Row("cell-emoji-and-right-to-left", cell("action_log.xlsx", ACTION_TEXT, WORLD), "render",
        0, ("Rendered",), then=in_action_log(WORLD)),
    Row("cell-jinja-expression", cell("action_log.xlsx", ACTION_TEXT, JINJA), "render", 0,
        ("Rendered",), then=in_action_log(JINJA)),
    Row("cell-jinja-statement",
        cell("action_log.xlsx", ACTION_TEXT, "{% for x in range(10**9) %}x{% endfor %}"),
        "render", 0, ("Rendered",), then=in_action_log("{% for x in range(10**9) %}x{% endfor %}")),
    Row("cell-xml-markup",
        cell("action_log.xlsx", ACTION_TEXT, '</w:t></w:r><w:r><w:t>x</w:t> <b>&amp; "q"'),
        "render", 0, ("Rendered",),
        then=in_action_log('</w:t></w:r><w:r><w:t>x</w:t> <b>&amp; "q"')),
    Row("cell-jinja-in-a-title", cell("forward_plan.xlsx", "B33", "{%p endfor %}{{ x"), "render",
        0, ("Rendered",)),
    # --- hostile files -------------------------------------------------------------------
    Row("xlsx-entity-bomb", entity_bomb("action_log.xlsx", "xl/worksheets/sheet1.xml"), "build",
        1, ("action_log.xlsx: xl/worksheets/sheet1.xml declares XML entities",)),
    Row("xlsx-zip-bomb-size", zip_bomb("meetings.xlsx", 250), "render", 1,
        ("meetings.xlsx: would unpack to 250 MB, more than 200 MB: refused",)),
    Row("xlsx-zip-bomb-ratio", zip_bomb("letters.xlsx", 20), "check", 1,
        ("letters.xlsx: customXml/padding.bin is compressed",)),
    Row("docx-paper-entity-bomb", entity_bomb(LETTER, "word/document.xml"), "build", 1,
        (f"{PAPERS} › Rapid Review Letter.docx: word/document.xml declares XML entities",)),
    Row("docx-paper-zip-bomb", zip_bomb(LETTER, 250), "check", 1,
        (f"{PAPERS} › Rapid Review Letter.docx: would unpack to 25",)),
    Row("template-entity-bomb", entity_bomb("letter.docx", "word/document.xml", "templates"),
        "build", 1, ("letter.docx: word/document.xml declares XML entities",)),
    Row("template-zip-bomb", zip_bomb("tracker.docx", 30, "templates"), "render", 1,
        ("tracker.docx: customXml/padding.bin is compressed",)),
    # --- templates -----------------------------------------------------------------------
    Row("template-jinja-syntax-error",
        template_text("letter.docx", "{{ partnership }}", "{{ partnership | }}"), "build", 1,
        ("letter.docx › paragraph 4 › “{{ partnership | }}”: TemplateSyntaxError",)),
    Row("template-unknown-variable",
        template_text("tracker.docx", "{{ title }}", "{{ title }} {{ secret_key }}"), "build", 1,
        ("tracker.docx: uses {{ secret_key }}, which the data can't provide",)),
    Row("template-loop-over-missing-list",
        template_text("action_log.docx", "{{ summary }}",
                      "{% for n in notices %}{{ n }}{% endfor %}{{ summary }}"), "render", 1,
        ("action_log.docx: uses {{ notices }}, which the data can't provide",)),
    Row("template-not-a-docx", file_bytes("agenda.docx", b"{{ meeting.title }}", "templates"),
        "build", 1, ("agenda.docx: not a Word document",)),
    Row("template-missing", remove("forward_plan.docx", "templates"), "build", 1,
        ("forward_plan.docx: template not found in",)),
    Row("template-tag-not-closed", template_text("letter.docx", "{{ partners }}", "{{ partners "),
        "render", 1, ("letter.docx › paragraph", "a tag is not closed")),
    # --- papers --------------------------------------------------------------------------
    Row("paper-missing", remove(WOOD), "build", 1,
        ("forward_plan.xlsx › Forward Plan › F", "paper 'Sir Alan Wood - Phase One Report.pdf' "
         "not found")),
    Row("paper-corrupt-pdf", file_bytes(KENT, b"%PDF-1.7\n1 0 obj <<>>\ngarbage\n"), "build", 1,
        ("Kent Thematic Analysis - Executive Summary.pdf: the PDF can't be read",)),
    Row("paper-encrypted-pdf", encrypted_pdf(WOOD), "build", 1,
        ("Sir Alan Wood - Phase One Report.pdf: the PDF is encrypted",)),
    Row("paper-docx-not-a-zip", file_bytes(LETTER, b"Dear colleague,\nplain text.\n"), "build", 1,
        (f"{PAPERS} › Rapid Review Letter.docx: is not a zip file",)),
    Row("paper-docx-without-body", docx_part(LETTER, None), "build", 1,
        ("Rapid Review Letter.docx: is not a Word document: it has no word/document.xml",)),
    Row("paper-docx-xml-cut-short", docx_part(LETTER, _half_xml), "build", 1,
        ("Rapid Review Letter.docx: is damaged: word/document.xml can't be read",)),
    Row("paper-name-dot-dot", papers_cell("../meetings.xlsx"), "build", 1,
        ("forward_plan.xlsx › Forward Plan › {cell}: paper '../meetings.xlsx' must be a file",)),
    Row("paper-absolute-path", papers_cell("/etc/passwd"), "render", 1,
        ("forward_plan.xlsx › Forward Plan › {cell}: paper '/etc/passwd' must be a file name",)),
    Row("paper-windows-path", papers_cell("..\\..\\secret.docx"), "check", 1,
        ("forward_plan.xlsx › Forward Plan › {cell}: paper",)),
    # --- the system ----------------------------------------------------------------------
    Row("soffice-missing", env(PACKGEN_SOFFICE="/nonexistent/soffice"), "build", 1,
        ("LibreOffice (/nonexistent/soffice) was not found, so no document can be converted",)),
    Row("soffice-crashes", fake_soffice("echo 'core dumped'; kill -SEGV $$"), "build", 1,
        ("LibreOffice could not convert",
         "03-action-log.docx: LibreOffice failed (exit status -11)")),
    Row("soffice-exits-0-without-pdf", fake_soffice("echo 'Error: source file could not be "
        "loaded'; exit 0"), "build", 1,
        ("03-action-log.docx: LibreOffice produced no PDF: "
         "Error: source file could not be loaded",)),
    Row("soffice-hangs", both(fake_soffice("echo $$ >> {work}/pids; sleep 300 & "
                                           "echo $! >> {work}/pids; wait"),
                              env(PACKGEN_SOFFICE_TIMEOUT="1")), "build", 1,
        ("LibreOffice did not finish within 1 s and was stopped",
         "03-action-log.docx: not converted: LibreOffice hung on")),
    Row("soffice-hangs-after-its-version",
        both(fake_soffice('case "$*" in *--version*) echo LibreOffice 7.4.7.2; exit 0;; esac; '
                          "echo $$ >> {work}/pids; sleep 300 & echo $! >> {work}/pids; wait"),
             env(PACKGEN_SOFFICE_TIMEOUT="1")), "build", 1,
        ("LibreOffice did not finish within 1 s and was stopped",
         "not converted: LibreOffice hung on")),
    Row("soffice-not-executable", both(fake_soffice("exit 0"),
                                       lambda case: (case.work / "soffice").chmod(0o644) or {}),
        "build", 1, ("soffice) was not found, so no document can be converted",)),
    Row("soffice-timeout-not-a-number", env(PACKGEN_SOFFICE_TIMEOUT="soon"), "build", 1,
        ("PACKGEN_SOFFICE_TIMEOUT: 'soon' is not a positive number of seconds",)),
    Row("output-not-writable", output_under_a_file, "build", 1, ("Not a directory: {output}",)),
    Row("settings-broken", file_bytes("partnership.toml", b"name = 'BHR\n[[agencies"), "build",
        1, ("partnership.toml: ",)),
    # --- usage errors --------------------------------------------------------------------
    Row("meeting-not-a-date", lambda case: {}, "build", 2,
        ("'31/02/2020' is not a meeting date like 2020-10-15",), args=("31/02/2020",)),
    Row("meeting-impossible-date", lambda case: {}, "render", 2,
        ("'2020-02-31' is not a meeting date",), args=("2020-02-31",)),
    Row("no-agenda-for-meeting", lambda case: {}, "build", 1,
        ("forward_plan.xlsx: no 'Meeting: 1 January 2021' row",), args=("2021-01-01",)),
    # --- the Word notes, data/minutes/<date>.docx ----------------------------------------
    Row("notes-not-a-word-document", _notes(SEPTEMBER, b"Notes typed in a text editor"), "build",
        1, (f"{SEPTEMBER}: is not a zip file as Office saves them",)),
    Row("notes-password-protected",
        _notes(SEPTEMBER, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)), "render", 1,
        (f"{SEPTEMBER}: is password-protected (or an old .doc renamed)",)),
    Row("notes-zip-bomb", both(_notes(SEPTEMBER), zip_bomb(SEPTEMBER, 20)), "check", 1,
        (f"{SEPTEMBER}: customXml/padding.bin is compressed",)),
    Row("notes-of-this-meeting-unreadable", _notes(OCTOBER, b"not yet"), "check", 0,
        (f"{OCTOBER}: is not a zip file", "(not needed for the pack of 15 October 2020)")),
    Row("notes-replace-the-workbook", _notes(SEPTEMBER), "render", 0, ("Rendered",),
        then=lambda case: _in_notes(case, "All were welcomed.")),
    Row("notes-heading-off-the-agenda", _notes(OCTOBER, headings=("14. Training",)), "check", 0,
        (f"{OCTOBER} › paragraph 3: heading '14. Training' matches no item of the agenda",)),
    Row("notes-item-number-twice", _notes(OCTOBER, headings=("1. Welcome again",)), "check", 0,
        (f"{OCTOBER} › paragraph 3: item 1 is used twice (also at {OCTOBER} › paragraph 1)",)),
    Row("notes-attendance-not-a-member", _notes(OCTOBER, attendance=("Sam Visitor",)), "check",
        0, (f"{OCTOBER} › table 1 › row 2: name 'Sam Visitor' is not a member's name",)),
    Row("notes-meeting-not-in-meetings", _notes("minutes/2020-10-16.docx"), "check", 0,
        ("minutes/2020-10-16.docx: notes of 16 October 2020, a meeting that meetings.xlsx",)),
]
# fmt: on


def _absent(case: Case, text: str) -> None:
    written = docx_text(case.output / MEETING / "documents" / "03-action-log.docx")
    assert text not in written and "Partnership ToR" in written


@pytest.fixture(scope="session")
def good_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One good build of the sample for the whole session: the 'previous pack' of every row."""
    output = tmp_path_factory.mktemp("good")
    result = invoke(["build", MEETING, *_folders(SAMPLE, TEMPLATES, output)])
    assert result.exit_code == 0, result.output
    return output / MEETING


def _folders(data: Path, templates: Path, output: Path) -> list[str]:
    return ["--data", str(data), "--templates", str(templates), "--output", str(output)]


def invoke(args: list[str], environ: dict[str, str] | None = None):
    return CliRunner().invoke(cli, args, env=environ)


@pytest.fixture
def case(tmp_path: Path, good_pack: Path, monkeypatch: pytest.MonkeyPatch) -> Case:
    """Fresh copies of the sample data, the templates and the previous pack; a private TMPDIR."""
    found = Case(
        data=tmp_path / "data",
        templates=tmp_path / "templates",
        output=tmp_path / "output",
        tmp=tmp_path / "tmp",
        work=tmp_path / "work",
    )
    shutil.copytree(SAMPLE, found.data)
    shutil.copytree(TEMPLATES, found.templates)
    shutil.copytree(good_pack, found.output / MEETING)
    found.tmp.mkdir()
    found.work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(found.tmp))
    monkeypatch.setenv("TMPDIR", str(found.tmp))
    monkeypatch.delenv("PACKGEN_PACK_PASSWORD", raising=False)
    return found


def command(row: Row, case: Case) -> list[str]:
    if row.command == "check":
        return ["check", *row.args, "--data", str(case.data)]
    return [row.command, *row.args, *_folders(case.data, case.templates, case.output)]


def left_in(output: Path) -> list[str]:
    """What an output folder holds besides the conversion cache (output/.cache/)."""
    return sorted(p.name for p in output.iterdir() if p.name != ".cache")


def inputs(case: Case) -> dict[str, dict[str, str]]:
    return {"data": snapshot(case.data), "templates": snapshot(case.templates)}


def pack_files(case: Case, keep_documents: bool) -> dict[str, str]:
    """The previous pack's files; `packgen render` may replace only documents/."""
    files = snapshot(case.output / MEETING) if (case.output / MEETING).exists() else {}
    return {k: v for k, v in files.items() if keep_documents or not k.startswith("documents/")}


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_bad_input_fails_cleanly_and_changes_nothing(row: Row, case: Case) -> None:
    where = row.damage(case)
    before_inputs = inputs(case)
    succeeds_rendering = row.code == 0 and row.command == "render"
    before_pack = pack_files(case, keep_documents=not succeeds_rendering)
    result = invoke(command(row, case), case.env)
    assert result.exit_code == row.code, result.output
    for fragment in row.fragments:
        for key, value in where.items():
            fragment = fragment.replace(f"{{{key}}}", value)
        assert fragment in result.output, result.output
    assert "Traceback" not in result.output
    assert inputs(case) == before_inputs
    assert pack_files(case, keep_documents=not succeeds_rendering) == before_pack
    if case.output.exists():
        assert left_in(case.output) == [MEETING]
    assert list(case.tmp.iterdir()) == []
    assert stray_processes(case.work) == [] and stray_processes(case.tmp) == []
    if row.then is not None:
        row.then(case)


def test_the_corpus_has_at_least_forty_rows() -> None:
    assert len(ROWS) >= 40
    assert len({r.id for r in ROWS}) == len(ROWS)


# --- 100,000 rows ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def big_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample action log with 100,000 more actions, written once per session."""
    folder = tmp_path_factory.mktemp("big")
    return big_action_log(100_000, folder / "action_log.xlsx", SAMPLE / "action_log.xlsx")


def test_a_workbook_of_100000_rows_is_read_whole(case: Case, big_log: Path) -> None:
    shutil.copyfile(big_log, case.data / "action_log.xlsx")
    before = inputs(case)
    result = invoke(["check", MEETING, "--data", str(case.data)])
    assert result.exit_code == 0, result.output
    assert "the action log has 100010 open and 6 carried-forward actions" in result.output
    assert inputs(case) == before


def test_debug_shows_the_traceback_the_plain_run_hides(case: Case) -> None:
    (case.data / "meetings.xlsx").write_bytes(b"not a workbook")
    plain = packgen_command("check", MEETING, "--data", str(case.data))
    quiet = subprocess.run(plain, capture_output=True, text=True)
    loud = subprocess.run([*plain[:3], "--debug", *plain[3:]], capture_output=True, text=True)
    assert quiet.returncode == loud.returncode == 1
    assert "meetings.xlsx: is not an .xlsx workbook" in quiet.stderr
    assert "Traceback" not in quiet.stderr and "Traceback" in loud.stderr


# --- the system: interrupted builds, two builds at once, a full disk, bounded memory ---------


def _environment(case: Case, **extra: str) -> dict[str, str]:
    return {**os.environ, **case.env, "TMPDIR": str(case.tmp), **extra}


def _build_process(case: Case, **extra: str) -> subprocess.Popen:
    args = packgen_command("build", MEETING, *_folders(case.data, case.templates, case.output))
    return subprocess.Popen(
        args, env=_environment(case, **extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 1), (signal.SIGTERM, 128 + signal.SIGTERM)]
)
def test_a_build_interrupted_mid_conversion_leaves_nothing_behind(
    case: Case, sig: signal.Signals, code: int
) -> None:
    before_inputs, before_pack = inputs(case), pack_files(case, keep_documents=True)
    build = _build_process(case)
    wait_for(lambda: bool(stray_processes(case.tmp)), build)  # a real soffice is converting
    build.send_signal(sig)
    _, err = build.communicate(timeout=60)
    assert build.returncode == code, err
    assert b"Traceback" not in err
    assert inputs(case) == before_inputs
    assert pack_files(case, keep_documents=True) == before_pack
    assert left_in(case.output) == [MEETING]
    assert stray_processes(case.tmp) == [] and list(case.tmp.iterdir()) == []


def test_a_second_build_of_the_same_meeting_names_the_lock_and_its_holder(case: Case) -> None:
    fake_soffice("echo $$ >> {work}/pids; sleep 300 & echo $! >> {work}/pids; wait")(case)
    before_pack = pack_files(case, keep_documents=True)
    first = _build_process(case)
    try:
        wait_for(lambda: (case.work / "pids").exists(), first)
        second = invoke(_args(case), {**case.env, "PACKGEN_LOCK_WAIT": "0.5"})
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    assert second.exit_code == 1
    assert "Another build of this meeting is still running." in second.output
    assert f"{case.output / f'.{MEETING}.lock'}: locked by pid {first.pid}" in second.output
    assert "Traceback" not in second.output
    assert pack_files(case, keep_documents=True) == before_pack
    assert left_in(case.output) == [MEETING]  # the lock file is gone with its holder
    assert pids_alive(case.work / "pids") == []


def test_a_second_build_waits_for_the_first_then_runs(
    case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    fake_soffice("echo $$ >> {work}/pids; sleep 2; exit 3")(case)
    before_pack = pack_files(case, keep_documents=True)
    first = _build_process(case)
    wait_for(lambda: (case.work / "pids").exists(), first)
    with caplog.at_level(logging.WARNING, logger="packgen.commands.lock"):
        second = invoke(_args(case), case.env)
    first.communicate(timeout=60)
    assert "Another build of this meeting is running" in caplog.text
    assert second.exit_code == 1
    assert "LibreOffice could not convert" in second.output  # it ran, after the first
    assert len((case.work / "pids").read_text().split()) >= 2
    assert pack_files(case, keep_documents=True) == before_pack
    assert left_in(case.output) == [MEETING]


def _args(case: Case) -> list[str]:
    return ["build", MEETING, *_folders(case.data, case.templates, case.output)]


@pytest.fixture
def small_disk(case: Case) -> Path:
    """A tmpfs holding the previous pack with about 1.25 MB to spare; skipped if it can't mount.

    The disk must fill while packgen writes the pack, not earlier while LibreOffice does: measured
    with 1.05 to 1.4 MB spare. What the caches write first counts (with 1 MB, the ~70 KB of
    output/.cache/sheets/ made LibreOffice meet the full disk)."""
    disk = case.work / "disk"
    disk.mkdir()
    size = sum(p.stat().st_size for p in case.output.rglob("*") if p.is_file())
    kilobytes = size // 1024 + 1280
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"can't mount a small tmpfs: {mounted.stderr.strip()}")
    try:
        shutil.copytree(case.output / MEETING, disk / MEETING)
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_part_way_through_leaves_the_previous_pack(
    case: Case, small_disk: Path
) -> None:
    case.output = small_disk
    before_inputs, before_pack = inputs(case), pack_files(case, keep_documents=True)
    result = invoke(_args(case), case.env)
    assert result.exit_code == 1, result.output
    assert f"No space left on device: {small_disk}/.packgen-build-" in result.output
    assert "Traceback" not in result.output
    assert inputs(case) == before_inputs
    assert pack_files(case, keep_documents=True) == before_pack
    assert left_in(case.output) == [MEETING]
    assert stray_processes(case.tmp) == [] and list(case.tmp.iterdir()) == []


def test_bombs_are_refused_within_bounded_memory(case: Case) -> None:
    zip_bomb("meetings.xlsx", 250)(case)
    zip_bomb(LETTER, 250)(case)
    entity_bomb("action_log.xlsx", "xl/worksheets/sheet1.xml")(case)

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GB of address space

    checked = subprocess.run(
        packgen_command("check", MEETING, "--data", str(case.data)),
        capture_output=True,
        text=True,
        preexec_fn=limit_memory,
        env=_environment(case),
    )
    assert checked.returncode == 1, checked.stderr
    assert "meetings.xlsx: would unpack to 250 MB" in checked.stderr
    assert "action_log.xlsx: xl/worksheets/sheet1.xml declares XML entities" in checked.stderr
    assert "Traceback" not in checked.stderr and "MemoryError" not in checked.stderr
