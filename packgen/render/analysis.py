"""A Word template parsed once per process: its paragraphs, looped tables and variables.

What checking needs of a template that parsed clean (its variables) is also recorded on disk
(TemplateRecords), so a rebuild checks unchanged templates without parsing them.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import re
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import jinja2
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from packgen.errors import Location, Problem, TemplateError
from packgen.files import json_object
from packgen.limits import archive_problem
from packgen.render.cache import render_salt
from packgen.store import MAX_AGE, Store

log = logging.getLogger(__name__)

MAX_KEPT = 64  # templates remembered per process; a pack has about ten
RECORD_FORMAT = "packgen checked template 1"  # change when what a record holds changes
RECORDS_DIR = Path(".cache") / "templates"
_PARAGRAPH = re.compile(r"<w:p([ >])")  # a paragraph's start tag, not <w:pPr>


class _Environment(SandboxedEnvironment):
    """A sandboxed environment that compiles each distinct template text once per process.

    docxtpl hands Jinja every part of a document (body, headers, footers) as text on each
    render; most of those texts repeat (four letters from one template, empty footers).
    """

    MAX_COMPILED = 128

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=True)
        self._compiled: OrderedDict[str, jinja2.Template] = OrderedDict()
        self._compiling = threading.Lock()

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 (Jinja's name)
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        with self._compiling:
            template = self._compiled.pop(source, None) or super().from_string(source)
            self._compiled[source] = template  # most recently used last
            while len(self._compiled) > self.MAX_COMPILED:
                self._compiled.popitem(last=False)
        return template


_ENV = _Environment()


def jinja_env() -> SandboxedEnvironment:
    """Return the environment every template renders in: sandboxed, strict, escaping."""
    return _ENV


@dataclass(frozen=True)
class Template:
    """What rendering and checking need to know of one template's bytes."""

    data: bytes
    digest: str  # SHA-256 of data, in hex
    paragraphs: tuple[tuple[int, str], ...]  # (number, text) through the body, cells included
    looped: tuple[int, ...]  # indexes of the tables whose columns loop ({%tc)
    body_xml: str  # the body as docxtpl hands it to Jinja (a line per paragraph), for errors
    variables: frozenset[str]  # the variables it uses that it doesn't set itself
    syntax_error: jinja2.TemplateError | None  # why Jinja can't parse it, if it can't


_kept: OrderedDict[str, Template] = OrderedDict()
_lock = threading.Lock()


def template_bytes(path: Path) -> tuple[bytes, str]:
    """Return a template's bytes and their SHA-256, naming the template when it can't be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = Problem(Location(path.name), f"can't be read: {exc.strerror or exc}")
        raise TemplateError("A template can't be opened.", [problem]) from exc
    return data, hashlib.sha256(data).hexdigest()


def analyse(path: Path, data: bytes | None = None, digest: str | None = None) -> Template:
    """Return the template at `path`, parsed only the first time these bytes are seen."""
    if data is None or digest is None:
        data, digest = template_bytes(path)
    with _lock:
        found = _kept.get(digest)
        if found is not None:
            _kept.move_to_end(digest)
            return found
    template = parse_template(path, data, digest)
    with _lock:
        _kept[digest] = template
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    return template


def forget_parsed() -> None:
    """Forget the templates this process has parsed, as a new process would have none."""
    with _lock:
        _kept.clear()


def parse_template(path: Path, data: bytes, digest: str) -> Template:
    """Open the template once and read everything checking and rendering ask of it."""
    refused = archive_problem(path) if zipfile.is_zipfile(io.BytesIO(data)) else None
    if refused is not None:
        raise TemplateError("A template can't be opened.", [refused])
    tpl = DocxTemplate(io.BytesIO(data))
    try:
        tpl.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TemplateError(
            "A template can't be opened.",
            [Problem(Location(path.name), f"not a Word document: {exc}")],
        ) from exc
    body = tpl.docx.element.body
    paragraphs = tuple((n, text_of(p).strip()) for n, p in enumerate(body.iter(qn("w:p")), 1))
    looped = tuple(
        i for i, t in enumerate(tpl.docx.tables) if "{%tc" in text_of(t._tbl).replace(" ", "")
    )
    body_xml = as_jinja_reads(tpl.patch_xml(tpl.get_xml()))
    variables, error = _variables(tpl, body_xml)
    return Template(data, digest, paragraphs, looped, body_xml, variables, error)


def _variables(
    tpl: DocxTemplate, body_xml: str
) -> tuple[frozenset[str], jinja2.TemplateError | None]:
    """Find the variables of body, headers and footers, as docxtpl's own check does."""
    xml = body_xml
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for rel in tpl.docx.part.rels.values():
            if rel.reltype == uri and rel.target_part.blob:
                part = tpl.patch_xml(tpl.xml_to_string(parse_xml(rel.target_part.blob)))
                xml += "\n" + as_jinja_reads(part)  # its own lines, after the body's
    try:
        return frozenset(meta.find_undeclared_variables(jinja_env().parse(xml))), None
    except jinja2.TemplateError as exc:  # kept without its frames; its lineno says where
        return frozenset(), exc.with_traceback(None)


def as_jinja_reads(xml: str) -> str:
    """Start each paragraph on a line of its own, as docxtpl does before Jinja parses a part.

    Jinja's errors then carry the line, so the paragraph, they come from.
    """
    return _PARAGRAPH.sub(r"\n<w:p\1", xml)


def text_of(element) -> str:
    """Return the text of every w:t inside an element."""
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


@functools.cache
def _record_salt() -> str:
    """The record format and the render cache's salt.

    That salt covers packgen's version and code and the versions of docxtpl, python-docx and
    jinja2.
    """
    return "\n".join([RECORD_FORMAT, render_salt()])


class TemplateRecords:
    """The variables of templates that parsed clean, as `<root>/<key>.json`, one per template.

    A record is written only for a template that parsed without a syntax error and whose tags
    are balanced; any other template is parsed every time, so its problems are found afresh.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = Store(root, ".json", "a checked template", logger=log)
        self.hits = 0  # templates whose variables came from a record
        self.misses = 0  # templates that had to be parsed

    @classmethod
    def for_output(cls, output: Path) -> TemplateRecords:
        """Return the records that live in `output/.cache/templates/`."""
        return cls(output / RECORDS_DIR)

    def key(self, digest: str) -> str:
        """Return the record's key for the template whose bytes have SHA-256 `digest`."""
        return hashlib.sha256(f"{_record_salt()}\n{digest}".encode()).hexdigest()

    def path(self, digest: str) -> Path:
        """Return the record's file for the template whose bytes have SHA-256 `digest`."""
        return self.store.path(self.key(digest))

    def variables(self, digest: str) -> frozenset[str] | None:
        """Return the variables of a template recorded clean, or None: parse it."""
        record = json_object(self.store.read(self.key(digest)))
        variables = record.get("variables")
        clean = record.get("parses") is True and record.get("balanced") is True
        if (
            not clean
            or record.get("format") != RECORD_FORMAT
            or record.get("digest") != digest
            or not isinstance(variables, list)
            or not all(isinstance(name, str) for name in variables)
        ):
            self.misses += 1
            return None
        self.hits += 1
        return frozenset(variables)

    def put(self, template: Template, balanced: bool) -> None:
        """Record a template that parsed and whose tags are balanced; ignore any other."""
        if template.syntax_error is not None or not balanced:
            return
        record = {
            "format": RECORD_FORMAT,
            "digest": template.digest,
            "parses": True,
            "balanced": True,
            "variables": sorted(template.variables),
        }
        data = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
        self.store.put(self.key(template.digest), data)

    def prune(self, max_age: float = MAX_AGE) -> int:
        """Remove the records neither written nor used for `max_age` seconds; say how many."""
        return self.store.prune(max_age)
