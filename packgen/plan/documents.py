"""The pack plan: which documents the pack holds, in pack order, and the file each writes."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from string import ascii_lowercase
from typing import TYPE_CHECKING

from packgen.errors import Location, Problems
from packgen.model import (
    AgendaItem,
    DocumentKind,
    ForwardPlanMeeting,
    Letter,
    Meeting,
    Paper,
    PaperRef,
    long_date,
)

if TYPE_CHECKING:
    from packgen.check import Prepared

log = logging.getLogger(__name__)

TEMPLATES = {
    DocumentKind.MINUTES: "minutes.docx",
    DocumentKind.ACTION_LOG: "action_log.docx",
    DocumentKind.TRACKER: "tracker.docx",
    DocumentKind.FORWARD_PLAN: "forward_plan.docx",
    DocumentKind.RECOMMENDATIONS: "recommendations.docx",
    DocumentKind.LETTERS: "letter.docx",
}
AGENDA_TEMPLATE = "agenda.docx"

_STEMS = {
    DocumentKind.MINUTES: "notes-of-previous-meeting",
    DocumentKind.ACTION_LOG: "action-log",
    DocumentKind.TRACKER: "case-review-tracker",
    DocumentKind.FORWARD_PLAN: "agenda-forward-plan",
    DocumentKind.RECOMMENDATIONS: "scr-recommendations",
}
_TITLES = {
    DocumentKind.ACTION_LOG: "Action Log",
    DocumentKind.TRACKER: "Case Review Tracker",
    DocumentKind.FORWARD_PLAN: "Agenda Forward Plan",
    DocumentKind.RECOMMENDATIONS: "SCR Recommendations",
}
# Names ending in these words read better with "the": "Letter to the Home Office".
_COMMON_NOUNS = {"office", "partnership", "partnerships", "board", "council", "department"}


@dataclass(frozen=True)
class PackDocument:
    """One document of the pack: one packgen renders from a template, or a paper sent in."""

    key: str
    title: str
    item: AgendaItem | None
    kind: DocumentKind | None
    template: str | None
    paper: Paper | None
    letter: Letter | None
    restricted: bool


@dataclass
class PackPlan:
    meeting: Meeting
    agenda: ForwardPlanMeeting
    documents: list[PackDocument]
    revised: str = ""  # under the agenda's title: "Revised 3 December 2026: see supplement 1"

    def for_item(self, number: int | None) -> list[PackDocument]:
        """Return the documents of one agenda item, in pack order."""
        return [d for d in self.documents if d.item is not None and d.item.number == number]


def agenda_document(plan: PackPlan) -> PackDocument:
    """Return the plan's agenda: the one document that belongs to no item."""
    return next(doc for doc in plan.documents if doc.item is None)


@dataclass(frozen=True)
class _Entry:
    """A document of an item before it gets its letter suffix."""

    stem: str
    title: str
    kind: DocumentKind | None
    paper: Paper | None = None
    letter: Letter | None = None


def plan_pack(prepared: Prepared) -> PackPlan:
    """List the pack's documents: the agenda, then each item's documents in agenda order."""
    agenda_doc = PackDocument(
        "00-agenda", "Agenda", None, None, AGENDA_TEMPLATE, None, None, restricted=False
    )
    documents = [agenda_doc]
    for item in prepared.agenda.items:
        documents += _item_documents(item, prepared)
    _refuse_duplicates(documents)
    return PackPlan(prepared.meeting, prepared.agenda, documents)


def _item_documents(item: AgendaItem, prepared: Prepared) -> list[PackDocument]:
    """Return the documents of one item, keyed `07a-…`, `07b-…` when there are several."""
    entries: list[_Entry] = []
    used: set[int] = set()
    for ref in item.papers:
        entries += _entries_for(ref, item, prepared, used)
    for index, paper in enumerate(prepared.papers):
        if paper.item == item.number and index not in used:
            entries.append(_Entry(slug(paper.title), paper.title, None, paper=paper))
    number = f"{item.number or 0:02d}"
    documents = []
    for index, entry in enumerate(entries):
        suffix = ascii_lowercase[index % 26] * (index // 26 + 1) if len(entries) > 1 else ""
        restricted = item.restricted or bool(entry.paper and entry.paper.restricted)
        template = TEMPLATES[entry.kind] if entry.kind else None
        documents.append(
            PackDocument(
                f"{number}{suffix}-{entry.stem}",
                entry.title,
                item,
                entry.kind,
                template,
                entry.paper,
                entry.letter,
                restricted,
            )
        )
    return documents


def _entries_for(
    ref: PaperRef, item: AgendaItem, prepared: Prepared, used: set[int]
) -> list[_Entry]:
    """Turn one Papers line into the documents it stands for."""
    if ref.kind is DocumentKind.LETTERS:
        return [
            _Entry(f"letter-{slug(letter.key)}", letter_title(letter), ref.kind, letter=letter)
            for letter in item_letters(item, prepared)
        ]
    if ref.kind is DocumentKind.MINUTES:
        previous = previous_meeting_date(prepared)
        title = f"Notes of the meeting of {long_date(previous)}" if previous else "Notes"
        return [_Entry(_STEMS[ref.kind], title, ref.kind)]
    if ref.kind is not None:
        return [_Entry(_STEMS[ref.kind], _TITLES[ref.kind], ref.kind)]
    for index, paper in enumerate(prepared.papers):
        if index not in used and _same_paper(paper, ref, item):
            used.add(index)
            return [_Entry(slug(paper.title), paper.title, None, paper=paper)]
    log.warning("Item %s: paper %r not found among the papers sent in", item.number, ref.text)
    return []


def _same_paper(paper: Paper, ref: PaperRef, item: AgendaItem) -> bool:
    """Tell whether a paper found in the folder is the one a Papers line names."""
    if ref.filename and paper.path.name == ref.filename:
        return True
    return paper.item == item.number and paper.title.casefold() == ref.title.casefold()


def item_letters(item: AgendaItem, prepared: Prepared) -> list[Letter]:
    """Return the letters of this meeting filed under the item, in workbook order."""
    return [
        letter
        for letter in prepared.partnership.letters
        if letter.item == item.number and letter.meeting in (None, prepared.meeting.date)
    ]


def previous_meeting_date(prepared: Prepared):
    """Return the date of the latest minuted meeting before this one, or None."""
    earlier = [m.meeting for m in prepared.partnership.minutes if m.meeting < prepared.meeting.date]
    return max(earlier, default=None)


def letter_title(letter: Letter) -> str:
    """Name a letter for a bookmark: its Title, else from its key: "Letter to the Home Office"."""
    if letter.title:
        return letter.title
    spelled: dict[str, str] = {}
    for word in " ".join(letter.recipient).replace(",", " ").split():
        # Addresses shout ("LONDON"); keep capitals only for short acronyms ("NHS").
        if not word.isupper() or len(word) <= 4:
            spelled.setdefault(word.casefold(), word)
    name = " ".join(spelled.get(w, w.capitalize()) for w in letter.key.split("-") if w)
    article = "the " if name.split()[-1].casefold() in _COMMON_NOUNS else ""
    return f"Letter to {article}{name}"


def slug(text: str) -> str:
    """Make a file-name stem a person can read: "Thematic Analysis" -> "thematic-analysis"."""
    text = text.replace("&", " and ").casefold()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].rstrip("-") or "paper"


def _refuse_duplicates(documents: list[PackDocument]) -> None:
    """Fail when two documents would write the same file, or two letters share a key."""
    problems = Problems()
    seen: set[str] = set()
    letters: set[str] = set()
    for doc in documents:
        if doc.key in seen:
            problems.error(_where(doc), f"two documents would both be written as {doc.key}")
        seen.add(doc.key)
        if doc.letter is not None:
            if doc.letter.key in letters:
                problems.error(_where(doc), f"two letters have the key {doc.letter.key!r}")
            letters.add(doc.letter.key)
    problems.raise_if_errors("The pack has documents with the same name.")


def _where(doc: PackDocument) -> Location:
    """Name where a document comes from."""
    if doc.letter and doc.letter.location:
        return doc.letter.location
    if doc.item and doc.item.location:
        return doc.item.location
    return Location("forward_plan.xlsx", None, f"item {doc.item.number if doc.item else ''}")
