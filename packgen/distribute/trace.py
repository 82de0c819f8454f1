"""`packgen trace FILE.pdf`: whose copy a PDF is, for a copy that turns up where it shouldn't.

First by its SHA-256, which the send logs record for every attachment sent; a copy that was
changed since (opened and saved again) is then known by its copy stamp and metadata, which a
re-save keeps, and matched to the log's deliveries to that person.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from packgen.distribute.sendlog import SENT_LOG, SendLog
from packgen.errors import DistributionError
from packgen.files import sha256
from packgen.pack import COPY_FOR, RECIPIENT
from packgen.plan import PASSWORD_ENV

log = logging.getLogger(__name__)

STAMP = re.compile(r"Copy for .+? \u2013 issued \d{1,2} [A-Z][a-z]+ \d{4}")
PAGES_READ = 3  # pages searched for the stamp when the metadata has none


@dataclass(frozen=True)
class Delivery:
    """One send log entry: the meeting's log it is in, and what it says."""

    log: Path
    entry: dict

    def line(self) -> str:
        e = self.entry
        who = f"{e.get('name', '')} <{e['recipient']}>".strip()
        part = f", part {e['part']} of {e['parts']}" if e.get("parts", 1) > 1 else ""
        return (
            f"Sent to {who} ({e.get('group', '')}{part}) at {e.get('time', '?')}, "
            f"message {e.get('message_id', '?')}, in {self.log}"
        )


@dataclass
class Traced:
    """Whose copy a PDF is, and how that is known."""

    by_hash: bool
    copy_for: str = ""  # the stamp's words, when read
    address: str = ""  # the recipient's address from the metadata, when read
    deliveries: list[Delivery] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [self.copy_for] if self.copy_for else []
        lines += [d.line() for d in self.deliveries]
        if self.by_hash:
            lines.append("Found by its SHA-256: this is the file exactly as it was sent.")
            people = {d.entry.get("recipient", "").casefold() for d in self.deliveries}
            if len(people) > 1:
                lines.append(
                    f"The same file went to {len(people)} people; copies sent with "
                    "--per-recipient tell one person's from another's."
                )
        elif self.deliveries:
            lines.append(
                "Found by its copy stamp and metadata: the file was changed after it was sent "
                "(its SHA-256 is in no send log)."
            )
        else:
            lines.append("No send log under the output folder records sending this copy.")
        return lines


def trace_copy(pdf: Path, output: Path, password: str | None = None) -> Traced:
    """Name the recipient of a copy of a pack, from the send logs under `output`."""
    logs = _send_logs(output)
    digest = _digest(pdf)
    found = [d for d in logs if d.entry.get("attachment_sha256") == digest]
    if found:
        return Traced(True, deliveries=found)
    copy_for, address = read_stamp(pdf, password)
    if not copy_for and not address:
        raise DistributionError(
            f"{pdf.name} is not a copy packgen sent: its SHA-256 is in no send log under "
            f"{output}, and it carries no copy stamp."
        )
    return Traced(False, copy_for, address, [d for d in logs if _sent_to(d, copy_for, address)])


def read_stamp(pdf: Path, password: str | None) -> tuple[str, str]:
    """Return a copy's stamp and recipient address, from its metadata, else its pages' text."""
    try:
        reader = PdfReader(pdf)
        if reader.is_encrypted and not (password and reader.decrypt(password)):
            raise DistributionError(
                f"{pdf.name} is encrypted and its SHA-256 is in no send log; set {PASSWORD_ENV} "
                "to the pack password to read its copy stamp."
            )
        info = reader.metadata or {}
        copy_for, address = str(info.get(COPY_FOR, "")), str(info.get(RECIPIENT, ""))
        for page in reader.pages[:PAGES_READ] if not copy_for else []:
            match = STAMP.search(" ".join((page.extract_text() or "").split()))
            if match:
                copy_for = match.group(0)
                break
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DistributionError(f"{pdf.name} is not a PDF packgen can read ({exc}).") from exc
    return copy_for, address


def _digest(pdf: Path) -> str:
    try:
        return sha256(pdf)
    except OSError as exc:
        raise DistributionError(f"{pdf} can't be read: {exc.strerror or exc}") from exc


def _send_logs(output: Path) -> list[Delivery]:
    """Every delivery of every meeting's send log under `output`; an unreadable log is skipped."""
    deliveries = []
    for path in sorted(output.glob(f"*/email/{SENT_LOG}")):
        try:
            entries = SendLog(path).entries
        except DistributionError as exc:
            log.warning("%s", exc)
            continue
        deliveries += [Delivery(path, e) for e in entries if isinstance(e, dict)]
    return deliveries


def _sent_to(delivery: Delivery, copy_for: str, address: str) -> bool:
    """Tell whether a delivery went to the person a copy's metadata or stamp names."""
    entry = delivery.entry
    if address:
        return str(entry.get("recipient", "")).casefold() == address.casefold()
    name = str(entry.get("name", ""))
    return bool(name) and copy_for.startswith((f"Copy for {name},", f"Copy for {name} \u2013"))
