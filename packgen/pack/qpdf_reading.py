"""Reading a PDF's structure tree with qpdf (pikepdf), about fifteen times faster than pypdf
parses the same few thousand elements.

It gives the same `Structure` as packgen.pack.structure reads with pypdf, values converted to
pypdf's objects: pages, annotations and elements are found by their object numbers, which
qpdf and pypdf both take from the file. The merge still copies pages with pypdf; a stream an
element points to (marked content in a form XObject) is handed over as the pypdf reader's
reference to the same object.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pikepdf
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NullObject,
    NumberObject,
    PdfObject,
    create_string_object,
)

from packgen.pack.objects import name
from packgen.pack.trees import (
    MAX_DEPTH,
    STRUCTURAL,
    Element,
    Kid,
    Structure,
    first_page,
    next_key,
    semantic,
)


def read_with_qpdf(pdf: Path, reader: PdfReader) -> Structure | None:
    """The structure tree of `pdf` (which `reader` has open), or None for an untagged PDF.

    Raises ValueError when qpdf and pypdf don't see the same pages: read it with pypdf then."""
    with pikepdf.open(pdf) as document:
        if len(document.pages) != len(reader.pages):
            raise ValueError("qpdf and pypdf count its pages differently")
        return _Reading(document, reader).structure()


class _Reading:
    def __init__(self, document: pikepdf.Pdf, reader: PdfReader) -> None:
        self.document, self.reader = document, reader
        self.pages = {page.obj.objgen[0]: n for n, page in enumerate(document.pages)}
        self.annotations: dict[int, tuple[int, int]] = {}  # object number → (page, place)
        self.annotation_objects: dict[tuple[int, int], pikepdf.Object] = {}
        for number, page in enumerate(document.pages):
            for place, ref in enumerate(_items(page.obj.get("/Annots"))):
                if _indirect(ref):
                    self.annotations[ref.objgen[0]] = (number, place)
                    self.annotation_objects[(number, place)] = ref
        self.elements: list[Element] = []
        self.index: dict[int, int] = {}  # source object number → element index
        self._direct = itertools.count(-1, -1)  # keys of elements that are direct objects

    def structure(self) -> Structure | None:
        catalog = self.document.Root
        root = catalog.get("/StructTreeRoot")
        if root is None:
            return None
        role_map = _plain_dict(root.get("/RoleMap"))
        kids = _unwrapped(list(_items(root.get("/K"))), role_map)
        top = [i for i in (self.element(kid, 0) for kid in kids) if i is not None]
        parents = {key: self.entry(value) for key, value in _number_tree(root.get("/ParentTree"))}
        page_keys = [_int(page.obj.get("/StructParents")) for page in self.document.pages]
        annotation_keys = {}
        for place, annotation in self.annotation_objects.items():
            key = _int(annotation.get("/StructParent")) if _is_dict(annotation) else None
            if key is not None:
                annotation_keys[place] = key
        language = catalog.get("/Lang")
        return Structure(
            elements=self.elements,
            top=top,
            page_keys=page_keys,
            annotation_keys=annotation_keys,
            parents=parents,
            next_key=next_key(_int(root.get("/ParentTreeNextKey")), parents),
            role_map=role_map,
            class_map=_plain_dict(root.get("/ClassMap")),
            language=str(_pypdf(language)) if isinstance(language, pikepdf.String) else None,
        )

    def element(self, node: pikepdf.Object, depth: int) -> int | None:
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node or depth > MAX_DEPTH:
            return None
        key = node.objgen[0] if node.is_indirect else next(self._direct)
        if key in self.index:
            return self.index[key]
        attributes = {name(k): _pypdf(v) for k, v in node.items() if k not in STRUCTURAL}
        if "/A" in attributes:
            kept = semantic(attributes.pop(name("/A")))
            if kept is not None:
                attributes[name("/A")] = kept
        element = Element(attributes, self._page(node.get("/Pg")))
        self.index[key] = len(self.elements)
        self.elements.append(element)
        for kid in _items(node.get("/K")):
            read = self.kid(kid, depth + 1)
            if read is not None:
                element.kids.append(read)
        element.first_page = first_page(element, self.elements)
        return self.index[key]

    def kid(self, kid: object, depth: int) -> Kid | None:
        if isinstance(kid, int) and not isinstance(kid, bool):
            return ("mcid", kid)
        if not isinstance(kid, pikepdf.Dictionary):
            return None
        page = self._page(kid.get("/Pg"))
        kind = kid.get("/Type")
        if kind == "/MCR":
            stream = kid.get("/Stm")
            ref = (
                IndirectObject(stream.objgen[0], stream.objgen[1], self.reader)
                if isinstance(stream, pikepdf.Object) and stream.is_indirect
                else None
            )
            mcid = kid.get("/MCID")
            return ("mcr", page, mcid if isinstance(mcid, int) else -1, ref)
        if kind == "/OBJR":
            obj = kid.get("/Obj")
            place = self.annotations.get(obj.objgen[0]) if _indirect(obj) else None
            return ("objr", page, place[1]) if place is not None else None
        index = self.element(kid, depth)
        return ("element", index) if index is not None else None

    def entry(self, value: object) -> list[int | None] | int | None:
        if isinstance(value, pikepdf.Array):
            return [self._indexed(item) for item in value]
        return self._indexed(value)

    def _indexed(self, value: object) -> int | None:
        return self.index.get(value.objgen[0]) if _indirect(value) else None

    def _page(self, ref: object) -> int | None:
        return self.pages.get(ref.objgen[0]) if _indirect(ref) else None


def _is_dict(value: object) -> bool:
    return isinstance(value, pikepdf.Dictionary)


def _indirect(value: object) -> bool:
    return isinstance(value, pikepdf.Object) and value.is_indirect


def _items(value: object) -> Iterator:
    if value is None:
        return iter(())
    return iter(value) if isinstance(value, pikepdf.Array) else iter((value,))


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _unwrapped(kids: list, role_map: DictionaryObject) -> list:
    """A lone Document's kids (each document becomes a Sect of the pack's Document)."""
    if len(kids) == 1 and isinstance(kids[0], pikepdf.Dictionary):
        role = kids[0].get("/S")
        role = role_map.get(str(role), str(role)) if role is not None else None
        inner = list(_items(kids[0].get("/K")))
        elements = all(isinstance(k, pikepdf.Dictionary) and "/S" in k for k in inner)
        if role == "/Document" and inner and elements:
            return inner
    return kids


def _number_tree(node: object, depth: int = 0) -> Iterator[tuple[int, object]]:
    if not isinstance(node, pikepdf.Dictionary) or depth > MAX_DEPTH:
        return
    found = node.get("/Nums")
    nums = list(found) if isinstance(found, pikepdf.Array) else []
    for key, value in zip(nums[::2], nums[1::2], strict=False):
        if _int(key) is not None:
            yield key, value
    kids = node.get("/Kids")
    for kid in kids if isinstance(kids, pikepdf.Array) else ():
        yield from _number_tree(kid, depth + 1)


def _plain_dict(value: object) -> DictionaryObject:
    return _pypdf(value) if isinstance(value, pikepdf.Dictionary) else DictionaryObject()


def _pypdf(value: object, depth: int = 0) -> PdfObject:
    """A direct pypdf copy of a value, as packgen.pack.structure copies one (references to
    pages or streams become null)."""
    if depth > 32 or value is None or isinstance(value, pikepdf.Stream):
        return NullObject()
    if isinstance(value, bool):
        return BooleanObject(value)
    if isinstance(value, int):
        return NumberObject(value)
    if isinstance(value, (Decimal, float)):
        return FloatObject(str(value))
    if isinstance(value, pikepdf.Name):
        return name(str(value))
    if isinstance(value, pikepdf.String):
        return create_string_object(bytes(value))
    if isinstance(value, pikepdf.Dictionary):
        if value.is_indirect and value.get("/Type") == "/Page":
            return NullObject()
        return DictionaryObject({name(k): _pypdf(v, depth + 1) for k, v in value.items()})
    if isinstance(value, pikepdf.Array):
        return ArrayObject(_pypdf(v, depth + 1) for v in value)
    return NullObject()
