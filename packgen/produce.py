"""Make a new pack: render, convert, settle the agenda's page references, assemble, protect.

This module knows the order of those stages; each lives in a module of its own. Everything is
written in a staging folder and moved into place only when complete.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from packgen.assemble import assemble, open_pdf
from packgen.cache import CachedConverter
from packgen.check import Prepared
from packgen.errors import (
    InputError,
    Location,
    PackgenError,
    Problem,
    Problems,
    Severity,
    TemplateError,
)
from packgen.layout import Layout, PackInfo, Part
from packgen.lock import meeting_lock
from packgen.manifest import read_manifest, relative_name, write_manifest
from packgen.pagerefs import PageReferences, agenda_document
from packgen.plan import PackPlan, long_date
from packgen.protect import protect_pack
from packgen.render import check_templates, render_document
from packgen.rendercache import RenderCache
from packgen.restricted import PACK_NAME
from packgen.staging import move_into_place, staging_folder

log = logging.getLogger(__name__)

# Called with (documents converted so far, documents to convert, the last one's name).
Progress = Callable[[int, int, str], None]
Password = Callable[[], str | None]


@dataclass(frozen=True)
class Job:
    """What a new pack is made from, and where it goes."""

    data: Path
    templates: Path
    output: Path
    final: Path  # output/<date>/
    plan: PackPlan
    prepared: Prepared
    inputs: str  # the fingerprint of everything the pack is made from, for the manifest
    record: dict  # what lets the next build keep the pack without reading (reuse.reuse_record)


@dataclass
class Made:
    """The new pack's layout, its number of documents and the warnings found making it."""

    layout: Layout
    documents: int
    warnings: list[Problem] = field(default_factory=list)


def produce(
    job: Job, convert: CachedConverter, progress: Progress | None, password: Password
) -> Made:
    """Make the pack in a staging folder, then move it into `job.final`; on failure, nothing."""
    plan, prepared = job.plan, job.prepared
    # Everything that can be checked is checked before LibreOffice starts (unless kept open).
    warnings = _check_templates(job.templates, plan, prepared)
    template_warnings = len(warnings)
    _check_papers(plan, job.data)
    with meeting_lock(job.output, plan.meeting.date), staging_folder(job.output) as staging:
        # LibreOffice starts now, so its start-up overlaps rendering.
        convert.start_ahead(convert.offices_wanted())
        folder = staging / job.final.name
        parts = _documents(plan, prepared, job.templates, staging, convert, progress)
        log.info("Putting the page references in the agenda")
        cache = RenderCache.for_output(job.output)
        last = _agenda_pages(job.final, agenda_document(plan).key)
        refs = PageReferences(prepared, job.templates, convert, cache, last)
        # Ahead: the public agenda is converted in the same rounds, so protect_pack finds it cached.
        refs.settle(parts, plan, folder, ahead=True)
        convert.close()  # what protect_pack converts (rarely anything) starts its own soffice
        log.info("Assembling %s", PACK_NAME)
        info = _pack_info(plan, prepared)
        layout = assemble(parts, folder / PACK_NAME, info)
        reuse = {
            "inputs": job.inputs,
            "template_warnings": template_warnings,
            "reuse_without_reading": job.record,
        }
        write_manifest(
            folder, plan, parts, layout, job.data, job.templates, prepared, convert.libreoffice,
            reuse,
        )  # fmt: skip
        # After the manifest: protect_pack records the public pack and the encryption in it.
        warnings += protect_pack(folder, plan, parts, info, refs.settle, password)
        move_into_place(folder, job.final, staging)
    return Made(layout, len(parts), warnings)


def _check_templates(templates: Path, plan: PackPlan, prepared: Prepared) -> list[Problem]:
    """Fail on any template problem, before anything is rendered or converted."""
    problems = Problems()
    problems.extend(check_templates(templates, plan, prepared))
    problems.raise_if_errors("The templates can't be rendered.", TemplateError)
    warnings = [p for p in problems.items if p.severity is Severity.WARNING]
    for problem in warnings:
        log.warning("%s", problem)
    return warnings


def _check_papers(plan: PackPlan, data: Path) -> None:
    """Refuse papers that are missing, encrypted or unreadable, naming every one."""
    problems = Problems()
    for doc in plan.documents:
        if doc.paper is None:
            continue
        name = relative_name(doc.paper.path, data, "data")
        if not doc.paper.path.is_file():
            problems.error(Location(name), "the paper is missing")
        elif doc.paper.path.suffix.lower() == ".pdf":
            try:
                open_pdf(doc.paper.path, name)
            except InputError as exc:
                problems.extend(exc.problems)
    problems.raise_if_errors("Some papers can't be put in the pack.")


def _documents(
    plan: PackPlan,
    prepared: Prepared,
    templates: Path,
    staging: Path,
    convert: CachedConverter,
    progress: Progress | None,
) -> list[Part]:
    """Render every document and turn each into `pdf/<key>.pdf`; return them in pack order.

    All but the agenda: it prints the other documents' pages, so packgen.pagerefs renders and
    converts it once they are known, at `pdf/<key>.pdf` too.
    """
    folder = staging / plan.meeting.date.isoformat()
    log.info("Rendering the documents from %s", templates)
    rendered = _render(plan, prepared, templates, folder / "documents", convert)
    sources = _conversion_sources(plan, rendered, staging / "papers")
    pdfs = _convert(sources, folder / "pdf", convert, _paper_sources(plan, sources), progress)
    agenda = agenda_document(plan).key
    pdfs[agenda] = folder / "pdf" / f"{agenda}.pdf"
    return _parts(plan, pdfs)


def _conversion_sources(plan: PackPlan, rendered: list[Path], papers: Path) -> dict[str, Path]:
    """Name each document's source by its key, so every PDF is `pdf/<key>.pdf`."""
    by_key = {path.stem: path for path in rendered}
    sources, agenda = {}, agenda_document(plan)
    for doc in plan.documents:
        if doc is agenda:
            continue
        if doc.paper is not None:
            papers.mkdir(parents=True, exist_ok=True)
            suffix = doc.paper.path.suffix.lower()
            sources[doc.key] = papers / f"{doc.key}{suffix}"
            shutil.copyfile(doc.paper.path, sources[doc.key])
        elif doc.key in by_key:
            sources[doc.key] = by_key[doc.key]
        else:
            raise TemplateError(f"{doc.key} was planned but not rendered.")
    return sources


def _paper_sources(plan: PackPlan, sources: dict[str, Path]) -> list[Path]:
    """The papers as officers sent them: cached by their bytes, not by normalised content."""
    return [sources[doc.key] for doc in plan.documents if doc.paper is not None]


def _convert(
    sources: dict[str, Path],
    pdf_dir: Path,
    convert: CachedConverter,
    papers: list[Path],
    progress: Progress | None,
) -> dict[str, Path]:
    """Convert the Word documents that changed, in parallel soffice runs; PDFs go as they are."""
    pdf_dir.mkdir(parents=True, exist_ok=True)
    pdfs = {}
    for key, source in sources.items():
        if source.suffix == ".pdf":
            pdfs[key] = pdf_dir / source.name
            shutil.copyfile(source, pdfs[key])
    to_convert = [s for key, s in sources.items() if key not in pdfs]
    done: list[Path] = []

    def report(doc: Path) -> None:
        done.append(doc)
        if progress:
            progress(len(done), len(to_convert), doc.stem)

    if progress:
        progress(0, len(to_convert), "")
    converted = convert(to_convert, pdf_dir, progress=report, raw=papers)
    pdfs.update({source.stem: pdf for source, pdf in converted.items()})
    return {key: pdfs[key] for key in sources}


def _parts(plan: PackPlan, pdfs: dict[str, Path]) -> list[Part]:
    """Turn the plan's documents into the pack's parts, in pack order."""
    return [
        Part(
            key=doc.key,
            pdf=pdfs[doc.key],
            title=doc.title,
            item=doc.item.number if doc.item else None,
            item_title=doc.item.title if doc.item else "",
        )
        for doc in plan.documents
    ]


def _render(
    plan: PackPlan,
    prepared: Prepared,
    templates: Path,
    out_dir: Path,
    convert: CachedConverter | None = None,
) -> list[Path]:
    """Render every document from its template; the templates were checked once already.

    With `convert`, documents rendered before from the same input come from the render cache
    beside its PDF cache (`output/.cache/docx/`).
    """
    cache = RenderCache(convert.cache.root.parent / "docx") if convert is not None else None
    problems, paths, agenda = Problems(), [], agenda_document(plan)
    for doc in plan.documents:
        if doc.template is None or doc is agenda:  # the agenda: packgen.pagerefs
            continue
        try:
            paths.append(render_document(doc, plan, prepared, templates, out_dir, cache=cache))
        except PackgenError as exc:
            problems.extend(exc.problems)
    problems.raise_if_errors("Some documents can't be rendered.", TemplateError)
    if cache is not None:
        log.info("Documents rendered: %d; reused unchanged: %d", cache.misses, cache.hits)
    return paths


def _pack_info(plan: PackPlan, prepared: Prepared) -> PackInfo:
    name, day = prepared.settings.name, long_date(plan.meeting.date)
    return PackInfo(
        title=f"{name} – {prepared.settings.pack_title} – {day}",
        subject=f"Agenda and papers for the meeting of {day}",
        author=name,
        footer=f"{name} – {day}",
    )


def _agenda_pages(folder: Path, key: str) -> int:
    """How many pages the agenda had in the pack last built in `folder` (1 when none was)."""
    for doc in read_manifest(folder).get("documents", []):
        with contextlib.suppress(KeyError, TypeError, ValueError, IndexError):
            if doc["key"] == key:
                first, last = doc["pages"]
                return max(1, int(last) - int(first) + 1)
    return 1
