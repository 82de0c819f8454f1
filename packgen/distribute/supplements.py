"""Sending after a supplement: the supplement to who had the issue it follows, the revised full
pack to who had nothing, and a warning naming who had a paper restricted since.

Supplement N follows issue N (output/<date>/issued/N). It stays the one to send until a newer
pack is issued: when it is first sent, the revised pack and the supplement are kept together as
issue N+1, and later runs send it on to whoever still needs it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from packgen.distribute.messages import (
    POLICY,
    Draft,
    Mailing,
    build_message,
    context,
    copy_message,
    render,
)
from packgen.distribute.recipients import Recipient, RecipientGroup
from packgen.distribute.sendlog import SendLog
from packgen.errors import DistributionError, Location, Problem, Severity
from packgen.files import sha256, write_atomic
from packgen.write import PUBLIC_SUPPLEMENT, Changes, Issue, all_issues, read_manifest

log = logging.getLogger(__name__)

TEMPLATE = "supplement.txt"
DEFAULT_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / TEMPLATE


@dataclass(frozen=True)
class Supplementing:
    """The supplement to send, and the issue it brings its readers on from."""

    number: int
    path: Path  # output/<date>/supplement-N.pdf
    base: Issue  # issue N
    lines: tuple[str, ...]  # what changed, as its cover says
    pages: int
    encrypted: bool

    @property
    def files(self) -> tuple[str, ...]:
        """The files kept with the revised pack when the supplement is first sent."""
        public = PUBLIC_SUPPLEMENT.format(self.number)
        return (
            (self.path.name, public) if (self.path.parent / public).is_file() else (self.path.name,)
        )

    def split(
        self, groups: Sequence[RecipientGroup], sent: SendLog, pack_sha: str
    ) -> tuple[list[RecipientGroup], list[RecipientGroup]]:
        """Divide the groups: those to send the full pack, those to send the supplement (who
        had issue N and not yet this pack)."""
        full, supplement = [], []
        for group in groups:
            ahead = [r for r in group.recipients if self._brings_on(r, sent, pack_sha)]
            rest = tuple(r for r in group.recipients if r not in ahead)
            full += [RecipientGroup(group.key, rest)] if rest else []
            supplement += [RecipientGroup(group.key, tuple(ahead))] if ahead else []
        return full, supplement

    def _brings_on(self, r: Recipient, sent: SendLog, pack_sha: str) -> bool:
        had = set(sent.older_packs(r.address, pack_sha))
        return self.base.pack_sha in had and not sent.received(r.address, pack_sha, 1, 1)


def current_supplement(folder: Path, pack_sha: str) -> Supplementing | None:
    """Return the supplement built beside the pack in `folder`, while it is the one to send."""
    record = read_manifest(folder).get("supplement")
    if not isinstance(record, dict):
        return None
    issues = all_issues(folder)
    number = int(record.get("issue", 0))
    if not 0 < number <= len(issues):
        return None
    if any(i.pack_sha != pack_sha for i in issues[number:]):
        return None  # a newer pack was issued since: this supplement is history
    path = folder / str(record["file"])
    if not path.is_file() or sha256(path) != record.get("sha256"):
        raise DistributionError(
            f"The supplement {path} is missing or changed since it was built: run packgen "
            "supplement again."
        )
    lines = tuple(str(line) for line in record.get("lines", []))
    encrypted = record.get("encryption") is not None
    return Supplementing(number, path, issues[number - 1], lines, int(record["pages"]), encrypted)


def supplement_drafts(
    supplement: Supplementing,
    mailing: Mailing,
    groups: Sequence[RecipientGroup],
    sender: str,
    template: Path,
) -> list[Draft]:
    """One message per group with the supplement attached, saying what changed."""
    drafts = []
    name = f"supplement-{supplement.number}-{mailing.meeting.date.isoformat()}.pdf"
    for group in groups:
        values = context(mailing, group, supplement.pages, supplement.encrypted)
        values.update(
            supplement=supplement.number,
            issued_on=f"{supplement.base.day.day} {supplement.base.day:%B %Y}",
            changes=list(supplement.lines),
        )
        subject, body = render(template, values)
        message = build_message(sender, group, subject, body, supplement.path, name)
        drafts.append(Draft(group, message, supplement.path))
    return drafts


def restricted_warnings(folder: Path, changes: Changes, sent: SendLog) -> list[Problem]:
    """Warn of each item or paper restricted since the issue `changes` follow, naming who had
    that issue's copies."""
    issue = next((i for i in all_issues(folder) if i.number == changes.issue), None)
    warnings = []
    for change in changes.changes:
        if not change.restricted or issue is None:
            continue
        had = sorted({e["recipient"] for e in sent.entries if _had(e, issue)})
        who = ", ".join(had) if had else "nobody by email (it was issued by hand)"
        message = (
            f"{change.text} since issue {issue.number}, whose copies are out (packgen can't "
            f"recall email; ask them to delete theirs): {who}"
        )
        warnings.append(Problem(Location(changes.heading(change.item)), message, Severity.WARNING))
    return warnings


def _had(entry: dict, issue: Issue) -> bool:
    return entry.get("issue") == issue.number or entry.get("pack_sha256") == issue.pack_sha


def write_supplement_drafts(drafts: Sequence[Draft], folder: Path, number: int) -> None:
    """Write each supplement message as a draft beside the pack's (supplement-1-members.eml)."""
    folder.mkdir(parents=True, exist_ok=True)
    for draft in drafts:
        msg = copy_message(draft.message)
        msg["X-Unsent"] = "1"
        draft.path = folder / f"supplement-{number}-{draft.group.key}.eml"
        write_atomic(draft.path, msg.as_bytes(policy=POLICY))
        log.info("wrote %s", draft.path)


def supplement_template(template: Path) -> Path:
    """The supplement's email template beside the pack's (email.txt), else packgen's own."""
    beside = template.parent / TEMPLATE
    return beside if beside.is_file() else DEFAULT_TEMPLATE
