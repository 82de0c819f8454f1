"""The notes template for the minute-taker: the meeting, every member, one heading per item."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packgen.check import next_refs
from packgen.model import long_date
from packgen.render.context.common import describe, find_member

if TYPE_CHECKING:
    from packgen.check import Prepared


def notes_template_context(prepared: Prepared) -> dict:
    """Context of the notes template of the meeting `prepared` is for."""
    settings, meeting, partnership = prepared.settings, prepared.meeting, prepared.partnership
    chair = find_member(prepared, meeting.chair)
    initials = chair.initials if chair else "XX"
    times = [f"{t:%H:%M}" for t in (meeting.start, meeting.end) if t is not None]
    context = {
        "partnership": settings.name,
        "meeting": {
            "title": f"Notes of the {settings.name} Meeting",
            "date": long_date(meeting.date),
            "iso": meeting.date.isoformat(),
            "time": " – ".join(times),
            "venue": meeting.venue,
            "chair": describe(prepared, meeting.chair),
            "secretariat": describe(prepared, meeting.secretariat),
        },
        "members": [
            {"name": m.name, "initials": m.initials, "agency": m.agency}
            for m in partnership.members
        ],
        "items": [
            {"number": str(item.number), "title": item.title, "lead": item.lead}
            for item in prepared.agenda.items
        ],
        "next_ref": next_refs(partnership, meeting.date)[0],
    }
    context["action_example"] = f"Action {context['next_ref']}: {initials} to …"
    return context
