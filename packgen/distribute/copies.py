"""Per-recipient copies: each person on the send list gets a message of their own, with a copy
of the pack stamped with their name (packgen.pack's CopyStamper), so that a copy that turns up
where it shouldn't can be traced to them (packgen.distribute.trace)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packgen.distribute.recipients import RecipientGroup
from packgen.errors import DistributionError
from packgen.pack import CopyFor, CopyStamper, is_encrypted
from packgen.plan import PASSWORD_ENV

log = logging.getLogger(__name__)

COPIES = "copies"  # email/copies/: each recipient's stamped copy, named as their draft


@dataclass(frozen=True)
class Personal:
    """One recipient's message: them alone in their group, their draft's name and copy."""

    group: RecipientGroup
    name: str  # "members-jo-bloggs-council-example"
    copy: Path


def personal_copies(
    pack: Path,
    groups: Sequence[RecipientGroup],
    folder: Path,
    password: Callable[[], str | None],
    issued: dt.date,
) -> list[Personal]:
    """Stamp every recipient's copy of the pack into `folder`/copies/, the pack parsed once."""
    encrypted = is_encrypted(pack)
    secret = password() if encrypted else None
    if encrypted and not secret:
        raise DistributionError(
            "Each recipient's copy is stamped from the encrypted pack, so the pack password is "
            f"needed: set {PASSWORD_ENV} (or type it when asked)."
        )
    people = [(group, r) for group in groups for r in group.recipients]
    copies = [CopyFor(r.name, r.organisation, r.address, issued) for _, r in people]
    stamper = CopyStamper(pack, secret, copies)
    target = folder / COPIES
    shutil.rmtree(target, ignore_errors=True)  # the copies of an earlier run
    made = []
    for (group, recipient), copy in zip(people, copies, strict=True):
        name = f"{group.key}-{_slug(recipient.address)}"
        stamper.write(copy, target / f"{name}.pdf")
        alone = dataclasses.replace(recipient, send_as="to")  # their own message: on To
        made.append(Personal(RecipientGroup(group.key, (alone,)), name, target / f"{name}.pdf"))
    log.info("stamped %d copies of %s", len(made), pack.name)
    return made


def _slug(address: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", address.casefold()).strip("-")
