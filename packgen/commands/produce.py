"""Make a new pack: render, convert, settle the agenda's page references, assemble, protect.

This module knows the order of those stages; each lives in a module of its own. Everything is
written in a staging folder and moved into place only when complete. The stages after the
conversion (pypdf and reportlab: about 0.13 s to import) are imported while LibreOffice
converts, when packgen would otherwise wait.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packgen.check import Prepared
from packgen.commands.lock import meeting_lock
from packgen.commands.supplement import mark_parts, revise, write_supplements
from packgen.convert import CachedConverter, copy_paper, refuse_missing_parts, require_soffice
from packgen.errors import (
    InputError,
    Location,
    PackgenError,
    Problem,
    Problems,
    Severity,
    TemplateError,
)
from packgen.model import long_date
from packgen.plan import PACK_NAME, Layout, PackInfo, PackPlan, Part, agenda_document
from packgen.render import RenderCache, check_templates, render_document
from packgen.write import (
    Changes,
    Issue,
    last_issue,
    move_into_place,
    read_manifest,
    record_changes,
    relative_name,
    staging_folder,
    untagged_warnings,
    write_manifest,
)

if TYPE_CHECKING:
    from packgen.pack import PageReferences

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
    supplement: dt.date | None = None  # the day of the supplement made with a revised pack


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
    require_soffice(prepared.settings.soffice)  # said once, before anything is rendered
    # Everything that can be checked is checked before LibreOffice starts (unless kept open),
    # but for the PDF papers' insides: those are checked while LibreOffice converts.
    warnings = _check_templates(job.templates, plan, prepared, job.output)
    template_warnings = len(warnings)
    _check_papers_exist(plan, job.data)
    issued = last_issue(job.final)  # checked before anything is made: a tampered issue stops it
    # Before rendering: the agenda says it is revised, the changed documents are marked.
    revision, marks = revise(issued, job.supplement, plan, prepared, (job.data, job.templates))
    password = functools.cache(password)  # asked once, for the pack and its supplement
    with meeting_lock(job.output, plan.meeting.date), staging_folder(job.output) as staging:
        # LibreOffice starts now, so its start-up overlaps rendering.
        convert.start_ahead(convert.offices_wanted())
        folder = staging / job.final.name
        parts = _documents(job, staging, convert, progress)
        parts = mark_parts(parts, marks)
        refs = _page_references(job, convert)
        layout = _settle_and_assemble(job, parts, refs, convert, folder)
        made = (parts, layout, convert.libreoffice, template_warnings)
        changes = _record(job, folder, made, issued)
        warnings += _untagged(folder)
        # After the manifest: protect_pack records the public pack and the encryption in it.
        warnings += _protect(job, parts, refs, folder, password)
        if revision is not None and changes is not None:  # after protect_pack: encrypted alike
            info = _pack_info(plan, prepared)
            write_supplements(revision, changes, parts, plan, folder, info, password)
        move_into_place(folder, job.final, staging)
    return Made(layout, len(parts), warnings)


def _record(
    job: Job, folder: Path, made: tuple[list[Part], Layout, str, int], issued: Issue | None
) -> Changes | None:
    """Write the manifest, with what changed since the last issue; return those changes.

    `made` is the pack's parts, its layout, the LibreOffice version and the template warnings."""
    parts, layout, libreoffice, warned = made
    reuse = {
        "inputs": job.inputs,
        "template_warnings": warned,
        "reuse_without_reading": job.record,
    }
    write_manifest(
        folder, job.plan, parts, layout, job.data, job.templates, job.prepared, libreoffice, reuse
    )
    return record_changes(folder, issued.manifest if issued else None, issued and issued.number)


def _untagged(folder: Path) -> list[Problem]:
    """Warn of each document the pack holds untagged (a PDF paper sent in without structure)."""
    warnings = untagged_warnings(read_manifest(folder))
    for warning in warnings:
        log.warning("%s", warning)
    return warnings


def _page_references(job: Job, convert: CachedConverter) -> PageReferences:
    """What settles the agenda's page references, starting from the last pack's agenda length."""
    from packgen.pack import PageReferences, StructureCache  # imported while LibreOffice converted

    cache = RenderCache.for_output(job.output)
    last = _agenda_pages(job.final, agenda_document(job.plan).key)
    tagged = job.prepared.settings.tagged_pack
    structures = StructureCache.for_output(job.output) if tagged else None
    return PageReferences(job.prepared, job.templates, convert, cache, last, structures)


def _settle_and_assemble(
    job: Job, parts: list[Part], refs: PageReferences, convert: CachedConverter, folder: Path
) -> Layout:
    """Put the page references in the agenda, then assemble the full pack."""
    from packgen.pack import StructureCache, assemble

    log.info("Putting the page references in the agenda")
    # Ahead: the public agenda is converted in the same rounds, so protect_pack finds it cached.
    refs.settle(parts, job.plan, folder, ahead=True)
    convert.close()  # what protect_pack converts (rarely anything) starts its own soffice
    log.info("Assembling %s", PACK_NAME)
    info = _pack_info(job.plan, job.prepared)
    return assemble(parts, folder / PACK_NAME, info, StructureCache.for_output(job.output))


def _protect(
    job: Job, parts: list[Part], refs: PageReferences, folder: Path, password: Password
) -> list[Problem]:
    """Write the public pack beside the full one and encrypt the full one when it must be."""
    from packgen.pack import StructureCache, protect_pack

    info, structures = _pack_info(job.plan, job.prepared), StructureCache.for_output(job.output)
    return protect_pack(folder, job.plan, parts, info, refs.settle, password, structures)


def _check_templates(
    templates: Path, plan: PackPlan, prepared: Prepared, output: Path
) -> list[Problem]:
    """Fail on any template problem, before anything is rendered or converted."""
    problems = Problems()
    problems.extend(check_templates(templates, plan, prepared, output))
    problems.raise_if_errors("The templates can't be rendered.", TemplateError)
    warnings = [p for p in problems.items if p.severity is Severity.WARNING]
    for problem in warnings:
        log.warning("%s", problem)
    return warnings


def _check_papers_exist(plan: PackPlan, data: Path) -> None:
    """Refuse papers that are missing, naming every one."""
    problems = Problems()
    for doc in plan.documents:
        if doc.paper is not None and not doc.paper.path.is_file():
            name = relative_name(doc.paper.path, data, "data")
            problems.error(Location(name), "the paper is missing")
    problems.raise_if_errors("Some papers can't be put in the pack.")


def _check_pdf_papers(plan: PackPlan, data: Path) -> None:
    """Refuse PDF papers that are encrypted or unreadable, naming every one."""
    from packgen.pack import open_pdf  # here, while LibreOffice converts (see above)

    problems = Problems()
    for doc in plan.documents:
        if doc.paper is not None and doc.paper.path.suffix.lower() == ".pdf":
            try:
                open_pdf(doc.paper.path, relative_name(doc.paper.path, data, "data"))
            except InputError as exc:
                problems.extend(exc.problems)
    problems.raise_if_errors("Some papers can't be put in the pack.")


def _documents(
    job: Job, staging: Path, convert: CachedConverter, progress: Progress | None
) -> list[Part]:
    """Render every document and turn each into `pdf/<key>.pdf`; return them in pack order.

    LibreOffice converts the papers first, while the documents are rendered, and each rendered
    document as soon as it is written. All but the agenda: it prints the other documents'
    pages, so packgen.pack.pagerefs renders and converts it once they are known, at `pdf/<key>.pdf`.
    """
    plan, prepared, templates = job.plan, job.prepared, job.templates
    folder = staging / plan.meeting.date.isoformat()
    pdf_dir = folder / "pdf"
    pdf_dir.mkdir(parents=True)
    agenda = agenda_document(plan)
    pdfs = _copy_pdf_papers(plan, pdf_dir)
    papers = _copy_papers(plan, staging / "papers", pdfs, prepared.settings.soffice, job.data)
    rendered = [doc for doc in plan.documents if doc.template is not None and doc is not agenda]
    report = _progress(progress, len(papers) + len(rendered))
    with convert.stream(pdf_dir, report) as conversion:
        conversion.add(papers.values(), raw=True)
        log.info("Rendering the documents from %s", templates)
        cache = RenderCache.for_output(job.output)
        problems = Problems()
        for doc in rendered:
            try:
                docx = render_document(
                    doc, plan, prepared, templates, folder / "documents", cache=cache
                )
            except PackgenError as exc:
                problems.extend(exc.problems)
                continue
            conversion.add([docx])
        problems.raise_if_errors("Some documents can't be rendered.", TemplateError)
        log.info("Documents rendered: %d; reused unchanged: %d", cache.misses, cache.hits)
        _check_pdf_papers(plan, job.data)
        converted = conversion.finish()
    pdfs.update({source.stem: pdf for source, pdf in converted.items()})
    pdfs[agenda.key] = pdf_dir / f"{agenda.key}.pdf"
    return _parts(plan, pdfs, prepared.settings.restricted_marking)


def _copy_pdf_papers(plan: PackPlan, pdf_dir: Path) -> dict[str, Path]:
    """Papers sent as PDFs go into the pack as they are, as `pdf/<key>.pdf`."""
    pdfs = {}
    for doc in plan.documents:
        if doc.paper is not None and doc.paper.path.suffix.lower() == ".pdf":
            pdfs[doc.key] = pdf_dir / f"{doc.key}.pdf"
            shutil.copyfile(doc.paper.path, pdfs[doc.key])
    return pdfs


def _copy_papers(
    plan: PackPlan, folder: Path, exclude: dict[str, Path], soffice: str, data: Path
) -> dict[str, Path]:
    """Copy the papers LibreOffice converts as `<key>.<suffix>`, so each PDF is `<key>.pdf`
    (an image as `<key>.docx`, a spreadsheet set to fit the page width: convert.copy_paper);
    stop first, naming them, if a part of LibreOffice they need isn't installed."""
    sent = [doc for doc in plan.documents if doc.paper is not None and doc.key not in exclude]
    refuse_missing_parts(
        [(relative_name(d.paper.path, data, "data"), d.paper.path) for d in sent], soffice
    )
    papers = {}
    for doc in sent:
        folder.mkdir(parents=True, exist_ok=True)
        papers[doc.key] = copy_paper(doc.paper.path, folder / doc.key)
    return papers


def _progress(progress: Progress | None, total: int) -> Callable[[Path], None]:
    """Report each document converted (or taken from the cache) as `progress(done, total, name)`."""
    done: list[Path] = []

    def report(doc: Path) -> None:
        done.append(doc)
        if progress:
            progress(len(done), total, doc.stem)

    if progress:
        progress(0, total, "")
    return report


def _parts(plan: PackPlan, pdfs: dict[str, Path], marking: str) -> list[Part]:
    """Turn the plan's documents into the pack's parts, in pack order; a restricted document's
    pages carry the protective `marking`."""
    return [
        Part(
            key=doc.key,
            pdf=pdfs[doc.key],
            title=doc.title,
            item=doc.item.number if doc.item else None,
            item_title=doc.item.title if doc.item else "",
            marking=marking if doc.restricted else "",
        )
        for doc in plan.documents
    ]


def _pack_info(plan: PackPlan, prepared: Prepared) -> PackInfo:
    name, day = prepared.settings.name, long_date(plan.meeting.date)
    return PackInfo(
        title=f"{name} – {prepared.settings.pack_title} – {day}",
        subject=f"Agenda and papers for the meeting of {day}",
        author=name,
        footer=f"{name} – {day}",
        language=prepared.settings.language,
        tagged=prepared.settings.tagged_pack,
        marking=prepared.settings.pack_marking,
    )


def _agenda_pages(folder: Path, key: str) -> int:
    """How many pages the agenda had in the pack last built in `folder` (1 when none was)."""
    for doc in read_manifest(folder).get("documents", []):
        with contextlib.suppress(KeyError, TypeError, ValueError, IndexError):
            if doc["key"] == key:
                first, last = doc["pages"]
                return max(1, int(last) - int(first) + 1)
    return 1
