"""The build: workbooks to a merged, page-numbered PDF pack in output/<date>/, or nothing at all.

This module knows the order of the stages; each stage lives in a module of its own.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from packgen.assemble import Layout, PackInfo, Part, assemble, open_pdf
from packgen.cache import CachedConverter, installation
from packgen.check import Prepared, prepare
from packgen.errors import (
    InputError,
    Location,
    PackgenError,
    Problem,
    Problems,
    Severity,
    TemplateError,
)
from packgen.lock import meeting_lock
from packgen.manifest import manifest_layout, relative_name, write_manifest
from packgen.pagerefs import PageReferences
from packgen.plan import PackPlan, long_date, plan_pack
from packgen.protect import PACK_NAME, pack_password, protect_pack, unprotected_warning
from packgen.render import check_templates, render_document
from packgen.rendercache import RenderCache
from packgen.reuse import Password, pack_inputs, reusable_pack
from packgen.settings import Settings, load_settings
from packgen.staging import move_into_place, staging_folder

log = logging.getLogger(__name__)

# Called with (documents converted so far, documents to convert, the last one's name).
Progress = Callable[[int, int, str], None]


@dataclass
class BuildResult:
    """What a build wrote, for the summary line and for tests."""

    folder: Path  # output/<date>/
    pack: Path
    pages: int
    documents: int
    seconds: float
    layout: Layout
    warnings: list[Problem] = field(default_factory=list)
    converted: int = 0  # documents LibreOffice converted; the others came from the PDF cache
    reused: int = 0  # documents whose PDF came from output/.cache/pdf/


def build(
    data: Path,
    templates: Path,
    output: Path,
    meeting: dt.date | None = None,
    *,
    progress: Progress | None = None,
    password: Password = pack_password,
) -> BuildResult:
    """Build the meeting pack into `output/<date>/`; on any failure the previous pack stays."""
    started = time.monotonic()
    settings = load_settings(data)
    convert = CachedConverter.for_output(
        output, settings.soffice, settings.soffice_timeout, settings.keep_libreoffice
    )
    with convert:  # closes what it started on the way out; kept LibreOffices stay open
        if convert.keep:  # a kept LibreOffice is never wasted: start it before anything else
            convert.start_ahead(_offices_wanted(convert))
        return _build(
            data, templates, output, meeting, settings, convert, progress, password, started
        )


def _build(
    data: Path,
    templates: Path,
    output: Path,
    meeting: dt.date | None,
    settings: Settings,
    convert: CachedConverter,
    progress: Progress | None,
    password: Password,
    started: float,
) -> BuildResult:
    prepared, plan, warnings = _read(data, meeting, settings)
    output.mkdir(parents=True, exist_ok=True)
    final = output / plan.meeting.date.isoformat()
    inputs = pack_inputs(data, templates, plan, prepared, installation(settings.soffice))
    with meeting_lock(output, plan.meeting.date):
        kept, password = reusable_pack(final, inputs, plan, password)
    if kept:
        return _kept(final, kept, plan, warnings, started)
    # Everything that can be checked is checked before LibreOffice starts (unless kept open).
    template_warnings = _check_templates(templates, plan, prepared)
    warnings += template_warnings
    _check_papers(plan, data)
    with meeting_lock(output, plan.meeting.date), staging_folder(output) as staging:
        # LibreOffice starts now, so its start-up overlaps rendering.
        convert.start_ahead(_offices_wanted(convert))
        folder = staging / final.name
        parts = _documents(plan, prepared, templates, staging, convert, progress)
        log.info("Putting the page references in the agenda")
        refs = PageReferences(prepared, templates, convert, RenderCache.for_output(output))
        # Ahead: the public agenda is converted in the same rounds, so protect_pack finds it cached.
        refs.settle(parts, plan, folder, ahead=True)
        convert.close()  # what protect_pack converts (rarely anything) starts its own soffice
        log.info("Assembling %s", PACK_NAME)
        info = _pack_info(plan, prepared)
        layout = assemble(parts, folder / PACK_NAME, info)
        reuse = {"inputs": inputs, "template_warnings": len(template_warnings)}
        libreoffice = convert.libreoffice
        write_manifest(folder, plan, parts, layout, data, templates, prepared, libreoffice, reuse)
        # After the manifest: protect_pack records the public pack and the encryption in it.
        warnings += protect_pack(folder, plan, parts, info, refs.settle, password)
        move_into_place(folder, final, staging)
    seconds = time.monotonic() - started
    log.info("LibreOffice converted %d documents; %d came from the cache", *convert.counts)
    return BuildResult(
        final, final / PACK_NAME, layout.pages, len(parts), seconds, layout, warnings,
        *convert.counts,
    )  # fmt: skip


def _offices_wanted(convert: CachedConverter) -> int:
    """One LibreOffice per parallel run from clean; one for a rebuild (few documents change)."""
    return 1 if any(convert.cache.root.glob("*.pdf")) else convert.jobs


def _read(
    data: Path, meeting: dt.date | None, settings: Settings
) -> tuple[Prepared, PackPlan, list[Problem]]:
    """Read the workbooks and papers and plan the pack, logging the warnings found."""
    log.info("Reading the workbooks and papers in %s", data)
    prepared = prepare(data, meeting, settings=settings)
    warnings = _log_warnings(prepared.problems)
    plan = plan_pack(prepared)
    log.info("Planned %d documents for the meeting of %s", len(plan.documents), _day(plan))
    return prepared, plan, warnings


def _kept(
    folder: Path, manifest: dict, plan: PackPlan, warnings: list[Problem], started: float
) -> BuildResult:
    """Report the pack kept from the previous build, with the warnings it was built with."""
    log.info("Nothing changed since %s was built: keeping it", folder / PACK_NAME)
    restricted = [doc for doc in plan.documents if doc.restricted]
    if restricted and manifest.get("encryption") is None:
        items = {(d.item.number, d.item.title) if d.item else (None, d.title) for d in restricted}
        warnings.append(unprotected_warning(items, Location(PACK_NAME)))
        log.warning("%s", warnings[-1])
    layout = manifest_layout(manifest)
    seconds = time.monotonic() - started
    documents = len(manifest["documents"])
    return BuildResult(
        folder, folder / PACK_NAME, layout.pages, documents, seconds, layout, warnings, 0, documents
    )


def _day(plan: PackPlan) -> str:
    return long_date(plan.meeting.date)


def _log_warnings(problems: list[Problem]) -> list[Problem]:
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    for problem in warnings:
        log.warning("%s", problem)
    return warnings


def _check_templates(templates: Path, plan: PackPlan, prepared: Prepared) -> list[Problem]:
    """Fail on any template problem, before anything is rendered or converted."""
    problems = Problems()
    problems.extend(check_templates(templates, plan, prepared))
    problems.raise_if_errors("The templates can't be rendered.", TemplateError)
    return _log_warnings(problems.items)


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
    """Render every document and turn each into `pdf/<key>.pdf`; return them in pack order."""
    folder = staging / plan.meeting.date.isoformat()
    log.info("Rendering the documents from %s", templates)
    rendered = _render(plan, prepared, templates, folder / "documents", convert)
    sources = _conversion_sources(plan, rendered, staging / "papers")
    pdfs = _convert(sources, folder / "pdf", convert, _paper_sources(plan, sources), progress)
    return _parts(plan, pdfs)


def _conversion_sources(plan: PackPlan, rendered: list[Path], papers: Path) -> dict[str, Path]:
    """Name each document's source by its key, so every PDF is `pdf/<key>.pdf`."""
    by_key = {path.stem: path for path in rendered}
    sources = {}
    for doc in plan.documents:
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
    problems, paths = Problems(), []
    for doc in plan.documents:
        if doc.template is None:
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
    name, day = prepared.settings.name, _day(plan)
    return PackInfo(
        title=f"{name} – {prepared.settings.pack_title} – {day}",
        subject=f"Agenda and papers for the meeting of {day}",
        author=name,
        footer=f"{name} – {day}",
    )
