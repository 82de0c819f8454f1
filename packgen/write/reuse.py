"""The unchanged-pack shortcut: keep the previous pack when nothing it was made from changed.

With the meeting's date given, a pack is kept without even reading the workbooks: its manifest
records the fingerprint of every input and the warnings reading them gave, which the very same
inputs give again (the date given, nothing depends on today's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from packgen import __version__
from packgen.errors import Location, Problem, Severity
from packgen.files import read_json_object, sha256
from packgen.plan import PACK_NAME
from packgen.store import code_digest
from packgen.write.manifest import MANIFEST_NAME, read_manifest

if TYPE_CHECKING:
    from packgen.check import Prepared
    from packgen.plan import PackPlan

Password = Callable[[], str | None]
FINGERPRINT = "packgen inputs 1"  # change when what the fingerprint covers changes


def pack_inputs(
    data: Path, templates: Path, meeting: dt.date, files: Iterable[Path], salt: str
) -> str:
    """Fingerprint everything a pack is made from: data, templates, packgen, LibreOffice, fonts.

    `files` are those read from outside the data folder (a logo, a signature), if any.
    """
    versions = (__version__, metadata.version("pypdf"), platform.python_version())
    code = code_digest()  # packgen's own code, version bump or not
    return inputs_fingerprint([data, templates], files, meeting.isoformat(), salt, code, *versions)


def read_files(plan: PackPlan, prepared: Prepared) -> set[Path]:
    """The files besides the workbooks and papers a pack reads: signatures and logos."""
    files = {doc.letter.signature for doc in plan.documents if doc.letter and doc.letter.signature}
    return files | set(prepared.settings.logos)


def reuse_record(data: Path, files: Iterable[Path], warnings: Iterable[Problem]) -> dict:
    """What the manifest keeps so that the next build can keep the pack without reading.

    Empty when a file lies outside the data folder: such a pack is kept only after reading.
    """
    names = []
    for path in files:
        try:
            names.append(path.resolve().relative_to(data.resolve()).as_posix())
        except ValueError:
            return {}
    return {
        "files": sorted(names),
        "warnings": [
            {"file": w.location.file, "part": w.location.part, "position": w.location.position,
             "message": w.message}
            for w in warnings
        ],
    }  # fmt: skip


def reusable_pack(
    folder: Path, inputs: str, restricted: bool, password: Password
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
    if not restricted:
        return ({} if encrypted else manifest), password
    secret = password()
    asked = lambda: secret  # noqa: E731
    if secret is None:
        return ({} if encrypted else manifest), asked
    from pypdf import PdfReader  # only for a protected pack: an open one needs no PDF library

    opens = encrypted and bool(PdfReader(folder / PACK_NAME).decrypt(secret))
    return (manifest if opens else {}), asked


def kept_without_reading(
    folder: Path, data: Path, templates: Path, meeting: dt.date, salt: str, password: Password
) -> tuple[dict, list[Problem], Password]:
    """Return the manifest and the recorded warnings of a pack that can be kept without reading
    the workbooks, or ({}, [], password) when the workbooks must be read to know."""
    try:
        recorded = read_manifest(folder)
        record = recorded["reuse_without_reading"]
        files = [data / name for name in record["files"]]
        warnings = [_problem(w) for w in record["warnings"]]
        restricted = any(doc["restricted"] for doc in recorded["documents"])
    except (KeyError, TypeError, ValueError):
        return {}, [], password
    inputs = pack_inputs(data, templates, meeting, files, salt)
    manifest, password = reusable_pack(folder, inputs, restricted, password)
    return manifest, (warnings if manifest else []), password


def _problem(record: dict) -> Problem:
    where = Location(str(record["file"]), record.get("part"), record.get("position"))
    return Problem(where, str(record["message"]), Severity.WARNING)


def inputs_fingerprint(folders: Iterable[Path], files: Iterable[Path], *extra: str) -> str:
    """Hash every file under `folders` and each of `files` (by name and bytes) with `extra`."""
    digest = hashlib.sha256(f"{FINGERPRINT}\n".encode())
    for text in extra:
        digest.update(f"{text}\n".encode())
    paths: set[Path] = {Path(f).resolve() for f in files if Path(f).is_file()}
    for folder in folders:
        paths |= {p.resolve() for p in Path(folder).rglob("*") if p.is_file() and not _lock(p)}
    for path in sorted(paths):
        digest.update(f"{path}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _lock(path: Path) -> bool:
    """Excel's `~$…` and LibreOffice's `.~lock…` files come and go while officers work."""
    return path.name.startswith(("~$", ".~lock"))


def unchanged_pack(folder: Path, fingerprint: str, manifest_name: str = "manifest.json") -> dict:
    """Return the manifest of the pack in `folder` if it was built from exactly these inputs.

    Returns {} when there is no such pack, or when any file the manifest names as the pack or
    the public pack no longer has the SHA-256 it records.
    """
    manifest = read_json_object(folder / manifest_name)
    if manifest.get("inputs") != fingerprint:
        return {}
    packs = [(manifest.get("pack"), manifest.get("sha256"))]
    public = manifest.get("public_pack") or {}
    if public:
        packs.append((public.get("file"), public.get("sha256")))
    supplement = manifest.get("supplement") or {}
    for record in (supplement, supplement.get("public") or {}) if supplement else ():
        packs.append((record.get("file"), record.get("sha256")))
    for name, sha in packs:
        path = folder / str(name)
        if not name or not path.is_file() or sha256(path) != sha:
            return {}
    return manifest
