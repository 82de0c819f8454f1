"""The agenda forward plan: items under `Meeting: …` rows; numbered items make an agenda."""

from __future__ import annotations

from pathlib import Path

from packgen.errors import Problems
from packgen.model import AgendaItem, DocumentKind, ForwardPlanMeeting, PaperRef
from packgen.read import cells
from packgen.read.dates import find_date
from packgen.read.workbook import Column, Row, normalise

FILE = "forward_plan.xlsx"
COLUMNS = (
    Column("number", ("Item", "No", "Item No", "Number", "#"), required=False),
    Column("title", ("Agenda Item", "Item Title", "Title", "Agenda")),
    Column("lead", ("Lead", "Leads", "Presenter")),
    Column("notes", ("Notes", "Comments", "Note"), required=False),
    Column("minutes", ("Minutes", "Duration", "Time", "Mins"), required=False),
    Column("papers", ("Papers", "Paper", "Documents"), required=False),
    Column("restricted", ("Restricted", "Confidential", "Sensitive"), required=False),
    Column("reason", ("Reason", "Reason Restricted", "Exemption", "Exempt"), required=False),
)
DOCUMENTS = {
    DocumentKind.MINUTES: ("Notes of previous meeting", "Notes of the previous meeting",
                           "Minutes", "Notes", "Previous minutes"),
    DocumentKind.ACTION_LOG: ("Action log",),
    DocumentKind.TRACKER: ("Case review tracker", "Tracker"),
    DocumentKind.FORWARD_PLAN: ("Forward plan", "Agenda forward plan"),
    DocumentKind.RECOMMENDATIONS: ("SCR recommendations", "Recommendations"),
    DocumentKind.LETTERS: ("Letters", "Letter"),
}  # fmt: skip
_KINDS = {normalise(name): kind for kind, names in DOCUMENTS.items() for name in names}


def paper_ref(line: str) -> PaperRef:
    """Read one line of a Papers cell: a document packgen writes, or a file name."""
    kind = _KINDS.get(normalise(line))
    return PaperRef(line, kind) if kind else PaperRef(line, None, line)


def unsafe_name(name: str) -> bool:
    """A paper must be a plain file name inside the meeting's papers folder."""
    return "/" in name or "\\" in name or ".." in name


def read_forward_plan(data: Path, problems: Problems) -> list[ForwardPlanMeeting]:
    """Read every meeting of the forward plan with its items, in workbook order."""
    sheets = cells.load(data, FILE, problems)
    table = cells.table(FILE, sheets, COLUMNS, problems) if sheets else None
    if table is None:
        return []
    meetings: list[ForwardPlanMeeting] = []
    items: list[AgendaItem] = []
    for row in table.rows():
        if row.section is not None:
            _close(meetings, items)
            meetings.append(
                ForwardPlanMeeting(row.section, find_date(row.section), (), row.first_where)
            )
            items = []
        elif not meetings:
            problems.warn(row.where("title"), "agenda item above the first 'Meeting:' row: ignored")
        else:
            items.append(_item(row, problems))
    _close(meetings, items)
    return meetings


def _close(meetings: list[ForwardPlanMeeting], items: list[AgendaItem]) -> None:
    if meetings:
        last = meetings[-1]
        meetings[-1] = ForwardPlanMeeting(last.heading, last.date, tuple(items), last.location)


def _item(row: Row, problems: Problems) -> AgendaItem:
    restricted = cells.yes_no(row, "restricted", problems)
    return AgendaItem(
        number=cells.number(row, "number", problems) if row.has("number") else None,
        title=cells.required(row, "title", problems),
        lead=row.text("lead"),
        minutes=cells.number(row, "minutes", problems) if row.has("minutes") else None,
        notes=cells.optional(row, "notes"),
        papers=_papers(row, problems),
        restricted=restricted,
        reason=_reason(row, restricted, problems),
        location=row.where("title"),
        lead_location=row.where("lead"),
        papers_location=row.where("papers") if row.has("papers") else None,
    )


def _reason(row: Row, restricted: bool, problems: Problems) -> str:
    """Why the item is restricted, on one line; a reason for an item that isn't is ignored."""
    reason = " ".join(cells.optional(row, "reason").split())
    if reason and not restricted:
        problems.warn(row.where("reason"), "a Reason is given but the item is not restricted")
        return ""
    return reason


def _papers(row: Row, problems: Problems) -> tuple[PaperRef, ...]:
    refs = []
    for line in cells.optional(row, "papers").split("\n"):
        line = line.strip().lstrip("•-* ").strip()
        if not line:
            continue
        ref = paper_ref(line)
        if ref.filename and unsafe_name(ref.filename):
            problems.error(
                row.where("papers"),
                f"paper {line!r} must be a file name in the papers folder, without / \\ or ..",
            )
            continue
        refs.append(ref)
    return tuple(refs)
