"""Email the pack: the recipe from a built pack to drafts and, with --send, deliveries.

The stages live in their own modules: `recipients` (who, with checked addresses), `messages`
(text, attachment, drafts, size and parts), `sendlog` (sent.json) and `smtp` (sending).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from packgen.check import prepare
from packgen.distribute.copies import personal_copies
from packgen.distribute.messages import (
    TEMPLATE,
    Draft,
    Mailing,
    check_size,
    encoded_size,
    largest_papers,
    prepare_drafts,
    split_attachments,
    write_drafts,
)
from packgen.distribute.recipients import RecipientGroup, check_sender, recipient_groups
from packgen.distribute.sendlog import SENT_LOG, SendLog
from packgen.distribute.smtp import send
from packgen.distribute.supplements import (
    Supplementing,
    current_supplement,
    restricted_warnings,
    supplement_drafts,
    supplement_template,
    write_supplement_drafts,
)
from packgen.errors import DistributionError, Location, Problem
from packgen.files import sha256
from packgen.model import Member
from packgen.plan import PACK_NAME, PASSWORD_ENV
from packgen.settings import EmailSettings, Settings
from packgen.write import compare, issue_pack, last_issue, read_manifest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmailOptions:
    send: bool = False
    split: bool = False
    resend: bool = False
    allow_unprotected: bool = False
    no_tls: bool = False
    per_recipient: bool = False  # or [email] per_recipient: a stamped copy for each person


@dataclass
class EmailReport:
    drafts: list[Draft]
    sent: list[str] = field(default_factory=list)  # "address (part n of m)"
    skipped: list[str] = field(default_factory=list)  # already sent
    changed: list[str] = field(default_factory=list)  # had an older pack; not resent
    supplements: list[Draft] = field(default_factory=list)  # the supplement to who had the issue


def email_meeting(
    data: Path,
    templates: Path,
    output: Path,
    meeting: dt.date | None,
    options: EmailOptions,
    password: str | Callable[[], str | None] | None = None,
) -> EmailReport:
    """Email the built pack of a meeting to its chairs and members, as the workbooks say."""
    prepared = prepare(data, meeting)
    pack = output / prepared.meeting.date.isoformat() / PACK_NAME
    with_restricted_papers = {p.item for p in prepared.papers if p.restricted}
    items = tuple(prepared.agenda.items)
    restricted = tuple(i for i in items if i.restricted or i.number in with_restricted_papers)
    marking = subject_marking(prepared.settings, bool(restricted))
    mailing = Mailing(prepared.settings.name, prepared.meeting, items, pack, restricted, marking)
    members = prepared.partnership.members
    template = templates / TEMPLATE
    return email_pack(mailing, members, prepared.settings.email, template, options, password)


def subject_marking(settings: Settings, restricted: bool) -> str:
    """The marking a message's subject starts with: the restricted items' when the pack holds
    any, else the whole pack's (either may be none)."""
    return (settings.restricted_marking if restricted else "") or settings.pack_marking


def email_pack(
    mailing: Mailing,
    members: Sequence[Member],
    settings: EmailSettings,
    template: Path,
    options: EmailOptions,
    password: str | Callable[[], str | None] | None = None,
) -> EmailReport:
    """Write the drafts for a built pack and, with `send`, deliver them to who hasn't had them.

    `password` (or a function asking for it) is needed only to split an encrypted pack or to
    list its largest papers; it never goes into a message, the log or the drafts.
    """
    pack = mailing.pack
    if not pack.exists():
        raise DistributionError(f"There is no pack to send: {pack} (run packgen build first).")
    secret = functools.cache(password if callable(password) else lambda: password)
    encrypted, pages = _pack_facts(pack, secret)
    _refuse_unprotected(mailing, encrypted, options.allow_unprotected)
    groups = _recipients(members, settings.sender)
    folder = pack.parent / "email"
    pack_sha = sha256(pack)
    supplement = current_supplement(pack.parent, pack_sha)
    supplement_groups: list[RecipientGroup] = []
    if supplement is not None:  # who had the issue it follows gets it, not the whole pack
        sent_log = SendLog(folder / SENT_LOG)
        groups, supplement_groups = supplement.split(groups, sent_log, pack_sha)

    def compose(chosen: Sequence[RecipientGroup]) -> Callable:
        return functools.partial(
            prepare_drafts,
            mailing,
            chosen,
            sender=settings.sender,
            template=template,
            pages=pages,
            encrypted=encrypted,
        )

    limit = int(settings.max_message_mb * 1_000_000)
    if not groups:
        drafts = []
    elif options.per_recipient or settings.per_recipient:
        drafts = _personal_drafts(compose, groups, pack, folder, limit, options, secret)
    else:
        drafts = _drafts(compose(groups), pack, folder, limit, options, secret)
    write_drafts(drafts, folder)
    report = EmailReport(drafts)
    if supplement is not None:
        report.supplements = _supplement_drafts(
            supplement, mailing, supplement_groups, settings, template, folder, limit
        )
    _warn_restricted(pack.parent, folder)
    if options.send:
        for batch in (report.supplements, drafts):
            _send_all(batch, settings, folder, pack_sha, options, report, supplement)
    return report


def _supplement_drafts(
    supplement: Supplementing,
    mailing: Mailing,
    groups: list[RecipientGroup],
    settings: EmailSettings,
    template: Path,
    folder: Path,
    limit: int,
) -> list[Draft]:
    """Write the supplement's drafts for who had the issue it follows; check their size."""
    chosen = supplement_template(template)
    drafts = supplement_drafts(supplement, mailing, groups, settings.sender, chosen)
    check_size(drafts, limit, lambda: [])
    write_supplement_drafts(drafts, folder, supplement.number)
    return drafts


def _warn_restricted(meeting: Path, folder: Path) -> None:
    """Warn, naming who had it, of each item or paper restricted since the last issue."""
    issue = last_issue(meeting)
    if issue is None:
        return
    changes = compare(issue.manifest, read_manifest(meeting), issue.number)
    for warning in restricted_warnings(meeting, changes, SendLog(folder / SENT_LOG)):
        log.warning("%s", warning)


def _pack_facts(pack: Path, secret: Callable[[], str | None]) -> tuple[bool, int]:
    """Return whether the pack is encrypted and its page count (0 when unknown)."""
    reader = PdfReader(pack)
    if not reader.is_encrypted:
        return False, len(reader.pages)
    manifest = pack.parent / "manifest.json"
    if manifest.is_file():  # the build recorded the page count of the pack it encrypted
        facts = json.loads(manifest.read_text(encoding="utf-8"))
        if facts.get("sha256") == sha256(pack) and facts.get("pages"):
            return True, int(facts["pages"])
    password = secret()
    return True, len(reader.pages) if password and reader.decrypt(password) else 0


def _refuse_unprotected(mailing: Mailing, encrypted: bool, allow: bool) -> None:
    if not mailing.restricted or encrypted:
        return
    names = ", ".join(f"item {i.number} ({i.title})" for i in mailing.restricted)
    if allow:
        log.warning("emailing the unprotected full pack with restricted %s", names)
        return
    raise DistributionError(
        f"The full pack holds restricted material ({names}) and is not encrypted, so it won't be "
        f"emailed. Rebuild it with {PASSWORD_ENV} set (or type the password when asked), or pass "
        "--allow-unprotected to send it as it is."
    )


def _recipients(members: Sequence[Member], sender: str) -> list[RecipientGroup]:
    """Return the groups to write to; stop when nobody receives the pack or the sender is bad."""
    groups = recipient_groups(members)
    if not groups:
        raise DistributionError("Nobody receives the pack: no member has Receives Pack = Y.")
    check_sender(sender)
    return groups


def _drafts(
    compose: Callable[[Sequence[tuple[Path, Sequence[str]]]], list[Draft]],
    pack: Path,
    folder: Path,
    limit: int,
    options: EmailOptions,
    secret: Callable[[], str | None],
) -> list[Draft]:
    """Compose the messages with the whole pack, or with its parts on --split; check sizes."""
    drafts = compose([(pack, [])])
    if options.split and any(d.size > limit for d in drafts):
        drafts = compose(_split(pack, drafts, folder / "parts", limit, secret()))
    check_size(drafts, limit, lambda: [] if options.split else largest_papers(pack, secret()))
    return drafts


def _personal_drafts(
    compose: Callable[[Sequence[RecipientGroup]], Callable],
    groups: Sequence[RecipientGroup],
    pack: Path,
    folder: Path,
    limit: int,
    options: EmailOptions,
    secret: Callable[[], str | None],
) -> list[Draft]:
    """One message per person, each with their own stamped copy (split as the pack would be)."""
    drafts = []
    for personal in personal_copies(pack, groups, folder, secret, dt.date.today()):
        made = _drafts(compose([personal.group]), personal.copy, folder, limit, options, secret)
        drafts += [dataclasses.replace(draft, name=personal.name) for draft in made]
    return drafts


def _split(
    pack: Path, drafts: Sequence[Draft], folder: Path, limit: int, password: str | None
) -> list[tuple[Path, list[str]]]:
    """Cut the pack into parts sized so each message, with its text and headers, fits."""
    overhead = max(d.size for d in drafts) - encoded_size(pack.stat().st_size) + 2048
    return split_attachments(pack, folder, limit, overhead, password)


def _send_all(
    drafts: Sequence[Draft],
    settings: EmailSettings,
    folder: Path,
    pack_sha: str,
    options: EmailOptions,
    report: EmailReport,
    supplement: Supplementing | None = None,
) -> None:
    """Send the drafts to those who still need them; stop naming each one not delivered.

    With a supplement, the revised pack and the supplement are kept together as the new issue,
    and the supplement's drafts go to those who had an older pack (the issue it follows)."""
    if not settings.sender:
        raise DistributionError(
            "No sender address: set [email] from in partnership.toml or PACKGEN_SMTP_FROM."
        )
    sent_log = SendLog(folder / SENT_LOG)
    supplementing = supplement is not None and any(d.attachment == supplement.path for d in drafts)
    plan = sent_log.plan(drafts, pack_sha, options.resend or supplementing)
    report.skipped += plan.skipped
    report.changed += plan.changed
    failures: list[str] = []
    if plan.deliveries:
        kept = supplement.files if supplement else ()
        sent_log.issue = issue_pack(folder.parent, kept).number  # what is sent is kept, as issued
        sent_log.supplement = supplement.number if supplementing and supplement else None
        sent, failures = send(plan.deliveries, settings, sent_log, pack_sha, options.no_tls)
        report.sent += sent
    if failures:
        raise DistributionError(
            f"Sent {len(report.sent)} message(s), but these were not delivered; run the same "
            "command again to send only to them:",
            [_failure(f) for f in failures],
        )


def _failure(text: str) -> Problem:
    address, _, reason = text.partition(": ")
    return Problem(Location(address), reason)
