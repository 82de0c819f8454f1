"""`packgen issue` and `packgen changes`: keep the built pack as issued; say what changed since."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from packgen.commands.lock import meeting_lock
from packgen.errors import InputError, Location, Problem
from packgen.model import long_date
from packgen.plan import MANIFEST, PACK_NAME
from packgen.write import Changes, Issue, compare, issue_pack, last_issue, read_manifest

log = logging.getLogger(__name__)


def meeting_folder(data: Path, output: Path, meeting: dt.date | None) -> Path:
    """Return output/<date>/ of the meeting given, else of the meeting a build would choose."""
    if meeting is None:
        from packgen.check import prepare  # reads the workbooks, only to choose the meeting

        meeting = prepare(data).meeting.date
    return output / meeting.isoformat()


def issue_meeting(data: Path, output: Path, meeting: dt.date | None) -> tuple[Issue, bool]:
    """Keep the meeting's built pack as its next issue; return it and whether it is new."""
    folder = meeting_folder(data, output, meeting)
    _built(folder)
    with meeting_lock(output, dt.date.fromisoformat(folder.name)):
        before = last_issue(folder)
        issue = issue_pack(folder)
    return issue, before is None or before.number != issue.number


def meeting_changes(data: Path, output: Path, meeting: dt.date | None) -> Changes:
    """Compare the meeting's built pack with its last issue."""
    folder = meeting_folder(data, output, meeting)
    built = _built(folder)
    issue = last_issue(folder)
    if issue is None:
        raise InputError(
            "Nothing to compare with: the pack has not been issued yet.",
            [
                Problem(
                    Location(f"{folder.name}/issued"),
                    f"no issued pack: packgen email {folder.name} --send keeps the pack it sends "
                    f"as issue 1, or packgen issue {folder.name} marks the built pack as issued",
                )
            ],
        )
    return compare(issue.manifest, built, issue.number)


def issued_on(issue: Issue) -> str:
    """Say when an issue went out: "3 December 2026"."""
    return long_date(issue.day)


def _built(folder: Path) -> dict:
    manifest = read_manifest(folder)
    if not (folder / PACK_NAME).is_file() or not manifest.get("documents"):
        raise InputError(
            f"There is no built pack in {folder}.",
            [Problem(Location(f"{folder.name}/{MANIFEST}"), "run packgen build first")],
        )
    return manifest
