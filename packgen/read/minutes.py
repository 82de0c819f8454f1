"""minutes.xlsx: the notes of past meetings, one paragraph per row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from packgen.errors import Problems
from packgen.model import MinuteItem, MinuteParagraph, Minutes, ParagraphStyle
from packgen.read import cells
from packgen.read.workbook import Column, Row

FILE = "minutes.xlsx"
COLUMNS = (
    Column("meeting", ("Meeting", "Meeting Date", "Date")),
    Column("item", ("Item", "Item No", "No")),
    Column("title", ("Title", "Item Title", "Heading"), required=False),
    Column("style", ("Style", "Type"), required=False),
    Column("text", ("Text", "Paragraph", "Notes", "Minute")),
    Column("ref", ("Action Ref", "Ref", "Action"), required=False),
)
STYLES = {"": ParagraphStyle.PARAGRAPH, "paragraph": ParagraphStyle.PARAGRAPH,
          "text": ParagraphStyle.PARAGRAPH, "subheading": ParagraphStyle.SUBHEADING,
          "sub-heading": ParagraphStyle.SUBHEADING, "heading": ParagraphStyle.SUBHEADING,
          "bullet": ParagraphStyle.BULLET, "bullets": ParagraphStyle.BULLET,
          "action": ParagraphStyle.ACTION}  # fmt: skip

Key = tuple[dt.date, int]


def read_minutes(data: Path, problems: Problems, required: bool = True) -> list[Minutes]:
    """Read every meeting's notes, items and paragraphs in workbook order."""
    sheets = cells.load(data, FILE, problems, required)
    table = cells.table(FILE, sheets, COLUMNS, problems) if sheets else None
    if table is None:
        return []
    titles: dict[Key, str] = {}
    paragraphs: dict[Key, list[MinuteParagraph]] = {}
    meeting: dt.date | None = None
    item: int | None = None
    for row in table.rows():
        # An empty Meeting or Item cell continues the one above, as merged cells do.
        if row.text("meeting"):
            meeting = cells.exact_date(row, "meeting", problems)
        if row.text("item"):
            item = cells.number(row, "item", problems)
        if meeting is None or item is None:
            problems.error(row.where("item"), "the paragraph has no meeting date or item number")
            continue
        paragraph = _paragraph(row, problems)
        titles.setdefault((meeting, item), "")
        if cells.optional(row, "title"):
            titles[(meeting, item)] = titles[(meeting, item)] or row.text("title")
        if paragraph:
            paragraphs.setdefault((meeting, item), []).append(paragraph)
    return _group(titles, paragraphs)


def _paragraph(row: Row, problems: Problems) -> MinuteParagraph | None:
    text = row.text("text")
    style = STYLES.get(cells.optional(row, "style").casefold())
    if style is None:
        problems.error(
            row.where("style"),
            f"Style: {row.text('style')!r} is not paragraph, subheading, bullet or action",
        )
        style = ParagraphStyle.PARAGRAPH
    ref = cells.optional(row, "ref")
    if not text and not ref:
        return None
    return MinuteParagraph(style, text, ref, row.where("text"))


def _group(titles: dict[Key, str], paragraphs: dict[Key, list[MinuteParagraph]]) -> list[Minutes]:
    meetings: dict[dt.date, list[MinuteItem]] = {}
    for (date, number), title in titles.items():
        item = MinuteItem(number, title, tuple(paragraphs.get((date, number), ())))
        meetings.setdefault(date, []).append(item)
    return [Minutes(date, tuple(items)) for date, items in meetings.items()]
