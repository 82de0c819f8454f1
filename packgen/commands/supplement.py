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
from packgen.plan import MANIFEST, Layout, PackInfo, PackPlan, Part
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


def revised_line(day: dt.date, number: int) -> str:
    """The line under a revised pack's agenda title."""
    return f"Revised {long_date(day)}: see supplement {number}"


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
        return revised_line(self.day, self.number)

    @property
    def marks(self) -> dict[str, str]:
        """Each replaced document marked "Revised", each added one "New", by key."""
        replaced = set(self.planned.replaced)
        return {key: REVISED if key in replaced else NEW for key in self.planned.documents}


def carried_revision(issue: Issue | None) -> tuple[str, dict[str, str]]:
    """The agenda's line and the documents' marks of a pack issued with its supplement: a pack
    rebuilt after it stays revised as it went out (so, unchanged, it is the very same pack)."""
    record = issue.manifest.get("supplement") if issue and issue.supplement else None
    if not isinstance(record, dict):
        return "", {}
    line = revised_line(dt.date.fromisoformat(record["date"]), int(record["number"]))
    return line, {d["key"]: d.get("mark", "") for d in record.get("documents", [])}


def revision_salt(issue: Issue | None, supplement: dt.date | None) -> str:
    """What a pack's fingerprint adds for its revision: the agenda's line, or nothing."""
    if supplement is not None:
        return revised_line(supplement, issue.number if issue else 0)
    return carried_revision(issue)[0]


def revise(
    issue: Issue | None,
    supplement: dt.date | None,
    plan: PackPlan,
    prepared: Prepared,
    folders: tuple[Path, Path],
) -> tuple[Revision | None, dict[str, str]]:
    """Return the supplement to make (with `supplement`, its day) and the documents' marks; a
    pack issued with its supplement stays revised as it went out (`carried_revision`)."""
    if supplement is not None:
        revision = plan_revision(issue, supplement, plan, prepared, folders)
        return revision, revision.marks
    plan.revised, marks = carried_revision(issue)
    return None, marks


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
    issue = require_issue(issue, plan.meeting.date)
    where = Location(f"{plan.meeting.date.isoformat()}/issued")
    planned = planned_documents(plan, prepared, *folders)
    changes = compare(issue.manifest, {"documents": planned}, issue.number)
    if not changes.changes:
        problem = Problem(where, f"the pack is as issue {issue.number} has it")
        raise InputError(f"Nothing changed since issue {issue.number}: no supplement.", [problem])
    revision = Revision(issue, day, changes)
    plan.revised = revision.line
    return revision


def require_issue(issue: Issue | None, meeting: dt.date) -> Issue:
    """Return the issue a supplement follows; stop when the pack has not been issued."""
    if issue is None:
        day = meeting.isoformat()
        problem = Problem(
            Location(f"{day}/issued"),
            f"no issued pack: a supplement says what changed since one (packgen email {day} "
            f"--send keeps the pack it sends as issue 1; packgen issue {day} marks it by hand)",
        )
        raise InputError("There is nothing to supplement: the pack has not been issued.", [problem])
    return issue


def mark_parts(parts: list[Part], marks: dict[str, str]) -> list[Part]:
    """Stamp each marked document's mark ("Revised", "New") on its first page."""
    return [replace(p, mark=marks.get(p.key, "")) for p in parts]


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

    number, issued_on = revision.number, long_date(revision.issue.day)
    plain = {p.key: replace(p, mark="") for p in parts}
    sent = [plain[key] for key in changes.documents if key in plain]
    out = folder / SUPPLEMENT.format(number)
    full = Supplement(number, issued_on, _lines(changes), changes.page_lines())
    layout = assemble_supplement(full, sent, out, info)
    encrypted = bool(read_manifest(folder).get("encryption"))
    if encrypted:  # like the full pack, with the same password
        encrypt_pdf(out, out, password() or "")
    restricted = {d.key for d in plan.documents if d.restricted}
    public = Supplement(number, issued_on, public_lines(changes, restricted), [])
    public_out = folder / PUBLIC_SUPPLEMENT.format(number)
    shown = [part for part in sent if part.key not in restricted]
    public_info = replace(info, title=f"{info.title} (public)")
    public_pages = assemble_supplement(public, shown, public_out, public_info).pages
    record = _supplement_record(revision, changes, out, layout, sent)
    record["encryption"] = "AES-256" if encrypted else None
    record["public"] = {
        "file": public_out.name,
        "sha256": sha256(public_out),
        "pages": public_pages,
    }
    _record(folder, record)
    log.info("Wrote %s: %d pages, %d documents", out.name, layout.pages, len(sent))
    return record


def _supplement_record(
    revision: Revision, changes: Changes, out: Path, layout: Layout, sent: list[Part]
) -> dict:
    """What the manifest says of the supplement: the email and a rebuild read it."""
    documents = [
        {"key": p.key, "title": p.title, "item": p.item, "pages": list(layout.documents[p.key]),
         "mark": revision.marks.get(p.key, "")}
        for p in sent
    ]  # fmt: skip
    return {
        "number": revision.number,
        "issue": revision.number,
        "issued_on": revision.issue.issued,
        "date": revision.day.isoformat(),
        "file": out.name,
        "sha256": sha256(out),
        "pages": layout.pages,
        "documents": documents,
        "lines": changes.lines(),
    }


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
