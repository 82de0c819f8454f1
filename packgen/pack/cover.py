"""The supplement's cover: a heading and what changed, on tagged pages made here.

Like the public pack's notice page (pack/notice.py), its text is in a structure tree (a
Document holding an H1, H2s and paragraphs, in reading order) with its fonts embedded, so a
screen reader reads the cover as it reads the papers after it. A cover too long for a page goes
on over as many as it needs, a paragraph never cut between two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
)
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm

from packgen.errors import ConversionError, Location, Problem
from packgen.pack.fonts import Font, embed_font, load_font, winansi_string
from packgen.pack.notice import wrap

MARGIN = 2.0 * cm
TOP = 2.5 * cm  # the item stamps and the footer keep out of the text
BOTTOM = 2.2 * cm
SIZES = {"H1": 16.0, "H2": 12.5, "P": 11.0}
HEADING_COLOUR = "0.122 0.227 0.373 rg"  # the templates' headings, #1F3A5F
SPACE_AFTER = {"H1": 12.0, "H2": 4.0, "P": 4.0}
INDENT = 0.4 * cm  # a listed line's


@dataclass(frozen=True)
class Block:
    """One paragraph of the cover: its structure role (H1, H2 or P) and text."""

    role: str
    text: str
    listed: bool = False  # one of a list's lines: indented


@dataclass
class _Placed:
    role: str
    lines: list[tuple[float, float, str]]  # x, y, text
    page: int


def write_cover(path: Path, blocks: Sequence[Block], title: str, size=A4) -> int:
    """Write the cover's tagged pages to `path`; return how many pages it took."""
    text = " ".join(b.text for b in blocks)
    fonts = {"regular": load_font("text", text), "bold": load_font("text-bold", text)}
    if fonts["regular"] is None or fonts["bold"] is None:
        raise ConversionError(
            "The supplement's cover can't be written: no font is installed to embed.",
            [Problem(Location(path.name), "install fonts-crosextra-carlito")],
        )
    placed = _lay_out(blocks, fonts, size)
    pages = max(p.page for p in placed) + 1
    writer = PdfWriter()
    resources = DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject(
                {NameObject(f"/{k}"): embed_font(writer, f) for k, f in _named(fonts).items()}
            )
        }
    )
    for _ in range(pages):
        page = writer.add_blank_page(*size)
        page[NameObject("/Resources")] = resources
    _draw_and_tag(writer, placed, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        writer.write(stream)
    return pages


def _named(fonts: dict[str, Font | None]) -> dict[str, Font]:
    return {"F1": fonts["regular"], "F2": fonts["bold"]}  # type: ignore[dict-item]


def _font_of(role: str) -> str:
    return "F1" if role == "P" else "F2"


def _lay_out(blocks: Sequence[Block], fonts: dict, size) -> list[_Placed]:
    """Break each block into lines and put it on the first page with room for all of it."""
    width, height = size
    page, y = 0, height - TOP
    placed = []
    for block in blocks:
        font = fonts["regular" if block.role == "P" else "bold"]
        points = SIZES[block.role]
        indent = INDENT if block.listed else 0.0
        lines = wrap(block.text, font, points, width - 2 * MARGIN - indent)
        leading = points * 1.3
        if y - leading * len(lines) < BOTTOM and placed:
            page, y = page + 1, height - TOP
        shown = []
        for line in lines:
            y -= leading
            shown.append((MARGIN + indent, y, line))
        y -= SPACE_AFTER[block.role]
        placed.append(_Placed(block.role, shown, page))
    return placed


def _draw_and_tag(writer: PdfWriter, placed: list[_Placed], title: str) -> None:
    """Draw each page's lines as marked content and build the structure tree that claims them."""
    root = writer._add_object(DictionaryObject())
    document = writer._add_object(DictionaryObject())
    kids, parents = ArrayObject(), ArrayObject()
    streams: dict[int, list[str]] = {}
    claimed: dict[int, list[IndirectObject]] = {}
    for block in placed:
        page = writer.pages[block.page]
        mcids = []
        ops = streams.setdefault(block.page, [])
        owners = claimed.setdefault(block.page, [])
        element = writer._add_object(DictionaryObject())
        for x, y, line in block.lines:
            mcid = len(owners)
            owners.append(element)
            mcids.append(NumberObject(mcid))
            colour = "0 g" if block.role == "P" else HEADING_COLOUR
            ops.append(
                f"/{block.role} <</MCID {mcid}>> BDC {colour} BT /{_font_of(block.role)} "
                f"{SIZES[block.role]:.1f} Tf {x:.2f} {y:.2f} Td {winansi_string(line)} Tj ET EMC"
            )
        writer._replace_object(element, _element(block.role, document, page, mcids))
        kids.append(element)
    for number, page in enumerate(writer.pages):
        content = DecodedStreamObject()
        content.set_data("\n".join(streams.get(number, [])).encode("ascii"))
        page[NameObject("/Contents")] = writer._add_object(content.flate_encode())
        page[NameObject("/StructParents")] = NumberObject(number)
        page[NameObject("/Tabs")] = NameObject("/S")
        parents += [NumberObject(number), ArrayObject(claimed.get(number, []))]
    writer._replace_object(document, _element("Document", root, None, kids))
    tree = {
        NameObject("/Type"): NameObject("/StructTreeRoot"),
        NameObject("/K"): document,
        NameObject("/ParentTree"): DictionaryObject({NameObject("/Nums"): parents}),
        NameObject("/ParentTreeNextKey"): NumberObject(len(writer.pages)),
    }
    writer._replace_object(root, DictionaryObject(tree))
    writer.root_object[NameObject("/StructTreeRoot")] = root
    writer.root_object[NameObject("/MarkInfo")] = DictionaryObject(
        {NameObject("/Marked"): BooleanObject(True)}
    )
    writer.add_metadata({"/Title": title})


def _element(role: str, parent, page, kids) -> DictionaryObject:
    element = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject(f"/{role}"),
            NameObject("/P"): parent,
            NameObject("/K"): ArrayObject(kids),
        }
    )
    if page is not None:
        element[NameObject("/Pg")] = page.indirect_reference
    return element
