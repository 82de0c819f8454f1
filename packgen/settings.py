"""Partnership settings: `data/partnership.toml`, overridden by PACKGEN_* environment variables."""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packgen.errors import InputError, Location, Problem, Problems
from packgen.model import Agency

log = logging.getLogger(__name__)

SETTINGS_FILE = "partnership.toml"
KEEP_ENV = "PACKGEN_KEEP_LIBREOFFICE"
TAGGED_ENV = "PACKGEN_TAGGED_PACK"
SMTP_PORTS = {"starttls": 25, "implicit": 465}  # [email] smtp_tls, and its default smtp_port


@dataclass(frozen=True)
class EmailSettings:
    sender: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    max_message_mb: float = 10.0
    smtp_tls: str = "starttls"
    smtp_ca_file: Path | None = None  # the CAs to trust instead of the system's
    smtp_timeout: float = 60.0  # seconds; not in partnership.toml (the tests shorten it)
    per_recipient: bool = False  # a message and a stamped copy of the pack for each person

    @property
    def implicit_tls(self) -> bool:
        return self.smtp_tls == "implicit"


@dataclass(frozen=True)
class Settings:
    data: Path
    name: str = "Safeguarding Partnership"
    short_name: str = ""
    pack_title: str = "Meeting Pack"
    reply_address: str = ""
    signing_line: str = ""
    language: str = "en-GB"  # the documents' language, for screen readers (a BCP 47 tag)
    logos: tuple[Path, ...] = ()
    agencies: tuple[Agency, ...] = ()
    soffice: str = "soffice"
    soffice_timeout: float = 180.0
    keep_libreoffice: float = 600.0  # seconds LibreOffice stays open after a build; 0: closed
    tagged_pack: bool = True  # the merged packs keep each document's structure tree
    # Protective markings (Government Security Classifications): on every page of a restricted
    # item's documents, and on every other page of the full pack; "" for none.
    restricted_marking: str = "OFFICIAL-SENSITIVE"
    pack_marking: str = ""
    email: EmailSettings = field(default_factory=EmailSettings)

    def agency_short(self, name: str) -> str:
        """Return the short form of an agency's name ("NC"), or the name itself."""
        for agency in self.agencies:
            if name.casefold() in (agency.name.casefold(), agency.short.casefold()):
                return agency.short
        return name


def load_settings(data: Path) -> Settings:
    """Read `partnership.toml` from the data folder; a missing file gives the defaults."""
    path = data / SETTINGS_FILE
    raw: dict = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(
                "The partnership settings can't be read.",
                [Problem(Location(SETTINGS_FILE), str(exc))],
            ) from exc
    else:
        log.warning("%s not found in %s: using default settings", SETTINGS_FILE, data)
    return _settings_from(data, raw, os.environ)


def _settings_from(data: Path, raw: dict, env: os._Environ | dict) -> Settings:
    build = raw.get("build", {})
    email = raw.get("email", {})
    try:
        return Settings(
            data=data,
            name=raw.get("name", Settings.name),
            short_name=raw.get("short_name", ""),
            pack_title=raw.get("pack_title", Settings.pack_title),
            reply_address=raw.get("reply_address", ""),
            signing_line=raw.get("signing_line", f"On behalf of the {raw.get('name', '')}"),
            language=_language(raw.get("language", Settings.language)),
            logos=tuple(data / p for p in raw.get("logos", ())),
            agencies=tuple(
                Agency(a["name"], a.get("short", a["name"])) for a in raw.get("agencies", ())
            ),
            soffice=env.get("PACKGEN_SOFFICE", build.get("soffice", "soffice")),
            soffice_timeout=_seconds(
                env, "PACKGEN_SOFFICE_TIMEOUT", build.get("soffice_timeout", 180)
            ),
            keep_libreoffice=_seconds(
                env, KEEP_ENV, build.get("keep_libreoffice", Settings.keep_libreoffice), zero=True
            ),
            tagged_pack=_yes_no(env, TAGGED_ENV, build.get("tagged_pack", True)),
            restricted_marking=marking(raw, "restricted_marking", Settings.restricted_marking),
            pack_marking=marking(raw, "pack_marking", ""),
            email=_email_settings(data, email, env),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            "The partnership settings are not valid.",
            [Problem(Location(SETTINGS_FILE), f"{type(exc).__name__}: {exc}")],
        ) from exc


def _yes_no(env: os._Environ | dict, name: str, value: object) -> bool:
    """A true/false setting; the environment's 0/1 (or no/yes) wins."""
    if env.get(name):
        value = env[name].strip().casefold() not in ("0", "no", "false", "off")
    if not isinstance(value, bool):
        raise ValueError(f"{name.removeprefix('PACKGEN_').lower()} must be true or false")
    return value


_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def _language(value: object) -> str:
    """A language tag as PDF and Word take it: "en-GB", "cy-GB", "fr"."""
    if not isinstance(value, str) or not _LANGUAGE.fullmatch(value):
        raise InputError(
            "The partnership settings are not valid.",
            [
                Problem(
                    Location(SETTINGS_FILE, "language"), f"{value!r} is not a language like en-GB"
                )
            ],
        )
    return value


def _email_settings(data: Path, email: dict, env: os._Environ | dict) -> EmailSettings:
    """Read [email]; an unknown smtp_tls or an unreadable smtp_ca_file is an error naming it."""
    problems = Problems()
    tls = _smtp_tls(email.get("smtp_tls", "starttls"), problems)
    ca_file = _ca_file(data, email.get("smtp_ca_file"), problems)
    problems.raise_if_errors("The partnership settings are not valid.")
    return EmailSettings(
        sender=env.get("PACKGEN_SMTP_FROM", email.get("from", "")),
        smtp_host=env.get("PACKGEN_SMTP_HOST", email.get("smtp_host", "127.0.0.1")),
        smtp_port=int(env.get("PACKGEN_SMTP_PORT", email.get("smtp_port", SMTP_PORTS[tls]))),
        smtp_user=env.get("PACKGEN_SMTP_USER", email.get("smtp_user", "")),
        smtp_password=env.get("PACKGEN_SMTP_PASSWORD", ""),
        max_message_mb=float(email.get("max_message_mb", 10)),
        smtp_tls=tls,
        smtp_ca_file=ca_file,
        per_recipient=_yes_no({}, "per_recipient", email.get("per_recipient", False)),
    )


MARKING_LENGTH = 60  # characters: a marking is a few words, drawn on one line of every page


def marking(raw: dict, key: str, default: str) -> str:
    """Read a protective marking: one line of text the stamps' font can draw, or "" (also
    written "none") for none."""
    value = raw.get(key, default)
    problem = None
    if not isinstance(value, str):
        problem = f'{value!r} is not text: write the marking in quotes, or "none"'
    elif "\n" in value or "\r" in value or len(value.strip()) > MARKING_LENGTH:
        problem = f"{value!r} is not one line of at most {MARKING_LENGTH} characters"
    elif not _drawable(value):
        problem = f"{value!r} has characters the page stamps can't draw"
    if problem is not None:
        raise InputError(
            "The partnership settings are not valid.",
            [Problem(Location(SETTINGS_FILE, key), problem)],
        )
    value = " ".join(value.split())
    return "" if value.casefold() == "none" else value


def _drawable(text: str) -> bool:
    """Tell whether the stamps' WinAnsi-encoded fonts have every character of `text`."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return text.isprintable()


def _email_location(key: str) -> Location:
    return Location(SETTINGS_FILE, "[email]", key)


def _smtp_tls(value: object, problems: Problems) -> str:
    if isinstance(value, str) and value in SMTP_PORTS:
        return value
    choices = " or ".join(f'"{v}"' for v in SMTP_PORTS)
    problems.error(_email_location("smtp_tls"), f"{value!r} is not {choices}")
    return "starttls"


def _ca_file(data: Path, value: object, problems: Problems) -> Path | None:
    """Return the CA file (relative to the data folder), checking that it can be read."""
    if value is None:
        return None
    where = _email_location("smtp_ca_file")
    if not isinstance(value, str) or not value:
        problems.error(where, f"{value!r} is not the path of a PEM file")
        return None
    path = data / value
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        problems.error(where, f"{path} can't be read: {exc.strerror or exc}")
        return None
    return path


def _seconds(env: os._Environ | dict, name: str, fallback: object, zero: bool = False) -> float:
    """Read a positive number of seconds (or 0 if `zero`) from the environment, else `fallback`."""
    if name not in env:
        return float(fallback)  # type: ignore[arg-type]
    try:
        seconds = float(env[name])
    except ValueError:
        seconds = -1.0
    if not (seconds >= 0 if zero else seconds > 0) or seconds == float("inf"):
        kind = "a number of seconds, 0 or more" if zero else "a positive number of seconds"
        raise InputError(
            f"{name} must be a number of seconds.",
            [Problem(Location(name), f"{env[name]!r} is not {kind}")],
        )
    return seconds
