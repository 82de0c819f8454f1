"""Shared helpers for the readers: open a workbook, find its table, read typed cells."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

from packgen.errors import Location, Problems
from packgen.model import FuzzyDate
from packgen.read.dates import DateError, parse_date, parse_time
from packgen.read.sheetcache import read_sheets  # through the cache a build sets, else as always
from packgen.read.workbook import (
    Column,
    Row,
    Sheet,
    Table,
    WorkbookError,
    find_table,
    heading_problems,
    missing_table,
)

YES = {"y", "yes", "true", "1", "x", "✓"}
NO = {"", "n", "no", "false", "0", "-"}


def load(data: Path, name: str, problems: Problems, required: bool = True) -> list[Sheet] | None:
    """Read a workbook's sheets, or record why it can't be read and return None.

    A workbook that isn't `required` may be absent: then it is None without a word (the check
    says so only when the meeting's pack needs it)."""
    path = data / name
    if not path.is_file():
        if required:
            problems.error(Location(name), f"not found in {data}")
        return None
    try:
        return read_sheets(path)
    except WorkbookError as exc:
        problems.items.append(exc.problem)
        return None


def table(
    name: str, sheets: Sequence[Sheet], columns: Sequence[Column], problems: Problems
) -> Table | None:
    """Find the table by its headings, and note its formula, error and placeholder cells."""
    found = find_table(sheets, columns)
    if found is None:
        problems.items.append(missing_table(name, sheets, columns))
        return None
    problems.extend(heading_problems(found, columns))
    problems.extend(found.cell_problems())
    problems.extend(found.placeholder_warnings())
    return found


def heading(row: Row, key: str) -> str:
    """The column's heading as the officer typed it, for messages."""
    col = row.table.columns[key]
    return row.table.sheet.cell(row.table.header_row, col).text


def required(row: Row, key: str, problems: Problems) -> str:
    """Return the cell's text; an empty cell is an error naming the column."""
    text = row.text(key)
    if not text:
        problems.error(row.where(key), f"{heading(row, key)} is empty")
    return text


def optional(row: Row, key: str) -> str:
    return row.text(key) if row.has(key) else ""


def date(row: Row, key: str, problems: Problems, unknown_ok: bool = True) -> FuzzyDate:
    """Read a date cell; a bad date is an error naming the cell."""
    try:
        return parse_date(row.value(key), unknown_ok=unknown_ok)
    except DateError as exc:
        problems.error(row.where(key), f"{heading(row, key)}: {exc}")
        return FuzzyDate(row.text(key))


def exact_date(row: Row, key: str, problems: Problems) -> dt.date | None:
    """Read a cell that must hold a whole date (day, month and year)."""
    value = date(row, key, problems, unknown_ok=False)
    if value.known and value.exact is None:
        problems.error(row.where(key), f"{heading(row, key)}: {value.text} needs a day")
    return value.exact


def time(row: Row, key: str, problems: Problems) -> dt.time | None:
    try:
        return parse_time(row.value(key))
    except DateError as exc:
        problems.error(row.where(key), f"{heading(row, key)}: {exc}")
        return None


def number(row: Row, key: str, problems: Problems) -> int | None:
    """Read a whole number such as an item number or `5 minutes`; empty gives None."""
    value = row.value(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value):
        return int(value)
    text = row.text(key)
    if not text:
        return None
    m = re.fullmatch(r"(\d+)\.?\s*(?:mins?|minutes?)?\.?", text, re.IGNORECASE)
    if m:
        return int(m.group(1))
    problems.error(row.where(key), f"{heading(row, key)}: {text!r} is not a whole number")
    return None


def yes_no(row: Row, key: str, problems: Problems) -> bool:
    """Read Y/Yes/N/No/empty; anything else is an error."""
    if not row.has(key):
        return False
    value = row.value(key)
    if isinstance(value, bool):
        return value
    text = row.text(key).casefold().rstrip(".")
    if text in YES:
        return True
    if text not in NO:
        problems.error(row.where(key), f"{heading(row, key)}: {row.text(key)!r} is not Y or N")
    return False
