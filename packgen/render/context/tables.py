"""The workbook tables: action log, case review tracker, forward plan, SCR recommendations."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from packgen.errors import InputError, Location, Problem
from packgen.model import Action, FuzzyDate, Status, long_date

if TYPE_CHECKING:
    from packgen.check import Prepared

SHADES = {Status.OPEN: "FFF2CC", Status.CARRIED_FORWARD: "FCE4D6", Status.CLOSED: "FFFFFF"}
SECTION_SHADE = "D9E2F3"
CURRENT_SHADE = "FFF2CC"


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
    earlier = [m.date for m in prepared.partnership.meetings if m.date < prepared.meeting.date]
    previous = max(earlier, default=None)
    closed = closed_since(actions, previous, prepared.meeting.date) if previous else []
    summary = (
        f"{len(actions)} actions: {counts[Status.OPEN]} open, "
        f"{counts[Status.CARRIED_FORWARD]} carried forward, {counts[Status.CLOSED]} closed"
    )
    if closed:
        summary += (
            f", of which {len(closed)} since the meeting of {long_date(previous)}, for the "
            "Partnership to agree their closure"
        )
    return {
        "partnership": prepared.settings.name,
        "title": f"Action Log {financial_year(prepared.meeting.date)}",
        "summary": summary + ".",
        "groups": groups,
        "closed": [_action(a) for a in closed],
        "closed_since": long_date(previous) if previous else "",
    }


def closed_since(actions: list[Action], previous: dt.date, meeting: dt.date) -> list[Action]:
    """The actions closed since the previous meeting: by the date their update gives, or raised
    at that meeting and closed now."""
    return [
        a
        for a in actions
        if a.status is Status.CLOSED
        and (
            (a.closed_on is not None and previous <= a.closed_on <= meeting)
            or (a.closed_on is None and a.meeting_date.exact == previous)
        )
    ]


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
