"""The notes of meetings against the action log, both ways, and the Word notes against the
agenda and the members: the action loop closed after each meeting."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from packgen.errors import InputError, Location, Problem, Problems, Severity
from packgen.model import (
    Action,
    AgendaItem,
    Member,
    MinuteParagraph,
    Minutes,
    ParagraphStyle,
    Partnership,
    long_date,
)

REF = re.compile(r"(?P<year>\d{4})/(?P<number>\d{2,3})")
WORKBOOK = "minutes.xlsx"
# "LP and CC to …", "TDV/MW/LP to …": the people an action line starts with, before "to".
_LEADS = re.compile(r"\s*(?P<leads>[\w .&/,'-]+?)\s+to\b", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:/|,|&|\band\b|\+)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class NewAction:
    """An action raised in the notes that the action log doesn't hold yet: a row to paste."""

    ref: str  # the ref written in the notes, else the next free one
    text: str
    lead: str  # guessed from the initials the action starts with; empty when it can't be
    location: Location | None = None
    suggested: bool = False  # the ref is packgen's suggestion: the notes gave none


def check_notes(partnership: Partnership) -> list[Problem]:
    """Warn about everything in the notes a human should look at."""
    problems = Problems()
    for minutes in partnership.minutes:
        _reconcile(minutes, partnership, problems)
        if minutes.source != WORKBOOK:
            _check_word_notes(minutes, partnership, problems)
    return problems.items


def later_notes_as_warnings(problems: list[Problem], date: dt.date) -> list[Problem]:
    """A Word notes file that can't be read stops only the packs after its meeting: those of
    its own meeting or a later one don't hold its notes."""
    found = []
    for problem in problems:
        notes = _notes_date(problem.location.file)
        if problem.severity is Severity.ERROR and notes is not None and notes >= date:
            message = f"{problem.message} (not needed for the pack of {long_date(date)})"
            problem = Problem(problem.location, message, Severity.WARNING)
        found.append(problem)
    return found


def _notes_date(file: str) -> dt.date | None:
    folder, _, name = file.partition("/")
    if folder != "minutes" or not name.lower().endswith(".docx"):
        return None
    try:
        return dt.date.fromisoformat(name[: -len(".docx")])
    except ValueError:
        return None


def _actions(minutes: Minutes) -> list[MinuteParagraph]:
    return [
        p for item in minutes.items for p in item.paragraphs if p.style is ParagraphStyle.ACTION
    ]


def _reconcile(minutes: Minutes, partnership: Partnership, problems: Problems) -> None:
    """Each action raised in the notes is in the log under that meeting, and the other way."""
    by_ref = {a.ref: a for a in partnership.actions}
    raised: dict[str, Location | None] = {}
    unreffed = 0
    for line in _actions(minutes):
        ref = line.action_ref
        if not ref:
            if minutes.source != WORKBOOK:  # a Style = action row gives its ref in Action Ref
                suggestion = next_refs(partnership, minutes.meeting, unreffed + 1)[-1]
                problems.warn(
                    line.location,
                    f"an action without a ref: write it `Action {suggestion}: …` "
                    "(the next free ref of the action log)",
                )
                unreffed += 1
            continue
        if ref in raised:
            problems.warn(line.location, f"ref {ref} is also used at {raised[ref]}")
            continue
        raised[ref] = line.location
        _in_log(ref, by_ref.get(ref), minutes, line, problems)
    for action in partnership.actions:
        if action.meeting_date.exact == minutes.meeting and action.ref not in raised:
            problems.warn(
                action.location,
                f"action {action.ref} is not raised in the notes of "
                f"{long_date(minutes.meeting)} ({minutes.source})",
            )


def _in_log(
    ref: str, action: Action | None, minutes: Minutes, line: MinuteParagraph, problems: Problems
) -> None:
    if action is None:
        hint = "" if minutes.source == WORKBOOK else (
            f": `packgen actions {minutes.meeting.isoformat()}` gives its row to paste"
        )  # fmt: skip
        problems.warn(line.location, f"action {ref} is not in the action log{hint}")
    elif action.meeting_date.exact != minutes.meeting:
        problems.warn(
            line.location,
            f"action {ref} is under 'Meeting: {action.meeting_heading}' in the action log "
            f"({action.location}), not {long_date(minutes.meeting)}",
        )


def _check_word_notes(minutes: Minutes, partnership: Partnership, problems: Problems) -> None:
    where = Location(minutes.source)
    if not any(m.date == minutes.meeting for m in partnership.meetings):
        problems.warn(
            where,
            f"notes of {long_date(minutes.meeting)}, a meeting that meetings.xlsx › Meetings "
            "doesn't list",
        )
    _check_items(minutes, agenda_items(partnership, minutes.meeting), problems)
    _check_attendance(minutes, partnership.members, problems)


def agenda_items(partnership: Partnership, date: dt.date) -> list[AgendaItem]:
    """The numbered items of a meeting's agenda in the forward plan."""
    return [
        item
        for plan in partnership.forward_plan
        if plan.date.exact == date
        for item in plan.items
        if item.number is not None
    ]


def _check_items(minutes: Minutes, agenda: list[AgendaItem], problems: Problems) -> None:
    """Headings off the agenda (when the forward plan numbers that meeting's items) and item
    numbers used twice."""
    numbers = {i.number for i in agenda}
    seen: dict[int, Location | None] = {}
    for item in minutes.items:
        heading = f"{item.number}. {item.title}" if item.number is not None else item.title
        if agenda and (item.number is None or item.number not in numbers):
            problems.warn(
                item.location,
                f"heading {heading!r} matches no item of the agenda of "
                f"{long_date(minutes.meeting)}: kept where it is",
            )
        if item.number is None:
            continue
        if item.number in seen:
            also = seen[item.number]
            problems.warn(item.location, f"item {item.number} is used twice (also at {also})")
        seen.setdefault(item.number, item.location)


def _check_attendance(minutes: Minutes, members: list[Member], problems: Problems) -> None:
    known = {_fold(m.initials) for m in members} | {_fold(m.name) for m in members}
    for row in minutes.attendance:
        for typed, what in ((row.member, "name"), (row.deputising_for, "Deputising For")):
            if typed and _fold(typed) not in known:
                problems.warn(
                    row.location,
                    f"{what} {typed!r} is not a member's name or initials in "
                    "meetings.xlsx › Members",
                )


def _fold(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def next_refs(partnership: Partnership, date: dt.date, count: int = 1) -> list[str]:
    """The next `count` free action refs after the highest in the log and the notes of `date`
    (`2020/28` → `2020/29`); a log without refs starts at `<year>/01`."""
    used = [a.ref for a in partnership.actions]
    used += [p.action_ref for m in partnership.minutes if m.meeting == date for p in _actions(m)]
    parsed = [(int(f["year"]), int(f["number"]), len(f["number"])) for f in _matches(used)]
    year, number, width = max(parsed, default=(date.year, 0, 2))
    return [f"{year}/{n:0{width}d}" for n in range(number + 1, number + 1 + count)]


def _matches(refs: list[str]) -> list[re.Match]:
    return [m for m in (REF.fullmatch(r) for r in refs) if m]


def guess_lead(text: str, members: list[Member]) -> str:
    """The members an action starts with ("LP and CC to …" → "LP/CC"), else ""."""
    found = _LEADS.match(text)
    if not found:
        return ""
    initials = {_fold(m.initials): m.initials for m in members}
    initials |= {_fold(m.name): m.initials for m in members}
    parts = [p for p in _SPLIT.split(found["leads"]) if p.strip()]
    leads = [initials.get(_fold(p)) for p in parts]
    return "/".join(lead for lead in leads if lead) if parts and all(leads) else ""


def notes_of(partnership: Partnership, date: dt.date | None) -> Minutes:
    """The notes of the meeting on `date`, else of the latest meeting with notes."""
    if date is None and partnership.minutes:
        return max(partnership.minutes, key=lambda m: m.meeting)
    for minutes in partnership.minutes:
        if minutes.meeting == date:
            return minutes
    when = f" of {long_date(date)}" if date else ""
    name = f"minutes/{date.isoformat()}.docx" if date else "minutes/"
    raise InputError(
        f"There are no notes{when}.",
        [Problem(Location(name), f"no notes{when} here or in {WORKBOOK}")],
    )


def new_actions(partnership: Partnership, minutes: Minutes) -> list[NewAction]:
    """The actions of the notes that the action log doesn't hold, in the notes' order; an action
    written without a ref gets the next free one."""
    logged = {a.ref for a in partnership.actions}
    lines, seen = [], set()
    for line in _actions(minutes):
        if line.action_ref not in logged and (not line.action_ref or line.action_ref not in seen):
            lines.append(line)
            seen.add(line.action_ref)
    free = iter(next_refs(partnership, minutes.meeting, sum(not p.action_ref for p in lines)))
    found = []
    for line in lines:
        ref = line.action_ref or next(free)
        lead = guess_lead(line.text, partnership.members)
        found.append(NewAction(ref, line.text, lead, line.location, not line.action_ref))
    return found
