"""Stamping a page: a small Form XObject drawn over the page's content, upright as it is shown.

The page's own content is wrapped in q … Q and never parsed or recompressed; the stamp is
drawn after it, placed so that it reads upright once the page's /Rotate is applied. The pack's
footers, item boxes and protective markings (packgen.pack.merge) and each recipient's copy stamp
(packgen.pack.copies) are all drawn this way, in the embedded fonts of packgen.pack.fonts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from pypdf import PageObject, PdfWriter, Transformation
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)
from reportlab.pdfbase.pdfmetrics import stringWidth

from packgen.pack.fonts import Font, embed_font, load_font, winansi_string

REGULAR_FONT = "Helvetica"  # the standard fonts, only when no font is installed to embed
BOLD_FONT = "Helvetica-Bold"
FONTS = {"/F1": REGULAR_FONT, "/F2": BOLD_FONT}  # the resource names stamps draw text with
STAMP_NAME = "/PackgenStamp"  # a stamp's Form XObject on each page: /PackgenStamp1, ...
ARTIFACT = "/Artifact <</Type /Pagination /Subtype %s>> BDC"


@dataclass(frozen=True)
class StampFonts:
    """The stamps' regular and bold fonts: embedded subsets, or the standard ones if no font
    is installed to embed (the pack is then not PDF/UA: `check-pdf` says so)."""

    regular: Font | None
    bold: Font | None

    def width(self, text: str, bold: bool, size: float) -> float:
        font = self.bold if bold else self.regular
        if font is not None:
            return font.width(text, size)
        return stringWidth(text, BOLD_FONT if bold else REGULAR_FONT, size)


def stamp_fonts(regular: str, bold: str = "") -> StampFonts:
    """Load the fonts the stamps are drawn in, with the glyphs of the `regular` and `bold` text
    (no bold font when there is no bold text)."""
    return StampFonts(load_font("regular", regular), load_font("bold", bold) if bold else None)


def font_resources(
    writer: PdfWriter, faces: StampFonts, names: Sequence[str] = tuple(FONTS)
) -> IndirectObject:
    """Add the stamps' resources: the fonts named (/F1 regular, /F2 bold)."""
    fonts = DictionaryObject()
    for name, face in zip(FONTS, (faces.regular, faces.bold), strict=True):
        if name not in names:
            continue
        if face is not None:
            fonts[NameObject(name)] = embed_font(writer, face)
            continue
        fonts[NameObject(name)] = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject(f"/{FONTS[name]}"),
                    NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
                }
            )
        )
    procset = ArrayObject([NameObject("/PDF"), NameObject("/Text")])
    resources = {NameObject("/Font"): fonts, NameObject("/ProcSet"): procset}
    return writer._add_object(DictionaryObject(resources))


def form_xobject(
    writer: PdfWriter, size: tuple[float, float], content: bytes, resources: IndirectObject
) -> IndirectObject:
    """Add a page-sized, Flate-compressed Form XObject drawing `content`."""
    form = stream(content)
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/FormType")] = NumberObject(1)
    form[NameObject("/BBox")] = ArrayObject(numbers(0, 0, *size))
    form[NameObject("/Resources")] = resources
    return writer._add_object(form.flate_encode())


def draw_over(writer: PdfWriter, page: PageObject, save: IndirectObject, form: IndirectObject):
    """Draw `form` (as large as the page is shown) over the page's content, upright.

    `save` is a shared stream holding "q" (see `save_stream`)."""
    wrap_contents(writer, page, save, placement(display_box(page)), add_xobject(page, form))


def save_stream(writer: PdfWriter) -> IndirectObject:
    """Add the one "q" stream every stamped page's contents start with."""
    return writer._add_object(stream(b"q\n"))


def add_xobject(page: PageObject, form: IndirectObject) -> NameObject:
    """Name the form in the page's own copy of its resources, so pages that shared them don't."""
    resources = page.get_inherited("/Resources", None)
    resources = resources.get_object() if resources is not None else None
    copy = DictionaryObject(resources if isinstance(resources, DictionaryObject) else {})
    xobjects = copy.get("/XObject")
    xobjects = DictionaryObject(xobjects if isinstance(xobjects, DictionaryObject) else {})
    number = 1
    while f"{STAMP_NAME}{number}" in xobjects:
        number += 1
    name = NameObject(f"{STAMP_NAME}{number}")
    xobjects[name] = form
    copy[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = copy
    return name


def wrap_contents(
    writer: PdfWriter, page: PageObject, save: IndirectObject, at: Transformation, name: str
) -> None:
    """Make the page's contents q, its own streams, Q, then the stamp drawn where `at` puts it."""
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    resolved = contents.get_object() if contents is not None else None
    if isinstance(resolved, ArrayObject):
        streams = [s if isinstance(s, IndirectObject) else writer._add_object(s) for s in resolved]
    elif isinstance(resolved, StreamObject):
        indirect = isinstance(contents, IndirectObject)
        streams = [contents if indirect else writer._add_object(resolved)]
    else:
        streams = []
    draw = f"\nQ\nq {pdf(*at.ctm)} cm {name} Do Q\n".encode("ascii")
    page[NameObject("/Contents")] = ArrayObject([save, *streams, writer._add_object(stream(draw))])


def stream(data: bytes) -> DecodedStreamObject:
    """A content stream holding `data`, uncompressed."""
    made = DecodedStreamObject()
    made.set_data(data)
    return made


def _text(number: NumberObject | FloatObject) -> str:
    """Write a PDF number as it appears in a content stream."""
    buffer = io.BytesIO()
    number.write_to_stream(buffer)
    return buffer.getvalue().decode("ascii")


def numbers(*values: float) -> list[NumberObject | FloatObject]:
    """PDF numbers: whole ones as integers, others to 1/10000 of a point, never as 1e-17."""
    made: list[NumberObject | FloatObject] = []
    for value in values:
        value = round(value, 4) + 0.0  # + 0.0 turns -0.0 into 0.0
        made.append(NumberObject(int(value)) if value.is_integer() else FloatObject(value))
    return made


@dataclass(frozen=True)
class Box:
    """A page as it is shown: its visible box in user space, its rotation and shown size."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int

    @property
    def size(self) -> tuple[float, float]:
        width, height = self.right - self.left, self.top - self.bottom
        return (height, width) if self.rotation in (90, 270) else (width, height)


def display_box(page: PageObject) -> Box:
    """The page's crop box (its media box when it has none) and rotation."""
    box = page.cropbox
    left, right = sorted((float(box.left), float(box.right)))
    bottom, top = sorted((float(box.bottom), float(box.top)))
    return Box(left, bottom, right, top, page.rotation % 360)


def placement(box: Box) -> Transformation:
    """Map the upright overlay onto the page so it reads upright once /Rotate is applied."""
    corner = {
        0: (box.left, box.bottom),
        90: (box.right, box.bottom),
        180: (box.right, box.top),
        270: (box.left, box.top),
    }[box.rotation]
    return Transformation().rotate(box.rotation).translate(*corner)


def text_op(font: str, size: float, x: float, y: float, text: str) -> str:
    """Show `text` in a WinAnsi-encoded font at (x, y)."""
    return f"BT {font} {pdf(size)} Tf {pdf(x, y)} Td {winansi_string(text)} Tj ET"


def centred(
    fonts: StampFonts, text: str, bold: bool, size: float, width: float
) -> tuple[float, float]:
    """Return the size `text` is drawn at, shrunk to 0.9 of `width` if need be, and its left x."""
    size = min(size, 0.9 * width / max(fonts.width(text, bold, 1), 1e-6))
    return size, width / 2 - fonts.width(text, bold, size) / 2


def pdf(*values: float) -> str:
    """Numbers as written in a content stream."""
    return " ".join(_text(number) for number in numbers(*values))
