"""Render the pack's own documents from the Word templates with docxtpl."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
import zipfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage, RichText

from packgen.errors import (
    Location,
    PackgenError,
    Problem,
    Problems,
    Severity,
    TemplateError,
)
from packgen.files import write_atomic
from packgen.plan import PackDocument, PackPlan
from packgen.render.analysis import Template, TemplateRecords, analyse, jinja_env, template_bytes
from packgen.render.cache import RenderCache, render_key
from packgen.render.context import Image, PageRefs, Record, Rich, build_context, letter_problems

if TYPE_CHECKING:
    from packgen.check import Prepared

log = logging.getLogger(__name__)

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_TAG = re.compile(r"\{[{%#]-?\s*(?:p|tr|tc|r)\s")
__all__ = ["check_templates", "jinja_env", "render_all", "render_document", "render_template"]


def check_templates(
    templates: Path, plan: PackPlan, prepared: Prepared, output: Path | None = None
) -> list[Problem]:
    """List what would stop rendering: missing templates, bad tags, variables the data lacks.

    With `output`, a template whose bytes were checked clean before isn't parsed again: its
    variables come from its record in `output/.cache/templates/`.
    """
    records = TemplateRecords.for_output(output) if output is not None else None
    problems = Problems()
    seen: set[str] = set()
    for doc in plan.documents:
        if doc.letter is not None:
            problems.extend(letter_problems(doc.letter, prepared))
        if doc.template is None or doc.template in seen:
            continue
        seen.add(doc.template)
        problems.extend(_check_template(templates, doc, plan, prepared, records))
    if records is not None:
        log.debug("Templates checked from records: %d; parsed: %d", records.hits, records.misses)
    return list(dict.fromkeys(problems.items))


def _check_template(
    templates: Path,
    doc: PackDocument,
    plan: PackPlan,
    prepared: Prepared,
    records: TemplateRecords | None = None,
) -> list[Problem]:
    name = doc.template or ""
    path = templates / name
    if not path.is_file():
        return [Problem(Location(name), f"template not found in {templates}")]
    try:
        context = build_context(doc, plan, prepared)
    except PackgenError as exc:
        return list(exc.problems)
    data, digest = template_bytes(path)
    variables = records.variables(digest) if records is not None else None
    if variables is None:
        template = analyse(path, data, digest)
        unbalanced = _unbalanced(template, name)
        if records is not None:
            records.put(template, balanced=not unbalanced)
        if unbalanced:
            return unbalanced
        if template.syntax_error is not None:
            exc = template.syntax_error
            return [Problem(_locate(template, name, exc), _message(exc))]
        variables = template.variables
    missing = set(variables) - set(context)
    return [
        Problem(Location(name), f"uses {{{{ {var} }}}}, which the data can't provide")
        for var in sorted(missing)
    ]


def render_all(
    plan: PackPlan,
    prepared: Prepared,
    templates: Path,
    out_dir: Path,
    page_refs: PageRefs | None = None,
    cache: RenderCache | None = None,
) -> list[Path]:
    """Render every document of the plan that comes from a template; papers are left alone."""
    problems = Problems()
    for problem in check_templates(templates, plan, prepared):
        if problem.severity is Severity.WARNING:
            log.warning("%s", problem)
        problems.extend([problem])
    problems.raise_if_errors("The templates can't be rendered.", TemplateError)
    paths = []
    for doc in plan.documents:
        if doc.template is None:
            continue
        try:
            paths.append(render_document(doc, plan, prepared, templates, out_dir, page_refs, cache))
        except PackgenError as exc:
            problems.extend(exc.problems)
    problems.raise_if_errors("Some documents can't be rendered.", TemplateError)
    return paths


def render_document(
    doc: PackDocument,
    plan: PackPlan,
    prepared: Prepared,
    templates: Path,
    out_dir: Path,
    page_refs: PageRefs | None = None,
    cache: RenderCache | None = None,
) -> Path:
    """Render one document to `out_dir/<key>.docx` and return its path.

    With a cache, a document rendered before from the same template and context is copied.
    """
    name = doc.template or ""
    path = templates / name
    if not path.is_file():
        raise TemplateError(
            "A template is missing.", [Problem(Location(name), f"not found in {templates}")]
        )
    context = build_context(doc, plan, prepared, page_refs)
    data, digest = template_bytes(path)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{doc.key}.docx"
    key = None
    if cache is not None:
        meeting = plan.meeting.date.isoformat()
        language = prepared.settings.language
        key = render_key(digest, context, page_refs, doc.key, doc.title, meeting, language)
        cached = cache.get(key)
        if cached is not None:
            write_atomic(target, cached, 0o644)
            log.info("Reused %s (unchanged)", target.name)
            return target
    template = analyse(path, data, digest)
    rendered = _render(doc, plan, template, name, context, prepared.settings.language)
    write_atomic(target, rendered, 0o644)
    if cache is not None:
        cache.put(key, rendered)
    log.info("Rendered %s from %s", target.name, name)
    return target


def _render(
    doc: PackDocument,
    plan: PackPlan,
    template: Template,
    name: str,
    context: dict[str, Any],
    language: str = "en-GB",
) -> bytes:
    """Render the template with one parse of its bytes; return the document's bytes."""
    tpl = _rendered(template, name, context, language, doc.key)
    _fix_properties(tpl, doc.title, plan.meeting.date)
    return _deterministic_bytes(tpl)


def render_template(
    path: Path, context: dict[str, Any], title: str, date: dt.date, language: str = "en-GB"
) -> bytes:
    """Render a template that is not one of the pack's documents (the notes template for the
    minute-taker), checked as the pack's are; return the document's bytes."""
    name = path.name
    if not path.is_file():
        raise TemplateError(
            "A template is missing.", [Problem(Location(name), f"not found in {path.parent}")]
        )
    data, digest = template_bytes(path)
    template = analyse(path, data, digest)
    missing = sorted(set(template.variables) - set(context))  # broken tags: _rendered says
    if missing:
        raise TemplateError(
            f"{name} can't be rendered.",
            [
                Problem(Location(name), f"uses {{{{ {v} }}}}, which the data can't provide")
                for v in missing
            ],
        )
    tpl = _rendered(template, name, context, language, path.stem)
    _fix_properties(tpl, title, date)
    return _deterministic_bytes(tpl)


def _rendered(
    template: Template, name: str, context: dict[str, Any], language: str, what: str
) -> DocxTemplate:
    unbalanced = _unbalanced(template, name)
    if unbalanced:
        raise TemplateError(f"{name} can't be rendered for {what}.", unbalanced)
    tpl = DocxTemplate(io.BytesIO(template.data))
    try:
        tpl.render(_with_images(context, tpl), jinja_env=jinja_env(), autoescape=True)
    except Exception as exc:  # a user's template can fail in any way Jinja can
        problem = Problem(_locate(template, name, exc), _message(exc))
        raise TemplateError(f"{name} can't be rendered for {what}.", [problem]) from exc
    _even_out_looped_columns(tpl, template)
    _fit_grids(tpl)
    _describe_pictures(tpl, _alternative_texts(context))
    _set_language(tpl, language)
    return tpl


def _with_images(value: Any, tpl: DocxTemplate) -> Any:
    """Turn every Image in the context into an InlineImage of this template, and every Rich
    text into a RichText."""
    if isinstance(value, Image):
        return InlineImage(tpl, str(value.path), height=Mm(value.height_mm))
    if isinstance(value, Rich):
        text = RichText()
        for run in value.runs:
            for n, line in enumerate(run.text.split("\n")):
                text.xml += "<w:r><w:br/></w:r>" if n else ""  # a line break typed in Word
                text.add(line, bold=run.bold, italic=run.italic, underline=run.underline)
        return text
    if isinstance(value, dict):
        return {k: _with_images(v, tpl) for k, v in value.items()}
    if isinstance(value, Record):
        return Record(**{k: _with_images(v, tpl) for k, v in vars(value).items()})
    if isinstance(value, list):
        return [_with_images(v, tpl) for v in value]
    return value


def _set_language(tpl: DocxTemplate, language: str) -> None:
    """Make `language` the document's own (Word's default for its text; the PDF's /Lang)."""
    element = tpl.docx.styles.element
    for tag in ("w:docDefaults", "w:rPrDefault", "w:rPr", "w:lang"):
        found = element.find(qn(tag))
        if found is None:  # docDefaults and rPrDefault come first in their parents
            found = element.makeelement(qn(tag), {})
            first = tag in ("w:docDefaults", "w:rPrDefault")
            element.insert(0 if first else len(element), found)
        element = found
    element.set(qn("w:val"), language)


def _alternative_texts(value: Any) -> dict[str, str]:
    """Each context picture's alternative text, by the SHA-256 of its bytes."""
    if isinstance(value, Image):
        return {hashlib.sha256(value.path.read_bytes()).hexdigest(): value.alt} if value.alt else {}
    if isinstance(value, Record):
        value = vars(value)
    if isinstance(value, dict):
        value = list(value.values())
    found: dict[str, str] = {}
    for item in value if isinstance(value, list | tuple) else ():
        found.update(_alternative_texts(item))
    return found


def _describe_pictures(tpl: DocxTemplate, texts: dict[str, str]) -> None:
    """Give each picture its alternative text (Word's description, LibreOffice's PDF /Alt)."""
    parts = [tpl.docx.part] + [
        section_part.part
        for section in tpl.docx.sections
        for section_part in (section.header, section.footer)
        if not section_part.is_linked_to_previous
    ]
    for part in parts:
        for frame in part.element.iter(qn("wp:inline"), qn("wp:anchor")):
            blip = next(frame.iter(qn("a:blip")), None)
            described = frame.find(qn("wp:docPr"))
            if blip is None or described is None or described.get("descr"):
                continue
            image = part.related_parts.get(blip.get(qn("r:embed")))
            text = texts.get(hashlib.sha256(image.blob).hexdigest()) if image is not None else None
            if text:
                described.set("descr", text)


# --- errors --------------------------------------------------------------------------------


def _message(exc: Exception) -> str:
    return f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}"


def _error_line(exc: Exception) -> int | None:
    """Return the template line of a Jinja error (syntax errors carry it, others in frames)."""
    if getattr(exc, "lineno", None):
        return exc.lineno
    line = None
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _locate(template: Template, name: str, exc: Exception) -> Location:
    """Name the template paragraph a Jinja error comes from and quote it."""
    line = _error_line(exc)
    lines = template.body_xml.splitlines()
    if line is None or not 0 < line <= len(lines):
        return Location(name)
    text = re.sub(r"<[^>]+>", "", lines[line - 1]).strip()
    for number, words in template.paragraphs:
        if words and _TAG.sub(_plain_tag, words) in text and "{" in words:
            return Location(name, f"paragraph {number}", f"“{_shorten(words)}”")
    return Location(name, f"line {line}", f"“{_shorten(text)}”")


def _plain_tag(match: re.Match) -> str:
    """Write `{%p if x %}` as docxtpl hands it to Jinja: `{% if x %}`."""
    return match.group(0)[:2] + " "


def _unbalanced(template: Template, name: str) -> list[Problem]:
    """Find tags opened and not closed in one paragraph, which docxtpl would silently eat."""
    problems = []
    for number, words in template.paragraphs:
        open_tag = None
        for token in re.findall(r"\{\{|\}\}|\{%|%\}", words):
            closing = {"{{": "}}", "{%": "%}"}
            if token in closing and open_tag is None:
                open_tag = token
            elif open_tag is not None and token == closing[open_tag]:
                open_tag = None
            else:
                open_tag = token
                break
        if open_tag is not None:
            where = Location(name, f"paragraph {number}", f"“{_shorten(words)}”")
            problems.append(Problem(where, f"a tag is not closed: {open_tag} needs its pair"))
    return problems


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- output --------------------------------------------------------------------------------


def _even_out_looped_columns(tpl: DocxTemplate, template: Template) -> None:
    """Share the width of column-looped tables: first column kept, the rest equal."""
    tables = tpl.docx.tables
    for index in template.looped:
        if index < len(tables):
            _share_columns(tables[index])


def _fit_grids(tpl: DocxTemplate) -> None:
    """Give a table whose rows came out with more or fewer cells than its grid has columns (a
    notes table of any width, looped in a template) equal columns across its width."""
    for table in tpl.docx.tables:
        grid = table._tbl.tblGrid
        cols = grid.findall(qn("w:gridCol"))
        spans = [sum(tc.grid_span for tc in row.tc_lst) for row in table._tbl.tr_lst]
        wanted = max(spans, default=len(cols))
        if wanted == len(cols) or wanted == 0:
            continue
        total = sum(int(float(c.get(qn("w:w")) or 0)) for c in cols)
        for col in cols:
            grid.remove(col)
        for _ in range(wanted):
            grid.append(grid.makeelement(qn("w:gridCol"), {qn("w:w"): str(total // wanted)}))
        for row in table._tbl.tr_lst:
            for tc in row.tc_lst:
                width = tc.get_or_add_tcPr().get_or_add_tcW()
                width.set(qn("w:w"), str(total // wanted * tc.grid_span))
                width.set(qn("w:type"), "dxa")


def _share_columns(table) -> None:
    cols = table._tbl.tblGrid.findall(qn("w:gridCol"))
    if len(cols) < 2:
        return
    widths = [int(float(c.get(qn("w:w")) or 0)) for c in cols]
    first = max(widths[0], sum(widths) // 4)
    rest = (sum(widths) - first) // (len(cols) - 1)
    new = [first] + [rest] * (len(cols) - 1)
    for col, width in zip(cols, new, strict=True):
        col.set(qn("w:w"), str(width))
    for row in table._tbl.tr_lst:
        for tc, width in zip(row.tc_lst, new, strict=False):
            tc.get_or_add_tcPr().get_or_add_tcW().set(qn("w:w"), str(width))
            tc.tcPr.tcW.set(qn("w:type"), "dxa")


# LibreOffice links docProps/core.xml with this relationship type (note "officedocument"), which
# python-docx doesn't recognise: it would add a second docProps/core.xml beside the first.
LIBREOFFICE_CORE_PROPERTIES = (
    "http://schemas.openxmlformats.org/officedocument/2006/relationships/metadata/core-properties"
)


def _fix_properties(tpl: DocxTemplate, title: str, date: dt.date) -> None:
    """Date the document by its meeting so the same data gives the same bytes."""
    rels = tpl.docx.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == LIBREOFFICE_CORE_PROPERTIES]:
        del rels[rid]  # replaced by the core properties python-docx writes below
    props = tpl.docx.core_properties
    stamp = dt.datetime.combine(date, dt.time())
    props.created = props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.title = title
    props.author = props.last_modified_by = "packgen"


def _deterministic_bytes(tpl: DocxTemplate) -> bytes:
    """Return the saved document with fixed zip entry dates, so the same input gives same bytes."""
    buffer, out = io.BytesIO(), io.BytesIO()
    tpl.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
