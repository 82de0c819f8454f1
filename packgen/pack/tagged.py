"""A merged pack that keeps every document's structure tree, so screen readers can follow it.

Each document's tree is copied after its pages are appended: its elements point to the copied
pages and annotations, hang under one `Sect` per document (titled as its bookmark) in one
`Document`, and its parent-tree entries are shifted past the documents before it. The same PDF
merged twice gets two trees of its own (a copy never shares an element with another).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NullObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

from packgen.pack.objects import name as _name  # each name's bytes are worked out once
from packgen.pack.structure import StructureCache, structure
from packgen.pack.trees import Element, Structure, array

log = logging.getLogger(__name__)


@dataclass
class TaggedPack:
    """The structure tree of a pack being merged into `writer`."""

    writer: PdfWriter
    root: IndirectObject = field(init=False)
    document: IndirectObject = field(init=False)
    sections: ArrayObject = field(default_factory=ArrayObject)
    nums: list[PdfObject] = field(default_factory=list)
    next_key: int = 0
    role_map: DictionaryObject = field(default_factory=DictionaryObject)
    class_map: DictionaryObject = field(default_factory=DictionaryObject)
    claimed: set[int] = field(default_factory=set)  # annotations a copied page already owns
    cache: StructureCache | None = None  # the trees read before, kept on disk

    def __post_init__(self) -> None:
        self.root = self.writer._add_object(DictionaryObject())
        document = DictionaryObject(
            {
                _name("/Type"): _name("/StructElem"),
                _name("/S"): _name("/Document"),
                _name("/P"): self.root,
                _name("/K"): self.sections,
            }
        )
        self.document = self.writer._add_object(document)

    def add(self, reader: PdfReader, start: int, title: str, pdf: Path | None = None) -> bool:
        """Take in the tree of the document (from `pdf`) whose pages were appended from index
        `start`. Return whether it had one: an untagged document's pages are left as they are."""
        taken = range(len(reader.pages))
        annotations = self._annotations(start, len(taken))
        found = structure(reader, self.cache, pdf)
        if found is None:
            return False
        section = self._section(title, found.language)
        self._write(found, taken, start, annotations, found.top, section)
        return True

    def add_range(self, reader: PdfReader, start: int, first: int, end: int) -> bool:
        """Take in the documents of a tagged pack on its pages `first`..`end` - 1, appended from
        index `start` (a part of the pack cut for email)."""
        taken = range(first, end)
        annotations = self._annotations(start, len(taken))
        found = structure(reader)
        if found is None:
            return False
        top = [i for i in found.top if found.elements[i].first_page in taken]
        self._write(found, taken, start, annotations, top, self.document)
        return True

    def _section(self, title: str, language: str | None) -> IndirectObject:
        section = DictionaryObject(
            {
                _name("/Type"): _name("/StructElem"),
                _name("/S"): _name("/Sect"),
                _name("/P"): self.document,
                _name("/T"): TextStringObject(title),
                _name("/K"): ArrayObject(),
            }
        )
        if language:
            section[_name("/Lang")] = TextStringObject(language)
        ref = self.writer._add_object(section)
        self.sections.append(ref)
        return ref

    def _annotations(self, start: int, count: int) -> list[list[IndirectObject]]:
        """Each appended page's annotations, each made an object of this page's own."""
        places = []
        for page in self.writer.pages[start : start + count]:
            fresh = ArrayObject()
            for copy in array(page.get("/Annots")):
                ref = copy if isinstance(copy, IndirectObject) else self.writer._add_object(copy)
                if ref.idnum in self.claimed:  # shared with an earlier copy of this PDF
                    duplicate = DictionaryObject(ref.get_object())
                    duplicate[_name("/P")] = page.indirect_reference
                    ref = self.writer._add_object(duplicate)
                self.claimed.add(ref.idnum)
                fresh.append(ref)
            if fresh:
                page[_name("/Annots")] = fresh
            places.append(list(fresh))
        return places

    def _write(self, found: Structure, taken: range, start, annotations, top, parent) -> None:
        """Write the elements under `top` below `parent`, onto the pages appended from `start`."""
        pages = {source: self.writer.pages[start + n] for n, source in enumerate(taken)}
        refs = _Writing(self.writer, found, pages, annotations, taken).elements(top, parent)
        parent.get_object()["/K"].extend(refs[i] for i in top)
        offset = self.next_key
        for n, source in enumerate(taken):
            page = self.writer.pages[start + n]
            key = found.page_keys[source]
            if key is not None:
                page[_name("/StructParents")] = NumberObject(key + offset)
                self._entry(key + offset, found.parents.get(key), refs)
            page[_name("/Tabs")] = _name("/S")  # tab order follows the structure (PDF/UA)
            for place, ref in enumerate(annotations[n]):
                key = found.annotation_keys.get((source, place))
                if key is not None:
                    ref.get_object()[_name("/StructParent")] = NumberObject(key + offset)
                    self._entry(key + offset, found.parents.get(key), refs)
        self.next_key = offset + found.next_key
        self._merge_maps(found)

    def _entry(self, key: int, value, refs: dict[int, IndirectObject]) -> None:
        if isinstance(value, list):
            entry = ArrayObject(
                refs.get(i, NullObject()) if i is not None else NullObject() for i in value
            )
        else:
            entry = refs.get(value, NullObject()) if value is not None else NullObject()
        self.nums += [NumberObject(key), entry]

    def _merge_maps(self, found: Structure) -> None:
        for key, source, merged in (
            ("/RoleMap", found.role_map, self.role_map),
            ("/ClassMap", found.class_map, self.class_map),
        ):
            for name, value in source.items():
                if name in merged and merged[name] != value:
                    log.debug("%s %s is mapped two ways; keeping the first", key, name)
                    continue
                merged[_name(name)] = value

    def finish(self, language: str, title: str) -> None:
        """Put the tree in the catalog, with what PDF/UA asks of the pack as a whole."""
        tree = DictionaryObject(
            {
                _name("/Type"): _name("/StructTreeRoot"),
                _name("/K"): self.document,
                _name("/ParentTree"): self.writer._add_object(
                    DictionaryObject({_name("/Nums"): ArrayObject(self.nums)})
                ),
                _name("/ParentTreeNextKey"): NumberObject(self.next_key),
            }
        )
        if self.role_map:
            tree[_name("/RoleMap")] = self.role_map
        if self.class_map:
            tree[_name("/ClassMap")] = self.class_map
        self.writer._replace_object(self.root, tree)
        catalog = self.writer.root_object
        catalog[_name("/StructTreeRoot")] = self.root
        catalog[_name("/MarkInfo")] = DictionaryObject({_name("/Marked"): BooleanObject(True)})
        catalog[_name("/Lang")] = TextStringObject(language)
        catalog[_name("/ViewerPreferences")] = DictionaryObject(
            {_name("/DisplayDocTitle"): BooleanObject(True)}
        )
        catalog[_name("/Metadata")] = self.writer._add_object(xmp_metadata(title, language))


class _Writing:
    """Writes one document's elements into a pack, each once, onto the pack's pages."""

    def __init__(self, writer, found: Structure, pages: dict, annotations, taken: range) -> None:
        self.writer, self.found, self.pages = writer, found, pages
        self.annotations = {
            (source, place): ref
            for n, source in enumerate(taken)
            for place, ref in enumerate(annotations[n])
        }

    def elements(self, top: list[int], parent: IndirectObject) -> dict[int, IndirectObject]:
        """Write the elements under `top` (a tree: each has one parent); return their refs."""
        order, parents, stack = [], {}, [(i, parent) for i in reversed(top)]
        refs: dict[int, IndirectObject] = {}
        while stack:
            index, above = stack.pop()
            if index in refs:
                continue
            refs[index] = self.writer._add_object(DictionaryObject())
            order.append(index)
            parents[index] = above
            kids = [k[1] for k in self.found.elements[index].kids if k[0] == "element"]
            stack += [(kid, refs[index]) for kid in reversed(kids)]
        for index in order:
            self._fill(refs[index].get_object(), self.found.elements[index], parents[index], refs)
        return refs

    def _fill(self, node: DictionaryObject, element: Element, parent, refs) -> None:
        node.update(element.attributes)
        node[_name("/P")] = parent
        if element.page in self.pages:
            node[_name("/Pg")] = self.pages[element.page].indirect_reference
        kids = ArrayObject()
        for kid in element.kids:
            written = self._kid(kid, refs)
            if written is not None:
                kids.append(written)
        node[_name("/K")] = kids

    def _kid(self, kid: tuple, refs: dict[int, IndirectObject]):
        kind = kid[0]
        if kind == "mcid":
            return NumberObject(kid[1])
        if kind == "element":
            return refs.get(kid[1])
        page = self.pages.get(kid[1]) if kid[1] is not None else None
        if kind == "mcr":
            reference = DictionaryObject(
                {_name("/Type"): _name("/MCR"), _name("/MCID"): NumberObject(kid[2])}
            )
            if kid[3] is not None:
                reference[_name("/Stm")] = kid[3].clone(self.writer)
        else:
            annotation = self.annotations.get((kid[1], kid[2]))
            if annotation is None:
                return None  # an annotation the pack doesn't keep
            reference = DictionaryObject(
                {_name("/Type"): _name("/OBJR"), _name("/Obj"): annotation}
            )
        if page is not None:
            reference[_name("/Pg")] = page.indirect_reference
        return reference


def xmp_metadata(title: str, language: str) -> DecodedStreamObject:
    """The pack's XMP: its title and language, and that it claims PDF/UA-1."""
    text = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{_xml(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:language><rdf:Bag><rdf:li>{_xml(language)}</rdf:li></rdf:Bag></dc:language>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    stream = DecodedStreamObject()
    stream.set_data(text.encode("utf-8"))
    stream[_name("/Type")] = _name("/Metadata")
    stream[_name("/Subtype")] = _name("/XML")
    return stream


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
