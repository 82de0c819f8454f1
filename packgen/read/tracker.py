"""The case review tracker: one case per row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from packgen.errors import Problems
from packgen.model import CaseReview
from packgen.read import cells
from packgen.read.dates import parse_date
from packgen.read.workbook import Column

FILE = "case_review_tracker.xlsx"
COLUMNS = (
    Column("initials", ("Initials", "Case", "Case Initials", "Child")),
    Column(
        "notified", ("Notification Date to NP", "Notification Date", "Notified", "Date Notified")
    ),
    Column("summary", ("Case Summary/Themes", "Case Summary", "Summary", "Themes")),
    Column("lead", ("Lead Authority", "Lead LA", "Lead Agency", "Lead")),
    Column("update", ("Update", "Updates", "Progress")),
    Column("presented", ("Presentation to Local SCP", "Presentation", "Presented")),
    Column("published", ("Published Y/N", "Published", "Publication")),
)


def read_cases(data: Path, problems: Problems, required: bool = True) -> list[CaseReview]:
    """Read every case of the tracker, in workbook order."""
    sheets = cells.load(data, FILE, problems, required)
    table = cells.table(FILE, sheets, COLUMNS, problems) if sheets else None
    if table is None:
        return []
    cases = []
    for row in table.rows():
        if row.section is not None:
            continue
        published = row.value("published")
        if isinstance(published, dt.datetime | dt.date):
            published = parse_date(published).text
        cases.append(
            CaseReview(
                initials=cells.required(row, "initials", problems),
                notified=cells.date(row, "notified", problems),
                summary=row.text("summary"),
                lead_authority=row.text("lead"),
                update=row.text("update"),
                presented=cells.date(row, "presented", problems),
                published=published if isinstance(published, str) else row.text("published"),
                location=row.where("initials"),
            )
        )
    return cases
