"""letters.xlsx: one letter per row, for partners to sign."""

from __future__ import annotations

import re
from pathlib import Path

from packgen.errors import Problems
from packgen.model import Letter
from packgen.read import cells
from packgen.read.workbook import Column, Row

FILE = "letters.xlsx"
SIGNATURES = "signatures"
COLUMNS = (
    Column("key", ("Key", "Id", "Letter")),
    Column("title", ("Title", "Letter Title", "Bookmark"), required=False),
    Column("meeting", ("Meeting", "Meeting Date"), required=False),
    Column("item", ("Item", "Item No", "Agenda Item")),
    Column("recipient", ("Recipient", "To", "Address")),
    Column("date", ("Date", "Letter Date"), required=False),
    Column("salutation", ("Salutation", "Dear")),
    Column("subject", ("Subject", "Re")),
    Column("body", ("Body", "Text", "Letter Text")),
    Column("signatory", ("Signatory", "From", "Signed By")),
    Column("signed", ("Signed",), required=False),
    Column("signature", ("Signature", "Signature Image"), required=False),
    Column("reply", ("Reply Address", "Reply To"), required=False),
    Column("enclosure", ("Enclosure", "Enclosures", "Enc"), required=False),
)
_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")


def read_letters(data: Path, problems: Problems, required: bool = True) -> list[Letter]:
    """Read every letter, in workbook order."""
    sheets = cells.load(data, FILE, problems, required)
    table = cells.table(FILE, sheets, COLUMNS, problems) if sheets else None
    if table is None:
        return []
    letters: list[Letter] = []
    keys: set[str] = set()
    for row in table.rows():
        letter = _letter(data, row, problems)
        if letter.key in keys:
            problems.error(row.where("key"), f"Key: another letter already uses {letter.key!r}")
        keys.add(letter.key)
        letters.append(letter)
    return letters


def _letter(data: Path, row: Row, problems: Problems) -> Letter:
    key = cells.required(row, "key", problems)
    if key and not _KEY.fullmatch(key):
        problems.error(row.where("key"), f"Key: {key!r} must be lower-case letters, digits and -")
    meeting = cells.exact_date(row, "meeting", problems) if cells.optional(row, "meeting") else None
    item = cells.number(row, "item", problems)
    if item is None and row.text("item") == "":
        problems.error(row.where("item"), "Item is empty")
    return Letter(
        key=key,
        item=item or 0,
        recipient=tuple(row.text("recipient").split("\n")),
        date=cells.date(row, "date", problems) if row.has("date") else cells.FuzzyDate(""),
        salutation=cells.required(row, "salutation", problems),
        subject=row.text("subject"),
        paragraphs=tuple(p.strip() for p in re.split(r"\n\s*\n", row.text("body")) if p.strip()),
        signatory=cells.required(row, "signatory", problems),
        signed=cells.yes_no(row, "signed", problems),
        signature=_signature(data, row, problems),
        reply_address=cells.optional(row, "reply"),
        enclosure=cells.optional(row, "enclosure"),
        meeting=meeting,
        location=row.where("key"),
        title=" ".join(cells.optional(row, "title").split()),
    )


def _signature(data: Path, row: Row, problems: Problems) -> Path | None:
    name = cells.optional(row, "signature")
    if not name:
        return None
    if "/" in name or "\\" in name or ".." in name:
        problems.error(row.where("signature"), f"Signature: {name!r} must be a plain file name")
        return None
    path = data / SIGNATURES / name
    if not path.is_file():
        problems.error(
            row.where("signature"), f"Signature: {name} not found in {data / SIGNATURES}"
        )
    return path
