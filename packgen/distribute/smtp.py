"""Sending over SMTP: verified TLS, one connection, each delivery logged.

TLS is implicit (`smtp_tls = "implicit"`) or STARTTLS, used whenever the server offers it and
required unless the host is loopback or --no-tls is given. The certificate and the host name are
always verified, against the system's CAs or `smtp_ca_file`; the password only ever travels
encrypted, unless to loopback.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from packgen.distribute.messages import copy_message
from packgen.distribute.sendlog import Delivery, SendLog
from packgen.errors import DistributionError, Location, Problem
from packgen.settings import SETTINGS_FILE, EmailSettings

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
CA_FILE = Location(SETTINGS_FILE, "[email]", "smtp_ca_file")


def is_loopback(host: str) -> bool:
    """Tell whether `host` is this machine (127.0.0.0/8, ::1 or localhost)."""
    if host.casefold() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def tls_context(settings: EmailSettings) -> ssl.SSLContext:
    """Return a context verifying the server's certificate and name (system CAs or the CA file)."""
    ca_file = settings.smtp_ca_file
    try:
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (ssl.SSLError, OSError) as exc:
        raise DistributionError(
            "The CA file for the SMTP server can't be used.",
            [Problem(CA_FILE, f"{ca_file} is not a PEM file of certificates ({exc})")],
        ) from exc


def connect(settings: EmailSettings, no_tls: bool) -> smtplib.SMTP:
    """Open the SMTP connection over verified TLS (see the module), then log in."""
    try:
        smtp = _open(settings)
    except (smtplib.SMTPException, OSError) as exc:
        raise _failed(settings, exc) from exc
    try:
        _secure(smtp, settings, no_tls)
        _login(smtp, settings)
    except BaseException as exc:
        smtp.close()
        if isinstance(exc, smtplib.SMTPException | OSError):
            raise _failed(settings, exc) from exc
        raise
    return smtp


def _open(settings: EmailSettings) -> smtplib.SMTP:
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout
    if settings.implicit_tls:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context(settings))
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    smtp.ehlo()
    return smtp


def _secure(smtp: smtplib.SMTP, settings: EmailSettings, no_tls: bool) -> None:
    """Start TLS when the server offers it; refuse a server that doesn't, unless on loopback."""
    host = settings.smtp_host
    if settings.implicit_tls or no_tls:
        return
    if smtp.has_extn("starttls"):
        smtp.starttls(context=tls_context(settings))
        smtp.ehlo()
    elif not is_loopback(host):
        raise DistributionError(
            f"{host} does not offer STARTTLS, so the pack would travel unencrypted; "
            "use a server that does, or pass --no-tls if you are sure."
        )


def _login(smtp: smtplib.SMTP, settings: EmailSettings) -> None:
    """Log in when a user is set, never sending the password unencrypted off this machine."""
    host, user = settings.smtp_host, settings.smtp_user
    if not user:
        return
    if not (isinstance(smtp.sock, ssl.SSLSocket) or is_loopback(host)):
        raise DistributionError(
            f"The connection to {host} is not encrypted, so packgen won't send the password "
            f"of {user} over it: use TLS (drop --no-tls) or a relay that needs no login."
        )
    smtp.login(user, settings.smtp_password)


def _failed(settings: EmailSettings, exc: Exception) -> DistributionError:
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return DistributionError(
            f"The SMTP server {where} presented a certificate that isn't trusted "
            f"({exc.verify_message}), so nothing was sent. If the server's certificate is "
            "signed by your own CA, set smtp_ca_file in [email] in partnership.toml to that "
            "CA's PEM file."
        )
    return DistributionError(f"Can't connect to the SMTP server {where}: {_reason(exc)}")


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
