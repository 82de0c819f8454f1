"""Check everything a meeting's pack needs, and prepare it: meeting, agenda, papers, problems."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from packgen.check.notes import check_notes, later_notes_as_warnings
from packgen.check.paper_formats import paper_problem
from packgen.check.start import first_steps, is_guidance
from packgen.errors import InputError, Location, Problem, Problems, Severity
from packgen.model import (
    AgendaItem,
    DocumentKind,
    ForwardPlanMeeting,
    Meeting,
    Paper,
    PaperRef,
    Partnership,
    Status,
    long_date,
)
from packgen.read import ATTENDANCE_SHEET, NEEDED_FOR, is_lock_file, read_partnership
from packgen.settings import Settings, load_settings

log = logging.getLogger(__name__)

PAPERS = "papers"
REF = re.compile(r"\d{4}/\d{2,3}")
GROUP_LEADS = {
    "all", "chair", "chairs", "partners", "partnershipmanagers", "partnershipmanager",
    "secretariat", "statutorypartners", "tbc", "members",
}  # fmt: skip
GROUP_ENDINGS = ("partners", "partnership")  # "<the partnership's name> Partners"
_LEAD_SPLIT = re.compile(r"\s*(?:/|,|&|\band\b|\+)\s*", re.IGNORECASE)


@dataclass
class Prepared:
    settings: Settings
    partnership: Partnership
    meeting: Meeting
    agenda: ForwardPlanMeeting
    papers: list[Paper]  # files for this meeting's items, under data/papers/<date>/, agenda order
    problems: list[Problem] = field(default_factory=list)  # warnings (and errors from inspect)
    reason: str = ""  # why this meeting: "as asked", "next meeting with an agenda"

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


def prepare(
    data: Path,
    meeting: dt.date | None = None,
    today: dt.date | None = None,
    settings: Settings | None = None,
) -> Prepared:
    """Read and cross-check a meeting's pack; raise InputError listing every error at once."""
    prepared, problems = inspect(data, meeting, today, settings)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if prepared is None or errors:
        raise InputError(
            stop_message(errors, prepared.meeting.date if prepared else meeting), errors
        )
    prepared.problems = [p for p in problems if p.severity is Severity.WARNING]
    return prepared


def stop_message(errors: list[Problem], date: dt.date | None) -> str:
    """Say how many problems stop the pack, e.g. `2 problems stop the pack for 15 October 2020:`;
    for a partnership just started, that there is nothing to build yet."""
    if is_guidance(errors):
        return "Nothing to build yet. Fill these in first, in this order:"
    count = "1 problem stops" if len(errors) == 1 else f"{len(errors)} problems stop"
    return f"{count} the pack{f' for {long_date(date)}' if date else ''}:"


def inspect(
    data: Path,
    meeting: dt.date | None = None,
    today: dt.date | None = None,
    settings: Settings | None = None,
) -> tuple[Prepared | None, list[Problem]]:
    """Read and cross-check without raising for bad input; None when no meeting can be chosen.

    `settings` are read from the data folder's partnership.toml when not given."""
    settings = settings or load_settings(data)
    partnership, problems = read_partnership(data)
    try:
        chosen, reason = choose_meeting(partnership, meeting, today or dt.date.today())
    except InputError as exc:
        steps = first_steps(partnership)
        if steps and not any(p.severity is Severity.ERROR for p in problems):
            return None, [*problems, *steps]  # a new partnership: guidance, not every fault
        return None, [*problems, *exc.problems]
    log.info("Meeting: %s (%s)", long_date(chosen.date), reason)
    found = Problems()
    found.extend(later_notes_as_warnings(problems, chosen.date))
    agenda = _agenda(partnership, chosen.date, found)
    papers = _papers(data, chosen.date, agenda, found)
    _documents(data, partnership, chosen.date, agenda, found)
    found.extend(cross_check(partnership, chosen, agenda))
    prepared = Prepared(settings, partnership, chosen, agenda, papers, found.items, reason)
    return prepared, found.items


def choose_meeting(
    partnership: Partnership, requested: dt.date | None, today: dt.date
) -> tuple[Meeting, str]:
    """Pick the requested meeting, else the next one with an agenda, else the latest; say why."""
    agendas = sorted(d for d in (_agenda_date(fp) for fp in partnership.forward_plan) if d)
    if requested is not None:
        date, reason = requested, "as asked"
        if date not in agendas:
            raise InputError(
                f"There is no agenda for {long_date(date)}.",
                [_no_agenda(f"no 'Meeting: {long_date(date)}' row with numbered items")],
            )
    elif not agendas:
        raise InputError("No meeting has an agenda.", [_no_agenda("no meeting has numbered items")])
    elif agendas[-1] >= today:
        date, reason = next(d for d in agendas if d >= today), "next meeting with an agenda"
    else:
        date, reason = agendas[-1], "latest meeting with an agenda"
    for meeting in partnership.meetings:
        if meeting.date == date:
            return meeting, reason
    raise InputError(
        f"{long_date(date)} is not a meeting.",
        [Problem(Location("meetings.xlsx", "Meetings"), f"no meeting dated {long_date(date)}")],
    )


def _agenda_date(fp: ForwardPlanMeeting) -> dt.date | None:
    """The date of a forward-plan meeting that is an agenda (has numbered items)."""
    return fp.date.exact if any(i.number is not None for i in fp.items) else None


def _no_agenda(message: str) -> Problem:
    return Problem(Location("forward_plan.xlsx"), f"{message}: number the items of the agenda")


def _agenda(partnership: Partnership, date: dt.date, problems: Problems) -> ForwardPlanMeeting:
    """Return the meeting's agenda: its numbered items, warning about the others."""
    fp = next(fp for fp in partnership.forward_plan if _agenda_date(fp) == date)
    items = []
    for item in fp.items:
        if item.number is None:
            problems.warn(item.location, f"item {item.title!r} has no number: left off the agenda")
        else:
            items.append(item)
    numbers = [i.number for i in items]
    for item in items:
        if numbers.count(item.number) > 1:
            problems.error(item.location, f"item number {item.number} is used more than once")
    if numbers != sorted(numbers):
        problems.warn(fp.location, "the agenda's item numbers are not in order")
    for item in items:
        if not item.lead:
            problems.warn(item.lead_location, f"item {item.number} has no lead")
    return replace(fp, items=tuple(items))


def _papers(
    data: Path, date: dt.date, agenda: ForwardPlanMeeting, problems: Problems
) -> list[Paper]:
    """Find each file the agenda names under data/papers/<date>/; a missing one is an error."""
    folder = data / PAPERS / date.isoformat()
    files = [p for p in sorted(folder.iterdir()) if _is_paper(p)] if folder.is_dir() else []
    papers, used = [], set()
    for item in agenda.items:
        for ref in item.papers:
            if ref.kind is not None:
                continue
            path = _find_file(ref, files)
            if path is None:
                problems.error(
                    item.papers_location or item.location,
                    f"item {item.number}: paper {ref.text!r} not found in {folder}",
                )
                continue
            used.add(path)
            papers.append(Paper(item.number or 0, path.stem, path, item.restricted))
            refused = paper_problem(path, Location(f"{PAPERS}/{date.isoformat()}", path.name))
            problems.extend([refused] if refused else [])
    for path in files:
        if path not in used:
            problems.warn(Location(f"{PAPERS}/{date.isoformat()}", path.name), _UNNAMED)
    return papers


_UNNAMED = "not named in any Papers cell of the agenda: left out of the pack"


def _is_paper(path: Path) -> bool:
    return path.is_file() and not is_lock_file(path) and not path.name.startswith(".")


def _find_file(ref: PaperRef, files: list[Path]) -> Path | None:
    """Match a Papers line to a file: exact name, then any case, then the name without extension."""
    name = ref.filename or ref.text
    for match in (
        lambda p: p.name == name,
        lambda p: p.name.casefold() == name.casefold(),
        lambda p: p.stem.casefold() == name.casefold(),
    ):
        found = [p for p in files if match(p)]
        if found:
            return found[0]
    return None


# How a message names the document a Papers line asks for.
NAMED = {
    DocumentKind.MINUTES: "the notes of the previous meeting",
    DocumentKind.ACTION_LOG: "the action log",
    DocumentKind.TRACKER: "the case review tracker",
    DocumentKind.RECOMMENDATIONS: "the SCR recommendations",
    DocumentKind.LETTERS: "letters",
}


def _documents(
    data: Path,
    partnership: Partnership,
    date: dt.date,
    agenda: ForwardPlanMeeting,
    problems: Problems,
) -> None:
    """Each document packgen writes needs its workbook, and its workbook's rows: a workbook
    that isn't there is an error only when an item names its document, naming that cell."""
    for item in agenda.items:
        for ref in item.papers:
            where = item.papers_location or item.location
            absent = _absent_source(data, partnership, ref.kind)
            if absent:
                problems.error(where, f"item {item.number} names {NAMED[ref.kind]}, but {absent}")
                continue
            missing = _missing_source(partnership, date, item, ref.kind)
            if missing:
                problems.error(
                    item.papers_location or item.location, f"item {item.number}: {missing}"
                )


def _absent_source(data: Path, partnership: Partnership, kind: DocumentKind | None) -> str:
    """Say what isn't there that a document needs: its workbook, or the Attendance sheet."""
    name = NEEDED_FOR.get(kind) if kind else None
    notes = kind is DocumentKind.MINUTES and partnership.minutes  # from Word, without the workbook
    if name and name in partnership.absent and not notes:
        return f"{data / name} does not exist"
    attended = any(m.attendance for m in partnership.minutes)
    if kind is DocumentKind.MINUTES and ATTENDANCE_SHEET in partnership.absent and not attended:
        return "meetings.xlsx has no Attendance sheet (Meeting, Member, Attendance)"
    return ""


def _missing_source(
    partnership: Partnership, date: dt.date, item: AgendaItem, kind: DocumentKind | None
) -> str:
    if kind is DocumentKind.MINUTES and not any(m.meeting < date for m in partnership.minutes):
        return f"no notes of a meeting before {long_date(date)} in minutes.xlsx or minutes/"
    if kind is DocumentKind.ACTION_LOG and not partnership.actions:
        return "no actions in action_log.xlsx"
    if kind is DocumentKind.TRACKER and not partnership.cases:
        return "no cases in case_review_tracker.xlsx"
    recommendations = partnership.recommendations
    if kind is DocumentKind.RECOMMENDATIONS and not (
        recommendations and recommendations.recommendations
    ):
        return "no recommendations in scr_recommendations.xlsx"
    if kind is DocumentKind.LETTERS and not any(
        letter.item == item.number and letter.meeting in (None, date)
        for letter in partnership.letters
    ):
        return f"no letters for item {item.number} of {long_date(date)} in letters.xlsx"
    return ""


def cross_check(
    partnership: Partnership, meeting: Meeting, agenda: ForwardPlanMeeting
) -> list[Problem]:
    """Warn about what a human should look at: refs, leads, minutes, times and headings."""
    problems = Problems()
    _check_refs(partnership, problems)
    _check_leads(partnership, agenda, problems)
    problems.extend(check_notes(partnership))
    _check_times(meeting, agenda, problems)
    _check_headings(partnership, problems)
    return problems.items


def _check_refs(partnership: Partnership, problems: Problems) -> None:
    seen: dict[str, Location | None] = {}
    for action in partnership.actions:
        if action.ref and not REF.fullmatch(action.ref):
            problems.warn(action.location, f"ref {action.ref!r} is not like 2020/17")
        if action.ref in seen:
            problems.warn(action.location, f"ref {action.ref} is also used at {seen[action.ref]}")
        seen.setdefault(action.ref, action.location)


def known_leads(partnership: Partnership) -> set[str]:
    """Every way a lead may be written: members' initials and names, and group words."""
    known = set(GROUP_LEADS)
    for member in partnership.members:
        known |= {_fold(member.initials), _fold(member.name)}
    return known


def unknown_leads(lead: str, known: set[str]) -> list[str]:
    """The parts of a lead such as `KD/LP/TDV/MW` that name no member or group."""
    return [
        p
        for p in _LEAD_SPLIT.split(lead)
        if p.strip() and _fold(p) not in known and not _fold(p).endswith(GROUP_ENDINGS)
    ]


def _fold(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _check_leads(partnership: Partnership, agenda: ForwardPlanMeeting, problems: Problems) -> None:
    known = known_leads(partnership)
    leads = [(a.lead, a.lead_location, f"action {a.ref}") for a in partnership.actions]
    leads += [(i.lead, i.lead_location, f"item {i.number}") for i in agenda.items]
    for lead, where, what in leads:
        for part in unknown_leads(lead, known):
            problems.warn(where, f"{what}: lead {part!r} is not a member's initials or name")


def _check_times(meeting: Meeting, agenda: ForwardPlanMeeting, problems: Problems) -> None:
    if meeting.start is None or meeting.end is None:
        problems.warn(meeting.location, "the meeting has no start or end time")
        return
    length = _minutes(meeting.end) - _minutes(meeting.start)
    planned = sum(i.minutes or 0 for i in agenda.items)
    if planned > length:
        problems.warn(
            agenda.location,
            f"the items take {planned} minutes but the meeting runs {length} minutes "
            f"({meeting.start:%H:%M}–{meeting.end:%H:%M})",
        )
    for item in agenda.items:
        if item.minutes is None:
            problems.warn(item.location, f"item {item.number} has no duration in minutes")


def _minutes(time: dt.time) -> int:
    return time.hour * 60 + time.minute


def _check_headings(partnership: Partnership, problems: Problems) -> None:
    """Warn about forward-plan headings that match no meeting in meetings.xlsx."""
    dates = {m.date for m in partnership.meetings}
    months = {(d.year, d.month) for d in dates}
    for fp in partnership.forward_plan:
        if "no meeting" in fp.heading.casefold():
            continue
        date = fp.date
        if date.exact in dates or (date.day is None and (date.year, date.month) in months):
            continue
        problems.warn(fp.location, f"heading {fp.heading!r} matches no meeting in meetings.xlsx")


def summary(prepared: Prepared) -> str:
    """One line on what the pack will hold."""
    counts = Counter(a.status for a in prepared.partnership.actions)
    items = len(prepared.agenda.items)
    papers = len(prepared.papers)
    return (
        f"The pack for {long_date(prepared.meeting.date)} will hold {items} items and "
        f"{papers} paper{'s' if papers != 1 else ''} sent in; the action log has "
        f"{counts[Status.OPEN]} open and {counts[Status.CARRIED_FORWARD]} carried-forward actions."
    )
