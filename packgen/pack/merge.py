"""Merge the pack's PDFs in order, with bookmarks, page stamps, page labels and metadata."""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdf
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.constants import PageLabelStyle
from pypdf.errors import PdfReadError
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
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth

from packgen import __version__
from packgen.errors import InputError, Location, Problem
from packgen.pack.fonts import Font, embed_font, load_font, winansi_string
from packgen.pack.structure import StructureCache
from packgen.pack.tagged import TaggedPack
from packgen.plan import Layout, PackInfo, Part, plan_layout

log = logging.getLogger(__name__)

FOOTER_FONT = "Helvetica"
FOOTER_SIZE = 8.0
FOOTER_BASELINE = 0.9 * cm  # from the bottom edge, below the documents' own bottom margins
ITEM_FONT = "Helvetica-Bold"
ITEM_SIZE = 9.0
ITEM_MARGIN = 0.5 * cm  # the item box's distance from the top and right edges
STAMP_NAME = "/PackgenStamp"  # the stamp's Form XObject on each page: /PackgenStamp1, ...
READER_CACHE_BYTES = 256 * 1024 * 1024  # the opened PDFs a build keeps for its next pack


def page_counts(parts: Sequence[Part]) -> dict[str, int]:
    """Count each part's pages; an unreadable or encrypted PDF is an error naming it."""
    counts, problems = {}, []
    for part in parts:
        try:
            counts[part.key] = len(open_pdf(part.pdf).pages)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError("Some PDFs can't be put in the pack.", problems)
    return counts


def open_pdf(path: Path, name: str | None = None) -> PdfReader:
    """Open a PDF for the pack: not encrypted, readable, with at least one page.

    A build opens each PDF several times (the paper check, page counts, the full pack, the
    public pack): readers are kept by the file's content, so each PDF is parsed once. The
    reader may be shared: read it, never change it.
    """
    where = Location(name or path.name)
    try:
        data = path.read_bytes()
        digest = hashlib.blake2b(data, digest_size=20).digest()
        reader = _READERS.get(digest)
        if reader is not None:
            return reader
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError("A PDF is encrypted.", [Problem(where, _ENCRYPTED)])
        if len(reader.pages) == 0:
            raise InputError("A PDF has no pages.", [Problem(where, "the PDF has no pages")])
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        problem = Problem(where, f"the PDF can't be read ({exc})")
        raise InputError("A PDF can't be read.", [problem]) from exc
    _READERS.put(digest, reader, len(data))
    return reader


def clear_reader_cache() -> None:
    """Forget the PDFs open_pdf has kept, so the next open parses the file again."""
    _READERS.clear()


class _ReaderCache:
    """Readers of the PDFs opened lately, by content digest, least recently used first."""

    def __init__(self, budget: int) -> None:
        self.budget = budget  # bytes of PDF kept at most (beyond the one just opened)
        self._lock = threading.Lock()
        self._kept: OrderedDict[bytes, tuple[PdfReader, int]] = OrderedDict()

    def get(self, digest: bytes) -> PdfReader | None:
        """Return the reader kept for a PDF with this content, if any."""
        with self._lock:
            kept = self._kept.get(digest)
            if kept is None:
                return None
            self._kept.move_to_end(digest)
            return kept[0]

    def put(self, digest: bytes, reader: PdfReader, size: int) -> None:
        """Keep a reader, forgetting the least recently used ones beyond the budget."""
        with self._lock:
            self._kept[digest] = (reader, size)
            self._kept.move_to_end(digest)
            while len(self._kept) > 1 and sum(k[1] for k in self._kept.values()) > self.budget:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


_READERS = _ReaderCache(READER_CACHE_BYTES)


_ENCRYPTED = "the PDF is encrypted or password-protected: ask for an unprotected copy"


def assemble(
    parts: Sequence[Part], out: Path, info: PackInfo, structures: StructureCache | None = None
) -> Layout:
    """Write the merged, stamped, bookmarked, tagged pack to `out` and return its layout.

    `structures` keeps the documents' structure trees for the next build."""
    readers = {part.key: open_pdf(part.pdf) for part in parts}
    layout = plan_layout(parts, {key: len(r.pages) for key, r in readers.items()})
    writer = PdfWriter()
    tree = TaggedPack(writer, cache=structures) if info.tagged else None
    for part in parts:
        start = len(writer.pages)
        writer.append(readers[part.key], import_outline=False)
        for page in writer.pages[start:]:
            _strip_local_references(page)
        if tree is None or not tree.add(readers[part.key], start, part.title, part.pdf):
            layout.untagged.append(part.key)
    if tree is not None:
        tree.finish(info.language, info.title)
    _stamp(writer, parts, layout, info)
    _add_bookmarks(writer, parts, layout)
    prefix = {"prefix": info.label_prefix} if info.label_prefix else {}
    writer.set_page_label(0, layout.pages - 1, style=PageLabelStyle.DECIMAL, start=1, **prefix)
    _set_metadata(writer, info)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as stream:
        writer.write(stream)
    log.info("Assembled %s: %d pages from %d documents", out.name, layout.pages, len(parts))
    return layout


def _add_bookmarks(writer: PdfWriter, parts: Sequence[Part], layout: Layout) -> None:
    """Add a bookmark for the agenda, one per item with documents, one child per document."""
    parents: dict[int, object] = {}
    for part in parts:
        first = layout.documents[part.key][0] - 1
        if part.item is None:
            writer.add_outline_item(title=part.title, page_number=first)
            continue
        if part.item not in parents:
            title = f"{part.item} {part.item_title}".strip()
            parents[part.item] = writer.add_outline_item(title=title, page_number=first)
        writer.add_outline_item(title=part.title, page_number=first, parent=parents[part.item])
    writer.page_mode = "/UseOutlines"


def _set_metadata(writer: PdfWriter, info: PackInfo) -> None:
    writer.add_metadata(
        {
            "/Title": info.title,
            "/Subject": info.subject,
            "/Author": info.author,
            "/Creator": f"packgen {__version__}",
            "/Producer": f"packgen {__version__} with pypdf {pypdf.__version__}",
        }
    )


def _strip_local_references(page: PageObject) -> None:
    """Drop what could carry a local path: page metadata and links to local files."""
    for key in ("/Metadata", "/PieceInfo"):
        page.pop(NameObject(key), None)
    annots = page.get("/Annots")
    if annots is None:
        return
    kept = ArrayObject(a for a in annots.get_object() if not _links_locally(a.get_object()))
    page[NameObject("/Annots")] = kept


def _links_locally(annot: DictionaryObject) -> bool:
    action = annot.get("/A")
    if action is None:
        return False
    action = action.get_object()
    if action.get("/S") in ("/Launch", "/GoToR"):
        return True
    return action.get("/S") == "/URI" and str(action.get("/URI", "")).startswith("file:")


def _stamp(writer: PdfWriter, parts: Sequence[Part], layout: Layout, info: PackInfo) -> None:
    """Stamp every page's footer, and each paper's first page with its item number.

    Each page's stamp is a Form XObject drawn after the page's own content, which is wrapped
    in q … Q and never parsed or recompressed.
    """
    firsts = {layout.documents[p.key][0] - 1: _item_stamp(p) for p in parts if p.item is not None}
    marks = "".join(p.mark for p in parts)
    faces = stamp_fonts(
        f"{info.footer}  \u00b7  {info.page_word} 0123456789 of", f"Item 0123456789 \u00b7 {marks}"
    )
    fonts = _font_resources(writer, faces)
    save = writer._add_object(_stream(b"q\n"))  # one "q" stream, shared by every page
    for index, page in enumerate(writer.pages):
        box = _display_box(page)
        footer = f"{info.footer}  \u00b7  {info.page_word} {index + 1} of {layout.pages}"
        item = firsts.get(index)
        form = _form_xobject(writer, box.size, _overlay(box.size, footer, item, faces), fonts)
        _wrap_contents(writer, page, save, _placement(box), _add_xobject(page, form))


def _item_stamp(part: Part) -> str:
    """The box on a document's first page: "Item 8", or "Item 8 · Supplement 1" when marked."""
    return f"Item {part.item}  \u00b7  {part.mark}" if part.mark else f"Item {part.item}"


@dataclass(frozen=True)
class StampFonts:
    """The footer's and the item box's fonts: embedded subsets, or the standard ones if no
    font is installed to embed (the pack is then not PDF/UA: `check-pdf` says so)."""

    regular: Font | None
    bold: Font | None

    def width(self, text: str, bold: bool, size: float) -> float:
        font = self.bold if bold else self.regular
        if font is not None:
            return font.width(text, size)
        return stringWidth(text, ITEM_FONT if bold else FOOTER_FONT, size)


def stamp_fonts(footer: str, item: str) -> StampFonts:
    """Load the fonts the stamps are drawn in, with the glyphs of `footer` and `item` text."""
    return StampFonts(load_font("regular", footer), load_font("bold", item))


def _font_resources(writer: PdfWriter, faces: StampFonts) -> IndirectObject:
    """Add the stamps' resources: the footer's and the item box's fonts."""
    fonts = DictionaryObject()
    for (name, font), face in zip(_FONTS.items(), (faces.regular, faces.bold), strict=True):
        if face is not None:
            fonts[NameObject(name)] = embed_font(writer, face)
            continue
        fonts[NameObject(name)] = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject(f"/{font}"),
                    NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
                }
            )
        )
    procset = ArrayObject([NameObject("/PDF"), NameObject("/Text")])
    resources = {NameObject("/Font"): fonts, NameObject("/ProcSet"): procset}
    return writer._add_object(DictionaryObject(resources))


_FONTS = {"/F1": FOOTER_FONT, "/F2": ITEM_FONT}


def _form_xobject(
    writer: PdfWriter, size: tuple[float, float], content: bytes, resources: IndirectObject
) -> IndirectObject:
    """Add a page-sized, Flate-compressed Form XObject drawing `content`."""
    form = _stream(content)
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/FormType")] = NumberObject(1)
    form[NameObject("/BBox")] = ArrayObject(_numbers(0, 0, *size))
    form[NameObject("/Resources")] = resources
    return writer._add_object(form.flate_encode())


def _add_xobject(page: PageObject, form: IndirectObject) -> NameObject:
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


def _wrap_contents(
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
    draw = f"\nQ\nq {_pdf(*at.ctm)} cm {name} Do Q\n".encode("ascii")
    page[NameObject("/Contents")] = ArrayObject([save, *streams, writer._add_object(_stream(draw))])


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _text(number: NumberObject | FloatObject) -> str:
    """Write a PDF number as it appears in a content stream."""
    buffer = io.BytesIO()
    number.write_to_stream(buffer)
    return buffer.getvalue().decode("ascii")


def _numbers(*values: float) -> list[NumberObject | FloatObject]:
    """PDF numbers: whole ones as integers, others to 1/10000 of a point, never as 1e-17."""
    numbers: list[NumberObject | FloatObject] = []
    for value in values:
        value = round(value, 4) + 0.0  # + 0.0 turns -0.0 into 0.0
        numbers.append(NumberObject(int(value)) if value.is_integer() else FloatObject(value))
    return numbers


@dataclass(frozen=True)
class _Box:
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


def _display_box(page: PageObject) -> _Box:
    box = page.cropbox
    left, right = sorted((float(box.left), float(box.right)))
    bottom, top = sorted((float(box.bottom), float(box.top)))
    return _Box(left, bottom, right, top, page.rotation % 360)


def _placement(box: _Box) -> Transformation:
    """Map the upright overlay onto the page so it reads upright once /Rotate is applied."""
    corner = {
        0: (box.left, box.bottom),
        90: (box.right, box.bottom),
        180: (box.right, box.top),
        270: (box.left, box.top),
    }[box.rotation]
    return Transformation().rotate(box.rotation).translate(*corner)


def _overlay(size: tuple[float, float], footer: str, item: str | None, fonts: StampFonts) -> bytes:
    """Draw a page's stamp, upright on a page of the size shown: the footer and the item box,
    each marked as a pagination artifact, so that a screen reader passes over them."""
    width, height = size
    footer_size = min(FOOTER_SIZE, 0.9 * width / fonts.width(footer, False, 1))
    x = width / 2 - fonts.width(footer, False, footer_size) / 2
    ops = [
        f"{_ARTIFACT % '/Footer'} 0.25 g "
        f"{_text_op('/F1', footer_size, x, FOOTER_BASELINE, footer)} EMC"
    ]
    if item is not None:
        box_width, box_height = fonts.width(item, True, ITEM_SIZE) + 10, ITEM_SIZE + 6
        x, y = width - ITEM_MARGIN - box_width, height - ITEM_MARGIN - box_height
        ops.append(_ARTIFACT % "/Header")
        ops.append(f"1 1 1 rg 0.2 G 0.8 w {_pdf(x, y, box_width, box_height)} re B")
        ops.append(f"0 g {_text_op('/F2', ITEM_SIZE, x + 5, y + 4.5, item)} EMC")
    return "\n".join(ops).encode("ascii") + b"\n"


_ARTIFACT = "/Artifact <</Type /Pagination /Subtype %s>> BDC"


def _text_op(font: str, size: float, x: float, y: float, text: str) -> str:
    """Show `text` in a WinAnsi-encoded standard font at (x, y)."""
    return f"BT {font} {_pdf(size)} Tf {_pdf(x, y)} Td {winansi_string(text)} Tj ET"


def _pdf(*values: float) -> str:
    """Numbers as written in a content stream."""
    return " ".join(_text(number) for number in _numbers(*values))
