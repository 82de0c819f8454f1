"""The commented `partnership.toml` that `packgen init` writes."""

from __future__ import annotations

import json


def starter_settings(name: str) -> str:
    """The settings file of a new partnership called `name`, every setting explained."""
    quoted = json.dumps(name, ensure_ascii=False)  # a TOML basic string
    line = json.dumps(f"On behalf of the {name}", ensure_ascii=False)
    return f"""\
# Settings for packgen: how the pack names the partnership, and how it is built and emailed.
# Paths are relative to this folder (data/). Lines starting # are comments.

# The partnership's name, as the agenda, the notes, the letters and the pack's pages print it.
name = {quoted}
# A short form, optional (for example the initials the partnership goes by).
short_name = ""
# The pack's title, after the name: "<name> – Meeting Pack – <date>".
pack_title = "Meeting Pack"
# Where partners reply to letters (printed on each letter).
reply_address = ""
# The line under a letter's signature.
signing_line = {line}
# Logo images for the letters' heading, for example ["logos/council.png"]: put them in data/.
logos = []
# The protective marking at the top and bottom of every page of a restricted item's papers
# (Government Security Classifications), or "none".
restricted_marking = "OFFICIAL-SENSITIVE"
# A marking for every other page of the full pack, for example "OFFICIAL"; none by default.
# pack_marking = "OFFICIAL"

# The agencies, as the Members sheet's Agency column names them, and the short form the agenda
# uses. Copy the four lines once for each agency and take out the #:
# [[agencies]]
# name = "The County Council"
# short = "TCC"

[build]
# The LibreOffice command (PACKGEN_SOFFICE overrides).
soffice = "soffice"
# Seconds before a hanging LibreOffice is killed (PACKGEN_SOFFICE_TIMEOUT overrides).
soffice_timeout = 180
# Seconds LibreOffice stays open after a build, so the next one converts at once; 0 closes it
# with each build (PACKGEN_KEEP_LIBREOFFICE overrides; `packgen stop` closes it now).
keep_libreoffice = 600

[email]
# The address the pack is sent from (needed for `packgen email --send`), for example
# from = "partnership@example.org"
# The mail server (PACKGEN_SMTP_HOST, PACKGEN_SMTP_PORT, PACKGEN_SMTP_USER override; the password
# comes only from PACKGEN_SMTP_PASSWORD).
smtp_host = "127.0.0.1"
smtp_port = 25
# "starttls" (the default), or "implicit" for a server that speaks TLS from the start (port 465).
# smtp_tls = "starttls"
# The certificate authority of the server's certificate, when the system doesn't trust it.
# smtp_ca_file = "mail-ca.pem"
# A message bigger than this many MB is refused; `packgen email --split` sends it in parts.
max_message_mb = 10
# true: a message for each person, with a copy stamped with their name (`packgen trace` finds
# whose a copy is), as `packgen email --per-recipient` does.
# per_recipient = false
"""
