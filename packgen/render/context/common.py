"""What every context shares: XML-safe strings, pictures, page references and people."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packgen.model import Member, TextRun

if TYPE_CHECKING:
    from packgen.check import Prepared

PageRefs = dict[int, tuple[int, int]]

# Characters XML 1.0 forbids, plus the ones docxtpl would turn into paragraphs or page breaks.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Image:
    """A picture for the template; rendering turns it into a docxtpl InlineImage."""

    path: Path
    height_mm: float
    alt: str = ""  # what a screen reader says in its place: "Signature of Jane Smith"


@dataclass(frozen=True)
class Rich:
    """Text with the bold, italic and underline it was written with (`{{r line.rich }}`);
    rendering turns it into a docxtpl RichText."""

    runs: tuple[TextRun, ...]


def rich(runs: tuple[TextRun, ...] | list[TextRun], text: str = "") -> Rich:
    """Return the runs (else `text` in one plain run) with the characters XML forbids removed."""
    runs = tuple(runs) or (TextRun(text),)
    return Rich(tuple(TextRun(clean(r.text), r.bold, r.italic, r.underline) for r in runs))


def clean(value: Any) -> Any:
    """Remove characters XML forbids from every string; keep tabs and line breaks."""
    if isinstance(value, str):
        return _FORBIDDEN.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def find_member(prepared: Prepared, typed: str) -> Member | None:
    """Find a member by name or initials as typed."""
    wanted = typed.strip().casefold()
    for member in prepared.partnership.members:
        if wanted in (member.name.casefold(), member.initials.casefold()):
            return member
    return None


def describe(prepared: Prepared, typed: str, short: bool = False) -> str:
    """Write a person as "Name, Title, Agency" (agency short form when `short`)."""
    member = find_member(prepared, typed)
    if member is None:
        return typed
    agency = prepared.settings.agency_short(member.agency) if short else member.agency
    return ", ".join(p for p in (member.name, member.title, agency) if p)
