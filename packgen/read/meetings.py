"""meetings.xlsx: the Meetings, Members and Attendance sheets."""

from __future__ import annotations

from pathlib import Path

from packgen.errors import Problems
from packgen.model import Attendance, Attended, Meeting, Member
from packgen.read import cells
from packgen.read.workbook import Column, Sheet, find_table, normalise

FILE = "meetings.xlsx"
MEETINGS = (
    Column("date", ("Date", "Meeting Date")),
    Column("start", ("Start", "Start Time", "From")),
    Column("end", ("End", "End Time", "Finish", "To")),
    Column("venue", ("Venue", "Location", "Place"), required=False),
    Column("chair", ("Chair", "Chaired By")),
    Column("secretariat", ("Secretariat", "Minutes", "Clerk"), required=False),
)
MEMBERS = (
    Column("name", ("Name", "Member", "Full Name")),
    Column("initials", ("Initials",)),
    Column("title", ("Title", "Job Title", "Role Title", "Position"), required=False),
    Column("agency", ("Agency", "Organisation", "Organization"), required=False),
    Column("email", ("Email", "E-mail", "Email Address"), required=False),
    Column("receives", ("Receives Pack", "Receives", "Pack", "Circulation"), required=False),
    Column("role", ("Role",), required=False),
    Column("send_as", ("Send As", "To/Cc", "Recipient Type"), required=False),
)
ATTENDANCE = (
    Column("meeting", ("Meeting", "Meeting Date")),
    Column("member", ("Member", "Initials")),
    Column("status", ("Attendance", "Attended", "Present")),
    Column("deputising", ("Deputising For", "For", "Deputising", "Deputy For"), required=False),
    Column("arrived", ("Arrived", "Arrival", "Arrived At"), required=False),
)
ATTENDANCE_SHEET = f"{FILE} › Attendance"
ATTENDED = {
    **dict.fromkeys(("attended", "present", "yes", "y"), Attended.ATTENDED),
    **dict.fromkeys(("apologies", "apology", "absent", "no", "n"), Attended.APOLOGIES),
}


def read_meetings_workbook(
    data: Path, problems: Problems, absent: set[str] | None = None
) -> tuple[list[Meeting], list[Member], list[Attendance]]:
    """Read the three sheets of meetings.xlsx; an Attendance sheet it doesn't keep goes into
    `absent` (as `ATTENDANCE_SHEET`)."""
    sheets = cells.load(data, FILE, problems)
    if not sheets:
        return [], [], []
    if absent is not None and not has_attendance(sheets):
        absent.add(ATTENDANCE_SHEET)
    return (
        _meetings(sheets, problems),
        _members(sheets, problems),
        _attendance(sheets, problems),
    )


def _meetings(sheets: list[Sheet], problems: Problems) -> list[Meeting]:
    table = cells.table(FILE, sheets, MEETINGS, problems)
    found = []
    for row in table.rows() if table else ():
        date = cells.exact_date(row, "date", problems)
        start, end = cells.time(row, "start", problems), cells.time(row, "end", problems)
        if start and end and end <= start:
            problems.error(row.where("end"), f"the meeting ends ({end:%H:%M}) before it starts")
        if date:
            found.append(
                Meeting(
                    date, start, end, cells.optional(row, "venue"), row.text("chair"),
                    cells.optional(row, "secretariat"), row.where("date"),
                )
            )  # fmt: skip
    return found


def _members(sheets: list[Sheet], problems: Problems) -> list[Member]:
    table = cells.table(FILE, sheets, MEMBERS, problems)
    found = []
    for row in table.rows() if table else ():
        role = cells.optional(row, "role").casefold() or "member"
        send_as = cells.optional(row, "send_as").casefold() or "to"
        if role not in ("chair", "member"):
            problems.error(row.where("role"), f"Role: {row.text('role')!r} is not chair or member")
        if send_as not in ("to", "cc"):
            problems.error(
                row.where("send_as"), f"Send As: {row.text('send_as')!r} is not to or cc"
            )
        found.append(
            Member(
                name=cells.required(row, "name", problems),
                initials=cells.required(row, "initials", problems),
                title=cells.optional(row, "title"),
                agency=cells.optional(row, "agency"),
                email=cells.optional(row, "email"),
                receives_pack=cells.yes_no(row, "receives", problems),
                role=role,
                send_as=send_as,
                location=row.where("name"),
                email_location=row.where("email") if row.has("email") else None,
            )
        )
    return found


def _attendance(sheets: list[Sheet], problems: Problems) -> list[Attendance]:
    if not has_attendance(sheets):
        return []  # needed only for the notes of a meeting: the check says so then
    table = cells.table(FILE, sheets, ATTENDANCE, problems)
    found = []
    for row in table.rows() if table else ():
        date = cells.exact_date(row, "meeting", problems)
        status = ATTENDED.get(row.text("status").casefold())
        if status is None:
            problems.error(
                row.where("status"),
                f"Attendance: {row.text('status')!r} is not attended or apologies",
            )
        member = cells.required(row, "member", problems)
        if date and status:
            found.append(
                Attendance(
                    date, member, status, cells.optional(row, "deputising"),
                    _arrived(row, problems), row.where("member"),
                )
            )  # fmt: skip
    return found


def has_attendance(sheets: list[Sheet]) -> bool:
    """Whether the workbook keeps attendance: a sheet so named, or one with its headings."""
    named = any(normalise(s.title).startswith("attendance") for s in sheets)
    return named or find_table(sheets, ATTENDANCE) is not None


def _arrived(row, problems: Problems) -> str:
    if not row.has("arrived") or not row.text("arrived"):
        return ""
    time = cells.time(row, "arrived", problems)
    return f"{time:%H:%M}" if time else row.text("arrived")
