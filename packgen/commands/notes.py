"""`packgen notes` and `packgen actions`: the notes template before a meeting, and the new
actions of its notes afterwards, as rows for the officer who keeps the action log to paste in.

packgen never writes the officers' files: both go to output/<date>/.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from packgen.check import NewAction, inspect, new_actions, notes_of, stop_message
from packgen.commands.template_folder import DEFAULT_TEMPLATES
from packgen.errors import InputError, Location, Severity
from packgen.files import write_atomic
from packgen.model import long_date
from packgen.read import ACTION_LOG_HEADINGS, read_partnership
from packgen.render import render_notes

log = logging.getLogger(__name__)

NEW_ACTIONS = "new-actions.xlsx"
NOTES_TEMPLATE = "notes.docx"


def notes_template(
    data: Path, templates: Path, output: Path, meeting: dt.date | None = None
) -> Path:
    """Write `output/<date>/notes-<date>.docx`, the meeting's notes template; return its path.

    Problems that would stop the pack (a paper not in yet) don't stop the notes template; only
    a meeting that can't be chosen, or an agenda that can't be read, does."""
    prepared, problems = inspect(data, meeting)
    if prepared is None:
        errors = [p for p in problems if p.severity is Severity.ERROR]
        raise InputError(stop_message(errors, meeting), errors)
    date = prepared.meeting.date
    if not (templates / NOTES_TEMPLATE).is_file() and templates != DEFAULT_TEMPLATES:
        # A templates/ folder copied before packgen made notes templates: use the default one.
        log.warning("%s has no %s: using packgen's default", templates, NOTES_TEMPLATE)
        templates = DEFAULT_TEMPLATES
    return render_notes(prepared, templates, output / date.isoformat() / f"notes-{date}.docx")


@dataclass(frozen=True)
class NewActions:
    meeting: dt.date
    source: str  # where the notes came from: "minutes/2020-10-15.docx"
    actions: list[NewAction]
    workbook: Path  # output/<date>/new-actions.xlsx

    def rows(self) -> list[tuple[str, ...]]:
        """The heading row, the meeting's section row, then one row per action."""
        section = (f"Meeting: {long_date(self.meeting)}",) + ("",) * (len(ACTION_LOG_HEADINGS) - 1)
        return [
            ACTION_LOG_HEADINGS,
            section,
            *[(a.ref, a.text, a.lead, "") for a in self.actions],
        ]


def meeting_actions(data: Path, output: Path, meeting: dt.date | None = None) -> NewActions:
    """Find the actions of a meeting's notes the action log lacks; write them, with the log's
    headings, to `output/<date>/new-actions.xlsx`."""
    partnership, problems = read_partnership(data)
    errors = [p for p in problems if p.severity is Severity.ERROR and _about_actions(p.location)]
    if errors:
        raise InputError(stop_message(errors, meeting), errors)
    minutes = notes_of(partnership, meeting)
    found = NewActions(
        minutes.meeting,
        minutes.source,
        new_actions(partnership, minutes),
        output / minutes.meeting.isoformat() / NEW_ACTIONS,
    )
    _write_workbook(found)
    return found


def _about_actions(where: Location) -> bool:
    """Problems of the notes and the action log stop this command; other workbooks' don't."""
    return where.file.startswith(("minutes", "action_log"))


def _write_workbook(found: NewActions) -> None:
    import openpyxl  # only this command writes a workbook, and only into output/
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "New Actions"
    for row in found.rows():
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet["A"]:
        cell.number_format = "@"  # 2020/29 stays text, not a date
    for column, width in zip("ABCD", (12, 60, 16, 40), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    found.workbook.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(found.workbook, buffer.getvalue(), 0o644)
    log.info("Wrote %s", found.workbook)
