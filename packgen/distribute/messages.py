"""The email messages: text from a template, the pack attached, .eml drafts, size and parts."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from jinja2 import StrictUndefined
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from packgen.distribute.recipients import RecipientGroup
from packgen.errors import DistributionError, Location, Problem, TemplateError
from packgen.files import write_atomic
from packgen.model import AgendaItem, Meeting
from packgen.pack import mb, open_protected, section_sizes, split_pack, write_parts
from packgen.plan import PASSWORD_ENV

log = logging.getLogger(__name__)

TEMPLATE = "email.txt"
# CRLF lines; headers fold only past 998 characters (Python folds some 79-character ones badly).
POLICY = policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class Mailing:
    """What a message tells: the partnership, the meeting, its items and the pack."""

    partnership: str
    meeting: Meeting
    items: tuple[AgendaItem, ...]
    pack: Path
    restricted: tuple[AgendaItem, ...] = ()
    marking: str = ""  # the protective marking the subject starts with: "OFFICIAL-SENSITIVE"


@dataclass
class Draft:
    group: RecipientGroup
    message: EmailMessage
    attachment: Path
    part: int = 1
    parts: int = 1
    path: Path | None = None
    name: str = ""  # the draft's file name without .eml, when not the group's key

    @property
    def size(self) -> int:
        return len(self.message.as_bytes(policy=POLICY))

    def label(self, address: str) -> str:
        """Name this draft's delivery to one address: "a@x.example (part 1 of 2)"."""
        return f"{address} (part {self.part} of {self.parts})"


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
        raise _template_error(where, exc) from exc
    subject, _, body = text.partition("\n")
    if not subject.strip():
        where = Location(template.name, "line 1")
        raise _template_error(where, "the first line (the subject) is empty")
    return subject.strip(), body.lstrip("\n")


def _template_error(where: Location, reason: object) -> TemplateError:
    return TemplateError("The email template can't be used.", [Problem(where, str(reason))])


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


def copy_message(msg: EmailMessage) -> EmailMessage:
    """Return an independent copy of a message, to add headers without changing the draft."""
    return message_from_bytes(msg.as_bytes(), policy=POLICY)


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
            subject = marked_subject(subject, mailing.marking)
            name = stem + (f"-part-{number}-of-{len(attachments)}" if len(attachments) > 1 else "")
            msg = build_message(sender, group, subject, body, path, name + ".pdf")
            drafts.append(Draft(group, msg, path, number, len(attachments)))
    return drafts


def marked_subject(subject: str, marking: str) -> str:
    """Start the subject with the protective marking, as partners mark sensitive email."""
    if not marking or subject.startswith(marking):
        return subject
    return f"{marking}: {subject}"


def write_drafts(drafts: Sequence[Draft], folder: Path) -> None:
    """Write each message as an .eml draft (X-Unsent: 1 so Outlook opens it ready to send)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    for draft in drafts:
        msg = copy_message(draft.message)
        msg["X-Unsent"] = "1"
        suffix = f"-part-{draft.part}-of-{draft.parts}" if draft.parts > 1 else ""
        draft.path = folder / f"{draft.name or draft.group.key}{suffix}.eml"
        write_atomic(draft.path, msg.as_bytes(policy=POLICY))
        log.info("wrote %s", draft.path)


# --- Size and parts ----------------------------------------------------------------------------


def encoded_size(pdf_bytes: int) -> int:
    """Return the size a PDF takes in a message: base64 in 76-character lines ending CRLF."""
    b64 = -(-pdf_bytes // 3) * 4
    return b64 + 2 * -(-b64 // 76)


def check_size(
    drafts: Sequence[Draft], limit: int, largest: Callable[[], list[tuple[str, int]]]
) -> None:
    """Stop before sending anything when a message would pass the limit; name the big papers."""
    over = [d for d in drafts if d.size > limit]
    if not over:
        return
    biggest = max(over, key=lambda d: d.size)
    lines = ", ".join(f"{title} ({mb(size)})" for title, size in largest()[:3])
    raise DistributionError(
        f"The message to {biggest.group.key} would be {mb(biggest.size)}, over the "
        f"{mb(limit)} limit ([email] max_message_mb); nothing was sent.\n"
        + (f"Largest papers: {lines}.\n" if lines else "")
        + "Run again with --split to send the pack as several numbered messages under the limit."
    )


def largest_papers(pack: Path, password: str | None) -> list[tuple[str, int]]:
    """Return the pack's documents by size, largest first; empty when it can't be opened."""
    try:
        reader = open_protected(pack, password)
    except DistributionError:
        log.warning("the pack is encrypted: set %s to list its largest papers", PASSWORD_ENV)
        return []
    sizes = [(s.title, size) for s, size in section_sizes(reader)]
    return sorted(sizes, key=lambda pair: -pair[1])


def split_attachments(
    pack: Path, folder: Path, limit: int, overhead: int, password: str | None
) -> list[tuple[Path, list[str]]]:
    """Cut the pack into numbered parts whose messages stay under `limit` bytes."""
    reader = open_protected(pack, password)
    encrypt_with = password if reader.is_encrypted else None
    parts = split_pack(reader, lambda n: overhead + encoded_size(n) <= limit, encrypt_with)
    written = write_parts(parts, folder, pack.stem)
    return [(path, [s.title for s in secs]) for path, secs in written]
