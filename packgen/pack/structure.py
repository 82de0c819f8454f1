"""Reading a PDF's structure tree once (packgen.pack.trees holds what is read), with qpdf when
it can and pypdf else, and keeping it between builds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
)

from packgen.pack.trees import (
    MAX_DEPTH,
    STRUCTURAL,
    Element,
    Kid,
    Structure,
    decode,
    encode,
    first_page,
    items,
    next_key,
    number_tree,
    scope_row_headers,
    semantic,
)
from packgen.store import MAX_AGE, Store, code_digest

log = logging.getLogger(__name__)

_READ: weakref.WeakKeyDictionary[PdfReader, Structure | None] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
FORMAT = "packgen structure 2"  # change when what an entry holds or how it is written changes
CACHE_DIR = Path(".cache") / "structure"


class StructureCache:
    """Structure trees kept as JSON by the bytes of the PDF they were read from, so that a
    rebuild doesn't parse again the trees of the PDFs that didn't change (never a pickle)."""

    def __init__(self, root: Path) -> None:
        self.store = Store(root, ".json", "a structure tree", logger=log)

    @classmethod
    def for_output(cls, output: Path) -> StructureCache:
        return cls(output / CACHE_DIR)

    def key(self, pdf: Path) -> str:
        text = f"{FORMAT}\n{code_digest()}\n".encode()
        return hashlib.sha256(text + pdf.read_bytes()).hexdigest()

    def get(self, key: str) -> Structure | None | bool:
        """The tree kept for `key`, None for a PDF known untagged, False when none is kept."""
        data = self.store.read(key)
        if data is None:
            return False
        try:
            return decode(json.loads(data))
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            log.debug("Ignoring the kept structure tree %s: %s", key, exc)
            return False

    def put(self, key: str, found: Structure | None) -> None:
        try:
            text = json.dumps(encode(found), separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as exc:  # a value JSON can't hold: read it each time
            log.debug("Not keeping a structure tree: %s", exc)
            return
        self.store.put(key, text.encode("utf-8"))

    def prune(self, max_age: float = MAX_AGE) -> int:
        return self.store.prune(max_age)


def structure(
    reader: PdfReader, cache: StructureCache | None = None, pdf: Path | None = None
) -> Structure | None:
    """The reader's structure tree (read on first asking, then kept with the reader and, given
    a cache and the PDF's path, on disk), or None for an untagged PDF. Readers may be shared:
    this reads them, never changes them."""
    with _LOCK:
        if reader in _READ:
            return _READ[reader]
    key = cache.key(pdf) if cache is not None and pdf is not None else None
    found = cache.get(key) if key is not None else False
    if found is False:
        found = scope_row_headers(_read_file(reader, pdf))
        if key is not None:
            cache.put(key, found)
    with _LOCK:
        _READ[reader] = found
    return found


def read_ahead(
    pdfs: list[Path], cache: StructureCache | None, open_pdf: Callable[[Path], PdfReader]
) -> threading.Thread:
    """Read the PDFs' structure trees in a thread of their own, while the caller waits on
    LibreOffice; join it before anything else reads those PDFs (a reader is not thread-safe).
    `open_pdf` gives the reader the merge will use."""

    def read() -> None:
        for pdf in pdfs:
            try:
                structure(open_pdf(pdf), cache, pdf)
            except Exception as exc:  # noqa: BLE001 (the merge reads it again and says why)
                log.debug("Could not read the structure tree of %s ahead: %s", pdf.name, exc)

    thread = threading.Thread(target=read, name="packgen-structure", daemon=True)
    thread.start()
    return thread


def _read_file(reader: PdfReader, pdf: Path | None) -> Structure | None:
    """Read the tree with qpdf from the PDF's file (fifteen times faster), else with pypdf."""
    if pdf is not None:
        # Imported only here: pikepdf takes 0.2 s to import, and a rebuild reads its trees
        # from the cache.
        from pikepdf import PdfError

        from packgen.pack.qpdf_reading import read_with_qpdf

        try:
            return read_with_qpdf(pdf, reader)
        except (PdfError, OSError, ValueError, TypeError, KeyError, IndexError) as exc:
            log.debug("qpdf could not read the structure tree of %s: %s", pdf.name, exc)
    return read_with_pypdf(reader)


def read_with_pypdf(reader: PdfReader) -> Structure | None:
    catalog = reader.trailer["/Root"]
    root = catalog.get("/StructTreeRoot")
    if root is None:
        return None
    root = root.get_object()
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    annotations = _annotation_places(reader)
    reading = _Reading(pages, annotations)
    kids = list(items(root.get("/K")))
    top = [i for i in (reading.element(kid, 0) for kid in _unwrapped(kids, root)) if i is not None]
    parents = {}
    for key, value in number_tree(root.get("/ParentTree")):
        parents[key] = reading.entry(value)
    page_keys = [_int(page.get("/StructParents")) for page in reader.pages]
    annotation_keys = {}
    for (page, place), ref in annotations.items():
        key = _int(ref.get_object().get("/StructParent"))
        if key is not None:
            annotation_keys[(page, place)] = key
    declared = _int(root.get("/ParentTreeNextKey"))
    return Structure(
        elements=reading.elements,
        top=top,
        page_keys=page_keys,
        annotation_keys=annotation_keys,
        parents=parents,
        next_key=next_key(declared, parents),
        role_map=_plain_dict(root.get("/RoleMap")),
        class_map=_plain_dict(root.get("/ClassMap")),
        language=str(catalog["/Lang"]) if catalog.get("/Lang") else None,
    )


class _Reading:
    """Reads elements once each, depth first, noting each one's index."""

    def __init__(self, pages: dict[int, int], annotations: dict[tuple[int, int], IndirectObject]):
        self.pages = pages
        self.annotations = {ref.idnum: place for place, ref in annotations.items()}
        self.elements: list[Element] = []
        self.index: dict[int, int] = {}  # source object number → element index

    def element(self, source: PdfObject, depth: int) -> int | None:
        node = source.get_object()
        if not isinstance(node, DictionaryObject) or "/S" not in node or depth > MAX_DEPTH:
            return None
        key = source.idnum if isinstance(source, IndirectObject) else id(node)
        if key in self.index:
            return self.index[key]
        attributes = {k: _plain(v) for k, v in node.items() if k not in STRUCTURAL}
        if "/A" in attributes:
            kept = semantic(attributes.pop("/A"))
            if kept is not None:
                attributes[NameObject("/A")] = kept
        element = Element(attributes, self._page(node.raw_get("/Pg") if "/Pg" in node else None))
        self.index[key] = len(self.elements)
        self.elements.append(element)
        for kid in items(node.get("/K")):
            read = self.kid(kid, depth + 1)
            if read is not None:
                element.kids.append(read)
        element.first_page = first_page(element, self.elements)
        return self.index[key]

    def kid(self, kid: PdfObject, depth: int) -> Kid | None:
        node = kid.get_object()
        if isinstance(node, NumberObject):
            return ("mcid", int(node))
        if not isinstance(node, DictionaryObject):
            return None
        page = self._page(node.raw_get("/Pg") if "/Pg" in node else None)
        if node.get("/Type") == "/MCR":
            stream = node.raw_get("/Stm") if "/Stm" in node else None
            return ("mcr", page, int(node.get("/MCID", -1)), stream)
        if node.get("/Type") == "/OBJR":
            obj = node.raw_get("/Obj") if "/Obj" in node else None
            place = self.annotations.get(obj.idnum) if isinstance(obj, IndirectObject) else None
            return ("objr", page, place) if place is not None else None
        index = self.element(kid, depth)
        return ("element", index) if index is not None else None

    def entry(self, value: PdfObject) -> list[int | None] | int | None:
        node = value.get_object() if isinstance(value, IndirectObject) else value
        if isinstance(node, ArrayObject):
            return [self._indexed(item) for item in node]
        return self._indexed(value)

    def _indexed(self, value: PdfObject) -> int | None:
        return self.index.get(value.idnum) if isinstance(value, IndirectObject) else None

    def _page(self, ref: PdfObject | None) -> int | None:
        return self.pages.get(ref.idnum) if isinstance(ref, IndirectObject) else None


def _annotation_places(reader: PdfReader) -> dict[tuple[int, int], IndirectObject]:
    places = {}
    for number, page in enumerate(reader.pages):
        for place, ref in enumerate(items(page.get("/Annots"))):
            if isinstance(ref, IndirectObject):
                places[(number, place)] = ref
    return places


def _unwrapped(kids: list[PdfObject], root: DictionaryObject) -> list[PdfObject]:
    """A lone Document's kids (each document becomes a Sect of the pack's Document)."""
    if len(kids) == 1:
        top = kids[0].get_object()
        role = _plain_dict(root.get("/RoleMap")).get(top.get("/S"), top.get("/S"))
        inner = list(items(top.get("/K")))
        if role == "/Document" and inner and all(_is_element(k) for k in inner):
            return inner
    return kids


def _is_element(kid: PdfObject) -> bool:
    node = kid.get_object()
    return isinstance(node, DictionaryObject) and "/S" in node


def _plain(value: PdfObject, depth: int = 0) -> PdfObject:
    """A direct copy of an attribute value (references to pages or streams become null)."""
    if depth > 32:
        return NullObject()
    if isinstance(value, IndirectObject):
        value = value.get_object()
        page = isinstance(value, DictionaryObject) and value.get("/Type") == "/Page"
        if isinstance(value, StreamObject) or page:
            return NullObject()
    if isinstance(value, DictionaryObject):
        return DictionaryObject({NameObject(k): _plain(v, depth + 1) for k, v in value.items()})
    if isinstance(value, ArrayObject):
        return ArrayObject(_plain(v, depth + 1) for v in value)
    return value


def _plain_dict(value: PdfObject | None) -> DictionaryObject:
    node = value.get_object() if value is not None else None
    return _plain(node) if isinstance(node, DictionaryObject) else DictionaryObject()


def _int(value: PdfObject | None) -> int | None:
    value = value.get_object() if value is not None else None
    return int(value) if isinstance(value, NumberObject) else None
