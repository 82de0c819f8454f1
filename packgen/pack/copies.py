"""Each recipient's own copy of the pack: stamped with their name in the side margin of every
page and in the PDF's metadata, encrypted with the pack password where the pack is.

The pack is parsed once for all the copies. Every page gets one more stamp, a form drawn over
its content as packgen.pack.stamping draws the footers (the content is never parsed again);
the pages shown at one size share one form, so a copy differs from the next only in those few
forms' text and its metadata, and costs one write of the PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
    """Whose copy it is: "Copy for Kate Dempsey, LB Havering – issued 8 October 2020"."""

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
        self.password = password if reader.is_encrypted else None
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

    def write(self, copy: CopyFor, out: Path) -> str:
        """Write the copy for one recipient to `out`; return its SHA-256."""
        for size, form in self.forms.items():
            form.get_object().set_data(side_stamp(size, copy.text, self.faces))
        self.writer.add_metadata({COPY_FOR: copy.text, RECIPIENT: copy.address})
        if self.password:  # afresh for each copy: its own file identifier and keys
            self.writer.encrypt(self.password, self.password, algorithm="AES-256")
        buffer = io.BytesIO()
        self.writer.write(buffer)
        data = buffer.getvalue()
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, data)
        log.info("stamped %s: %s", out.name, copy.text)
        return hashlib.sha256(data).hexdigest()


def side_stamp(size: tuple[float, float], text: str, fonts: StampFonts) -> bytes:
    """Draw `text` up the left margin of a page of the size shown, centred, as an artifact."""
    width, height = size
    font_size, y = centred(fonts, text, False, COPY_SIZE, height)
    return (
        f"{WATERMARK} 0.35 g BT /F1 {pdf(font_size)} Tf 0 1 -1 0 {pdf(COPY_BASELINE, y)} Tm "
        f"{winansi_string(text)} Tj ET EMC\n"
    ).encode("ascii")
