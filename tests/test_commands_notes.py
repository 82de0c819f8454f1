"""The meeting cycle after the pack: `packgen notes` before the meeting, the notes taken in Word,
`packgen actions` and the next pack built from them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from corpus import snapshot
from docx import Document
from docx.oxml.ns import qn
from notes_factories import (
    NOVEMBER,
    OCTOBER,
    SAMPLE,
    TEMPLATES,
    fill,
    notes_template,
    resave_with_writer,
    sample_with_notes,
)

from packgen.cli import cli
from packgen.commands.pipeline import build
from packgen.read.partnership import read_partnership


def test_notes_command_writes_the_template_under_the_meeting_date(tmp_path):
    before = snapshot(SAMPLE)
    args = ["notes", "2020-10-15", "--data", str(SAMPLE), "--templates", str(TEMPLATES)]
    result = CliRunner().invoke(cli, [*args, "--output", str(tmp_path / "output")])
    assert result.exit_code == 0, result.output
    path = tmp_path / "output" / "2020-10-15" / "notes-2020-10-15.docx"
    assert f"save the finished notes as {SAMPLE}/minutes/2020-10-15.docx" in result.output
    assert path.is_file()
    assert snapshot(SAMPLE) == before  # nothing written under data/


def test_notes_template_has_a_heading_and_the_lead_for_every_agenda_item(tmp_path):
    doc = Document(str(notes_template(tmp_path)))
    partnership, _ = read_partnership(SAMPLE)
    (agenda,) = [p for p in partnership.forward_plan if p.date.exact == OCTOBER]
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings == [f"{i.number}. {i.title}" for i in agenda.items]
    assert "6. Themed Learning Review Consideration – Adolescent Suicide" in headings
    leads = [p.text for p in doc.paragraphs if p.style.name == "Item Lead"]
    assert leads == [f"Lead: {i.lead}" for i in agenda.items]
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == [
        "Attendance",
        "Notes",
    ]


def test_notes_template_lists_every_member_under_repeating_attendance_headings(tmp_path):
    doc = Document(str(notes_template(tmp_path)))
    table = doc.tables[0]
    heading = [c.text for c in table.rows[0].cells]
    assert heading == ["Name", "Initials", "Agency", "Attendance", "Deputising For", "Arrived"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    partnership, _ = read_partnership(SAMPLE)
    rows = [[c.text for c in row.cells[:3]] for row in table.rows[1:]]
    assert rows == [[m.name, m.initials, m.agency] for m in partnership.members]


def test_notes_template_shows_how_to_record_an_action_with_the_next_free_ref(tmp_path):
    doc = Document(str(notes_template(tmp_path)))
    guidance = [p.text for p in doc.paragraphs if p.style.name == "Notes Guidance"]
    assert "Action 2020/29: EA to …" in guidance  # the log ends at 2020/28; EA chairs
    assert any("data/minutes/2020-10-15.docx" in line for line in guidance)


def test_notes_command_names_a_meeting_without_an_agenda(tmp_path):
    args = ["notes", "2020-11-27", "--data", str(SAMPLE), "--output", str(tmp_path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "forward_plan.xlsx: no 'Meeting: 27 November 2020' row with numbered items" in (
        result.output
    )
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def notes(tmp_path_factory) -> dict[str, Path]:
    """The 15 October notes filled in with python-docx, and that copy saved by Writer."""
    tmp = tmp_path_factory.mktemp("notes")
    filled = fill(notes_template(tmp / "output"), tmp / "filled" / "2020-10-15.docx")
    return {"python-docx": filled, "writer": resave_with_writer(filled, tmp / "writer")}


ROWS = [
    ["Date", "Action", "Lead", "Update Comments"],
    ["Meeting: 15 October 2020", "", "", ""],
    ["2020/29", "LP and CC to bring a proposal to the next meeting.", "LP/CC", ""],
    ["2020/30", "JC to circulate the briefing to all partners.", "JC", ""],
]


@pytest.mark.soffice
def test_actions_command_prints_the_rows_to_paste_and_writes_them_as_a_workbook(notes, tmp_path):
    data = sample_with_notes(tmp_path, notes["writer"])
    before = snapshot(data)
    args = ["actions", "2020-10-15", "--data", str(data), "--output", str(tmp_path / "out")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert [line.split("\t") for line in result.stdout.splitlines()] == ROWS
    workbook = tmp_path / "out" / "2020-10-15" / "new-actions.xlsx"
    sheet = openpyxl.load_workbook(workbook).active
    cells = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == ROWS
    assert sheet["A3"].data_type == "s"  # the ref stays text, not a date
    assert snapshot(data) == before  # the officers' files are never written


def test_actions_command_names_a_meeting_without_notes(tmp_path):
    args = ["actions", "2020-11-27", "--data", str(SAMPLE), "--output", str(tmp_path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "minutes/2020-11-27.docx: no notes of 27 November 2020 here or in minutes.xlsx" in (
        result.output
    )


@pytest.fixture(scope="module")
def november(notes, tmp_path_factory) -> Path:
    """The 27 November pack built from the notes saved by Writer; its text by pdftotext."""
    tmp = tmp_path_factory.mktemp("november")
    data = sample_with_notes(tmp, notes["writer"])
    result = build(data, TEMPLATES, tmp / "output", NOVEMBER, password=lambda: None)
    return result.folder


def pack_text(folder: Path) -> list[str]:
    pdf = folder / "meeting-pack.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return [line.strip() for line in text.stdout.splitlines() if line.strip()]


@pytest.mark.soffice
def test_the_next_pack_holds_the_word_notes_items_and_lines(november):
    lines = pack_text(november)
    notes = lines[lines.index("Notes") :]
    for line in (
        "1. Welcome, Introductions and Apologies",
        "EA welcomed all to the meeting. Apologies were noted as above.",
        "The notes of 9 September were agreed as a true record.",
        "Police update",
        "All schools have reopened.",
        "6. Themed Learning Review Consideration – Adolescent Suicide",
        "13. Dates of Future Meetings via MS Teams",
    ):
        assert line in notes, line
    assert "Lead: AL/LP" not in lines


@pytest.mark.soffice
def test_the_next_pack_takes_the_attendance_from_the_notes_table(november):
    lines = pack_text(november)
    attendees = lines[lines.index("Attendees:") : lines.index("Apologies:")]
    apologies = lines[lines.index("Apologies:") : lines.index("Notes")]
    for name in ("John Carroll (JC) (from 10:15)", "Caroline Cutts (CC) (for AL)"):
        assert name in attendees
    assert "Adrian Loades (AL)" in apologies and "Jacqui Himbury (JH)" in apologies
    assert not any(line.startswith("Robert South") for line in lines)  # not marked: not listed


@pytest.mark.soffice
def test_the_next_pack_bolds_action_labels_and_keeps_the_notes_formatting(november):
    lines = pack_text(november)
    assert "Action 2020/29: LP and CC to bring a proposal to the next meeting." in lines
    assert "Action: JC to circulate the briefing to all partners." in lines
    doc = Document(str(november / "documents" / "01-notes-of-previous-meeting.docx"))
    action = next(p for p in doc.paragraphs if p.text.startswith("Action 2020/29"))
    assert action.runs[0].bold and not action.runs[-1].bold
    kept = next(p for p in doc.paragraphs if p.text.startswith("The notes of 9 September"))
    assert [(r.text, bool(r.bold), bool(r.italic)) for r in kept.runs if r.bold or r.italic] == [
        ("agreed", True, False),
        ("true", False, True),
    ]


@pytest.mark.soffice
def test_the_next_pack_keeps_a_notes_table_with_its_heading_row(november):
    lines = pack_text(november)
    assert lines[lines.index("8. BHR Case Review Guidance, Process and Forms") + 1] == "Document"
    doc = Document(str(november / "documents" / "01-notes-of-previous-meeting.docx"))
    table = doc.tables[-1]
    assert [c.text for c in table.rows[1].cells] == ["Protocol", "TDV", "November"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
    assert len(grid) == 3


def test_a_templates_folder_from_before_notes_templates_falls_back_to_the_default(tmp_path):
    old = tmp_path / "templates"
    shutil.copytree(TEMPLATES, old)
    (old / "notes.docx").unlink()
    args = ["notes", "2020-10-15", "--data", str(SAMPLE), "--templates", str(old)]
    result = CliRunner().invoke(cli, [*args, "--output", str(tmp_path / "output")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "output" / "2020-10-15" / "notes-2020-10-15.docx").is_file()


def test_an_edited_notes_template_with_an_unknown_variable_is_named(tmp_path):
    from render_factories import edited_template

    folder = edited_template(tmp_path, "notes.docx", "{{ action_example }}", "{{ action_exampel }}")
    args = ["notes", "2020-10-15", "--data", str(SAMPLE), "--templates", str(folder)]
    result = CliRunner().invoke(cli, [*args, "--output", str(tmp_path / "output")])
    assert result.exit_code == 1
    assert "notes.docx: uses {{ action_exampel }}, which the data can't provide" in result.output
