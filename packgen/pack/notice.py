"""The public pack's notice page for a restricted item: one tagged page of text, made here.

It is a tagged page like every other (a paragraph in a structure tree, its font embedded), so a
screen reader reads the notice as it reads the papers around it.
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
)
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from packgen.pack.fonts import Font, embed_font, load_font, winansi_string

FONT_SIZE = 13
LEADING = 18
MARGIN = 1.5 * cm
_FALLBACK_FONT = "Helvetica-Bold"  # only when no font is installed to embed


def write_notice(path: Path, text: str, size: tuple[float, float] = A4) -> Path:
    """Write a one-page PDF carrying `text` and nothing from the paper it stands for."""
    path.parent.mkdir(parents=True, exist_ok=True)
    font = load_font("bold", text)
    if font is None:
        return _untagged_notice(path, text, size)
    width, height = size
    lines = wrap(text, font, FONT_SIZE, width - 2 * MARGIN)
    y = height * 0.62 + LEADING * (len(lines) - 1) / 2
    shown = []
    for mcid, line in enumerate(lines):
        x = (width - font.width(line, FONT_SIZE)) / 2
        shown.append(
            f"/P <</MCID {mcid}>> BDC BT /F1 {FONT_SIZE} Tf {x:.2f} {y:.2f} Td "
            f"{winansi_string(line)} Tj ET EMC"
        )
        y -= LEADING
    writer = PdfWriter()
    page = writer.add_blank_page(width, height)
    content = DecodedStreamObject()
    content.set_data("\n".join(shown).encode("ascii"))
    page[NameObject("/Contents")] = writer._add_object(content.flate_encode())
    fonts = DictionaryObject({NameObject("/F1"): embed_font(writer, font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    _tag(writer, page, len(lines), text)
    with path.open("wb") as stream:
        writer.write(stream)
    return path


def _tag(writer: PdfWriter, page, count: int, text: str) -> None:
    """One paragraph holding the page's lines, in a Document, as LibreOffice's pages are."""
    root = writer._add_object(DictionaryObject())
    document = writer._add_object(DictionaryObject())
    paragraph = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/StructElem"),
                NameObject("/S"): NameObject("/P"),
                NameObject("/P"): document,
                NameObject("/Pg"): page.indirect_reference,
                NameObject("/K"): ArrayObject(NumberObject(n) for n in range(count)),
            }
        )
    )
    writer._replace_object(
        document,
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/StructElem"),
                NameObject("/S"): NameObject("/Document"),
                NameObject("/P"): root,
                NameObject("/K"): ArrayObject([paragraph]),
            }
        ),
    )
    parents = ArrayObject([NumberObject(0), ArrayObject([paragraph] * count)])  # MCID → P
    tree = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructTreeRoot"),
            NameObject("/K"): document,
            NameObject("/ParentTree"): DictionaryObject({NameObject("/Nums"): parents}),
            NameObject("/ParentTreeNextKey"): NumberObject(1),
        }
    )
    writer._replace_object(root, tree)
    page[NameObject("/StructParents")] = NumberObject(0)
    page[NameObject("/Tabs")] = NameObject("/S")
    writer.root_object[NameObject("/StructTreeRoot")] = root
    writer.root_object[NameObject("/MarkInfo")] = DictionaryObject(
        {NameObject("/Marked"): BooleanObject(True)}
    )
    writer.add_metadata({"/Title": text})


def wrap(text: str, font: Font, size: float, width: float) -> list[str]:
    """Break `text` into lines no wider than `width` (a long word keeps a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _untagged_notice(path: Path, text: str, size: tuple[float, float]) -> Path:
    canvas = Canvas(str(path), pagesize=size, invariant=1, pageCompression=1)
    canvas.setFont(_FALLBACK_FONT, FONT_SIZE)
    width, height = size
    lines = simpleSplit(text, _FALLBACK_FONT, FONT_SIZE, width - 2 * MARGIN)
    y = height * 0.62 + LEADING * (len(lines) - 1) / 2
    for line in lines:
        canvas.drawCentredString(width / 2, y, line)
        y -= LEADING
    canvas.showPage()
    canvas.save()
    return path
