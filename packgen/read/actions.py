"""The action log: actions under `Meeting: …` section rows, the ref in the Date column."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

from packgen.errors import Problems
from packgen.model import Action, FuzzyDate, Status
from packgen.read import cells
from packgen.read.dates import find_date
from packgen.read.workbook import Column, Row

FILE = "action_log.xlsx"
COLUMNS = (
    Column("ref", ("Date", "Ref", "Action Ref", "Ref No", "No", "Action No")),
    Column("action", ("Action", "Actions", "Action Required")),
    Column("lead", ("Lead", "Leads", "Lead Officer", "Owner")),
    Column("update", ("Update Comments", "Update", "Updates", "Comments", "Update/Comments")),
    Column("status", ("Status", "RAG", "Action Status"), required=False),
)
# The heading row of new rows to paste into the log (`packgen actions`): the first names above.
ACTION_LOG_HEADINGS = tuple(column.names[0] for column in COLUMNS if column.required)
STATUS_WORDS = {
    "open": Status.OPEN,
    "ongoing": Status.OPEN,
    "inprogress": Status.OPEN,
    "closed": Status.CLOSED,
    "close": Status.CLOSED,
    "complete": Status.CLOSED,
    "completed": Status.CLOSED,
    "done": Status.CLOSED,
    "cf": Status.CARRIED_FORWARD,
    "carriedforward": Status.CARRIED_FORWARD,
    "carryforward": Status.CARRIED_FORWARD,
}
_CLOSED = re.compile(r"(?:^|[.;:!]\s*)(?:closed?|completed?|done)\b", re.IGNORECASE)
# "Completed 03 08 2020.", "Closed on 12/10/2020": the date an action was closed.
_CLOSED_ON = re.compile(
    r"\b(?:closed?|completed?|done)\b\s*(?:on\s+)?(?P<date>[\w ./-]{6,20})", re.I
)
_CARRIED = re.compile(r"\bC\s*/\s*F\b|\bcarried\s+forward\b", re.IGNORECASE)


def status_from_update(update: str) -> Status:
    """Read the status officers write into the update: `Close.`, `Completed …`, `C/F`."""
    closed = [m.start() for m in _CLOSED.finditer(update)]
    carried = [m.start() for m in _CARRIED.finditer(update)]
    if not closed and not carried:
        return Status.OPEN
    return (
        Status.CLOSED
        if max(closed, default=-1) > max(carried, default=-1)
        else (Status.CARRIED_FORWARD)
    )


def closed_on(update: str) -> dt.date | None:
    """The date written after the word that closes an action, if any."""
    dates = [find_date(m["date"]).exact for m in _CLOSED_ON.finditer(update)]
    return next((d for d in reversed(dates) if d), None)


def read_actions(data: Path, problems: Problems, required: bool = True) -> list[Action]:
    """Read every action of the action log, in workbook order."""
    sheets = cells.load(data, FILE, problems, required)
    table = cells.table(FILE, sheets, COLUMNS, problems) if sheets else None
    if table is None:
        return []
    actions: list[Action] = []
    section: tuple[str, FuzzyDate] | None = None
    for row in table.rows():
        if row.section is not None:
            section = (row.section, find_date(row.section))
            if not section[1].known:
                problems.warn(row.first_where, f"meeting heading {row.section!r} has no date")
        elif not row.text("ref") and actions and row.only("action"):
            # A page break in the officer's copy split one action over two rows.
            last = actions[-1]
            actions[-1] = replace(last, text=f"{last.text} {row.text('action')}")
        else:
            actions.append(_action(row, section, problems))
    return actions


def _action(row: Row, section: tuple[str, FuzzyDate] | None, problems: Problems) -> Action:
    if section is None:
        problems.warn(row.where("ref"), "action above the first 'Meeting:' row")
        section = ("", FuzzyDate(""))
    update = row.text("update")
    status = _status(row, update, problems)
    return Action(
        ref=_ref(row, problems),
        meeting_heading=section[0],
        meeting_date=section[1],
        text=cells.required(row, "action", problems),
        lead=cells.required(row, "lead", problems),
        update=update,
        status=status,
        location=row.where("ref"),
        lead_location=row.where("lead"),
        closed_on=closed_on(update) if status is Status.CLOSED else None,
    )


def _ref(row: Row, problems: Problems) -> str:
    value = row.value("ref")
    if isinstance(value, dt.datetime | dt.date) and value.day == 1:
        # Excel turns a typed 2020/01 into 1 January 2020.
        ref = f"{value.year}/{value.month:02d}"
        problems.warn(row.where("ref"), f"Excel turned the ref {ref} into a date; type it as text")
        return ref
    return cells.required(row, "ref", problems)


def _status(row: Row, update: str, problems: Problems) -> Status:
    if not row.has("status") or not row.text("status"):
        return status_from_update(update)
    word = re.sub(r"[\W_]+", "", row.text("status").casefold())
    if word in STATUS_WORDS:
        return STATUS_WORDS[word]
    problems.error(
        row.where("status"),
        f"Status: {row.text('status')!r} is not Open, Carried forward or Closed",
    )
    return Status.OPEN
