"""Restricted items: the public pack's notice page, the pack password and AES-256 encryption."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfReader, PdfWriter
from reportlab.lib.units import cm

from packgen.errors import DistributionError, Location, Problem
from packgen.files import sha256, write_atomic
from packgen.pack.merge import assemble
from packgen.pack.notice import write_notice
from packgen.pack.structure import StructureCache
from packgen.plan import (
    MANIFEST,
    PACK_NAME,
    PASSWORD_ENV,
    PUBLIC_PACK,
    PackDocument,
    PackInfo,
    PackPlan,
    Part,
    pack_password,
    unprotected_warning,
)

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

NOTICE = "Item {number} \u2013 {title}: restricted, not for publication"
RESTRICTED_BOOKMARK = "Restricted, not for publication"
_FONT = "Helvetica-Bold"
_FONT_SIZE = 13
_LEADING = 18
_MARGIN = 1.5 * cm


def notice_text(number: int | None, title: str, reason: str = "") -> str:
    """Return the words that stand in for a restricted item's papers in the public pack, with
    the reason the item is restricted when the forward plan gives one."""
    if number is None:
        text = f"{title}: restricted, not for publication"
    else:
        text = NOTICE.format(number=number, title=title)
    return f"{text} ({reason})" if reason else text


def notice_title(reason: str = "") -> str:
    """The notice's bookmark, and its line under the item in the public agenda."""
    return f"{RESTRICTED_BOOKMARK} ({reason})" if reason else RESTRICTED_BOOKMARK


def public_parts(
    parts: Sequence[Part],
    restricted: Set[str],
    folder: Path,
    reasons: Mapping[int | None, str] | None = None,
) -> list[Part]:
    """Return the parts of the public pack: each item's restricted papers become one notice page.

    The notice's bookmark and text name only the item, as the agenda does, and the reason the
    item is restricted (`reasons`, by item number) if given, never the papers: their titles,
    pages, outline, metadata and attachments stay out of the public pack.
    """
    reasons = reasons or {}
    public: list[Part] = []
    for part in parts:
        if part.key not in restricted:
            public.append(part)
            continue
        key = f"{part.item or 0:02d}-restricted"
        if public and public[-1].key.startswith(key):
            continue  # the item's notice already stands for this paper too
        key += f"-{sum(p.key.startswith(key) for p in public) + 1}"
        reason = reasons.get(part.item, "")
        text = notice_text(part.item, part.item_title, reason)
        pdf = write_notice(folder / f"{key}.pdf", text)
        public.append(Part(key, pdf, notice_title(reason), part.item, part.item_title))
    return public


def public_plan(plan: PackPlan, public: Sequence[Part]) -> PackPlan:
    """Return the plan the public agenda is rendered from: notices in place of restricted papers."""
    by_key = {doc.key: doc for doc in plan.documents}
    items = {doc.item.number: doc.item for doc in plan.documents if doc.item}
    documents = [
        by_key.get(part.key)
        or PackDocument(part.key, part.title, items.get(part.item), None, None, None, None, False)
        for part in public
    ]
    return replace(plan, documents=documents)


def protect_pack(
    folder: Path,
    plan: PackPlan,
    parts: Sequence[Part],
    info: PackInfo,
    settle: Callable[[list[Part], PackPlan, Path], object],
    password: Callable[[], str | None] = lambda: pack_password(),
    structures: StructureCache | None = None,
) -> list[Problem]:
    """Write the public pack beside the full one, then encrypt the full pack when it must be.

    `settle(parts, plan, work)` re-renders the agenda for the public pack's own page numbers into
    `work`, leaving `work/pdf/<agenda key>.pdf`. The manifest is updated; the password never
    goes into it. Returns the warnings: restricted items and no password.
    """
    restricted = {d.key for d in plan.documents if d.restricted}
    work = folder / ".public"
    public = list(parts)
    if restricted:  # the agenda's page references change only when notices replace papers
        reasons = {d.item.number: d.item.reason for d in plan.documents if d.item}
        public = public_parts(parts, restricted, work / "notices", reasons)
        settle(public, public_plan(plan, public), work)
        public = [_fresh_agenda(part, work) for part in public]
    info = replace(info, title=f"{info.title} (public)", marking="")  # for publication: unmarked
    layout = assemble(public, folder / PUBLIC_PACK, info, structures)
    shutil.rmtree(work, ignore_errors=True)
    items = {(d.item.number, d.item.title): None for d in plan.documents if d.restricted and d.item}
    warnings, algorithm = [], None
    if restricted:
        secret = password()
        if secret:
            encrypt_pdf(folder / PACK_NAME, folder / PACK_NAME, secret)
            algorithm = "AES-256"
        else:
            warnings.append(unprotected_warning(items, Location(PACK_NAME)))
            log.warning("%s", warnings[-1])
    _update_manifest(folder, layout.pages, algorithm, bool(restricted))
    return warnings


def _fresh_agenda(part: Part, work: Path) -> Part:
    """Point the agenda part at the copy whose page references fit the public pack."""
    fresh = work / "pdf" / f"{part.key}.pdf"
    return replace(part, pdf=fresh) if part.item is None and fresh.is_file() else part


def _update_manifest(folder: Path, pages: int, algorithm: str | None, restricted: bool) -> None:
    """Record the public pack and the full pack's protection (never its password)."""
    path = folder / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    manifest["sha256"] = sha256(folder / PACK_NAME)
    manifest["restricted"] = restricted
    manifest["encryption"] = algorithm
    manifest["public_pack"] = {
        "file": PUBLIC_PACK,
        "pages": pages,
        "sha256": sha256(folder / PUBLIC_PACK),
    }
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def encrypt_pdf(source: Path, target: Path, password: str) -> None:
    """Write `source` to `target` encrypted with AES-256; `target` may be `source`."""
    if not password:
        raise DistributionError("An empty pack password can't protect the pack.")
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=password, owner_password=password, algorithm="AES-256")
    _write_atomically(writer, target)
    log.info("encrypted %s with AES-256", target.name)


def is_encrypted(path: Path) -> bool:
    """Tell whether the PDF at `path` needs a password to open."""
    return PdfReader(path).is_encrypted


def open_protected(path: Path, password: str | None = None) -> PdfReader:
    """Open a PDF, decrypting it with `password` when it is encrypted."""
    reader = PdfReader(path)
    if reader.is_encrypted and (not password or not reader.decrypt(password)):
        raise DistributionError(
            f"{path.name} is encrypted and the pack password "
            f"({'is not set' if not password else 'given'}) does not open it; "
            f"set {PASSWORD_ENV} to the password the pack was built with."
        )
    return reader


def encryption_algorithm(path: Path) -> str:
    """Return 'AES-256', 'none' or a description of weaker encryption, from /Encrypt."""
    reader = PdfReader(path)
    if not reader.is_encrypted:
        return "none"
    encrypt = reader.trailer["/Encrypt"].get_object()
    if encrypt.get("/V") == 5 and encrypt.get("/R") in (5, 6):
        return "AES-256"
    return f"V{encrypt.get('/V')} R{encrypt.get('/R')}"


def _write_atomically(writer: PdfWriter, target: Path) -> None:
    """Write the PDF whole or not at all, keeping the target's mode (readable, as a pack is)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    writer.write(buffer)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    write_atomic(target, buffer.getvalue(), mode)


def pdf_text(reader: PdfReader) -> str:
    """Return everything a reader of the PDF could find as text: pages, outline, metadata."""
    parts = [page.extract_text() or "" for page in reader.pages]
    parts += _outline_titles(reader.outline)
    if reader.metadata:
        parts += [str(v) for v in reader.metadata.values()]
    xmp = reader.trailer["/Root"].get("/Metadata")
    if xmp is not None:
        parts.append(xmp.get_object().get_data().decode("utf-8", "replace"))
    for name, data in reader.attachments.items():
        parts.append(name)
        parts += [d.decode("utf-8", "replace") for d in data]
    return " ".join(parts)


def _outline_titles(outline: list) -> list[str]:
    titles: list[str] = []
    for entry in outline:
        if isinstance(entry, list):
            titles += _outline_titles(entry)
        else:
            titles.append(str(entry.title))
    return titles


def distinctive_phrases(text: str, words: int = 5) -> set[str]:
    """Return the runs of `words` consecutive words in `text`, normalised for comparison."""
    tokens = _normalise(text).split()
    return {" ".join(tokens[i : i + words]) for i in range(len(tokens) - words + 1)}


def leaked_phrases(public: str, restricted: Iterable[str], allowed: Iterable[str] = ()) -> set[str]:
    """Return the phrases of the restricted texts found in `public` and in none of `allowed`."""
    found = set()
    public_phrases = distinctive_phrases(public)
    for text in restricted:
        found |= distinctive_phrases(text) & public_phrases
    for text in allowed:
        found -= distinctive_phrases(text)
    return found


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w]+", " ", text.casefold())).strip()
