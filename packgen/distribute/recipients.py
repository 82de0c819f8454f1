"""Who receives the pack: the chairs' and the members' groups, with checked addresses."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address

from packgen.errors import DistributionError, Location, Problems
from packgen.model import Member

log = logging.getLogger(__name__)

GROUPS = {"chair": "chairs", "member": "members"}


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str
    send_as: str  # "to" or "cc"
    organisation: str = ""  # the member's agency, as the Members sheet writes it

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


def check_sender(sender: str) -> None:
    """Stop unless the sender, when set, is exactly one valid address."""
    if not sender:
        return
    problems = Problems()
    check_address("", sender, Location("partnership.toml", "email", "from"), problems)
    problems.raise_if_errors("The sender's address can't be used.", DistributionError)


def email_cell(member: Member) -> Location:
    """Name the member's Email cell (E7); without one, the member's row ("row 7")."""
    if member.email_location:
        return member.email_location
    where = member.location or Location("meetings.xlsx", "Members", member.name)
    row = re.sub(r"^[A-Z]+(?=\d+$)", "", where.position or "")
    return Location(where.file, where.part, f"row {row}") if row.isdigit() else where


def recipient_groups(members: Sequence[Member]) -> list[RecipientGroup]:
    """Return the chairs' and the members' groups from those who receive the pack."""
    problems = Problems()
    seen: set[str] = set()
    grouped: dict[str, list[Recipient]] = {key: [] for key in GROUPS.values()}
    for member in members:
        recipient = _recipient(member, problems) if member.receives_pack else None
        if recipient is None:
            continue
        if recipient.address.casefold() in seen:
            problems.warn(
                email_cell(member), f"{recipient.address} is listed twice; the pack is sent once"
            )
            continue
        seen.add(recipient.address.casefold())
        grouped[GROUPS.get(member.role.strip().casefold(), "members")].append(recipient)
    problems.raise_if_errors("The members' email addresses can't be used.", DistributionError)
    for warning in problems.warnings:
        log.warning("%s", warning)
    return [RecipientGroup(key, tuple(rs)) for key, rs in grouped.items() if rs]


def _recipient(member: Member, problems: Problems) -> Recipient | None:
    """Return the member as a recipient, or record why their row can't be used."""
    where = email_cell(member)
    name, address = member.name.strip(), member.email.strip()
    if not check_address(name, address, where, problems):
        return None
    send_as = member.send_as.strip().casefold() or "to"
    if send_as not in ("to", "cc"):
        problems.error(where, f"Send As is {member.send_as!r}; write to or cc")
        return None
    return Recipient(name, address, send_as, member.agency.strip())
