"""The notes of the previous meeting: attendees, apologies and minuted items."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from packgen.errors import InputError, Location, Problem
from packgen.model import Attendance, Attended, MinuteParagraph, ParagraphStyle, long_date
from packgen.plan import previous_meeting_date
from packgen.render.context.common import describe, find_member, rich

if TYPE_CHECKING:
    from packgen.check import Prepared


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
    # The Word notes' attendance table, when it was filled in; else the Attendance sheet.
    rows = list(minutes.attendance) or [a for a in partnership.attendance if a.meeting == date]
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
                "number": "" if item.number is None else str(item.number),
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
    width = max((len(row) for row in paragraph.rows), default=0)
    header, *rows = [_padded(row, width) for row in paragraph.rows] or [[]]
    return {
        "style": paragraph.style.value,
        "text": text,
        "label": label,
        "rich": rich(paragraph.runs, text),
        "header": header,
        "rows": rows,
    }


def _padded(row: tuple[str, ...], width: int) -> list[str]:
    """A row of a notes table as wide as its widest row, so its columns line up."""
    return list(row) + [""] * (width - len(row))


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
