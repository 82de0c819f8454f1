"""Letters: one context per letter, with its logos and signature image."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from packgen.errors import Location, Problems
from packgen.model import Agency, Letter, long_date
from packgen.render.context.common import Image, find_member

if TYPE_CHECKING:
    from packgen.check import Prepared

SIGNATURE_HEIGHT_MM = 15.0
LOGO_HEIGHT_MM = 15.0


def letter_context(letter: Letter, prepared: Prepared) -> dict:
    """Context of one letter; a signed letter carries its signature image."""
    problems = Problems()
    problems.extend(letter_problems(letter, prepared))
    problems.raise_if_errors("A letter can't be written.")
    settings = prepared.settings
    member = find_member(prepared, letter.signatory)
    agency = settings.agency_short(member.agency) if member else ""
    return {
        "partnership": settings.name,
        "partners": " · ".join(a.name for a in settings.agencies),
        "logos": [Image(p, LOGO_HEIGHT_MM, logo_alt(p, settings.agencies)) for p in settings.logos],
        "reply_address": letter.reply_address or settings.reply_address,
        "recipient": list(letter.recipient),
        "date": long_date(letter.date.exact) if letter.date.exact else letter.date.text,
        "salutation": letter.salutation,
        "subject": letter.subject,
        "paragraphs": list(letter.paragraphs),
        "signature": _signature(letter, member.name if member else letter.signatory),
        "signatory": {
            "name": member.name if member else letter.signatory,
            "title": ", ".join(p for p in (member.title, agency) if p) if member else "",
        },
        "signing_line": settings.signing_line,
        "enclosure": letter.enclosure,
    }


def _signature(letter: Letter, name: str) -> Image | None:
    if not letter.signed:
        return None
    return Image(letter.signature, SIGNATURE_HEIGHT_MM, f"Signature of {name}")


def logo_alt(path: Path, agencies: Sequence[Agency]) -> str:
    """A logo's alternative text: the partner whose name its file bears, else its file name."""
    stem = _fold(path.stem)
    for agency in agencies:
        if _fold(agency.short) in stem.split() or _fold(agency.name) in stem:
            return f"{agency.name} logo"
    return f"Logo: {path.stem.replace('_', ' ').replace('-', ' ')}"


def _fold(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def letter_problems(letter: Letter, prepared: Prepared) -> list:
    """Find what stops a letter being written: a signed letter without its signature image."""
    problems = Problems()
    where = letter.location or Location("letters.xlsx", "Letters", f"key {letter.key}")
    if letter.signed:
        if letter.signature is None:
            problems.error(where, "the letter is marked signed but names no signature image")
        elif not Path(letter.signature).is_file():
            problems.error(where, f"signature image {Path(letter.signature).name} is missing")
    if find_member(prepared, letter.signatory) is None:
        problems.warn(where, f"signatory {letter.signatory!r} is not in meetings.xlsx › Members")
    return problems.items
