"""What to fill in first, for a partnership that has only just started (`packgen init`)."""

from __future__ import annotations

from dataclasses import dataclass

from packgen.errors import Location, Problem
from packgen.model import Partnership


@dataclass(frozen=True)
class Step(Problem):
    """One thing to fill in before there is a pack to build: guidance, not a fault."""


def first_steps(partnership: Partnership) -> list[Step]:
    """The workbooks' rows a pack can't do without, in the order to fill them in; none once
    there are meetings, members and an agenda."""
    steps = []
    if not partnership.meetings:
        steps.append(
            Step(
                Location("meetings.xlsx", "Meetings"),
                "no meetings yet: add a row per meeting (Date, Start, End, Venue, Chair)",
            )
        )
    if not partnership.members:
        steps.append(
            Step(
                Location("meetings.xlsx", "Members"),
                "no members yet: add a row per member (Name, Initials, Title, Agency, Email, "
                "Receives Pack, Role, Send As)",
            )
        )
    if not any(i.number is not None for fp in partnership.forward_plan for i in fp.items):
        steps.append(
            Step(
                Location("forward_plan.xlsx", "Forward Plan"),
                "no agenda yet: add a row 'Meeting: <the meeting's date>', then its items "
                "under it, numbered 1, 2, 3 … in the Item column, with their papers",
            )
        )
    return steps


def is_guidance(problems: list[Problem]) -> bool:
    return bool(problems) and all(isinstance(p, Step) for p in problems)
