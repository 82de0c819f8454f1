"""Restricted items: the public pack's notice page, the pack password and AES-256 encryption."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence, Set
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from packgen.assemble import Part
from packgen.errors import DistributionError, Location, Problem, Severity

log = logging.getLogger(__name__)

PASSWORD_ENV = "PACKGEN_PACK_PASSWORD"
NOTICE = "Item {number} \u2013 {title}: restricted, not for publication"
RESTRICTED_BOOKMARK = "Restricted, not for publication"
_FONT = "Helvetica-Bold"
_FONT_SIZE = 13
_LEADING = 18
_MARGIN = 1.5 * cm


def notice_text(number: int | None, title: str) -> str:
    """Return the words that stand in for a restricted item's papers in the public pack."""
    if number is None:
        return f"{title}: restricted, not for publication"
    return NOTICE.format(number=number, title=title)


def write_notice(path: Path, text: str, size: tuple[float, float] = A4) -> Path:
    """Write a one-page PDF carrying `text` and nothing from the paper it stands for."""
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas = Canvas(str(path), pagesize=size, invariant=1, pageCompression=1)
    canvas.setFont(_FONT, _FONT_SIZE)
    width, height = size
    lines = simpleSplit(text, _FONT, _FONT_SIZE, width - 2 * _MARGIN)
    y = height * 0.62 + _LEADING * (len(lines) - 1) / 2
    for line in lines:
        canvas.drawCentredString(width / 2, y, line)
        y -= _LEADING
    canvas.showPage()
    canvas.save()
    return path


def public_parts(parts: Sequence[Part], restricted: Set[str], folder: Path) -> list[Part]:
    """Return the parts of the public pack: each item's restricted papers become one notice page.

    The notice's bookmark and text name only the item, as the agenda does, never the papers:
    their titles, pages, outline, metadata and attachments stay out of the public pack.
    """
    public: list[Part] = []
    for part in parts:
        if part.key not in restricted:
            public.append(part)
            continue
        key = f"{part.item or 0:02d}-restricted"
        if public and public[-1].key.startswith(key):
            continue  # the item's notice already stands for this paper too
        key += f"-{sum(p.key.startswith(key) for p in public) + 1}"
        pdf = write_notice(folder / f"{key}.pdf", notice_text(part.item, part.item_title))
        public.append(Part(key, pdf, RESTRICTED_BOOKMARK, part.item, part.item_title))
    return public


def pack_password(environ: Mapping[str, str] = os.environ) -> str | None:
    """Return the pack password from PACKGEN_PACK_PASSWORD, or None when it is unset or empty."""
    return environ.get(PASSWORD_ENV) or None


def unprotected_warning(items: Iterable[tuple[int | None, str]], where: Location) -> Problem:
    """Return the warning for a full pack that holds restricted items and has no password."""
    names = ", ".join(f"item {n} ({t})" if n is not None else t for n, t in items)
    return Problem(
        where,
        f"the full pack holds restricted material ({names}) but no pack password is set, so "
        f"it will not be encrypted; set {PASSWORD_ENV} (or type it when asked) to protect it",
        Severity.WARNING,
    )


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


def open_pdf(path: Path, password: str | None = None) -> PdfReader:
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
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            writer.write(handle)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
