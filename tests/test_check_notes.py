"""The action loop: the notes reconciled with the action log both ways, and the Word notes
checked against the agenda and the members."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from notes_factories import NOVEMBER, OCTOBER, fill, notes_template, november_agenda

from packgen.check.inputs import inspect
from packgen.check.notes import guess_lead, new_actions, next_refs
from packgen.cli import cli
from packgen.errors import Severity
from packgen.read.partnership import read_partnership

SOURCE = "minutes/2020-10-15.docx"


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("notes")
    return fill(notes_template(tmp / "output"), tmp / "filled" / "2020-10-15.docx")


@pytest.fixture
def data(sample_copy, filled) -> Path:
    """The sample with the filled 15 October notes and a 27 November agenda."""
    (sample_copy / "minutes").mkdir()
    shutil.copyfile(filled, sample_copy / "minutes" / "2020-10-15.docx")
    november_agenda(sample_copy)
    return sample_copy


def at(path: Path, text: str) -> str:
    """Name a paragraph as packgen does: `minutes/2020-10-15.docx › paragraph 23`."""
    number = 1 + [p.text for p in Document(str(path)).paragraphs].index(text)
    return f"{SOURCE} › paragraph {number}"


def warnings(data: Path, meeting=NOVEMBER) -> list[str]:
    _, problems = inspect(data, meeting)
    return [str(p) for p in problems if p.severity is Severity.WARNING]


def log_rows(data: Path, *rows: tuple) -> str:
    """Add rows at the end of the action log (under its last section, 15 October 2020); return
    the cell of the first one's ref."""
    path = data / "action_log.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    first = sheet.max_row + 1
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return f"action_log.xlsx › {sheet.title} › A{first}"


def test_an_action_in_the_notes_missing_from_the_log_is_named_with_its_paragraph(data, filled):
    line = "Action 2020/29: LP and CC to bring a proposal to the next meeting."
    assert (
        f"{at(filled, line)}: action 2020/29 is not in the action log: "
        "`packgen actions 2020-10-15` gives its row to paste"
    ) in warnings(data)


def test_an_action_without_a_ref_is_given_the_next_free_one(data, filled):
    line = "Action: JC to circulate the briefing to all partners."
    assert (
        f"{at(filled, line)}: an action without a ref: write it `Action 2020/30: …` "
        "(the next free ref of the action log)"
    ) in warnings(data)


def test_an_action_of_the_meeting_in_the_log_but_not_in_the_notes_names_the_logs_cell(data):
    cell = log_rows(data, ("2020/31", "Circulate the themed review's terms.", "LP", ""))
    assert (
        f"{cell}: action 2020/31 is not raised in the notes of 15 October 2020 ({SOURCE})"
    ) in warnings(data)


def test_a_ref_the_notes_use_twice_is_named_at_both_places(data):
    path = data / "minutes" / "2020-10-15.docx"
    doc = Document(str(path))
    heading = next(p for p in doc.paragraphs if p.text.startswith("7. "))
    heading.insert_paragraph_before("Action 2020/29: TDV to share the letters.")
    doc.save(str(path))
    first = at(path, "Action 2020/29: LP and CC to bring a proposal to the next meeting.")
    second = at(path, "Action 2020/29: TDV to share the letters.")
    assert f"{second}: ref 2020/29 is also used at {first}" in warnings(data)


def test_an_action_logged_under_another_meeting_names_its_section(data):
    doc = Document(str(data / "minutes" / "2020-10-15.docx"))
    heading = next(p for p in doc.paragraphs if p.text.startswith("7. "))
    heading.insert_paragraph_before("Action 2020/17: JC to hold the meeting by December.")
    doc.save(str(data / "minutes" / "2020-10-15.docx"))
    found = [w for w in warnings(data) if "2020/17 is under" in w]
    assert [w.split(": ", 1)[1] for w in found] == [
        "action 2020/17 is under 'Meeting: 09 September 2020' in the action log "
        "(action_log.xlsx › Action Log › A23), not 15 October 2020"
    ]


def test_the_notes_and_log_agreeing_give_no_action_warnings(data):
    log_rows(data, ("2020/29", "Bring a proposal to the next meeting.", "LP/CC", ""),
             ("2020/30", "Circulate the briefing to all partners.", "JC", ""))  # fmt: skip
    doc = Document(str(data / "minutes" / "2020-10-15.docx"))
    line = next(p for p in doc.paragraphs if p.text.startswith("Action: JC"))
    line.runs[0].text = "Action 2020/30: JC to circulate the briefing to all partners."
    doc.save(str(data / "minutes" / "2020-10-15.docx"))
    assert [w for w in warnings(data) if w.startswith(SOURCE) or "2020/29" in w] == []


def test_headings_twice_numbered_or_off_the_agenda_are_warned_and_kept_in_order(data):
    doc = Document(str(data / "minutes" / "2020-10-15.docx"))
    heading = next(p for p in doc.paragraphs if p.text.startswith("7. "))
    heading.insert_paragraph_before("14. Training update", "Heading 2")
    heading.insert_paragraph_before("6. Adolescent suicide (continued)", "Heading 2")
    doc.save(str(data / "minutes" / "2020-10-15.docx"))
    path = data / "minutes" / "2020-10-15.docx"
    found = warnings(data)
    assert (
        f"{at(path, '14. Training update')}: heading '14. Training update' matches no item of "
        "the agenda of 15 October 2020: kept where it is"
    ) in found
    six = at(path, "6. Themed Learning Review Consideration – Adolescent Suicide")
    assert (
        f"{at(path, '6. Adolescent suicide (continued)')}: item 6 is used twice (also at {six})"
        in found
    )
    partnership, _ = read_partnership(data)
    (october,) = [m for m in partnership.minutes if m.meeting == OCTOBER]
    assert [i.number for i in october.items] == [1, 2, 3, 4, 5, 6, 14, 6, 7, 8, 9, 10, 11, 12, 13]


def test_an_attendance_row_naming_no_member_is_warned(data):
    doc = Document(str(data / "minutes" / "2020-10-15.docx"))
    row = doc.tables[0].add_row()
    for cell, text in zip(row.cells, ["Sam Visitor", "SV", "Guest", "attended", "", ""],
                          strict=True):  # fmt: skip
        cell.text = text
    doc.save(str(data / "minutes" / "2020-10-15.docx"))
    rows = len(doc.tables[0].rows)
    assert (
        f"{SOURCE} › table 1 › row {rows}: name 'SV' is not a member's name or initials in "
        "meetings.xlsx › Members"
    ) in warnings(data)


def test_notes_of_a_meeting_the_meetings_workbook_doesnt_list_are_warned(data):
    shutil.copyfile(data / "minutes" / "2020-10-15.docx", data / "minutes" / "2020-10-16.docx")
    assert (
        "minutes/2020-10-16.docx: notes of 16 October 2020, a meeting that meetings.xlsx › "
        "Meetings doesn't list"
    ) in warnings(data)


def test_unreadable_notes_stop_only_the_packs_that_hold_them(data):
    notes = data / "minutes" / "2020-10-15.docx"
    notes.write_text("not a Word document")
    runner = CliRunner()
    later = runner.invoke(cli, ["check", "2020-11-27", "--data", str(data)])
    assert later.exit_code == 1
    assert f"  {SOURCE}: is not a zip file as Office saves them" in later.output
    same = runner.invoke(cli, ["check", "2020-10-15", "--data", str(data)])
    assert same.exit_code == 0, same.output
    assert "(not needed for the pack of 15 October 2020)" in same.output
    assert "Traceback" not in later.output + same.output
    assert notes.read_text() == "not a Word document"


def test_the_next_free_ref_follows_the_log_and_the_notes(data):
    partnership, _ = read_partnership(data)
    assert next_refs(partnership, NOVEMBER, 2) == ["2020/29", "2020/30"]
    assert next_refs(partnership, OCTOBER, 2) == ["2020/30", "2020/31"]  # the notes use 2020/29


@pytest.mark.parametrize(("text", "lead"), [
    ("LP and CC to bring a proposal to the next meeting.", "LP/CC"),
    ("TDV/MW/LP to work together on the documents.", "TDV/MW/LP"),
    ("Lesley Perry to write to the chair.", "LP"),
    ("JC to hold a meeting with RS, AL and EA.", "JC"),
    ("Dates to be set for the rest of the year.", ""),
    ("QQ to report back.", ""),
])  # fmt: skip
def test_the_lead_is_guessed_from_the_initials_an_action_starts_with(data, text, lead):
    partnership, _ = read_partnership(data)
    assert guess_lead(text, partnership.members) == lead


def test_new_actions_are_those_the_log_lacks_in_the_notes_order(data):
    log_rows(data, ("2020/29", "Bring a proposal to the next meeting.", "LP/CC", ""))
    partnership, _ = read_partnership(data)
    (october,) = [m for m in partnership.minutes if m.meeting == OCTOBER]
    found = [(a.ref, a.text, a.lead, a.suggested) for a in new_actions(partnership, october)]
    assert found == [("2020/30", "JC to circulate the briefing to all partners.", "JC", True)]


def test_word_notes_with_their_attendance_need_no_minutes_workbook_nor_attendance_sheet(data):
    (data / "minutes.xlsx").unlink()
    book = openpyxl.load_workbook(data / "meetings.xlsx")
    del book["Attendance"]
    book.save(data / "meetings.xlsx")
    prepared, problems = inspect(data, NOVEMBER)
    assert [str(p) for p in problems if p.severity is Severity.ERROR] == []
    (october,) = prepared.partnership.minutes
    assert october.source == SOURCE and october.attendance
