"""Notes as a minute-taker fills them in: packgen's notes template, typed into with python-docx,
and a copy saved again by LibreOffice Writer; a sample with an agenda for 27 November."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
from docx import Document
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data"
TEMPLATES = ROOT / "packgen" / "templates"
OCTOBER = dt.date(2020, 10, 15)
NOVEMBER = dt.date(2020, 11, 27)

# initials: (Attendance, Deputising For, Arrived)
MARKS = {
    "EA": ("attended", "", ""),
    "JC": ("Present", "", "10:15"),
    "AL": ("apologies", "", ""),
    "CC": ("", "AL", ""),
    "LP": ("attended", "", ""),
    "TDV": ("attended", "", ""),
    "JH": ("Apologies", "", ""),
}
# item: what the minute-taker types under its heading, as (style, text) or runs
TYPED = {
    1: [("Normal", "EA welcomed all to the meeting. Apologies were noted as above.")],
    2: [
        (
            "Normal",
            [
                ("The notes of 9 September were ", ""),
                ("agreed", "b"),
                (" as a ", ""),
                ("true", "i"),
                (" record.", ""),
            ],
        )
    ],
    3: [
        ("Normal", "Action 2020/17 - C/F – the meeting is still to be held."),
        ("Normal", "Action 2020/29: LP and CC to bring a proposal to the next meeting."),
    ],
    4: [
        ("Normal", [("Police update", "b")]),
        ("List Bullet", "All schools have reopened."),
        ("List Bullet", [("Referrals are ", ""), ("rising", "u"), (" again.", "")]),
        ("Heading 3", "Health"),
        ("Normal", "Vaccination planning is under way."),
    ],
    6: [
        ("Normal", "The briefing was discussed."),
        ("Normal", "Action: JC to circulate the briefing to all partners."),
    ],
}
TABLE_ITEM = 8
TABLE = [("Document", "Owner", "Due"), ("Protocol", "TDV", "November"), ("Referral form", "MW", "")]


def notes_template(output: Path) -> Path:
    """The sample's 15 October notes template, made as `packgen notes 2020-10-15` makes it."""
    from packgen.commands.notes import notes_template as make

    return make(SAMPLE, TEMPLATES, output, OCTOBER)


def fill(template: Path, target: Path) -> Path:
    """Type the notes into the template as a minute-taker would; save them as `target`."""
    doc = Document(str(template))
    for row in doc.tables[0].rows[1:]:
        marks = MARKS.get(row.cells[1].text)
        for cell, text in zip(row.cells[3:], marks or (), strict=False):
            cell.text = text
    headings = [p for p in doc.paragraphs if p.style.name == "Heading 2"]
    for number, lines in TYPED.items():
        for style, text in lines:
            _type(doc, headings, number, style, text)
    table = doc.add_table(rows=0, cols=3)
    for cells in TABLE:
        for cell, text in zip(table.add_row().cells, cells, strict=True):
            cell.text = text
    headings[TABLE_ITEM]._p.addprevious(table._tbl)  # at the end of item 8's notes
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


def _type(doc, headings: list[Paragraph], number: int, style: str, text) -> None:
    """Add a paragraph at the end of item `number`'s notes (before the next heading)."""
    if number < len(headings):
        paragraph = headings[number].insert_paragraph_before("", style)
    else:
        paragraph = doc.add_paragraph("", style)
    for run_text, formatting in [(text, "")] if isinstance(text, str) else text:
        run = paragraph.add_run(run_text)
        run.bold, run.italic, run.underline = ("b" in formatting or None, "i" in formatting or None,
                                               "u" in formatting or None)  # fmt: skip


def resave_with_writer(path: Path, folder: Path) -> Path:
    """Open the notes in LibreOffice Writer and save them again as .docx, into `folder`."""
    profile = (folder / "profile").as_uri()
    command = [
        shutil.which("soffice") or "soffice",
        f"-env:UserInstallation={profile}",
        "--headless",
        "--convert-to",
        "docx:MS Word 2007 XML",
        "--outdir",
        str(folder / "resaved"),
        str(path),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return folder / "resaved" / path.name


def november_agenda(data: Path) -> None:
    """Number the forward plan's November items as the 27 November agenda, with the notes of
    the previous meeting and the action log."""
    path = data / "forward_plan.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    start = next(r for r in range(1, sheet.max_row + 1)
                 if str(sheet.cell(r, 1).value).startswith("Meeting: November 2020"))  # fmt: skip
    sheet.cell(start, 1).value = "Meeting: 27 November 2020"
    items = [
        ("Notes of Previous Meeting – 15 10 2020", "Notes of previous meeting"),
        ("Action Log 2020 - 2021", "Action log"),
    ]
    for offset, (title, papers) in enumerate(items, start=1):
        sheet.cell(start + offset, 2).value = title
        sheet.cell(start + offset, 6).value = papers
    for offset in range(1, 5):
        sheet.cell(start + offset, 1).value = offset
        sheet.cell(start + offset, 5).value = 10
        sheet.cell(start + offset, 7).value = "N"
    book.save(path)


def sample_with_notes(tmp: Path, notes: Path) -> Path:
    """A copy of the sample with `notes` as data/minutes/2020-10-15.docx and a 27 November
    agenda."""
    data = tmp / "data"
    shutil.copytree(SAMPLE, data)
    (data / "minutes").mkdir()
    shutil.copyfile(notes, data / "minutes" / "2020-10-15.docx")
    november_agenda(data)
    return data
