"""What a screen reader needs of a PDF, checked: `packgen check-pdf PACK.pdf`.

Independent of how the pack was made: it reads the PDF as any reader would, and says for each
check what holds and where it doesn't (by page, and by the document the page belongs to).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PageObject, PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

from packgen.errors import InputError, Location, Problem
from packgen.pack.trees import MAX_DEPTH, items, number_tree
from packgen.plan import PASSWORD_ENV

log = logging.getLogger(__name__)

SHOWS_TEXT = {b"Tj", b"TJ", b"'", b'"'}
MAX_SHOWN = 5  # places listed per failed check


@dataclass
class Check:
    """One thing a screen reader needs, and where the PDF falls short of it."""

    name: str
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def line(self) -> str:
        if self.ok:
            return f"ok    {self.name}"
        shown = self.failures[:MAX_SHOWN]
        more = len(self.failures) - len(shown)
        tail = f"; and {more} more" if more else ""
        return f"FAIL  {self.name}: " + "; ".join(shown) + tail


@dataclass
class _Tree:
    """The structure tree as read: who claims each marked content and each annotation."""

    content: dict[tuple[int, int], int] = field(default_factory=dict)  # (page, MCID) → element
    objects: dict[int, int] = field(default_factory=dict)  # annotation → element
    elements: dict[int, DictionaryObject] = field(default_factory=dict)
    pages: dict[int, int | None] = field(default_factory=dict)  # element → its page number
    problems: list[str] = field(default_factory=list)


def audit(path: Path, password: str | None = None) -> list[Check]:
    """Check a PDF for what screen readers need; each check lists its failures."""
    reader = _open(path, password)
    catalog = reader.trailer["/Root"]
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, 1)}
    owners = _documents(reader)
    tree = _read_tree(catalog, pages)
    checks = [
        _tagged(catalog),
        _language(catalog),
        _title(reader, catalog),
        Check("the structure tree is consistent", tree.problems),
        _parent_tree(reader, catalog, tree, pages),
        _content(reader, tree, owners),
        _fonts(reader),
        _figures(tree, owners),
        _tables(tree, owners),
        _headings(catalog, tree, owners),
        _untagged(reader, owners),
    ]
    return checks


def _open(path: Path, password: str | None) -> PdfReader:
    where = Location(path.name)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not (password and reader.decrypt(password)):
            message = f"encrypted: set {PASSWORD_ENV} to the password that opens it"
            raise InputError("The PDF can't be checked.", [Problem(where, message)])
        reader.trailer["/Root"]  # noqa: B018 (a PDF without a catalog fails here, not later)
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        problem = Problem(where, f"the PDF can't be read ({exc})")
        raise InputError("The PDF can't be checked.", [problem]) from exc
    return reader


def _tagged(catalog: DictionaryObject) -> Check:
    check = Check("tagged (a structure tree, /MarkInfo /Marked true)")
    marked = catalog.get("/MarkInfo", DictionaryObject()).get_object().get("/Marked")
    if "/StructTreeRoot" not in catalog:
        check.failures.append("no structure tree")
    if not _true(marked):
        check.failures.append("not marked as tagged")
    return check


def _language(catalog: DictionaryObject) -> Check:
    check = Check("the document's language is given")
    if not str(catalog.get("/Lang", "")).strip():
        check.failures.append("no /Lang in the catalog")
    return check


def _title(reader: PdfReader, catalog: DictionaryObject) -> Check:
    check = Check("a title, shown as the window's title, and the PDF/UA identifier")
    if not (reader.metadata and reader.metadata.title):
        check.failures.append("no title")
    prefs = catalog.get("/ViewerPreferences", DictionaryObject()).get_object()
    if not _true(prefs.get("/DisplayDocTitle")):
        check.failures.append("the file name is shown, not the title (DisplayDocTitle)")
    xmp = catalog.get("/Metadata")
    data = xmp.get_object().get_data() if xmp is not None else b""
    if b"pdfuaid:part" not in data:
        check.failures.append("no PDF/UA identifier in the XMP metadata")
    return check


def _true(value) -> bool:
    """Whether a PDF boolean is true (pypdf's BooleanObject is not Python's True)."""
    return bool(getattr(value, "value", value) is True)


def _read_tree(catalog: DictionaryObject, pages: dict[int, int]) -> _Tree:
    """Walk the tree from its root, checking each element's parent and page as it goes."""
    tree = _Tree()
    root = catalog.raw_get("/StructTreeRoot") if "/StructTreeRoot" in catalog else None
    if root is None:
        return tree
    stack = [(kid, root, None, 0) for kid in items(root.get_object().get("/K"))]
    while stack:
        kid, parent, page, depth = stack.pop()
        node = kid.get_object()
        if depth > MAX_DEPTH:
            tree.problems.append("the tree is deeper than any document's")
            break
        if isinstance(node, NumberObject):
            _claim(tree, (page, int(node)), parent, "marked content")
            continue
        if not isinstance(node, DictionaryObject):
            continue
        here = _page_of(node, pages, tree) or page
        if node.get("/Type") == "/MCR":
            _claim(tree, (here, int(node.get("/MCID", -1))), parent, "marked content")
            continue
        if node.get("/Type") == "/OBJR":
            obj = node.raw_get("/Obj")
            if isinstance(obj, IndirectObject):
                tree.objects[obj.idnum] = parent.idnum if parent else 0
            continue
        if not isinstance(kid, IndirectObject):
            tree.problems.append(f"an element {node.get('/S')} is not an indirect object")
            continue
        if kid.idnum in tree.elements:
            tree.problems.append(f"element {kid.idnum} {node.get('/S')} has two parents")
            continue
        tree.elements[kid.idnum] = node
        tree.pages[kid.idnum] = here
        claimed = node.raw_get("/P") if "/P" in node else None
        if parent is not None and getattr(claimed, "idnum", None) != parent.idnum:
            tree.problems.append(f"element {kid.idnum} {node.get('/S')}: /P is not its parent")
        stack += [(k, kid, here, depth + 1) for k in items(node.get("/K"))]
    return tree


def _claim(tree: _Tree, where: tuple[int | None, int], parent, what: str) -> None:
    page, mcid = where
    if page is None:
        tree.problems.append(f"{what} {mcid} with no page")
    elif where in tree.content:
        tree.problems.append(f"page {page}: marked content {mcid} claimed twice")
    else:
        tree.content[(page, mcid)] = parent.idnum


def _page_of(node: DictionaryObject, pages: dict[int, int], tree: _Tree) -> int | None:
    ref = node.raw_get("/Pg") if "/Pg" in node else None
    if ref is None:
        return None
    if not isinstance(ref, IndirectObject) or ref.idnum not in pages:
        tree.problems.append(f"{node.get('/S', node.get('/Type'))}: /Pg is not a page of the PDF")
        return None
    return pages[ref.idnum]


def _parent_tree(reader, catalog, tree: _Tree, pages: dict[int, int]) -> Check:
    """Every page's marked content and every annotation maps back to the element claiming it."""
    check = Check("the parent tree maps every marked content and annotation to its element")
    root = catalog.get("/StructTreeRoot")
    if root is None:
        check.failures.append("no structure tree")
        return check
    entries = dict(number_tree(root.get_object().get("/ParentTree")))
    for number, page in enumerate(reader.pages, 1):
        key = page.get("/StructParents")
        claims = {m: e for (p, m), e in tree.content.items() if p == number}
        if key is None:
            if claims:
                check.failures.append(f"page {number}: tagged content but no /StructParents")
            continue
        listed = entries.get(int(key))
        listed = listed.get_object() if listed is not None else None
        if not isinstance(listed, ArrayObject):
            if claims:
                check.failures.append(f"page {number}: no parent-tree entry")
            continue
        for mcid, element in claims.items():
            found = listed[mcid] if mcid < len(listed) else None
            if getattr(found, "idnum", None) != element:
                check.failures.append(f"page {number}: marked content {mcid} maps elsewhere")
        _annotations(page, number, entries, tree, check)
    return check


def _annotations(page: PageObject, number: int, entries: dict, tree: _Tree, check: Check) -> None:
    for annot in items(page.get("/Annots")):
        node = annot.get_object()
        if node.get("/Subtype") in ("/Popup",) or not isinstance(annot, IndirectObject):
            continue
        key = node.get("/StructParent")
        if key is None:
            if node.get("/Subtype") == "/Link":
                check.failures.append(f"page {number}: a link outside the structure tree")
            continue
        element = entries.get(int(key))
        if getattr(element, "idnum", None) != tree.objects.get(annot.idnum):
            check.failures.append(f"page {number}: an annotation maps to the wrong element")


def _content(reader: PdfReader, tree: _Tree, owners: dict[int, str]) -> Check:
    """No text outside marked content the tree claims or an artifact; no claim without content."""
    check = Check("every text on every page is in the structure tree or an artifact")
    for number, page in enumerate(reader.pages, 1):
        found, loose = _marked_content(page, reader)
        claimed = {m for (p, m) in tree.content if p == number}
        if loose:
            where = f"page {number} ({owners.get(number, '?')})"
            check.failures.append(f"{where}: {loose} texts outside the tree")
        if claimed - found:
            check.failures.append(f"page {number}: the tree claims content the page lacks")
        if page.get("/StructParents") is not None and found - claimed:
            check.failures.append(f"page {number}: marked content no element claims")
    return check


def _marked_content(page: PageObject, reader: PdfReader) -> tuple[set[int], int]:
    """The MCIDs a page's content marks, and how many texts it shows outside any."""
    contents = page.get_contents()
    if contents is None:
        return set(), 0
    found: set[int] = set()
    loose = _walk(contents, page.get("/Resources"), reader, [], found, 0)
    return found, loose


def _walk(stream, resources, reader, marks: list[str], found: set[int], depth: int) -> int:
    """Follow a content stream (and the forms it draws) keeping the marked-content nesting."""
    loose = 0
    resources = resources.get_object() if resources is not None else DictionaryObject()
    content = stream if isinstance(stream, ContentStream) else ContentStream(stream, reader)
    for operands, operator in content.operations:
        if operator in (b"BDC", b"BMC"):
            tag = str(operands[0])
            props = operands[1] if len(operands) > 1 else None
            props = _properties(props, resources)
            if "/MCID" in props:
                found.add(int(props["/MCID"]))
                marks.append("mcid")
            else:
                marks.append("artifact" if tag == "/Artifact" else tag)
        elif operator == b"EMC" and marks:
            marks.pop()
        elif operator in SHOWS_TEXT and not ({"mcid", "artifact"} & set(marks)):
            loose += 1
        elif operator == b"Do" and depth < 8:
            xobject = _xobject(resources, operands[0])
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                inner = xobject.get("/Resources", resources)
                loose += _walk(xobject, inner, reader, list(marks), found, depth + 1)
    return loose


def _properties(props, resources: DictionaryObject) -> DictionaryObject:
    if isinstance(props, NameObject):
        named = resources.get("/Properties", DictionaryObject()).get_object().get(props)
        return named.get_object() if named is not None else DictionaryObject()
    return props.get_object() if isinstance(props, DictionaryObject) else DictionaryObject()


def _xobject(resources: DictionaryObject, name) -> StreamObject | None:
    xobjects = resources.get("/XObject")
    found = xobjects.get_object().get(name) if xobjects is not None else None
    return found.get_object() if found is not None else None


def _fonts(reader: PdfReader) -> Check:
    check = Check("every font is embedded")
    missing: dict[str, set[int]] = defaultdict(set)
    for number, page in enumerate(reader.pages, 1):
        for font in _page_fonts(page.get("/Resources"), 0):
            if not _embedded(font):
                missing[str(font.get("/BaseFont", "?"))].add(number)
    for name, numbers in sorted(missing.items()):
        check.failures.append(f"{name} on {_pages(numbers)}")
    return check


def _page_fonts(resources, depth: int) -> Iterator[DictionaryObject]:
    resources = resources.get_object() if resources is not None else DictionaryObject()
    for font in resources.get("/Font", DictionaryObject()).get_object().values():
        yield font.get_object()
    if depth > 4:
        return
    for xobject in resources.get("/XObject", DictionaryObject()).get_object().values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            yield from _page_fonts(xobject.get("/Resources"), depth + 1)


def _embedded(font: DictionaryObject) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else DictionaryObject()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _figures(tree: _Tree, owners: dict[int, str]) -> Check:
    check = Check("every figure has alternative text")
    for number, element in _by_page(tree, "/Figure"):
        if not (element.get("/Alt") or element.get("/ActualText")):
            check.failures.append(f"a figure on {_place(tree.pages.get(number), owners)}")
    return check


def _tables(tree: _Tree, owners: dict[int, str]) -> Check:
    check = Check("every table has header cells")
    for number, element in _by_page(tree, "/Table"):
        if not _has(element, "/TH", 0):
            check.failures.append(f"a table on {_place(tree.pages.get(number), owners)}")
    return check


def _has(element: DictionaryObject, role: str, depth: int) -> bool:
    if depth > MAX_DEPTH:
        return False
    for kid in items(element.get("/K")):
        node = kid.get_object()
        element = isinstance(node, DictionaryObject) and "/S" in node
        if element and (node.get("/S") == role or _has(node, role, depth + 1)):
            return True
    return False


def _place(page: int | None, owners: dict[int, str]) -> str:
    return f"page {page} ({owners.get(page, '?')})" if page else "a page the tree doesn't name"


def _by_page(tree: _Tree, role: str) -> list[tuple[int, DictionaryObject]]:
    """The elements of a role, in page order."""
    found = [(n, e) for n, e in tree.elements.items() if e.get("/S") == role]
    return sorted(found, key=lambda pair: tree.pages.get(pair[0]) or 0)


def _headings(catalog, tree: _Tree, owners: dict[int, str]) -> Check:
    """Headings go down one level at a time in each document (H1, H2, H3; not H1 then H3)."""
    check = Check("headings go down one level at a time")
    root = catalog.get("/StructTreeRoot")
    roles = root.get_object().get("/RoleMap", DictionaryObject()) if root is not None else {}
    for levels in _heading_levels(tree, roles):
        for (page, before), (_, level) in zip(levels, levels[1:], strict=False):
            if level > before + 1:
                check.failures.append(f"H{before} then H{level} on {_place(page, owners)}")
    return check


def _heading_levels(tree: _Tree, roles) -> list[list[tuple[int | None, int]]]:
    """Each document's (Sect's, else the whole tree's) headings in reading order."""
    sections = [n for n, e in tree.elements.items() if e.get("/S") == "/Sect"] or [None]
    found = []
    for section in sections:
        start = tree.elements[section] if section is not None else None
        levels: list[tuple[int | None, int]] = []
        stack = [start] if start is not None else list(tree.elements.values())[:1]
        while stack:
            node = stack.pop()
            role = str(roles.get(node.get("/S"), node.get("/S")))
            if len(role) == 3 and role.startswith("/H") and role[2].isdigit():
                levels.append((tree.pages.get(node.indirect_reference.idnum), int(role[2])))
            kids = [k.get_object() for k in items(node.get("/K"))]
            stack += [k for k in reversed(kids) if isinstance(k, DictionaryObject) and "/S" in k]
        found.append(levels)
    return found


def _untagged(reader: PdfReader, owners: dict[int, str]) -> Check:
    check = Check("every page is tagged")
    by_document: dict[str, list[int]] = defaultdict(list)
    for number, page in enumerate(reader.pages, 1):
        if page.get("/StructParents") is None:
            by_document[owners.get(number, "?")].append(number)
    for document, numbers in by_document.items():
        check.failures.append(f"{document} ({_pages(numbers)})")
    return check


def _documents(reader: PdfReader) -> dict[int, str]:
    """Each page's document, by the innermost bookmark that starts at or before it."""
    starts: list[tuple[int, str]] = []

    def visit(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                visit(item, depth + 1)
            else:
                starts.append((reader.get_destination_page_number(item) + 1, item.title))

    visit(reader.outline, 0)
    owners: dict[int, str] = {}
    for number in range(1, len(reader.pages) + 1):
        before = [title for start, title in starts if start <= number]
        owners[number] = before[-1] if before else "?"
    return owners


def _pages(numbers) -> str:
    numbers = sorted(numbers)
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    return (
        f"pages {numbers[0]}–{numbers[-1]}"
        if numbers == list(range(numbers[0], numbers[-1] + 1))
        else "pages " + ", ".join(map(str, numbers))
    )
