"""The unchanged-pack shortcut: keep the previous pack when nothing it was made from changed."""

from __future__ import annotations

import platform
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from packgen import __version__
from packgen.cache import inputs_fingerprint, unchanged_pack
from packgen.manifest import MANIFEST_NAME
from packgen.plan import PackPlan
from packgen.restricted import PACK_NAME

if TYPE_CHECKING:
    from packgen.check import Prepared

Password = Callable[[], str | None]


def pack_inputs(data: Path, templates: Path, plan: PackPlan, prepared: Prepared, salt: str) -> str:
    """Fingerprint everything a pack is made from: data, templates, packgen, LibreOffice, fonts."""
    files = {doc.letter.signature for doc in plan.documents if doc.letter and doc.letter.signature}
    files |= set(prepared.settings.logos)
    code = Path(__file__).resolve().parent  # packgen's own code, version bump or not
    meeting = plan.meeting.date.isoformat()
    versions = (__version__, metadata.version("pypdf"), platform.python_version())
    return inputs_fingerprint([data, templates, code], files, meeting, salt, *versions)


def reusable_pack(
    folder: Path, inputs: str, plan: PackPlan, password: Password
) -> tuple[dict, Password]:
    """Return the manifest of a pack built from the very same inputs that can be kept as it is.

    A pack that holds restricted items is kept only if its protection is what it would be now:
    encrypted and opened by the password given, or not encrypted when none is. The password is
    asked at most once; the callable returned gives it to the build that follows.
    """
    manifest = unchanged_pack(folder, inputs, MANIFEST_NAME)
    if not manifest or manifest.get("template_warnings") != 0:
        return {}, password
    encrypted = manifest.get("encryption") is not None
    if not any(doc.restricted for doc in plan.documents):
        return ({} if encrypted else manifest), password
    secret = password()
    asked = lambda: secret  # noqa: E731
    if secret is None:
        return ({} if encrypted else manifest), asked
    from pypdf import PdfReader  # only for a protected pack: an open one needs no PDF library

    opens = encrypted and bool(PdfReader(folder / PACK_NAME).decrypt(secret))
    return (manifest if opens else {}), asked
