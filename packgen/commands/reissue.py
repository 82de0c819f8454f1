"""`packgen issue` and `packgen changes`: keep the built pack as issued; say what changed since."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from packgen.commands.lock import meeting_lock
from packgen.commands.pipeline import BuildResult, Password, Progress, build
from packgen.commands.supplement import require_issue
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
        issue = issue_pack(folder, _supplement_files(folder, before))
    return issue, before is None or before.number != issue.number


def _supplement_files(folder: Path, last: Issue | None) -> tuple[str, ...]:
    """The supplement built beside the pack to follow the last issue, sent with it by hand."""
    record = read_manifest(folder).get("supplement") or {}
    if not last or record.get("issue") != last.number:
        return ()
    names = (record.get("file"), (record.get("public") or {}).get("file"))
    return tuple(str(n) for n in names if n and (folder / str(n)).is_file())


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
    changes = compare(issue.manifest, built, issue.number)
    changes.issued_on = long_date(issue.day)
    _warn_restricted(folder, changes)
    return changes


def _warn_restricted(folder: Path, changes: Changes) -> None:
    """Warn of what became restricted since the issue, naming who had the issue's copies."""
    from packgen.distribute import SENT_LOG, SendLog, restricted_warnings

    sent = SendLog(folder / "email" / SENT_LOG)
    for warning in restricted_warnings(folder, changes, sent):
        log.warning("%s", warning)


def make_supplement(
    data: Path,
    templates: Path,
    output: Path,
    meeting: dt.date | None,
    *,
    progress: Progress | None = None,
    password: Password | None = None,
    day: dt.date | None = None,
) -> tuple[BuildResult, dict]:
    """Build the revised pack and its supplement to the last issue; return both's records."""
    folder = meeting_folder(data, output, meeting)
    require_issue(last_issue(folder), dt.date.fromisoformat(folder.name))
    chosen = {"password": password} if password is not None else {}
    result = build(
        data, templates, output, meeting, progress=progress, supplement=day or dt.date.today(),
        **chosen,
    )  # fmt: skip
    return result, read_manifest(result.folder)["supplement"]


def _built(folder: Path) -> dict:
    manifest = read_manifest(folder)
    if not (folder / PACK_NAME).is_file() or not manifest.get("documents"):
        raise InputError(
            f"There is no built pack in {folder}.",
            [Problem(Location(f"{folder.name}/{MANIFEST}"), "run packgen build first")],
        )
    return manifest
