"""A PDF's structure tree as plain data, so that it can be written into any number of packs
without reading the PDF again (the full pack, the public pack and each email part), and kept as
JSON between builds.

Pages are named by their index in the PDF, annotations by their page and place on it, and
elements by their index in `Structure.elements`; attribute values are direct copies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NumberObject,
    PdfObject,
)

from packgen.pack.objects import decode_object, encode_object, name

MAX_DEPTH = 200  # a structure tree deeper than this is taken as broken, not followed
STRUCTURAL = ("/P", "/K", "/Pg", "/ID")  # rewritten for each copy, or (IDs) left out

# A kid of an element: ("mcid", n) on the element's page, ("mcr", page, n, stream or None),
# ("objr", page, place on the page's /Annots), or ("element", index).
Kid = tuple


@dataclass
class Element:
    """One structure element: its attributes, its page (if it names one) and its kids."""

    attributes: dict[str, PdfObject]
    page: int | None
    kids: list[Kid] = field(default_factory=list)
    first_page: int | None = None  # the page its content starts on, its kids' included


@dataclass
class Structure:
    """One PDF's structure tree as plain data."""

    elements: list[Element]
    top: list[int]  # the elements that go under the document's Sect
    page_keys: list[int | None]  # each page's /StructParents
    annotation_keys: dict[tuple[int, int], int]  # (page, place) → its /StructParent
    parents: dict[int, list[int | None] | int | None]  # parent-tree key → element(s)
    next_key: int
    role_map: DictionaryObject
    class_map: DictionaryObject
    language: str | None


def first_page(element: Element, elements: list[Element]) -> int | None:
    """The page an element's content starts on: its own, else its first kid's that has one."""
    if element.page is not None:
        return element.page
    for kid in element.kids:
        if kid[0] == "element" and elements[kid[1]].first_page is not None:
            return elements[kid[1]].first_page
        if kid[0] in ("mcr", "objr") and kid[1] is not None:
            return kid[1]
    return None


def next_key(declared: int | None, parents: dict) -> int:
    """The first parent-tree key free after the ones a tree uses (or says it uses)."""
    return max(declared or 0, max(parents, default=-1) + 1)


def semantic(attributes: PdfObject) -> PdfObject | None:
    """An element's attributes without the layout ones (where it sat on the page, its size):
    a reader of the tree needs the table ones (/Scope, /ColSpan, /Headers), not those."""
    owners = attributes if isinstance(attributes, ArrayObject) else ArrayObject([attributes])
    kept = ArrayObject(
        a for a in owners if not (isinstance(a, DictionaryObject) and a.get("/O") == "/Layout")
    )
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else kept


def number_tree(node: PdfObject | None, depth: int = 0) -> Iterator[tuple[int, PdfObject]]:
    """Every (key, value) pair of a number tree, its kids' included."""
    node = node.get_object() if node is not None else None
    if not isinstance(node, DictionaryObject) or depth > MAX_DEPTH:
        return
    nums = array(node.get("/Nums"))
    for key, value in zip(nums[::2], nums[1::2], strict=False):
        if isinstance(key.get_object(), NumberObject):
            yield int(key.get_object()), value
    for kid in array(node.get("/Kids")):
        yield from number_tree(kid, depth + 1)


def items(value: PdfObject | None) -> Iterator[PdfObject]:
    """A PDF value's items: an array's, or the value itself."""
    if value is None:
        return
    node = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(node, ArrayObject):
        yield from node
    else:
        yield value


def array(value: PdfObject | None) -> list[PdfObject]:
    """An array's items; [] for anything else."""
    node = value.get_object() if value is not None else None
    return list(node) if isinstance(node, ArrayObject) else []


def encode(found: Structure | None) -> dict | None:
    """A structure tree as JSON data (TypeError if it holds what JSON can't: a stream)."""
    if found is None:
        return None
    return {
        "elements": [
            [
                [[k, encode_object(v)] for k, v in e.attributes.items()],
                e.page,
                [_encode_kid(kid) for kid in e.kids],
                e.first_page,
            ]
            for e in found.elements
        ],
        "top": found.top,
        "page_keys": found.page_keys,
        "annotation_keys": [[p, n, k] for (p, n), k in found.annotation_keys.items()],
        "parents": [[k, v] for k, v in found.parents.items()],
        "next_key": found.next_key,
        "role_map": encode_object(found.role_map),
        "class_map": encode_object(found.class_map),
        "language": found.language,
    }


def _encode_kid(kid: Kid) -> list:
    if kid[0] == "mcr" and kid[3] is not None:
        raise TypeError("marked content in a form XObject")
    return list(kid[:3]) if kid[0] == "mcr" else list(kid)


def decode(data: dict | None) -> Structure | None:
    """The structure tree `encode` wrote."""
    if data is None:
        return None
    elements = []
    for attributes, page, kids, first in data["elements"]:
        decoded = {name(k): decode_object(v) for k, v in attributes}
        elements.append(Element(decoded, page, [_decode_kid(k) for k in kids], first))
    return Structure(
        elements=elements,
        top=list(data["top"]),
        page_keys=list(data["page_keys"]),
        annotation_keys={(p, n): k for p, n, k in data["annotation_keys"]},
        parents={int(k): v for k, v in data["parents"]},
        next_key=int(data["next_key"]),
        role_map=decode_object(data["role_map"]),
        class_map=decode_object(data["class_map"]),
        language=data["language"],
    )


def _decode_kid(kid: list) -> Kid:
    return (*kid, None) if kid[0] == "mcr" else tuple(kid)
