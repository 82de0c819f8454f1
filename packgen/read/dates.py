"""UK dates and times as officers type them, day first, into `FuzzyDate`."""

from __future__ import annotations

import datetime as dt
import re

from packgen.model import FuzzyDate

UNKNOWN = {"", "???", "??", "?", "tbc", "tba", "unknown"}

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

_SEP = r"[\s/.\-]+"
_NUMERIC = re.compile(rf"(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}}){_SEP}(?P<y>\d{{4}}|\d{{2}})")
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_WORDS = re.compile(
    r"(?:(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?)?(?P<mon>[a-z]{3,9})\.?,?\s+(?P<y>\d{4})",
    re.IGNORECASE,
)
_TIME = re.compile(r"(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:\s*(?P<ampm>[ap])\.?m\.?)?", re.IGNORECASE)


class DateError(ValueError):
    """A cell that looks like a date but isn't one (`31/02/2020`, `next week`)."""


def parse_date(value: object, *, unknown_ok: bool = True) -> FuzzyDate:
    """Read a cell as a date: a real Excel date, or UK text, day first; raise DateError if not."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return FuzzyDate(f"{value.day} {value:%B %Y}", value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise DateError(f"{value:g} is a number, not a date")
    text = " ".join(str(value or "").split())
    if text.casefold() in UNKNOWN:
        if unknown_ok:
            return FuzzyDate(text)
        raise DateError("the date is missing" if not text else f"{text} is not a date yet")
    found = _match(text, whole=True)
    if found is None:
        raise DateError(f"{text!r} is not a date (write it like 09/09/2020 or 9 September 2020)")
    return found


def find_date(text: str) -> FuzzyDate:
    """Find the first date in free text such as `November 2020 [Date TBC]`; unknown if none."""
    text = " ".join(text.split())
    try:
        found = _match(text, whole=False)
    except DateError:
        found = None
    return found or FuzzyDate(text)


def _match(text: str, whole: bool) -> FuzzyDate | None:
    """Try each pattern in turn on the whole text (cells) or anywhere in it (headings)."""
    for pattern in (_ISO, _NUMERIC, _WORDS):
        matches = [pattern.fullmatch(text)] if whole else pattern.finditer(text)
        for m in matches:
            found = _build(text, m) if m else None
            if found:
                return found
    return None


def _build(text: str, m: re.Match) -> FuzzyDate | None:
    groups = m.groupdict()
    if groups.get("mon") is not None:
        month = MONTHS.get(groups["mon"][:3].casefold())
        if month is None or not _is_month_word(groups["mon"]):
            return None
    else:
        month = int(groups["m"])
    year = int(groups["y"])
    year += 2000 if year < 100 else 0
    day = int(groups["d"]) if groups.get("d") else None
    try:
        dt.date(year, month, day or 1)
    except ValueError as exc:
        raise DateError(f"{text} is not a real date") from exc
    return FuzzyDate(text, year, month, day)


def _is_month_word(word: str) -> bool:
    """Accept `Sep`, `Sept`, `September`, not any word that starts with a month's letters."""
    word = word.casefold()
    full = dt.date(2000, MONTHS[word[:3]], 1).strftime("%B").casefold()
    return full.startswith(word) or word == "sept"


def parse_time(value: object) -> dt.time | None:
    """Read a cell as a time of day (`09:00`, `9.30am`, a real Excel time); None when empty."""
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    if isinstance(value, float) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        return dt.time(minutes // 60, minutes % 60)
    text = str(value or "").strip()
    if not text:
        return None
    m = _TIME.fullmatch(text)
    if not m:
        raise DateError(f"{text!r} is not a time (write it like 09:00)")
    hour, minute = int(m["h"]), int(m["m"])
    if m["ampm"] and m["ampm"].lower() == "p" and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        raise DateError(f"{text} is not a real time")
    return dt.time(hour, minute)
