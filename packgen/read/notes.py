"""data/minutes/<date>.docx: the notes a minute-taker typed in Word, read-only, into Minutes.

Headings with an item number (`6. Themed Learning Review`) start the items; deeper headings,
bold-only lines, list paragraphs and the rest become sub-headings, bullets and paragraphs;
`Action 2020/29: …` lines become action lines; the attendance table (Name … Attendance) gives
the attendance when it is filled in. What packgen's notes template writes for the minute-taker
(the item's lead, the guidance) is in styles of its own, and is not read back as notes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

from packgen.errors import Location, Problem, Problems
from packgen.limits import docx_problem
from packgen.model import (
    Attendance,
    Attended,
    ForwardPlanMeeting,
    MinuteItem,
    MinuteParagraph,
    Minutes,
    ParagraphStyle,
    TextRun,
    long_date,
)
from packgen.read.workbook import is_lock_file

if TYPE_CHECKING:  # python-docx is imported only when there are notes to read
    from docx.document import Document as WordDocument
    from docx.text.paragraph import Paragraph

FOLDER = "minutes"
# The styles packgen's notes template writes what is for the minute-taker, not the notes, in.
LEAD_STYLE = "Item Lead"
GUIDANCE_STYLE = "Notes Guidance"
ACTION = re.compile(r"\s*Action\s*(?P<ref>\d{4}\s*/\s*\d{1,3})?\s*:\s*(?P<text>.*)", re.I | re.S)
NUMBERED = re.compile(r"\s*(?P<number>\d{1,3})(?:\s*[.):]\s*|\s+)(?P<title>\S.*)", re.S)
_HEADING = re.compile(r"heading\s*(\d)", re.I)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# How the attendance table's headings and marks may be written.
ATTENDANCE_HEADINGS = {
    "name": ("name", "member"),
    "initials": ("initials",),
    "status": ("attendance", "attended", "present", "attendedapologies"),
    "deputising": ("deputisingfor", "deputising", "for", "onbehalfof"),
    "arrived": ("arrived", "arrivedat", "arrival", "from"),
}
MARKS = {
    "attended": Attended.ATTENDED, "present": Attended.ATTENDED, "yes": Attended.ATTENDED,
    "y": Attended.ATTENDED, "x": Attended.ATTENDED, "✓": Attended.ATTENDED,
    "✔": Attended.ATTENDED, "inattendance": Attended.ATTENDED,
    "apologies": Attended.APOLOGIES, "apology": Attended.APOLOGIES, "apols": Attended.APOLOGIES,
    "sentapologies": Attended.APOLOGIES,
}  # fmt: skip


def notes_files(data: Path) -> list[Path]:
    """The files in data/minutes/, without Word's and LibreOffice's lock files."""
    folder = data / FOLDER
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_file() and not is_lock_file(p) and p.name[0] != "."
    )


def read_notes(data: Path, problems: Problems) -> list[Minutes]:
    """Read every meeting's Word notes in data/minutes/, in date order."""
    found = []
    for path in notes_files(data):
        where = Location(f"{FOLDER}/{path.name}")
        date = _date(path, where, problems)
        if date is None:
            continue
        refused = _file_problem(path, where)
        if refused is not None:
            problems.items.append(refused)
            continue
        from docx import Document  # here: a partnership without Word notes never loads it

        try:
            document = Document(str(path))
        except Exception as exc:  # python-docx fails on a damaged part in many ways
            problems.error(where, f"can't be read as a Word document ({exc})")
            continue
        minutes = _read(document, date, where.file, problems)
        found += [minutes] if minutes is not None else []
    return found


def _date(path: Path, where: Location, problems: Problems) -> dt.date | None:
    if path.suffix.lower() != ".docx":
        problems.warn(where, "is not a .docx: the notes are read from minutes/<date>.docx only")
        return None
    try:
        return dt.date.fromisoformat(path.stem)
    except ValueError:
        problems.warn(where, "is not named by its meeting's date like 2020-10-15.docx: not read")
        return None


def _file_problem(path: Path, where: Location) -> Problem | None:
    """Refuse a password-protected, damaged or hostile file before python-docx opens it."""
    with path.open("rb") as stream:
        head = stream.read(4)
    if head == _OLE_MAGIC:  # Word keeps a password-protected .docx in an OLE container
        return Problem(
            where, "is password-protected (or an old .doc renamed): save it as .docx without one"
        )
    return docx_problem(path, where)


def _read(document: WordDocument, date: dt.date, source: str, problems: Problems) -> Minutes | None:
    from docx.table import Table

    reader = _Reader(_item_level(document.paragraphs))
    attendance: list[Attendance] = []
    paragraphs = tables = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            tables += 1
            rows = _cells(block)
            where = Location(source, f"table {tables}")
            if rows and _attendance_columns(rows[0]) is not None:
                attendance += _attendance(rows, date, where, problems)
            elif rows:
                reader.table(rows, where)
        else:
            paragraphs += 1
            reader.paragraph(block, Location(source, f"paragraph {paragraphs}"))
    if not reader.items:
        problems.warn(
            Location(source),
            "no item headings (a heading such as `6. Any Other Business`): not read",
        )
        return None
    return Minutes(date, tuple(reader.minute_items()), source, tuple(attendance))


class _Reader:
    """Items and their paragraphs, as the document's blocks come."""

    def __init__(self, item_level: int | None) -> None:
        self.items: list[tuple[int | None, str, list[MinuteParagraph], Location]] = []
        self.item_level = item_level

    def paragraph(self, paragraph: Paragraph, where: Location) -> None:
        text = paragraph.text.strip()
        style = paragraph.style.name if paragraph.style is not None else ""
        if not text or style in (LEAD_STYLE, GUIDANCE_STYLE, "Title"):
            return
        level = _heading_level(style)
        if level is not None and level == self.item_level:
            numbered = NUMBERED.fullmatch(text)
            number = int(numbered["number"]) if numbered else None
            self.items.append((number, numbered["title"] if numbered else text, [], where))
        elif level is not None and self.item_level is not None and level < self.item_level:
            return  # the document's own sections: "Attendance", "Notes"
        elif self.items:
            self.items[-1][2].append(_line(paragraph, text, level, where))

    def table(self, rows: list[tuple[str, ...]], where: Location) -> None:
        if self.items:
            text = " | ".join(rows[0])
            self.items[-1][2].append(
                MinuteParagraph(ParagraphStyle.TABLE, text, location=where, rows=tuple(rows))
            )

    def minute_items(self) -> list[MinuteItem]:
        return [MinuteItem(n, title, tuple(lines), where) for n, title, lines, where in self.items]


def _item_level(paragraphs: list[Paragraph]) -> int | None:
    """The heading level of the items: that of the first heading with an item number."""
    for paragraph in paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        level = _heading_level(style)
        if level is not None and NUMBERED.fullmatch(paragraph.text.strip()):
            return level
    return None


def _heading_level(style: str) -> int | None:
    found = _HEADING.fullmatch(style.strip())
    return int(found.group(1)) if found else (1 if style == "Subtitle" else None)


def _line(paragraph: Paragraph, text: str, level: int | None, where: Location) -> MinuteParagraph:
    """One paragraph under an item: an action line, a sub-heading, a bullet or a paragraph."""
    action = ACTION.fullmatch(text)
    if action:
        ref = re.sub(r"\s+", "", action["ref"] or "")
        return MinuteParagraph(ParagraphStyle.ACTION, action["text"].strip(), ref, where)
    runs = _runs(paragraph)
    if level is not None or all(r.bold for r in runs if r.text.strip()):
        return MinuteParagraph(ParagraphStyle.SUBHEADING, text, location=where)
    style = ParagraphStyle.BULLET if _is_list(paragraph) else ParagraphStyle.PARAGRAPH
    return MinuteParagraph(style, text, location=where, runs=tuple(runs))


def _is_list(paragraph: Paragraph) -> bool:
    style = paragraph.style.name if paragraph.style is not None else ""
    ppr = paragraph._p.pPr
    return style.startswith("List") or (ppr is not None and ppr.numPr is not None)


def _runs(paragraph: Paragraph) -> list[TextRun]:
    """The paragraph's text in runs of bold, italic and underline, neighbours alike joined."""
    from docx.enum.text import WD_UNDERLINE
    from docx.text.hyperlink import Hyperlink

    runs: list[TextRun] = []
    for part in paragraph.iter_inner_content():
        for run in part.runs if isinstance(part, Hyperlink) else [part]:
            strong = run.style is not None and run.style.name in ("Strong", "Strong Emphasis")
            this = TextRun(
                run.text,
                bool(run.bold) or strong,
                bool(run.italic) or (run.style is not None and run.style.name == "Emphasis"),
                run.underline not in (None, False, WD_UNDERLINE.NONE),
            )
            if runs and (runs[-1].bold, runs[-1].italic, runs[-1].underline) == (
                this.bold, this.italic, this.underline
            ):  # fmt: skip
                runs[-1] = dataclasses.replace(runs[-1], text=runs[-1].text + this.text)
            elif this.text:
                runs.append(this)
    if runs:  # the paragraph's text is stripped; so are its runs' ends
        runs[0] = dataclasses.replace(runs[0], text=runs[0].text.lstrip())
        runs[-1] = dataclasses.replace(runs[-1], text=runs[-1].text.rstrip())
    return [r for r in runs if r.text]


def _cells(table) -> list[tuple[str, ...]]:
    """Each row's cell texts (a merged cell once), blank rows left out."""
    rows = []
    for row in table.rows:
        seen, texts = set(), []
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                texts.append(cell.text.strip())
        if any(texts):
            rows.append(tuple(texts))
    return rows


def _fold(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold()) or text.strip()


def _attendance_columns(heading: tuple[str, ...]) -> dict[str, int] | None:
    """The attendance table's columns by what they hold, or None when this isn't it."""
    columns = {}
    for index, text in enumerate(heading):
        for key, names in ATTENDANCE_HEADINGS.items():
            if _fold(text) in names and key not in columns:
                columns[key] = index
    return columns if {"name", "status"} <= set(columns) else None


def _attendance(
    rows: list[tuple[str, ...]], date: dt.date, where: Location, problems: Problems
) -> list[Attendance]:
    """The members marked attended or apologies; a row left blank is not recorded."""
    columns = _attendance_columns(rows[0]) or {}
    marked = []
    for number, row in enumerate(rows[1:], start=2):
        cell = {k: (row[i] if i < len(row) else "") for k, i in columns.items()}
        at = Location(where.file, where.part, f"row {number}")
        status = _status(cell, at, problems)
        if status is not None:
            member = cell.get("initials") or cell["name"]
            deputy, arrived = cell.get("deputising", ""), cell.get("arrived", "")
            marked.append(Attendance(date, member, status, deputy, arrived, at))
    return marked


def _status(cell: dict[str, str], where: Location, problems: Problems) -> Attended | None:
    mark = _fold(cell["status"]) if cell["status"] else ""
    if mark in MARKS:
        return MARKS[mark]
    if mark:
        problems.warn(where, f"Attendance: {cell['status']!r} is not attended or apologies")
        return None
    if cell.get("deputising") or cell.get("arrived"):
        return Attended.ATTENDED  # a deputy, or a late arrival, was there
    return None


def with_notes(workbook: list[Minutes], notes: list[Minutes], problems: Problems) -> list[Minutes]:
    """Put the Word notes in place of minutes.xlsx's rows of the same meeting, saying so."""
    dates = {m.meeting for m in notes}
    for minutes in workbook:
        if minutes.meeting in dates:
            problems.warn(
                Location(f"{FOLDER}/{minutes.meeting.isoformat()}.docx"),
                f"the notes of {long_date(minutes.meeting)} are read from this Word file; "
                f"the rows of {minutes.source} for that meeting are not used",
            )
    return [m for m in workbook if m.meeting not in dates] + notes


def number_items(notes: list[Minutes], plans: list[ForwardPlanMeeting]) -> list[Minutes]:
    """Give a heading written without its number the number of the agenda item it names."""
    numbered = []
    for minutes in notes:
        titles = {
            _fold(item.title): item.number
            for plan in plans
            if plan.date.exact == minutes.meeting
            for item in plan.items
            if item.number is not None
        }
        items = tuple(
            dataclasses.replace(i, number=titles.get(_fold(i.title))) if i.number is None else i
            for i in minutes.items
        )
        numbered.append(dataclasses.replace(minutes, items=items))
    return numbered
