"""Readers: officers' workbooks into the typed model, with every problem found on the way."""

from __future__ import annotations

import logging
from pathlib import Path

from packgen.errors import Problem, Problems
from packgen.model import DocumentKind, Partnership
from packgen.read import actions, letters, minutes, recommendations, tracker
from packgen.read.actions import read_actions, status_from_update
from packgen.read.forward_plan import paper_ref, read_forward_plan, unsafe_name
from packgen.read.letters import read_letters
from packgen.read.meetings import ATTENDANCE_SHEET, read_meetings_workbook
from packgen.read.minutes import read_minutes
from packgen.read.notes import notes_files, number_items, read_notes, with_notes
from packgen.read.recommendations import read_recommendations
from packgen.read.tracker import read_cases
from packgen.read.workbook import is_lock_file

log = logging.getLogger(__name__)

__all__ = [
    "ATTENDANCE_SHEET",
    "NEEDED_FOR",
    "paper_ref",
    "read_partnership",
    "status_from_update",
    "unsafe_name",
]

# Every partnership keeps meetings.xlsx and forward_plan.xlsx; these only when its agenda names
# their document.
NEEDED_FOR = {
    DocumentKind.MINUTES: minutes.FILE,
    DocumentKind.ACTION_LOG: actions.FILE,
    DocumentKind.TRACKER: tracker.FILE,
    DocumentKind.RECOMMENDATIONS: recommendations.FILE,
    DocumentKind.LETTERS: letters.FILE,
}


def read_partnership(data: Path) -> tuple[Partnership, list[Problem]]:
    """Read every workbook in the data folder; problems are the errors and warnings found.

    The meetings and the forward plan must be there; any other workbook is read and checked in
    full when it is there, and noted in `absent` when it isn't."""
    problems = Problems()
    absent = {name for name in NEEDED_FOR.values() if not (data / name).is_file()}
    meetings, members, attendance = read_meetings_workbook(data, problems, absent)
    forward_plan = read_forward_plan(data, problems)
    notes = number_items(read_notes(data, problems), forward_plan)
    partnership = Partnership(
        meetings=meetings,
        members=members,
        attendance=attendance,
        forward_plan=forward_plan,
        actions=read_actions(data, problems, required=False),
        cases=read_cases(data, problems, required=False),
        recommendations=read_recommendations(data, problems, required=False),
        minutes=with_notes(read_minutes(data, problems, required=False), notes, problems),
        letters=read_letters(data, problems, required=False),
        sources=sources(data),
        absent=frozenset(absent),
    )
    log.info("Read %d workbooks from %s", len(partnership.sources), data)
    return partnership, problems.items


def sources(data: Path) -> list[Path]:
    """Every workbook in the data folder and the Word notes in data/minutes/, without Excel's,
    Word's and LibreOffice's lock files."""
    if not data.is_dir():
        return []
    workbooks = sorted(p for p in data.glob("*.xlsx") if not is_lock_file(p))
    return workbooks + [p for p in notes_files(data) if p.suffix.lower() == ".docx"]
