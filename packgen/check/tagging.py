"""Whether the PDF papers sent in are tagged, so that a screen reader can follow them.

A Word, slide or spreadsheet paper is exported by LibreOffice as tagged PDF; a PDF paper goes in
as it is. `packgen check` says before the build which ones have no structure tree; the build
says it again of the pack it made (from its manifest).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from packgen.errors import Location, Problem, Severity

if TYPE_CHECKING:  # the warning alone is wanted where a pack is kept unchanged, lightly
    from packgen.check.inputs import Prepared

log = logging.getLogger(__name__)

PAPER_ADVICE = "ask its author for an accessible PDF"
OWN_ADVICE = "LibreOffice exported it untagged"


def not_tagged(where: Location, advice: str) -> Problem:
    """The warning for a document a screen reader can't follow."""
    message = f"not tagged, so screen readers can't follow it; {advice}"
    return Problem(where, message, Severity.WARNING)


def untagged_papers(prepared: Prepared) -> list[Problem]:
    """Warn of each PDF paper of the meeting that has no structure tree (none when the pack is
    built untagged on purpose: `tagged_pack = false`). A PDF that can't be read is left to the
    build, which names it as an error."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from packgen.check.inputs import PAPERS

    if not prepared.settings.tagged_pack:
        return []
    warnings = []
    folder = f"{PAPERS}/{prepared.meeting.date.isoformat()}"
    for paper in prepared.papers:
        if paper.path.suffix.lower() != ".pdf":
            continue
        try:
            reader = PdfReader(paper.path)
            if reader.is_encrypted:
                continue
            tagged = "/StructTreeRoot" in reader.trailer["/Root"]
        except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
            log.debug("%s can't be read to see whether it is tagged: %s", paper.path, exc)
            continue
        if not tagged:
            warnings.append(not_tagged(Location(folder, paper.path.name), PAPER_ADVICE))
    return warnings
