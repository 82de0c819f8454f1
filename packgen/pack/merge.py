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
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.constants import PageLabelStyle
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, NameObject
from reportlab.lib.units import cm

from packgen import __version__
from packgen.errors import InputError, Location, Problem
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
    text_op,
)
from packgen.pack.structure import StructureCache
from packgen.pack.tagged import TaggedPack
from packgen.plan import Layout, PackInfo, Part, plan_layout

log = logging.getLogger(__name__)

FOOTER_SIZE = 8.0
FOOTER_BASELINE = 0.9 * cm  # from the bottom edge, below the documents' own bottom margins
ITEM_SIZE = 9.0
ITEM_MARGIN = 0.5 * cm  # the item box's distance from the top and right edges
MARKING_SIZE = 9.0
MARKING_TOP = 0.9 * cm  # the marking's baseline from the top edge, in line with the item box
MARKING_BOTTOM = FOOTER_BASELINE + 0.45 * cm  # just above the footer
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
    """Stamp every page's footer, each paper's first page with its item number, and each page
    of a marked document (a restricted item's, or any with a whole-pack marking) with its
    protective marking at the top and bottom.

    Each page's stamp is a Form XObject drawn after the page's own content, which is wrapped
    in q … Q and never parsed or recompressed (packgen.pack.stamping).
    """
    firsts = {layout.documents[p.key][0] - 1: _item_stamp(p) for p in parts if p.item is not None}
    markings = page_markings(parts, layout, info.marking)
    marks = "".join(p.mark for p in parts)
    bold = f"Item 0123456789 \u00b7 {marks}" + "".join(sorted(set(markings.values())))
    faces = stamp_fonts(f"{info.footer}  \u00b7  {info.page_word} 0123456789 of", bold)
    fonts = font_resources(writer, faces)
    save = save_stream(writer)  # one "q" stream, shared by every page
    for index, page in enumerate(writer.pages):
        size = display_box(page).size
        stamp = Stamp(
            footer=f"{info.footer}  \u00b7  {info.page_word} {index + 1} of {layout.pages}",
            item=firsts.get(index),
            marking=markings.get(index, ""),
        )
        form = form_xobject(writer, size, _overlay(size, stamp, faces), fonts)
        draw_over(writer, page, save, form)


def _item_stamp(part: Part) -> str:
    """The box on a document's first page: "Item 8", or "Item 8 · Supplement 1" when marked."""
    return f"Item {part.item}  \u00b7  {part.mark}" if part.mark else f"Item {part.item}"


def page_markings(parts: Sequence[Part], layout: Layout, whole: str = "") -> dict[int, str]:
    """Return the protective marking of each marked page (0-based): its document's, else the
    whole pack's."""
    markings = {}
    for part in parts:
        first, last = layout.documents[part.key]
        for index in range(first - 1, last):
            if part.marking or whole:
                markings[index] = part.marking or whole
    return markings


@dataclass(frozen=True)
class Stamp:
    """What one page is stamped with."""

    footer: str
    item: str | None = None
    marking: str = ""


def _overlay(size: tuple[float, float], stamp: Stamp, fonts: StampFonts) -> bytes:
    """Draw a page's stamp, upright on a page of the size shown: the footer, the item box and
    the marking, each marked as a pagination artifact, so that a screen reader passes over them."""
    width, height = size
    footer_size, x = centred(fonts, stamp.footer, False, FOOTER_SIZE, width)
    ops = [
        f"{ARTIFACT % '/Footer'} 0.25 g "
        f"{text_op('/F1', footer_size, x, FOOTER_BASELINE, stamp.footer)} EMC"
    ]
    if stamp.item is not None:
        box_width, box_height = fonts.width(stamp.item, True, ITEM_SIZE) + 10, ITEM_SIZE + 6
        x, y = width - ITEM_MARGIN - box_width, height - ITEM_MARGIN - box_height
        ops.append(ARTIFACT % "/Header")
        ops.append(f"1 1 1 rg 0.2 G 0.8 w {pdf(x, y, box_width, box_height)} re B")
        ops.append(f"0 g {text_op('/F2', ITEM_SIZE, x + 5, y + 4.5, stamp.item)} EMC")
    if stamp.marking:
        marking_size, x = centred(fonts, stamp.marking, True, MARKING_SIZE, width)
        for subtype, y in (("/Header", height - MARKING_TOP), ("/Footer", MARKING_BOTTOM)):
            text = text_op("/F2", marking_size, x, y, stamp.marking)
            ops.append(f"{ARTIFACT % subtype} 0 g {text} EMC")
    return "\n".join(ops).encode("ascii") + b"\n"
