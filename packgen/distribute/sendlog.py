"""`sent.json`: who received which pack, so a second run sends only what is still owed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packgen.distribute.messages import Draft
from packgen.distribute.recipients import Recipient
from packgen.errors import DistributionError
from packgen.files import sha256, write_atomic

SENT_LOG = "sent.json"


@dataclass
class Delivery:
    """One draft for the recipients still to receive it, with the packs it replaces for each."""

    draft: Draft
    recipients: list[Recipient]
    replaces: dict[str, list[str]]  # address -> SHA-256 of the older packs they had


@dataclass
class SendPlan:
    deliveries: list[Delivery] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already had this pack
    changed: list[str] = field(default_factory=list)  # had an older pack; not resent


class SendLog:
    """`sent.json`: who received which pack (by SHA-256), when, and as which message."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.issue: int | None = None  # the issue (output/<date>/issued/N) being sent
        self.supplement: int | None = None  # the supplement being sent, bringing on an older issue
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

    def plan(self, drafts: Sequence[Draft], pack_sha: str, resend: bool) -> SendPlan:
        """Return who still needs each draft; those who had an older pack only with `resend`."""
        plan = SendPlan()
        for draft in drafts:
            delivery = Delivery(draft, [], {})
            for r in draft.group.recipients:
                if self.received(r.address, pack_sha, draft.part, draft.parts):
                    plan.skipped.append(draft.label(r.address))
                    continue
                older = self.older_packs(r.address, pack_sha)
                if older and not resend:
                    plan.changed.append(draft.label(r.address))
                    continue
                delivery.recipients.append(r)
                delivery.replaces[r.address] = older
            if delivery.recipients:
                plan.deliveries.append(delivery)
        return plan

    def record(self, entry: dict) -> None:
        """Add an entry and rewrite the log atomically, so a crash never loses a send."""
        self.entries.append(entry)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"sent": self.entries}, indent=2, ensure_ascii=False) + "\n"
        write_atomic(self.path, text.encode("utf-8"))

    def record_delivery(
        self, delivery: Delivery, r: Recipient, pack_sha: str, message_id: str
    ) -> None:
        """Record that the server accepted the delivery's message for one recipient."""
        draft = delivery.draft
        self.record(
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
                "message_id": message_id,
                "resend": bool(delivery.replaces[r.address]) and self.supplement is None,
                "replaces_sha256": delivery.replaces[r.address],
                **({"issue": self.issue} if self.issue is not None else {}),
                **({"supplement": self.supplement} if self.supplement is not None else {}),
            }
        )
