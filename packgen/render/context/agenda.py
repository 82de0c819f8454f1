"""The agenda: meeting table, items with times and pages, future meetings."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from packgen.model import AgendaItem, Meeting, long_date
from packgen.plan import PackDocument, PackPlan
from packgen.render.context.common import PageRefs, describe

if TYPE_CHECKING:
    from packgen.check import Prepared

NO_PAGES = "pp. –"


def agenda_context(plan: PackPlan, prepared: Prepared, page_refs: PageRefs | None) -> dict:
    """Context of the agenda: meeting table, items with times and pages, future meetings."""
    settings, meeting = prepared.settings, prepared.meeting
    future = future_meetings(prepared)
    dates_item = next((i for i in plan.agenda.items if _is_dates_item(i)), None)
    start = _minutes_of(meeting.start)
    items = []
    for item in plan.agenda.items:
        items.append(
            _agenda_item(
                item,
                plan,
                start,
                page_refs,
                future if item is dates_item else [],
                settings.restricted_marking,
            )
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
        "revised": plan.revised,
        "future_meetings": future,
        "future_meetings_after_items": bool(future) and dates_item is None,
    }


def _agenda_item(
    item: AgendaItem,
    plan: PackPlan,
    start: int | None,
    page_refs: PageRefs | None,
    future: list,
    marking: str,
) -> dict:
    documents = plan.for_item(item.number)
    return {
        "number": "" if item.number is None else str(item.number),
        "title": marked_title(item, documents, marking),
        "lead": item.lead,
        "duration": _duration(item.minutes),
        "start": "" if start is None else f"{start // 60 % 24:02d}:{start % 60:02d}",
        "pages": page_text(item.number, page_refs) if documents else "",
        "papers": [d.title for d in documents],
        "future_meetings": future,
    }


def marked_title(item: AgendaItem, documents: list[PackDocument], marking: str) -> str:
    """The item's title, with the protective marking beside it when the pack holds restricted
    documents of the item (the public agenda, whose notices stand in for them, shows none)."""
    if marking and any(d.restricted for d in documents):
        return f"{item.title} [{marking}]"
    return item.title


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
