"""Email the pack: recipients, messages from a template, .eml drafts, size, SMTP, send log."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
import json
import logging
import os
import re
import smtplib
import ssl
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from jinja2 import StrictUndefined
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment
from pypdf import PdfReader

from packgen import split as splitter
from packgen.errors import DistributionError, Location, Problem, Problems, TemplateError
from packgen.model import AgendaItem, Meeting, Member
from packgen.protect import PACK_NAME, PASSWORD_ENV, open_pdf
from packgen.settings import EmailSettings

log = logging.getLogger(__name__)

TEMPLATE = "email.txt"
SENT_LOG = "sent.json"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
GROUPS = {"chair": "chairs", "member": "members"}
# CRLF lines; headers fold only past 998 characters (Python folds some 79-character ones badly).
POLICY = policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str
    send_as: str  # "to" or "cc"

    @property
    def header(self) -> Address:
        return Address(display_name=self.name, addr_spec=self.address)


@dataclass(frozen=True)
class RecipientGroup:
    """The members who share one message: chairs, or members; each on To or Cc."""

    key: str
    recipients: tuple[Recipient, ...]

    def on(self, send_as: str) -> list[Recipient]:
        return [r for r in self.recipients if r.send_as == send_as]


@dataclass(frozen=True)
class Mailing:
    """What a message tells: the partnership, the meeting, its items and the pack."""

    partnership: str
    meeting: Meeting
    items: tuple[AgendaItem, ...]
    pack: Path
    restricted: tuple[AgendaItem, ...] = ()


@dataclass
class Draft:
    group: RecipientGroup
    message: EmailMessage
    attachment: Path
    part: int = 1
    parts: int = 1
    path: Path | None = None

    @property
    def size(self) -> int:
        return len(self.message.as_bytes(policy=POLICY))


@dataclass
class EmailReport:
    drafts: list[Draft]
    sent: list[str] = field(default_factory=list)  # "address (part n of m)"
    skipped: list[str] = field(default_factory=list)  # already sent
    changed: list[str] = field(default_factory=list)  # had an older pack; not resent


def check_address(name: str, address: str, where: Location, problems: Problems) -> bool:
    """Record a problem unless `address` is exactly one valid address and `name` one line."""
    for label, text in (("name", name), ("email address", address)):
        if "\r" in text or "\n" in text:
            problems.error(where, f"the {label} {text!r} holds a line break; give one line")
            return False
    if not address:
        problems.error(where, "the email address is empty")
        return False
    try:
        Address(display_name=name, addr_spec=address)
    except (ValueError, IndexError, TypeError) as exc:
        what = "more than one address" if any(c in address for c in ",; <") else "not valid"
        problems.error(where, f"the email address {address!r} is {what} ({exc})")
        return False
    return True


def email_cell(member: Member) -> Location:
    """Name the member's Email cell: the reader's, or the column and row of the member's row."""
    if member.email_location:
        return member.email_location
    where = member.location or Location("meetings.xlsx", "Members", member.name)
    row = re.sub(r"^[A-Z]+(?=\d+$)", "", where.position or "")
    return Location(where.file, where.part, f"Email in row {row}") if row.isdigit() else where


def recipient_groups(members: Sequence[Member]) -> list[RecipientGroup]:
    """Return the chairs' and the members' groups from those who receive the pack."""
    problems = Problems()
    seen: set[str] = set()
    grouped: dict[str, list[Recipient]] = {key: [] for key in GROUPS.values()}
    for member in members:
        if not member.receives_pack:
            continue
        where = email_cell(member)
        name, address = member.name.strip(), member.email.strip()
        if not check_address(name, address, where, problems):
            continue
        send_as = member.send_as.strip().casefold() or "to"
        if send_as not in ("to", "cc"):
            problems.error(where, f"Send As is {member.send_as!r}; write to or cc")
            continue
        if address.casefold() in seen:
            problems.warn(where, f"{address} is listed twice; the pack is sent once")
            continue
        seen.add(address.casefold())
        group = GROUPS.get(member.role.strip().casefold(), "members")
        grouped[group].append(Recipient(name, address, send_as))
    problems.raise_if_errors("The members' email addresses can't be used.", DistributionError)
    for warning in problems.warnings:
        log.warning("%s", warning)
    return [RecipientGroup(key, tuple(rs)) for key, rs in grouped.items() if rs]


def render(template: Path, context: dict) -> tuple[str, str]:
    """Render the email template: the first line is the subject, the rest the body."""
    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    try:
        text = env.from_string(template.read_text(encoding="utf-8")).render(context)
    except JinjaError as exc:
        line = getattr(exc, "lineno", None)
        where = Location(template.name, f"line {line}" if line else None)
        raise TemplateError("The email template can't be used.", [_problem(where, exc)]) from exc
    subject, _, body = text.partition("\n")
    if not subject.strip():
        raise TemplateError(
            "The email template can't be used.",
            [_problem(Location(template.name, "line 1"), "the first line (the subject) is empty")],
        )
    return subject.strip(), body.lstrip("\n")


def _problem(where: Location, exc: object) -> Problem:
    return Problem(where, str(exc))


def context(mailing: Mailing, group: RecipientGroup, pages: int, encrypted: bool) -> dict:
    """Return the template's values: plain data, never the password."""
    m = mailing.meeting
    return {
        "partnership": mailing.partnership,
        "group": group.key,
        "date": f"{m.date:%A} {m.date.day} {m.date:%B %Y}",
        "time": _times(m),
        "venue": m.venue,
        "chair": m.chair,
        "items": [
            {"number": i.number, "title": i.title, "lead": i.lead, "restricted": i.restricted}
            for i in mailing.items
        ],
        "pages": pages,
        "encrypted": encrypted,
        "restricted": bool(mailing.restricted),
        "part": 1,
        "parts": 1,
        "contents": [],
    }


def _times(meeting: Meeting) -> str:
    if meeting.start is None:
        return ""
    start = f"{meeting.start:%H:%M}"
    return f"{start} \u2013 {meeting.end:%H:%M}" if meeting.end else start


def build_message(
    sender: str, group: RecipientGroup, subject: str, body: str, attachment: Path, filename: str
) -> EmailMessage:
    """Return the message for a group with the PDF attached; header values are checked."""
    for text in (subject, filename):
        if "\r" in text or "\n" in text:
            raise DistributionError(f"The subject or file name {text!r} holds a line break.")
    msg = EmailMessage(policy=POLICY)
    if sender:
        msg["From"] = Address(addr_spec=sender)
    if group.on("to"):
        msg["To"] = [r.header for r in group.on("to")]
    if group.on("cc"):
        msg["Cc"] = [r.header for r in group.on("cc")]
    msg["Subject"] = subject
    msg.set_content(body)
    msg.add_attachment(
        attachment.read_bytes(), maintype="application", subtype="pdf", filename=filename
    )
    return msg


def encoded_size(pdf_bytes: int) -> int:
    """Return the size a PDF takes in a message: base64 in 76-character lines ending CRLF."""
    b64 = -(-pdf_bytes // 3) * 4
    return b64 + 2 * -(-b64 // 76)


def sha256(path: Path) -> str:
    """Return the SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_loopback(host: str) -> bool:
    """Tell whether `host` is this machine (127.0.0.0/8, ::1 or localhost)."""
    if host.casefold() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _sender_domain(sender: str) -> str:
    return sender.rpartition("@")[2] or "packgen.invalid"


# --- Drafts and size ---------------------------------------------------------------------------


def prepare_drafts(
    mailing: Mailing,
    groups: Sequence[RecipientGroup],
    attachments: Sequence[tuple[Path, Sequence[str]]],
    sender: str,
    template: Path,
    pages: int,
    encrypted: bool,
) -> list[Draft]:
    """Build one message per group and attachment (one attachment, or the numbered parts)."""
    drafts = []
    stem = f"meeting-pack-{mailing.meeting.date.isoformat()}"
    for group in groups:
        for number, (path, contents) in enumerate(attachments, start=1):
            values = context(mailing, group, pages, encrypted)
            values.update(part=number, parts=len(attachments), contents=list(contents))
            subject, body = render(template, values)
            name = stem + (f"-part-{number}-of-{len(attachments)}" if len(attachments) > 1 else "")
            msg = build_message(sender, group, subject, body, path, name + ".pdf")
            drafts.append(Draft(group, msg, path, number, len(attachments)))
    return drafts


def write_drafts(drafts: Sequence[Draft], folder: Path) -> None:
    """Write each message as an .eml draft (X-Unsent: 1 so Outlook opens it ready to send)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    for draft in drafts:
        msg = _copy(draft.message)
        msg["X-Unsent"] = "1"
        suffix = f"-part-{draft.part}-of-{draft.parts}" if draft.parts > 1 else ""
        draft.path = folder / f"{draft.group.key}{suffix}.eml"
        _write_bytes(draft.path, msg.as_bytes(policy=POLICY))
        log.info("wrote %s", draft.path)


def _copy(msg: EmailMessage) -> EmailMessage:
    return message_from_bytes(msg.as_bytes(), policy=POLICY)


def check_size(
    drafts: Sequence[Draft], limit: int, largest: Callable[[], list[tuple[str, int]]]
) -> None:
    """Stop before sending anything when a message would pass the limit; name the big papers."""
    over = [d for d in drafts if d.size > limit]
    if not over:
        return
    biggest = max(over, key=lambda d: d.size)
    lines = ", ".join(f"{title} ({splitter.mb(size)})" for title, size in largest()[:3])
    raise DistributionError(
        f"The message to {biggest.group.key} would be {splitter.mb(biggest.size)}, over the "
        f"{splitter.mb(limit)} limit ([email] max_message_mb); nothing was sent.\n"
        + (f"Largest papers: {lines}.\n" if lines else "")
        + "Run again with --split to send the pack as several numbered messages under the limit."
    )


def largest_papers(pack: Path, password: str | None) -> list[tuple[str, int]]:
    """Return the pack's documents by size, largest first; empty when it can't be opened."""
    try:
        reader = open_pdf(pack, password)
    except DistributionError:
        log.warning("the pack is encrypted: set %s to list its largest papers", PASSWORD_ENV)
        return []
    sizes = [(s.title, size) for s, size in splitter.section_sizes(reader)]
    return sorted(sizes, key=lambda pair: -pair[1])


def split_attachments(
    pack: Path, folder: Path, limit: int, overhead: int, password: str | None
) -> list[tuple[Path, list[str]]]:
    """Cut the pack into numbered parts whose messages stay under `limit` bytes."""
    reader = open_pdf(pack, password)
    encrypt_with = password if reader.is_encrypted else None
    parts = splitter.split(reader, lambda n: overhead + encoded_size(n) <= limit, encrypt_with)
    written = splitter.write_parts(parts, folder, pack.stem)
    return [(path, [s.title for s in secs]) for path, secs in written]


def _write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- The send log ------------------------------------------------------------------------------


class SendLog:
    """`sent.json`: who received which pack (by SHA-256), when, and as which message."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: list[dict] = []
        if path.exists():
            try:
                self.entries = json.loads(path.read_text(encoding="utf-8"))["sent"]
            except (ValueError, KeyError, TypeError) as exc:
                raise DistributionError(
                    f"The send log {path} can't be read ({exc}); move it aside to start afresh."
                ) from exc

    def received(self, address: str, pack_sha: str, part: int, parts: int) -> bool:
        return any(
            e["recipient"].casefold() == address.casefold()
            and e["pack_sha256"] == pack_sha
            and (e.get("part", 1), e.get("parts", 1)) == (part, parts)
            for e in self.entries
        )

    def older_packs(self, address: str, pack_sha: str) -> list[str]:
        return sorted(
            {
                e["pack_sha256"]
                for e in self.entries
                if e["recipient"].casefold() == address.casefold() and e["pack_sha256"] != pack_sha
            }
        )

    def record(self, entry: dict) -> None:
        """Add an entry and rewrite the log atomically, so a crash never loses a send."""
        self.entries.append(entry)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"sent": self.entries}, indent=2, ensure_ascii=False) + "\n"
        _write_bytes(self.path, text.encode("utf-8"))


# --- Sending -----------------------------------------------------------------------------------


def plan_sends(
    drafts: Sequence[Draft], sent_log: SendLog, pack_sha: str, resend: bool, report: EmailReport
) -> list[tuple[Draft, list[Recipient], dict[str, list[str]]]]:
    """Return each draft with the recipients still to receive it; older packs only on --resend."""
    plan = []
    for draft in drafts:
        pending, replaces = [], {}
        for r in draft.group.recipients:
            label = f"{r.address} (part {draft.part} of {draft.parts})"
            if sent_log.received(r.address, pack_sha, draft.part, draft.parts):
                report.skipped.append(label)
                continue
            older = sent_log.older_packs(r.address, pack_sha)
            if older and not resend:
                report.changed.append(label)
                continue
            pending.append(r)
            replaces[r.address] = older
        if pending:
            plan.append((draft, pending, replaces))
    return plan


def connect(settings: EmailSettings, no_tls: bool) -> smtplib.SMTP:
    """Open the SMTP connection: STARTTLS unless the host is loopback or --no-tls; then log in."""
    host = settings.smtp_host
    try:
        smtp = smtplib.SMTP(host, settings.smtp_port, timeout=60)
        smtp.ehlo()
        if not (no_tls or is_loopback(host)):
            if not smtp.has_extn("starttls"):
                smtp.quit()
                raise DistributionError(
                    f"{host} does not offer STARTTLS, so the pack would travel unencrypted; "
                    "use a server that does, or pass --no-tls if you are sure."
                )
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except (smtplib.SMTPException, OSError) as exc:
        raise DistributionError(
            f"Can't connect to the SMTP server {host}:{settings.smtp_port}: {exc}"
        ) from exc
    return smtp


def send(
    plan: Sequence[tuple[Draft, list[Recipient], dict[str, list[str]]]],
    settings: EmailSettings,
    sent_log: SendLog,
    pack_sha: str,
    no_tls: bool,
    report: EmailReport,
) -> list[str]:
    """Send each planned message to its pending recipients; log each delivery; return failures."""
    failures: list[str] = []
    smtp = connect(settings, no_tls)
    try:
        for draft, pending, replaces in plan:
            msg = _copy(draft.message)
            msg["Date"] = formatdate(localtime=True)
            msg["Message-ID"] = make_msgid(domain=_sender_domain(settings.sender))
            addresses = [r.address for r in pending]
            try:
                refused = smtp.send_message(msg, settings.sender, addresses)
            except smtplib.SMTPRecipientsRefused as exc:
                refused = exc.recipients
            except (smtplib.SMTPException, OSError) as exc:
                failures += [f"{a}: {_reason(exc)}" for a in addresses]
                if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
                    failures += _unsent_rest(plan, draft)
                    break
                continue
            failures += [f"{a}: {code} {_text(text)}" for a, (code, text) in refused.items()]
            for r in pending:
                if r.address not in refused:
                    _log_delivery(sent_log, draft, r, pack_sha, msg, replaces[r.address])
                    report.sent.append(f"{r.address} (part {draft.part} of {draft.parts})")
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return failures


def _unsent_rest(plan, current: Draft) -> list[str]:
    later = False
    rest = []
    for draft, pending, _ in plan:
        if later:
            rest += [f"{r.address}: not attempted" for r in pending]
        later = later or draft is current
    return rest


def _reason(exc: Exception) -> str:
    code = getattr(exc, "smtp_code", None)
    error = getattr(exc, "smtp_error", None)
    return f"{code} {_text(error)}" if code else str(exc) or type(exc).__name__


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _log_delivery(
    sent_log: SendLog, draft: Draft, r: Recipient, pack_sha: str, msg, replaces: list[str]
) -> None:
    sent_log.record(
        {
            "recipient": r.address,
            "name": r.name,
            "group": draft.group.key,
            "send_as": r.send_as,
            "pack_sha256": pack_sha,
            "part": draft.part,
            "parts": draft.parts,
            "attachment": draft.attachment.name,
            "attachment_sha256": sha256(draft.attachment),
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "message_id": str(msg["Message-ID"]),
            "resend": bool(replaces),
            "replaces_sha256": replaces,
        }
    )


# --- The whole command -------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailOptions:
    send: bool = False
    split: bool = False
    resend: bool = False
    allow_unprotected: bool = False
    no_tls: bool = False


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
    folder = pack.parent / "email"
    secret = functools.cache(password if callable(password) else lambda: password)
    encrypted, pages = _pack_facts(pack, secret)
    _refuse_unprotected(mailing, encrypted, options.allow_unprotected)
    groups = recipient_groups(members)
    if not groups:
        raise DistributionError("Nobody receives the pack: no member has Receives Pack = Y.")
    if settings.sender:
        problems = Problems()
        check_address("", settings.sender, Location("partnership.toml", "email", "from"), problems)
        problems.raise_if_errors("The sender's address can't be used.", DistributionError)
    attachments: list[tuple[Path, list[str]]] = [(pack, [])]
    drafts = prepare_drafts(
        mailing, groups, attachments, settings.sender, template, pages, encrypted
    )
    limit = int(settings.max_message_mb * 1_000_000)
    if options.split and any(d.size > limit for d in drafts):
        overhead = max(d.size for d in drafts) - encoded_size(pack.stat().st_size) + 2048
        attachments = split_attachments(pack, folder / "parts", limit, overhead, secret())
        drafts = prepare_drafts(
            mailing, groups, attachments, settings.sender, template, pages, encrypted
        )
    check_size(drafts, limit, lambda: [] if options.split else largest_papers(pack, secret()))
    write_drafts(drafts, folder)
    report = EmailReport(drafts)
    if options.send:
        _send_all(drafts, settings, folder, sha256(pack), options, report)
    return report


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


def _send_all(drafts, settings, folder, pack_sha, options, report) -> None:
    if not settings.sender:
        raise DistributionError(
            "No sender address: set [email] from in partnership.toml or PACKGEN_SMTP_FROM."
        )
    sent_log = SendLog(folder / SENT_LOG)
    plan = plan_sends(drafts, sent_log, pack_sha, options.resend, report)
    failures = send(plan, settings, sent_log, pack_sha, options.no_tls, report) if plan else []
    if failures:
        raise DistributionError(
            f"Sent {len(report.sent)} message(s), but these were not delivered; run the same "
            "command again to send only to them:",
            [_failure(f) for f in failures],
        )


def _failure(text: str) -> Problem:
    address, _, reason = text.partition(": ")
    return Problem(Location(address), reason)


def email_meeting(
    data: Path,
    templates: Path,
    output: Path,
    meeting: dt.date | None,
    options: EmailOptions,
    password: str | Callable[[], str | None] | None = None,
) -> EmailReport:
    """Email the built pack of a meeting to its chairs and members, as the workbooks say."""
    from packgen.check import prepare

    prepared = prepare(data, meeting)
    pack = output / prepared.meeting.date.isoformat() / PACK_NAME
    with_restricted_papers = {p.item for p in prepared.papers if p.restricted}
    items = tuple(prepared.agenda.items)
    restricted = tuple(i for i in items if i.restricted or i.number in with_restricted_papers)
    mailing = Mailing(prepared.settings.name, prepared.meeting, items, pack, restricted)
    members = prepared.partnership.members
    template = templates / TEMPLATE
    return email_pack(mailing, members, prepared.settings.email, template, options, password)
