"""A revised pack and its supplement: what `packgen supplement` adds to making a new pack.

Supplement N follows issue N. Before anything is rendered, the documents are compared with the
issue's (so the agenda knows it is revised, and each replaced document is marked); once the
full pack is made, the supplement holds a cover saying what changed and the documents added or
replaced, and the public supplement the same without what is restricted.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from packgen.errors import InputError, Location, Problem
from packgen.files import sha256, write_atomic
from packgen.model import long_date
from packgen.plan import MANIFEST, PackInfo, PackPlan, Part
from packgen.write import (
    PUBLIC_SUPPLEMENT,
    SUPPLEMENT,
    Changes,
    Issue,
    compare,
    planned_documents,
    read_manifest,
)

if TYPE_CHECKING:
    from packgen.check import Prepared

log = logging.getLogger(__name__)

REVISED = "Revised"  # stamped beside the item on a replaced document's first page
NEW = "New"  # and on a document added since the issue


@dataclass(frozen=True)
class Revision:
    """The supplement being made: its number (the issue's), that issue, the day, what changed."""

    issue: Issue
    day: dt.date
    planned: Changes  # the documents' changes, known before the pack is laid out

    @property
    def number(self) -> int:
        return self.issue.number

    @property
    def line(self) -> str:
        """The line under the agenda's title."""
        return f"Revised {long_date(self.day)}: see supplement {self.number}"


def plan_revision(
    issue: Issue | None,
    day: dt.date,
    plan: PackPlan,
    prepared: Prepared,
    folders: tuple[Path, Path],
) -> Revision:
    """Compare the planned documents with the issue's; stop when there is no issue or no change.

    `folders` are the data and templates folders the documents are made from.
    """
    where = Location(f"{plan.meeting.date.isoformat()}/issued")
    if issue is None:
        problem = Problem(where, "no issued pack: a supplement says what changed since one")
        raise InputError("There is nothing to supplement: the pack has not been issued.", [problem])
    planned = planned_documents(plan, prepared, *folders)
    changes = compare(issue.manifest, {"documents": planned}, issue.number)
    if not changes.changes:
        problem = Problem(where, f"the pack is as issue {issue.number} has it")
        raise InputError(f"Nothing changed since issue {issue.number}: no supplement.", [problem])
    revision = Revision(issue, day, changes)
    plan.revised = revision.line
    return revision


def mark_parts(parts: list[Part], revision: Revision) -> list[Part]:
    """Mark each replaced document "Revised" and each added one "New" on its first page."""
    replaced, added = set(revision.planned.replaced), set(revision.planned.documents)
    return [
        replace(p, mark=REVISED if p.key in replaced else NEW if p.key in added else "")
        for p in parts
    ]


def write_supplements(
    revision: Revision,
    changes: Changes,
    parts: list[Part],
    plan: PackPlan,
    folder: Path,
    info: PackInfo,
    password: Callable[[], str | None],
) -> dict:
    """Write the supplement and the public supplement into `folder`; record them in the manifest."""
    from packgen.pack import Supplement, assemble_supplement, encrypt_pdf

    number = revision.number
    plain = {p.key: replace(p, mark="") for p in parts}
    issued_on = long_date(revision.issue.day)
    full = Supplement(number, issued_on, _lines(changes), changes.page_lines())
    sent = [plain[key] for key in changes.documents if key in plain]
    out = folder / SUPPLEMENT.format(number)
    layout = assemble_supplement(full, sent, out, info)
    encryption = None
    if read_manifest(folder).get("encryption"):  # encrypted like the full pack, same password
        encrypt_pdf(out, out, password() or "")
        encryption = "AES-256"
    restricted = {d.key for d in plan.documents if d.restricted}
    public = Supplement(number, issued_on, public_lines(changes, restricted), [])
    shown = [part for part in sent if part.key not in restricted]
    public_out = folder / PUBLIC_SUPPLEMENT.format(number)
    public_layout = assemble_supplement(
        public, shown, public_out, replace(info, title=f"{info.title} (public)")
    )
    record = {
        "number": number,
        "issue": number,
        "issued_on": revision.issue.issued,
        "date": revision.day.isoformat(),
        "file": out.name,
        "sha256": sha256(out),
        "pages": layout.pages,
        "encryption": encryption,
        "documents": [
            {"key": p.key, "title": p.title, "item": p.item, "pages": list(layout.documents[p.key])}
            for p in sent
        ],
        "lines": changes.lines(),
        "public": {
            "file": public_out.name,
            "sha256": sha256(public_out),
            "pages": public_layout.pages,
        },
    }
    _record(folder, record)
    log.info("Wrote %s: %d pages, %d documents", out.name, layout.pages, len(sent))
    return record


def _lines(changes: Changes) -> list[tuple[str, str | None]]:
    return list(zip(changes.lines(), [c.document for c in changes.changes], strict=True))


def public_lines(changes: Changes, restricted: set[str]) -> list[tuple[str, str | None]]:
    """The cover's lines for the public: a restricted document's changes become one notice."""
    from packgen.pack import notice_text

    lines: list[tuple[str, str | None]] = []
    noticed: set[int | None] = set()
    for line, change in zip(changes.lines(), changes.changes, strict=True):
        if not (change.private or change.document in restricted):
            lines.append((line, change.document))
        elif change.item not in noticed:
            noticed.add(change.item)
            lines.append((notice_text(change.item, changes.titles.get(change.item, "")), None))
    return lines


def _record(folder: Path, record: dict) -> None:
    path = folder / MANIFEST
    manifest = read_manifest(folder)
    manifest["supplement"] = record
    write_atomic(path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
