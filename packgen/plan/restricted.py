"""What restricted items mean for a build, without opening a PDF: file names, the pack password
and the warnings. packgen.pack.protect does the work (the public pack, the encryption)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from packgen.errors import Location, Problem, Severity

if TYPE_CHECKING:
    from packgen.check import Prepared

PASSWORD_ENV = "PACKGEN_PACK_PASSWORD"
PACK_NAME = "meeting-pack.pdf"
PUBLIC_PACK = "public-pack.pdf"
MANIFEST = "manifest.json"


def pack_password(environ: Mapping[str, str] = os.environ) -> str | None:
    """Return the pack password from PACKGEN_PACK_PASSWORD, or None when it is unset or empty."""
    return environ.get(PASSWORD_ENV) or None


def unprotected_warning(items: Iterable[tuple[int | None, str]], where: Location) -> Problem:
    """Return the warning for a full pack that holds restricted items and has no password."""
    names = ", ".join(f"item {n} ({t})" if n is not None else t for n, t in items)
    return Problem(
        where,
        f"the full pack holds restricted material ({names}) but no pack password is set, so "
        f"it will not be encrypted; set {PASSWORD_ENV} (or type it when asked) to protect it",
        Severity.WARNING,
    )


def check_protection(prepared: Prepared, environ: Mapping[str, str] = os.environ) -> list[Problem]:
    """Warn when the meeting's pack will hold restricted items and no password is set."""
    papers = {p.item for p in prepared.papers if p.restricted}
    restricted = [i for i in prepared.agenda.items if i.restricted or i.number in papers]
    if not restricted or pack_password(environ):
        return []
    where = restricted[0].location or Location("forward_plan.xlsx")  # the first such item's row
    return [unprotected_warning([(i.number, i.title) for i in restricted], where)]
