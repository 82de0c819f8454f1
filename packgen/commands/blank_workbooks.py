"""The blank workbooks `packgen init` writes: ready to fill in, each with a sheet of instructions.

Each sheet has a title row with the partnership's name, then the heading row (bold, frozen)
with the names the readers look for, sensible widths, a dropdown where the values are a closed
set and date or time formats where a column holds dates or times.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

YES_NO = ("Y", "N")
DATE, TIME, TEXT, NUMBER = "DD/MM/YYYY", "HH:MM", "@", "0"
ROWS = 500  # rows the dropdowns and formats cover


@dataclass(frozen=True)
class Field:
    heading: str
    width: int
    accepts: str
    example: str
    choices: tuple[str, ...] = ()
    format: str = ""  # a number format: DATE, TIME, NUMBER


@dataclass(frozen=True)
class BlankSheet:
    title: str
    fields: tuple[Field, ...]
    note: str = ""  # how the rows are laid out, for the instructions


@dataclass(frozen=True)
class BlankWorkbook:
    name: str
    what: str
    sheets: tuple[BlankSheet, ...]
    header_block: tuple[str, ...] = ()  # label cells above the table (recommendations)


SECTION = (
    "Put a row whose first cell says 'Meeting: ' and the meeting's date (for example "
    "'Meeting: 15 October 2026') above each meeting's rows."
)

WORKBOOKS = (
    BlankWorkbook(
        "meetings.xlsx",
        "the meetings, the members and who attended (fill in first)",
        (
            BlankSheet(
                "Meetings",
                (
                    Field("Date", 14, "the meeting's date", "15/10/2026", format=DATE),
                    Field("Start", 9, "a time", "14:00", format=TIME),
                    Field("End", 9, "a time after Start", "16:00", format=TIME),
                    Field("Venue", 36, "where, or how, it meets", "Microsoft Teams"),
                    Field("Chair", 18, "the chair's name or initials (a member)", "JS"),
                    Field("Secretariat", 18, "who takes the notes (a member), optional", "AB"),
                ),
                "One meeting per row.",
            ),
            BlankSheet(
                "Members",
                (
                    Field("Name", 24, "the member's full name", "Jane Smith"),
                    Field("Initials", 10, "unique initials, as leads are written", "JS"),
                    Field("Title", 32, "job title", "Director of Children's Services"),
                    Field("Agency", 28, "organisation, as [[agencies]] names it", "The Council"),
                    Field("Email", 32, "one email address", "jane.smith@example.org"),
                    Field("Receives Pack", 14, "Y or N", "Y", YES_NO),
                    Field("Role", 10, "chair or member", "member", ("chair", "member")),
                    Field("Send As", 10, "to or cc", "to", ("to", "cc")),
                ),
                "One member per row.",
            ),
            BlankSheet(
                "Attendance",
                (
                    Field("Meeting", 14, "the meeting's date", "15/10/2026", format=DATE),
                    Field("Member", 10, "the member's initials", "JS"),
                    Field(
                        "Attendance",
                        14,
                        "attended or apologies",
                        "attended",
                        ("attended", "apologies"),
                    ),  # fmt: skip
                    Field("Deputising For", 16, "initials of the member deputised for", ""),
                    Field("Arrived", 10, "a time, for late arrivals", "14:20", format=TIME),
                ),
                "One row per member per meeting; needed only for the notes of a meeting.",
            ),
        ),
    ),
    BlankWorkbook(
        "forward_plan.xlsx",
        "the agenda forward plan: each meeting's numbered items are its agenda",
        (
            BlankSheet(
                "Forward Plan",
                (
                    Field("Item", 7, "the item's number on the agenda", "1", format=NUMBER),
                    Field("Agenda Item", 44, "the item's title", "Welcome and Apologies"),
                    Field("Lead", 16, "initials or names of members, / between", "JS"),
                    Field("Notes", 30, "anything else, optional", ""),
                    Field("Minutes", 9, "how long, in minutes", "5", format=NUMBER),
                    Field(
                        "Papers",
                        40,
                        "one per line: a file in data/papers/<date>/, or one of Notes of "
                        "previous meeting, Action log, Case review tracker, Forward plan, "
                        "SCR recommendations, Letters",
                        "Action log",
                    ),  # fmt: skip
                    Field("Restricted", 11, "Y or N", "N", YES_NO),
                    Field(
                        "Reason",
                        30,
                        "why a restricted item is withheld, printed in the public pack; optional",
                        "",
                    ),
                ),
                SECTION + " Items without a number are planned, not on the agenda.",
            ),
        ),
    ),
    BlankWorkbook(
        "action_log.xlsx",
        "the action log (needed when an item's Papers say Action log)",
        (
            BlankSheet(
                "Action Log",
                (
                    Field("Ref", 10, "the action's ref, year/number", "2026/01"),
                    Field("Action", 50, "what is to be done", "Circulate the protocol"),
                    Field("Lead", 16, "initials or names of members", "JS"),
                    Field("Update Comments", 50, "progress", "Circulated 01 09 2026."),
                    Field("Status", 12, "Open, Closed or C/F", "Open", ("Open", "Closed", "C/F")),
                ),
                SECTION,
            ),
        ),
    ),
    BlankWorkbook(
        "case_review_tracker.xlsx",
        "the case review tracker (needed when an item's Papers say Case review tracker)",
        (
            BlankSheet(
                "Case Review Tracker",
                (
                    Field("Initials", 10, "the case's initials", "AB"),
                    Field("Notification Date", 16, "a date", "01/09/2026", format=DATE),
                    Field("Case Summary", 44, "summary and themes", "Neglect; school absence"),
                    Field("Lead Authority", 18, "the lead agency", "The Council"),
                    Field("Update", 44, "progress", "Rapid review held."),
                    Field("Presentation", 14, "a date, or empty", "", format=DATE),
                    Field("Published", 12, "Y, N or a date", "N"),
                ),
                "One case per row.",
            ),
        ),
    ),
    BlankWorkbook(
        "scr_recommendations.xlsx",
        "a case review's recommendations (needed when Papers say SCR recommendations)",
        (
            BlankSheet(
                "Recommendations",
                (
                    Field("Recommendation", 60, "one recommendation", "Agencies should …"),
                    Field("First Agency", 30, "that agency's response: rename the column", ""),
                ),
                "Fill in the labels above the table. Then one recommendation per row, and one "
                "column per agency headed with its name (rename First Agency; add more).",
            ),
        ),
        header_block=(
            "Case Type:",
            "Publication Date:",
            "Lead LSCP:",
            "Title and link to Report:",
            "Comments:",
        ),  # fmt: skip
    ),
    BlankWorkbook(
        "minutes.xlsx",
        "the notes of past meetings (needed when Papers say Notes of previous meeting)",
        (
            BlankSheet(
                "Minutes",
                (
                    Field("Meeting", 14, "the meeting's date", "03/09/2026", format=DATE),
                    Field("Item", 7, "the item's number", "1", format=NUMBER),
                    Field("Title", 36, "the item's title, on its first row", "Welcome"),
                    Field(
                        "Style",
                        12,
                        "paragraph, subheading, bullet or action",
                        "paragraph",
                        ("paragraph", "subheading", "bullet", "action"),
                    ),  # fmt: skip
                    Field("Text", 60, "one paragraph", "The chair welcomed everyone."),
                    Field("Action Ref", 11, "an action row's ref", ""),
                ),
                "One paragraph per row.",
            ),
        ),
    ),
    BlankWorkbook(
        "letters.xlsx",
        "letters for partners to sign (needed when an item's Papers say Letters)",
        (
            BlankSheet(
                "Letters",
                (
                    Field("Key", 18, "a short name: lower case, digits and -", "minister"),
                    Field("Title", 30, "the letter's bookmark, optional", "Letter to the Minister"),
                    Field("Meeting", 14, "the meeting's date", "15/10/2026", format=DATE),
                    Field("Item", 7, "the agenda item it belongs to", "7", format=NUMBER),
                    Field("Recipient", 30, "name and address, one line each", "The Minister"),
                    Field("Date", 14, "the letter's date", "15/10/2026", format=DATE),
                    Field("Salutation", 16, "Dear …", "Dear Minister"),
                    Field("Subject", 30, "the subject line", "Case review findings"),
                    Field("Body", 60, "paragraphs, a blank line between", "We write …"),
                    Field("Signatory", 24, "who signs: a member's name", "Jane Smith"),
                    Field("Signed", 8, "Y or N", "N", YES_NO),
                    Field("Signature", 20, "an image in data/signatures/", "jane-smith.png"),
                    Field("Reply Address", 30, "an email address", ""),
                    Field("Enclosure", 20, "optional", ""),
                ),
                "One letter per row.",
            ),
        ),
    ),
)


def write_blank_workbook(book: BlankWorkbook, path: Path, partnership: str) -> None:
    """Write one blank workbook, its sheets and its Instructions sheet, to a new file."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        _data_sheet(wb.create_sheet(sheet.title), sheet, book, partnership)
    _instructions(wb.create_sheet("Instructions"), book, partnership)
    with path.open("xb") as out:  # never over a file that is there
        wb.save(out)


def _data_sheet(ws, sheet: BlankSheet, book: BlankWorkbook, partnership: str) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws.cell(1, 1, f"{partnership} – {sheet.title}").font = Font(bold=True, size=14)
    for row, label in enumerate(book.header_block, start=3):
        ws.cell(row, 1, label).font = Font(bold=True)
    heading = 4 + len(book.header_block) if book.header_block else 2  # a blank row between
    for col, field in enumerate(sheet.fields, start=1):
        letter = get_column_letter(col)
        ws.cell(heading, col, field.heading).font = Font(bold=True)
        ws.column_dimensions[letter].width = field.width
        cells = f"{letter}{heading + 1}:{letter}{heading + ROWS}"
        if field.format:
            for (cell,) in ws[cells]:
                cell.number_format = field.format
        if field.choices:
            rule = DataValidation(type="list", formula1=f'"{",".join(field.choices)}"')
            rule.error = f"{field.heading}: {' or '.join(field.choices)}"
            rule.showErrorMessage = True
            ws.add_data_validation(rule)
            rule.add(cells)
    ws.freeze_panes = f"A{heading + 1}"


def _instructions(ws, book: BlankWorkbook, partnership: str) -> None:
    from openpyxl.styles import Alignment, Font

    ws.cell(1, 1, f"{partnership} – {book.name}: {book.what}").font = Font(bold=True, size=14)
    row = 3
    for sheet in book.sheets:
        ws.cell(row, 1, f"Sheet {sheet.title}").font = Font(bold=True)
        ws.cell(row, 2, sheet.note)
        row += 1
        for col, label in enumerate(("Column", "What it accepts", "Example"), start=1):
            ws.cell(row, col, label).font = Font(italic=True)
        row += 1
        for field in sheet.fields:
            choices = f" (choose: {', '.join(field.choices)})" if field.choices else ""
            ws.cell(row, 1, field.heading)
            ws.cell(row, 2, field.accepts + choices).alignment = Alignment(wrap_text=True)
            ws.cell(row, 3, field.example)
            row += 1
        row += 1
    for letter, width in zip("ABC", (22, 70, 30), strict=True):
        ws.column_dimensions[letter].width = width
