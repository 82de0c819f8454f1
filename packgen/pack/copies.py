"""Each recipient's own copy of the pack: stamped with their name in the side margin of every
page and in the PDF's metadata, encrypted with the pack password where the pack is.

The pack is parsed once for all the copies. Every page gets one more stamp, a form drawn over
its content as packgen.pack.stamping draws the footers (the content is never parsed again);
the pages shown at one size share one form, so a copy differs from the next only in those few
forms' text and its metadata. Every other object is written (and encrypted) once, for the first
copy, and its bytes are reused for the next: a copy costs little more than writing its bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import IndirectObject
from reportlab.lib.units import cm

from packgen.files import write_atomic
from packgen.model import long_date
from packgen.pack.fonts import winansi_string
from packgen.pack.protect import open_protected
from packgen.pack.stamping import (
    ARTIFACT,
    StampFonts,
    centred,
    display_box,
    draw_over,
    font_resources,
    form_xobject,
    pdf,
    save_stream,
    stamp_fonts,
)

log = logging.getLogger(__name__)

COPY_SIZE = 7.0
COPY_BASELINE = 0.8 * cm  # from the left edge; the text runs up the page, its glyphs to the left
COPY_FOR = "/PackgenCopyFor"  # the metadata: the stamp's words
RECIPIENT = "/PackgenRecipient"  # and the recipient's address
WATERMARK = ARTIFACT % "/Watermark"


@dataclass(frozen=True)
class CopyFor:
    """Whose copy it is: "Copy for Jo Bloggs, Northshire Council – issued 3 September 2026"."""

    name: str
    organisation: str
    address: str
    issued: dt.date

    @property
    def text(self) -> str:
        who = ", ".join(part for part in (self.name, self.organisation) if part)
        return f"Copy for {who or self.address} \u2013 issued {long_date(self.issued)}"


class CopyStamper:
    """Write stamped copies of one pack, opened (and decrypted with `password`) once."""

    def __init__(self, pack: Path, password: str | None, copies: Sequence[CopyFor]) -> None:
        reader = open_protected(pack, password)
        self.writer = PdfWriter(clone_from=reader)
        self.faces = stamp_fonts("".join(c.text for c in copies))
        fonts = font_resources(self.writer, self.faces, ("/F1",))
        save = save_stream(self.writer)
        self.forms: dict[tuple[float, float], IndirectObject] = {}
        for page in self.writer.pages:
            size = display_box(page).size
            if size not in self.forms:
                self.forms[size] = form_xobject(self.writer, size, b"", fonts)
            draw_over(self.writer, page, save, self.forms[size])
        self.writer.add_metadata({COPY_FOR: "", RECIPIENT: ""})
        if reader.is_encrypted:  # once: the copies share the pack's password and one key
            self.writer.encrypt(password, password, algorithm="AES-256")
        changing = [*self.forms.values(), self.writer._info.indirect_reference]
        self.written = _ObjectBytes(self.writer, {ref.idnum for ref in changing})

    def write(self, copy: CopyFor, out: Path) -> str:
        """Write the copy for one recipient to `out`; return its SHA-256."""
        for size, form in self.forms.items():
            form.get_object().set_data(side_stamp(size, copy.text, self.faces))
        self.writer.add_metadata({COPY_FOR: copy.text, RECIPIENT: copy.address})
        data = self.written.pdf()
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, data)
        log.info("stamped %s: %s", out.name, copy.text)
        return hashlib.sha256(data).hexdigest()


class _ObjectBytes:
    """Write a PDF as pypdf's writer does, keeping each object's bytes (encrypted, if the PDF
    is) for the next write, but for the objects that change between writes.

    Where the installed pypdf writes otherwise than this knows (another release), every
    write is pypdf's own."""

    def __init__(self, writer: PdfWriter, changing: set[int]) -> None:
        self.writer = writer
        self.changing = changing
        self.kept: dict[int, bytes] = {}
        self.known = _writes_as_known()

    def pdf(self) -> bytes:
        buffer = io.BytesIO()
        if not self.known:
            self.writer.write(buffer)
            return buffer.getvalue()
        writer = self.writer
        writer._resolve_links()
        buffer.write(writer.pdf_header.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
        positions, free = [], []
        for idnum, obj in enumerate(writer._objects, start=1):
            if obj is None:
                positions.append(-1)
                free.append(idnum)
                continue
            positions.append(buffer.tell())
            buffer.write(self._object(idnum, obj))
        free.append(0)  # the free list loops back to object 0, as pypdf writes it
        writer._write_trailer(buffer, writer._write_xref_table(buffer, positions, free))
        return buffer.getvalue()

    def _object(self, idnum: int, obj) -> bytes:
        kept = self.kept.get(idnum)
        if kept is not None:
            return kept
        writer, out = self.writer, io.BytesIO()
        out.write(f"{idnum} 0 obj\n".encode())
        if writer._encryption and obj != writer._encrypt_entry:
            obj = writer._encryption.encrypt_object(obj, idnum, 0)
        obj.write_to_stream(out)
        out.write(b"\nendobj\n")
        if idnum not in self.changing:
            self.kept[idnum] = out.getvalue()
        return out.getvalue()


def _writes_as_known() -> bool:
    """Tell whether the installed pypdf writes a PDF as _ObjectBytes does (as pypdf 7 does)."""
    write_xref = getattr(PdfWriter, "_write_xref_table", None)
    if write_xref is None or not hasattr(PdfWriter, "_write_trailer"):
        return False
    return list(inspect.signature(write_xref).parameters) == [
        "self",
        "stream",
        "object_positions",
        "free_objects",
    ]


def side_stamp(size: tuple[float, float], text: str, fonts: StampFonts) -> bytes:
    """Draw `text` up the left margin of a page of the size shown, centred, as an artifact."""
    width, height = size
    font_size, y = centred(fonts, text, False, COPY_SIZE, height)
    return (
        f"{WATERMARK} 0.35 g BT /F1 {pdf(font_size)} Tf 0 1 -1 0 {pdf(COPY_BASELINE, y)} Tm "
        f"{winansi_string(text)} Tj ET EMC\n"
    ).encode("ascii")
