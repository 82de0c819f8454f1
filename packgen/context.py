"""The model becomes one template context per document: plain dicts, lists and strings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from packgen.errors import InputError, Location, Problem, Problems
from packgen.model import (
    Action,
    AgendaItem,
    Attendance,
    Attended,
    DocumentKind,
    FuzzyDate,
    Letter,
    Meeting,
    Member,
    MinuteParagraph,
    ParagraphStyle,
    Status,
)
from packgen.plan import PackDocument, PackPlan, long_date, previous_meeting_date

if TYPE_CHECKING:
    from packgen.check import Prepared

PageRefs = dict[int, tuple[int, int]]

SHADES = {Status.OPEN: "FFF2CC", Status.CARRIED_FORWARD: "FCE4D6", Status.CLOSED: "FFFFFF"}
SECTION_SHADE = "D9E2F3"
CURRENT_SHADE = "FFF2CC"
NO_PAGES = "pp. –"
SIGNATURE_HEIGHT_MM = 15.0
LOGO_HEIGHT_MM = 15.0
# Characters XML 1.0 forbids, plus the ones docxtpl would turn into paragraphs or page breaks.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Image:
    """A picture for the template; rendering turns it into a docxtpl InlineImage."""

    path: Path
    height_mm: float


def build_context(
    doc: PackDocument, plan: PackPlan, prepared: Prepared, page_refs: PageRefs | None = None
) -> dict[str, Any]:
    """Return the context of one rendered document, every string cleaned for XML."""
    if doc.template is None:
        raise ValueError(f"{doc.key} is a paper sent in, not a rendered document")
    if doc.item is None:
        context = agenda_context(plan, prepared, page_refs)
    elif doc.kind is DocumentKind.LETTERS and doc.letter is not None:
        context = letter_context(doc.letter, prepared)
    else:
        context = _BUILDERS[doc.kind](prepared)
    return {key: _records(value) for key, value in clean(context).items()}


class Record(SimpleNamespace):
    """A row of a context: attribute access for templates, so `action.update` is the field
    (a dict would give Jinja its `update` method)."""

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


def _records(value: Any) -> Any:
    """Turn nested dicts into Records."""
    if isinstance(value, dict):
        return Record(**{k: _records(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_records(v) for v in value]
    return value


def clean(value: Any) -> Any:
    """Remove characters XML forbids from every string; keep tabs and line breaks."""
    if isinstance(value, str):
        return _FORBIDDEN.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


# --- agenda -------------------------------------------------------------------------------


def agenda_context(plan: PackPlan, prepared: Prepared, page_refs: PageRefs | None) -> dict:
    """Context of the agenda: meeting table, items with times and pages, future meetings."""
    settings, meeting = prepared.settings, prepared.meeting
    future = future_meetings(prepared)
    dates_item = next((i for i in plan.agenda.items if _is_dates_item(i)), None)
    start = _minutes_of(meeting.start)
    items = []
    for item in plan.agenda.items:
        items.append(
            _agenda_item(item, plan, start, page_refs, future if item is dates_item else [])
        )
        start = start + item.minutes if start is not None and item.minutes else start
    return {
        "partnership": settings.name,
        "meeting": {
            "title": settings.name,
            "date": long_date(meeting.date),
            "time": _time_range(meeting),
            "venue": meeting.venue,
            "chair": describe(prepared, meeting.chair, short=True),
            "secretariat": describe(prepared, meeting.secretariat, short=True),
        },
        "items": items,
        "future_meetings": future,
        "future_meetings_after_items": bool(future) and dates_item is None,
    }


def _agenda_item(
    item: AgendaItem, plan: PackPlan, start: int | None, page_refs: PageRefs | None, future: list
) -> dict:
    documents = plan.for_item(item.number)
    return {
        "number": "" if item.number is None else str(item.number),
        "title": item.title,
        "lead": item.lead,
        "duration": _duration(item.minutes),
        "start": "" if start is None else f"{start // 60 % 24:02d}:{start % 60:02d}",
        "pages": page_text(item.number, page_refs) if documents else "",
        "papers": [d.title for d in documents],
        "future_meetings": future,
    }


def page_text(number: int | None, page_refs: PageRefs | None) -> str:
    """Say where an item's papers are in the pack: "pp. 5–12", "p. 5", or a placeholder."""
    if page_refs is None or number not in page_refs:
        return NO_PAGES
    first, last = page_refs[number]
    return f"p. {first}" if first == last else f"pp. {first}–{last}"


def future_meetings(prepared: Prepared) -> list[str]:
    """List the meetings after this one: "27 November 2020 @ 10:00"."""
    later = sorted(
        (m for m in prepared.partnership.meetings if m.date > prepared.meeting.date),
        key=lambda m: m.date,
    )
    return [long_date(m.date) + (f" @ {m.start:%H:%M}" if m.start else "") for m in later]


def _is_dates_item(item: AgendaItem) -> bool:
    return "future meeting" in item.title.casefold()


def _minutes_of(time: dt.time | None) -> int | None:
    return None if time is None else time.hour * 60 + time.minute


def _duration(minutes: int | None) -> str:
    if minutes is None:
        return ""
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def _time_range(meeting: Meeting) -> str:
    parts = [f"{t:%H:%M}" for t in (meeting.start, meeting.end) if t is not None]
    return " – ".join(parts)


# --- people ------------------------------------------------------------------------------


def find_member(prepared: Prepared, typed: str) -> Member | None:
    """Find a member by name or initials as typed."""
    wanted = typed.strip().casefold()
    for member in prepared.partnership.members:
        if wanted in (member.name.casefold(), member.initials.casefold()):
            return member
    return None


def describe(prepared: Prepared, typed: str, short: bool = False) -> str:
    """Write a person as "Name, Title, Agency" (agency short form when `short`)."""
    member = find_member(prepared, typed)
    if member is None:
        return typed
    agency = prepared.settings.agency_short(member.agency) if short else member.agency
    return ", ".join(p for p in (member.name, member.title, agency) if p)


def _attendee(prepared: Prepared, row: Attendance) -> dict:
    member = find_member(prepared, row.member)
    name = f"{member.name} ({member.initials})" if member else row.member
    if row.arrived:
        name += f" (from {row.arrived})"
    if row.deputising_for:
        name += f" (for {row.deputising_for})"
    return {
        "name": name,
        "title": member.title if member else "",
        "agency": member.agency if member else "",
    }


# --- notes of the previous meeting --------------------------------------------------------


def minutes_context(prepared: Prepared) -> dict:
    """Context of the notes of the previous meeting."""
    settings, partnership = prepared.settings, prepared.partnership
    date = previous_meeting_date(prepared)
    if date is None:
        raise InputError(
            "The agenda asks for the notes of the previous meeting but there are none.",
            [
                Problem(
                    Location("minutes.xlsx"),
                    f"no notes of a meeting before {prepared.meeting.date}",
                )
            ],
        )
    minutes = next(m for m in partnership.minutes if m.meeting == date)
    meeting = next((m for m in partnership.meetings if m.date == date), None)
    rows = [a for a in partnership.attendance if a.meeting == date]
    return {
        "partnership": settings.name,
        "meeting": {
            "title": f"Notes of the {settings.name} Meeting",
            "date": long_date(date),
            "chair": describe(prepared, meeting.chair) if meeting else "",
            "secretariat": describe(prepared, meeting.secretariat) if meeting else "",
            "venue": meeting.venue if meeting else "",
        },
        "attendees": [_attendee(prepared, a) for a in rows if a.status is Attended.ATTENDED],
        "apologies": [_attendee(prepared, a) for a in rows if a.status is Attended.APOLOGIES],
        "items": [
            {
                "number": str(item.number),
                "title": item.title,
                "paragraphs": [_minute_line(p) for p in item.paragraphs],
            }
            for item in minutes.items
        ],
    }


def _minute_line(paragraph: MinuteParagraph) -> dict:
    text = paragraph.text
    label = ""
    if paragraph.style is ParagraphStyle.ACTION:
        label = f"Action {paragraph.action_ref}:" if paragraph.action_ref else "Action:"
        text = re.sub(r"^\s*Action\s*[\d/]*\s*[:\-–]\s*", "", text)
    return {"style": paragraph.style.value, "text": text, "label": label}


# --- workbook tables ------------------------------------------------------------------------


def financial_year(date: dt.date) -> str:
    """Name the April-to-March year a date falls in: "2020 - 2021"."""
    first = date.year if date.month >= 4 else date.year - 1
    return f"{first} - {first + 1}"


def action_log_context(prepared: Prepared) -> dict:
    """Context of the action log: actions grouped under their meetings."""
    actions = prepared.partnership.actions
    groups: list[dict] = []
    for action in actions:
        if not groups or groups[-1]["heading"] != action.meeting_heading:
            groups.append({"heading": action.meeting_heading, "actions": []})
        groups[-1]["actions"].append(_action(action))
    counts = {s: sum(a.status is s for a in actions) for s in Status}
    summary = (
        f"{len(actions)} actions: {counts[Status.OPEN]} open, "
        f"{counts[Status.CARRIED_FORWARD]} carried forward, {counts[Status.CLOSED]} closed."
    )
    return {
        "partnership": prepared.settings.name,
        "title": f"Action Log {financial_year(prepared.meeting.date)}",
        "summary": summary,
        "groups": groups,
    }


def _action(action: Action) -> dict:
    return {
        "ref": action.ref,
        "text": action.text,
        "lead": action.lead,
        "update": action.update,
        "status": action.status.value,
        "shade": SHADES[action.status],
    }


def tracker_context(prepared: Prepared) -> dict:
    """Context of the case review tracker: one row per case."""
    return {
        "partnership": prepared.settings.name,
        "title": f"{prepared.settings.name} Case Review Tracker",
        "cases": [
            {
                "initials": case.initials,
                "notified": _fuzzy(case.notified),
                "summary": case.summary,
                "lead_authority": case.lead_authority,
                "update": case.update,
                "presented": _fuzzy(case.presented),
                "published": case.published,
            }
            for case in prepared.partnership.cases
        ],
    }


def forward_plan_context(prepared: Prepared) -> dict:
    """Context of the agenda forward plan, the meeting of this pack shaded."""
    return {
        "partnership": prepared.settings.name,
        "title": f"Agenda Forward Plan {financial_year(prepared.meeting.date)}",
        "meetings": [
            {
                "heading": plan.heading,
                "shade": CURRENT_SHADE if plan == prepared.agenda else SECTION_SHADE,
                "items": [
                    {
                        "number": "" if item.number is None else str(item.number),
                        "title": item.title,
                        "lead": item.lead,
                        "notes": item.notes,
                    }
                    for item in plan.items
                ],
            }
            for plan in prepared.partnership.forward_plan
        ],
    }


def recommendations_context(prepared: Prepared) -> dict:
    """Context of the SCR recommendations table: one column per agency."""
    table = prepared.partnership.recommendations
    if table is None:
        raise InputError(
            "The agenda asks for SCR recommendations but there are none.",
            [_no_recommendations()],
        )
    header = table.header
    title = header.title + (f" ({header.link})" if header.link else "")
    return {
        "partnership": prepared.settings.name,
        "title": f"Recommendations from Case Reviews for {prepared.settings.name}",
        "header": {
            "case_type": header.case_type,
            "date": _fuzzy(header.publication_date),
            "lead": header.lead_lscp,
            "title": title,
            "comments": header.comments,
        },
        "agencies": list(table.agencies),
        "recommendations": [
            {
                "number": str(rec.number),
                "text": rec.text,
                "responses": [dict(rec.responses).get(agency, "") for agency in table.agencies],
            }
            for rec in table.recommendations
        ],
    }


def _no_recommendations() -> Problem:
    return Problem(Location("scr_recommendations.xlsx"), "no recommendations were read")


def _fuzzy(date: FuzzyDate) -> str:
    return date.text


# --- letters -------------------------------------------------------------------------------


def letter_context(letter: Letter, prepared: Prepared) -> dict:
    """Context of one letter; a signed letter carries its signature image."""
    problems = Problems()
    problems.extend(letter_problems(letter, prepared))
    problems.raise_if_errors("A letter can't be written.")
    settings = prepared.settings
    member = find_member(prepared, letter.signatory)
    agency = settings.agency_short(member.agency) if member else ""
    return {
        "partnership": settings.name,
        "partners": " · ".join(a.name for a in settings.agencies),
        "logos": [Image(p, LOGO_HEIGHT_MM) for p in settings.logos],
        "reply_address": letter.reply_address or settings.reply_address,
        "recipient": list(letter.recipient),
        "date": long_date(letter.date.exact) if letter.date.exact else letter.date.text,
        "salutation": letter.salutation,
        "subject": letter.subject,
        "paragraphs": list(letter.paragraphs),
        "signature": Image(letter.signature, SIGNATURE_HEIGHT_MM) if letter.signed else None,
        "signatory": {
            "name": member.name if member else letter.signatory,
            "title": ", ".join(p for p in (member.title, agency) if p) if member else "",
        },
        "signing_line": settings.signing_line,
        "enclosure": letter.enclosure,
    }


def letter_problems(letter: Letter, prepared: Prepared) -> list:
    """Find what stops a letter being written: a signed letter without its signature image."""
    problems = Problems()
    where = letter.location or Location("letters.xlsx", "Letters", f"key {letter.key}")
    if letter.signed:
        if letter.signature is None:
            problems.error(where, "the letter is marked signed but names no signature image")
        elif not Path(letter.signature).is_file():
            problems.error(where, f"signature image {Path(letter.signature).name} is missing")
    if find_member(prepared, letter.signatory) is None:
        problems.warn(where, f"signatory {letter.signatory!r} is not in meetings.xlsx › Members")
    return problems.items


_BUILDERS: dict[DocumentKind | None, Callable[[Prepared], dict]] = {
    DocumentKind.MINUTES: minutes_context,
    DocumentKind.ACTION_LOG: action_log_context,
    DocumentKind.TRACKER: tracker_context,
    DocumentKind.FORWARD_PLAN: forward_plan_context,
    DocumentKind.RECOMMENDATIONS: recommendations_context,
}
