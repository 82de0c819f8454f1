"""Issued packs: each pack sent (or marked issued) kept read-only in output/<date>/issued/N/.

An issue holds the full pack, the public pack (when there is one), the manifest, perhaps the
supplement that went out with it, and `issue.json`: its number, when it was issued and the
SHA-256 of every file, so a copy edited or removed by hand is found, never trusted.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packgen.errors import InputError, Location, Problem
from packgen.files import read_json_object, sha256
from packgen.plan import MANIFEST, PACK_NAME

log = logging.getLogger(__name__)

ISSUED = "issued"
RECORD = "issue.json"
SUPPLEMENT = "supplement-{}.pdf"  # supplement N: what changed since issue N
PUBLIC_SUPPLEMENT = "public-supplement-{}.pdf"
READ_ONLY_FILE = stat.S_IRUSR | stat.S_IRGRP
READ_ONLY_FOLDER = READ_ONLY_FILE | stat.S_IXUSR | stat.S_IXGRP


@dataclass(frozen=True)
class Issue:
    """One issued pack: `output/<date>/issued/<number>/`."""

    number: int
    folder: Path
    issued: str  # when, as an ISO time in UTC
    files: dict[str, str]  # file name -> SHA-256

    @property
    def pack_sha(self) -> str:
        return self.files[PACK_NAME]

    @property
    def manifest(self) -> dict:
        return read_json_object(self.folder / MANIFEST)

    @property
    def day(self) -> dt.date:
        return dt.datetime.fromisoformat(self.issued).date()

    @property
    def supplement(self) -> str | None:
        """The supplement sent with this issue (`supplement-1.pdf`), if it went out with one."""
        return next((name for name in self.files if name.startswith("supplement-")), None)


def all_issues(folder: Path) -> list[Issue]:
    """Return the meeting's issued packs in order, each checked against its record.

    `folder` is output/<date>/. An issue whose files were edited, removed or never recorded is
    an error naming it: packgen compares with and sends from issues it can trust.
    """
    root = folder / ISSUED
    if not root.is_dir():
        return []
    numbered = sorted((int(p.name), p) for p in root.iterdir() if p.is_dir() and p.name.isdigit())
    found = [_checked(number, path) for number, path in numbered]
    for expected, issue in enumerate(found, start=1):
        if issue.number != expected:
            raise InputError(
                "An issued pack is missing.",
                [Problem(Location(_shown(root)), f"issue {expected} is not there")],
            )
    return found


def last_issue(folder: Path) -> Issue | None:
    """Return the latest issued pack of the meeting in `folder`, or None before the first."""
    found = all_issues(folder)
    return found[-1] if found else None


def issue_of(folder: Path, pack_sha: str) -> Issue | None:
    """Return the issue whose full pack has this SHA-256, if that pack was issued."""
    return next((i for i in all_issues(folder) if i.pack_sha == pack_sha), None)


def issue_pack(folder: Path, extra: tuple[str, ...] = (), when: dt.datetime | None = None) -> Issue:
    """Keep the pack built in `folder` as the next issue (or return the issue that holds it).

    Copies the pack, the public pack, the manifest and `extra` files of `folder` (a supplement)
    into a temporary folder beside the issues, then renames it into place: an issue is whole or
    not there. Its files and folder are made read-only.
    """
    pack = folder / PACK_NAME
    if not pack.is_file():
        raise InputError(f"There is no pack to issue: {_shown(pack)} (run packgen build first).")
    known = issue_of(folder, sha256(pack))
    if known is not None and all(name in known.files for name in extra):
        return known
    manifest = [MANIFEST] if (folder / MANIFEST).is_file() else []
    names = [PACK_NAME, *manifest, *_public(folder), *extra]
    number = len(all_issues(folder)) + 1
    when = when or dt.datetime.now(dt.UTC)
    root = folder / ISSUED
    root.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".issue-", dir=root))
    try:
        files = {name: _copy(folder / name, work / name) for name in names}
        record = {"issue": number, "issued": when.isoformat(timespec="seconds"), "files": files}
        (work / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        for path in work.iterdir():
            path.chmod(READ_ONLY_FILE)
        work.chmod(READ_ONLY_FOLDER)
        os.replace(work, root / str(number))
    except BaseException:
        _remove(work)
        raise
    log.info("Kept the pack as issue %d in %s", number, root / str(number))
    return _checked(number, root / str(number))


def _public(folder: Path) -> list[str]:
    public = (read_json_object(folder / MANIFEST).get("public_pack") or {}).get("file")
    return [str(public)] if public and (folder / str(public)).is_file() else []


def _copy(source: Path, target: Path) -> str:
    if not source.is_file():
        raise InputError(f"Can't issue the pack: {_shown(source)} is missing.")
    shutil.copyfile(source, target)
    return sha256(target)


def _remove(work: Path) -> None:
    if work.exists():
        work.chmod(0o700)
        shutil.rmtree(work, ignore_errors=True)


def _checked(number: int, path: Path) -> Issue:
    """Read an issue's record and check every file it names is there with its SHA-256."""
    record = read_json_object(path / RECORD)
    files = record.get("files")
    where = Location(_shown(path))
    if record.get("issue") != number or not isinstance(files, dict) or PACK_NAME not in files:
        problem = Problem(where, f"{RECORD} is missing or damaged")
        raise InputError("An issued pack can't be trusted.", [problem])
    problems = []
    for name, digest in sorted(files.items()):
        file = path / name
        if not file.is_file():
            problems.append(Problem(Location(_shown(path), name), "is missing"))
        elif sha256(file) != digest:
            problems.append(Problem(Location(_shown(path), name), "changed since it was issued"))
    if problems:
        raise InputError("An issued pack can't be trusted: put back the files as issued.", problems)
    return Issue(number, path, str(record.get("issued", "")), dict(files))


def _shown(path: Path) -> str:
    """Name an issue's file from the output folder down: `2020-10-15/issued/1`."""
    parts = path.parts
    if ISSUED in parts:
        index = parts.index(ISSUED)
        return "/".join(parts[max(0, index - 1) :])
    return str(path)
