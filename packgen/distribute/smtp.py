"""Sending over SMTP: STARTTLS unless on loopback, one connection, each delivery logged."""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from packgen.distribute.messages import copy_message
from packgen.distribute.sendlog import Delivery, SendLog
from packgen.errors import DistributionError
from packgen.settings import EmailSettings

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback(host: str) -> bool:
    """Tell whether `host` is this machine (127.0.0.0/8, ::1 or localhost)."""
    if host.casefold() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def connect(settings: EmailSettings, no_tls: bool) -> smtplib.SMTP:
    """Open the SMTP connection: STARTTLS unless the host is loopback or --no-tls; then log in."""
    host = settings.smtp_host
    try:
        smtp = smtplib.SMTP(host, settings.smtp_port, timeout=60)
        smtp.ehlo()
        if not (no_tls or is_loopback(host)):
            _starttls(smtp, host)
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except (smtplib.SMTPException, OSError) as exc:
        raise DistributionError(
            f"Can't connect to the SMTP server {host}:{settings.smtp_port}: {exc}"
        ) from exc
    return smtp


def _starttls(smtp: smtplib.SMTP, host: str) -> None:
    if not smtp.has_extn("starttls"):
        smtp.quit()
        raise DistributionError(
            f"{host} does not offer STARTTLS, so the pack would travel unencrypted; "
            "use a server that does, or pass --no-tls if you are sure."
        )
    smtp.starttls(context=ssl.create_default_context())
    smtp.ehlo()


def send(
    deliveries: Sequence[Delivery],
    settings: EmailSettings,
    sent_log: SendLog,
    pack_sha: str,
    no_tls: bool,
) -> tuple[list[str], list[str]]:
    """Send each delivery over one connection, logging each; return what was sent and failures."""
    sent: list[str] = []
    failures: list[str] = []
    smtp = connect(settings, no_tls)
    try:
        for index, delivery in enumerate(deliveries):
            msg = _stamped(delivery.draft.message, settings.sender)
            addresses = [r.address for r in delivery.recipients]
            try:
                refused = _send_message(smtp, msg, settings.sender, addresses)
            except (smtplib.SMTPException, OSError) as exc:
                failures += [f"{a}: {_reason(exc)}" for a in addresses]
                if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
                    failures += _not_attempted(deliveries[index + 1 :])
                    break
                continue
            failures += [f"{a}: {code} {_text(text)}" for a, (code, text) in refused.items()]
            sent += _record(sent_log, delivery, refused, pack_sha, str(msg["Message-ID"]))
    finally:
        _quit(smtp)
    return sent, failures


def _stamped(draft: EmailMessage, sender: str) -> EmailMessage:
    """Return a copy of the draft with the Date and Message-ID a sent message carries."""
    msg = copy_message(draft)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "packgen.invalid")
    return msg


def _send_message(smtp: smtplib.SMTP, msg: EmailMessage, sender: str, addresses: list[str]):
    """Send one message; return the refused recipients, whether some or all were refused."""
    try:
        return smtp.send_message(msg, sender, addresses)
    except smtplib.SMTPRecipientsRefused as exc:
        return exc.recipients


def _record(sent_log: SendLog, delivery: Delivery, refused, pack_sha: str, message_id: str):
    """Log each accepted recipient of a delivery; return their labels."""
    accepted = [r for r in delivery.recipients if r.address not in refused]
    for r in accepted:
        sent_log.record_delivery(delivery, r, pack_sha, message_id)
    return [delivery.draft.label(r.address) for r in accepted]


def _not_attempted(rest: Sequence[Delivery]) -> list[str]:
    return [f"{r.address}: not attempted" for d in rest for r in d.recipients]


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _reason(exc: Exception) -> str:
    code = getattr(exc, "smtp_code", None)
    error = getattr(exc, "smtp_error", None)
    return f"{code} {_text(error)}" if code else str(exc) or type(exc).__name__


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
