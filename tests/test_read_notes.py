"""Reading the notes a minute-taker typed in Word: data/minutes/<date>.docx into Minutes."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from notes_factories import OCTOBER, SAMPLE, TABLE, fill, notes_template, resave_with_writer

from packgen.errors import Problems, Severity
from packgen.model import Attended, ParagraphStyle, TextRun
from packgen.read.notes import read_notes
from packgen.read.partnership import read_partnership

SOURCE = "minutes/2020-10-15.docx"


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    """The sample's 15 October notes template, filled in with python-docx."""
    tmp = tmp_path_factory.mktemp("notes")
    return fill(notes_template(tmp / "output"), tmp / "filled" / "2020-10-15.docx")


def read(notes: Path, tmp: Path, name: str = "2020-10-15.docx"):
    data = tmp / "data"
    (data / "minutes").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notes, data / "minutes" / name)
    problems = Problems()
    return read_notes(data, problems), problems


def paragraph_number(path: Path, text: str) -> int:
    """Where Word shows a paragraph, counting the body's paragraphs from 1 (not table cells)."""
    return 1 + [p.text for p in Document(str(path)).paragraphs].index(text)


def test_headings_become_items_with_their_numbers_and_titles(filled, tmp_path):
    (minutes,), problems = read(filled, tmp_path)
    assert problems.items == []
    assert minutes.meeting == OCTOBER and minutes.source == SOURCE
    assert [i.number for i in minutes.items] == list(range(1, 14))
    assert minutes.items[5].title == "Themed Learning Review Consideration – Adolescent Suicide"
    where = paragraph_number(filled, "6. Themed Learning Review Consideration – Adolescent Suicide")
    assert str(minutes.items[5].location) == f"{SOURCE} › paragraph {where}"


def test_the_template_lead_and_guidance_are_not_read_as_notes(filled, tmp_path):
    (minutes,), _ = read(filled, tmp_path)
    texts = [p.text for i in minutes.items for p in i.paragraphs]
    assert not [t for t in texts if t.startswith("Lead:") or "2020/29: EA" in t]
    assert minutes.items[4].paragraphs == ()  # item 5: nothing typed under it


def test_styles_become_subheadings_bullets_and_paragraphs(filled, tmp_path):
    (minutes,), _ = read(filled, tmp_path)
    lines = [(p.style, p.text) for p in minutes.items[3].paragraphs]
    assert lines == [
        (ParagraphStyle.SUBHEADING, "Police update"),  # a bold-only line
        (ParagraphStyle.BULLET, "All schools have reopened."),
        (ParagraphStyle.BULLET, "Referrals are rising again."),
        (ParagraphStyle.SUBHEADING, "Health"),  # Heading 3, below the items' Heading 2
        (ParagraphStyle.PARAGRAPH, "Vaccination planning is under way."),
    ]


def test_bold_italic_and_underline_within_a_paragraph_are_kept(filled, tmp_path):
    (minutes,), _ = read(filled, tmp_path)
    assert minutes.items[1].paragraphs[0].runs == (
        TextRun("The notes of 9 September were "),
        TextRun("agreed", bold=True),
        TextRun(" as a "),
        TextRun("true", italic=True),
        TextRun(" record."),
    )
    assert TextRun("rising", underline=True) in minutes.items[3].paragraphs[2].runs


def test_action_lines_give_their_ref_and_an_update_on_an_old_action_stays_a_paragraph(
    filled, tmp_path
):
    (minutes,), _ = read(filled, tmp_path)
    item3, item6 = minutes.items[2].paragraphs, minutes.items[5].paragraphs
    assert (item3[0].style, item3[0].action_ref) == (ParagraphStyle.PARAGRAPH, "")
    assert (item3[1].style, item3[1].action_ref, item3[1].text) == (
        ParagraphStyle.ACTION, "2020/29", "LP and CC to bring a proposal to the next meeting."
    )  # fmt: skip
    assert (item6[1].style, item6[1].action_ref) == (ParagraphStyle.ACTION, "")
    where = paragraph_number(filled, "Action: JC to circulate the briefing to all partners.")
    assert str(item6[1].location) == f"{SOURCE} › paragraph {where}"


def test_a_table_in_the_notes_is_kept_as_a_table(filled, tmp_path):
    (minutes,), _ = read(filled, tmp_path)
    (table,) = minutes.items[7].paragraphs
    assert table.style is ParagraphStyle.TABLE
    assert table.rows == tuple(TABLE)
    assert str(table.location) == f"{SOURCE} › table 2"


def test_the_attendance_table_gives_the_members_marked(filled, tmp_path):
    (minutes,), _ = read(filled, tmp_path)
    marked = {a.member: (a.status, a.deputising_for, a.arrived) for a in minutes.attendance}
    assert marked == {
        "EA": (Attended.ATTENDED, "", ""),
        "JC": (Attended.ATTENDED, "", "10:15"),  # "Present"
        "AL": (Attended.APOLOGIES, "", ""),
        "JH": (Attended.APOLOGIES, "", ""),
        "CC": (Attended.ATTENDED, "AL", ""),  # a deputy left the Attendance cell empty
        "TDV": (Attended.ATTENDED, "", ""),
        "LP": (Attended.ATTENDED, "", ""),
    }
    row = next(a for a in minutes.attendance if a.member == "CC")
    assert str(row.location) == f"{SOURCE} › table 1 › row 7"


@pytest.mark.soffice
def test_notes_saved_again_by_libreoffice_writer_read_the_same(filled, tmp_path):
    resaved = resave_with_writer(filled, tmp_path / "writer")
    assert resaved.read_bytes() != filled.read_bytes()
    (again,), problems = read(resaved, tmp_path / "again")
    (first,), _ = read(filled, tmp_path / "first")
    assert problems.items == []
    assert again == first
    assert [p.location for i in again.items for p in i.paragraphs] == [
        p.location for i in first.items for p in i.paragraphs
    ]


def test_word_notes_replace_the_workbooks_rows_of_that_meeting_with_a_warning(sample_copy, filled):
    (sample_copy / "minutes").mkdir()
    notes = sample_copy / "minutes" / "2020-09-09.docx"
    shutil.copyfile(filled, notes)
    partnership, problems = read_partnership(sample_copy)
    (september,) = [m for m in partnership.minutes if m.meeting == dt.date(2020, 9, 9)]
    assert september.source == "minutes/2020-09-09.docx"
    assert [str(p) for p in problems if "read from this Word file" in p.message] == [
        "minutes/2020-09-09.docx: the notes of 9 September 2020 are read from this Word file; "
        "the rows of minutes.xlsx for that meeting are not used"
    ]
    assert notes in partnership.sources


def test_a_heading_without_its_number_takes_the_agenda_items(sample_copy):
    doc = Document()  # the minute-taker's own document, not packgen's template
    doc.add_heading("Welcome, Introductions and Apologies", 1)
    doc.add_paragraph("All were welcomed.")
    doc.add_heading("6. Themed Learning Review Consideration – Adolescent Suicide", 1)
    doc.add_heading("Any other business", 1)
    doc.add_heading("Training", 1)
    (sample_copy / "minutes").mkdir()
    doc.save(str(sample_copy / "minutes" / "2020-10-15.docx"))
    partnership, _ = read_partnership(sample_copy)
    (october,) = [m for m in partnership.minutes if m.meeting == OCTOBER]
    assert [(i.number, i.title) for i in october.items] == [
        (1, "Welcome, Introductions and Apologies"),
        (6, "Themed Learning Review Consideration – Adolescent Suicide"),
        (None, "Any other business"),  # the agenda says "Any Other Business (AOB)"
        (None, "Training"),
    ]
    assert october.items[0].paragraphs[0].text == "All were welcomed."


def zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" + " " * 150_000_000 + "</w:document>")


BAD = [
    ("not-word", "2020-10-15.docx", lambda p: p.write_text("Notes, typed in a text editor"),
     Severity.ERROR, "minutes/2020-10-15.docx: is not a zip file as Office saves them"),
    ("password", "2020-10-15.docx",
     lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504),
     Severity.ERROR, "minutes/2020-10-15.docx: is password-protected (or an old .doc renamed): "
     "save it as .docx without one"),
    ("zip-bomb", "2020-10-15.docx", zip_bomb, Severity.ERROR, "refused (a zip bomb"),
    ("not-a-date", "October notes.docx", lambda p: p.write_bytes(b""), Severity.WARNING,
     "minutes/October notes.docx: is not named by its meeting's date like 2020-10-15.docx: "
     "not read"),
    ("old-word", "2020-10-15.doc", lambda p: p.write_bytes(b""), Severity.WARNING,
     "minutes/2020-10-15.doc: is not a .docx: the notes are read from minutes/<date>.docx only"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "write", "severity", "message"),
                         [b[1:] for b in BAD], ids=[b[0] for b in BAD])  # fmt: skip
def test_a_notes_file_that_cant_be_read_is_named_and_left_unchanged(
    tmp_path, name, write, severity, message
):
    folder = tmp_path / "data" / "minutes"
    folder.mkdir(parents=True)
    write(folder / name)
    before = (folder / name).read_bytes()
    found = read_notes(tmp_path / "data", problems := Problems())
    assert found == []
    (problem,) = problems.items
    assert problem.severity is severity
    assert message in str(problem)
    assert (folder / name).read_bytes() == before


def test_reading_a_partnership_without_word_notes_does_not_load_python_docx():
    code = (
        "import sys; from pathlib import Path; from packgen.read.partnership import "
        f"read_partnership; read_partnership(Path({str(SAMPLE)!r})); print('docx' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_notes_without_item_headings_are_not_read(tmp_path):
    doc = Document()
    doc.add_paragraph("Welcome: all were welcomed.")
    doc.add_paragraph("Action 2020/29: LP to write.")
    doc.save(str(tmp_path / "notes.docx"))
    found, problems = read(tmp_path / "notes.docx", tmp_path)
    assert found == []
    assert [str(p) for p in problems.items] == [
        f"{SOURCE}: no item headings (a heading such as `6. Any Other Business`): not read"
    ]


@pytest.mark.parametrize("heading", ["6. Training", "6 Training", "6) Training", "6.Training"])
def test_an_item_number_may_be_written_several_ways(tmp_path, heading):
    doc = Document()
    doc.add_heading(heading, 2)
    doc.save(str(tmp_path / "notes.docx"))
    (minutes,), _ = read(tmp_path / "notes.docx", tmp_path)
    assert [(i.number, i.title) for i in minutes.items] == [(6, "Training")]
