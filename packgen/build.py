"""The build: workbooks to a merged, page-numbered PDF pack in output/<date>/, or nothing at all."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pypdf

from packgen import __version__
from packgen.assemble import (
    Layout,
    PackInfo,
    Part,
    assemble,
    open_pdf,
    page_counts,
    plan_layout,
)
from packgen.cache import CachedConverter, inputs_fingerprint, installation, unchanged_pack
from packgen.check import Prepared, prepare
from packgen.errors import (
    ConversionError,
    InputError,
    Location,
    PackgenError,
    Problem,
    Problems,
    Severity,
    TemplateError,
)
from packgen.lock import meeting_lock
from packgen.plan import PackDocument, PackPlan, long_date, plan_pack
from packgen.protect import (
    pack_password,
    protect_pack,
    public_parts,
    public_plan,
    unprotected_warning,
)
from packgen.render import check_templates, render_document

log = logging.getLogger(__name__)

PACK_NAME = "meeting-pack.pdf"
MANIFEST_NAME = "manifest.json"
STAGING_PREFIX = ".packgen-build-"
MAX_AGENDA_ROUNDS = 5

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
    password: Callable[[], str | None] = pack_password,
) -> BuildResult:
    """Build the meeting pack into `output/<date>/`; on any failure the previous pack stays."""
    started = time.monotonic()
    log.info("Reading the workbooks and papers in %s", data)
    prepared = prepare(data, meeting)
    warnings = _log_warnings(prepared.problems)
    plan = plan_pack(prepared)
    log.info("Planned %d documents for the meeting of %s", len(plan.documents), _day(plan))
    output.mkdir(parents=True, exist_ok=True)
    settings = prepared.settings
    convert = CachedConverter.for_output(output, settings.soffice, settings.soffice_timeout)
    inputs = _inputs(data, templates, plan, prepared, installation(settings.soffice))
    with meeting_lock(output, plan.meeting.date):
        reuse, password = _unchanged(output / plan.meeting.date.isoformat(), inputs, plan, password)
    if reuse:
        return _reused(output / plan.meeting.date.isoformat(), reuse, plan, warnings, started)
    # Everything that can be checked is checked before LibreOffice starts.
    template_warnings = _check_templates(templates, plan, prepared)
    warnings += template_warnings
    _check_papers(plan, data)
    with meeting_lock(output, plan.meeting.date), _staging(output) as staging:
        folder = staging / plan.meeting.date.isoformat()
        log.info("Rendering the documents from %s", templates)
        rendered = _render(plan, prepared, templates, folder / "documents")
        sources = _conversion_sources(plan, rendered, staging / "papers")
        pdfs = _convert(sources, folder / "pdf", convert, _paper_sources(plan, sources), progress)
        parts = _parts(plan, pdfs)
        log.info("Putting the page references in the agenda")
        _settle_page_refs(parts, plan, prepared, templates, folder, convert, ahead=True)
        log.info("Assembling %s", PACK_NAME)
        layout = assemble(parts, folder / PACK_NAME, _pack_info(plan, prepared))
        reuse = {"inputs": inputs, "template_warnings": len(template_warnings)}
        _write_manifest(
            folder, plan, parts, layout, data, templates, prepared, convert.libreoffice, reuse
        )
        settle = lambda ps, pl, work: _settle_page_refs(ps, pl, prepared, templates, work, convert)  # noqa: E731
        warnings += protect_pack(folder, plan, parts, _pack_info(plan, prepared), settle, password)
        final = _move_into_place(folder, output / folder.name, staging)
    seconds = time.monotonic() - started
    log.info("LibreOffice converted %d documents; %d came from the cache", *convert.counts)
    return BuildResult(
        final, final / PACK_NAME, layout.pages, len(parts), seconds, layout, warnings,
        *convert.counts,
    )  # fmt: skip


def _inputs(data: Path, templates: Path, plan: PackPlan, prepared: Prepared, salt: str) -> str:
    """Fingerprint everything a pack is made from: data, templates, packgen, LibreOffice, fonts."""
    files = {doc.letter.signature for doc in plan.documents if doc.letter and doc.letter.signature}
    files |= set(prepared.settings.logos)
    code = Path(__file__).resolve().parent  # packgen's own code, version bump or not
    meeting = plan.meeting.date.isoformat()
    versions = (__version__, pypdf.__version__, platform.python_version())
    return inputs_fingerprint([data, templates, code], files, meeting, salt, *versions)


def _unchanged(
    folder: Path, inputs: str, plan: PackPlan, password: Callable[[], str | None]
) -> tuple[dict, Callable[[], str | None]]:
    """Return the manifest of a pack built from the very same inputs that can be kept as it is.

    A pack that holds restricted items is kept only if its protection is what it would be now:
    encrypted and opened by the password given, or not encrypted when none is. The password is
    asked at most once; the callable returned gives it to the build that follows.
    """
    manifest = unchanged_pack(folder, inputs, MANIFEST_NAME)
    if not manifest or manifest.get("template_warnings") != 0:
        return {}, password
    encrypted = manifest.get("encryption") is not None
    if not any(doc.restricted for doc in plan.documents):
        return ({} if encrypted else manifest), password
    secret = password()
    asked = lambda: secret  # noqa: E731
    if secret is None:
        return ({} if encrypted else manifest), asked
    opens = encrypted and bool(pypdf.PdfReader(folder / PACK_NAME).decrypt(secret))
    return (manifest if opens else {}), asked


def _reused(
    folder: Path, manifest: dict, plan: PackPlan, warnings: list[Problem], started: float
) -> BuildResult:
    """Report the pack kept from the previous build, with the warnings it was built with."""
    log.info("Nothing changed since %s was built: keeping it", folder / PACK_NAME)
    restricted = [doc for doc in plan.documents if doc.restricted]
    if restricted and manifest.get("encryption") is None:
        items = {(d.item.number, d.item.title) if d.item else (None, d.title) for d in restricted}
        warnings.append(unprotected_warning(items, Location(PACK_NAME)))
        log.warning("%s", warnings[-1])
    layout = Layout(
        pages=manifest["pages"],
        documents={d["key"]: tuple(d["pages"]) for d in manifest["documents"]},
        items={i["number"]: tuple(i["pages"]) for i in manifest["items"] if i["pages"]},
    )
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
        name = _relative(doc.paper.path, data, "data")
        if not doc.paper.path.is_file():
            problems.error(Location(name), "the paper is missing")
        elif doc.paper.path.suffix.lower() == ".pdf":
            try:
                open_pdf(doc.paper.path, name)
            except InputError as exc:
                problems.extend(exc.problems)
    problems.raise_if_errors("Some papers can't be put in the pack.")


@contextlib.contextmanager
def _staging(output: Path) -> Iterator[Path]:
    """Give a temporary folder inside `output/`, removed however the build ends."""
    _remove_abandoned(output)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=output))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_abandoned(output: Path) -> None:
    """Remove temporary folders left by builds that were killed outright (their process is gone)."""
    for folder in output.glob(f"{STAGING_PREFIX}*"):
        pid = folder.name[len(STAGING_PREFIX) :].split("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            log.info("Removing %s, left by an interrupted build", folder.name)
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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


def _settle_page_refs(
    parts: list[Part],
    plan: PackPlan,
    prepared: Prepared,
    templates: Path,
    folder: Path,
    convert: CachedConverter,
    *,
    ahead: bool = False,
) -> Layout:
    """Render and convert the agenda again until the page references it prints are right.

    With `ahead`, each round also converts the public pack's agenda as protect_pack will render
    it, in the same LibreOffice round, so that its turn later finds the PDF in the cache.
    """
    agenda = _agenda(plan)
    counts = page_counts(parts)
    printed = None  # the first agenda shows placeholders, not page numbers
    for _ in range(MAX_AGENDA_ROUNDS):
        layout = plan_layout(parts, counts)
        if layout.items == printed:
            return layout
        printed = layout.items
        docx = render_document(agenda, plan, prepared, templates, folder / "documents", printed)
        extra = _public_agenda(parts, plan, prepared, templates, folder, counts) if ahead else []
        pdf = _convert_agenda(docx, extra, folder / "pdf", convert)
        counts[agenda.key] = len(open_pdf(pdf).pages)
    raise ConversionError(
        f"The agenda's page references did not settle after {MAX_AGENDA_ROUNDS} rounds.",
        [Problem(Location(agenda.template or agenda.key), "its length keeps changing")],
    )


def _convert_agenda(docx: Path, extra: list[Path], pdf_dir: Path, convert: CachedConverter) -> Path:
    """Convert only the agenda (and what goes with it), and only if its content changed."""
    if not extra or convert.has(docx) or convert.has(extra[0]):
        pdf = convert([docx], pdf_dir)[docx]
    else:
        pdfs = convert([docx, *extra], extra[0].parent)  # side by side, one LibreOffice each
        pdf = pdf_dir / f"{docx.stem}.pdf"
        shutil.copyfile(pdfs[docx], pdf)
    if extra:
        shutil.rmtree(extra[0].parent, ignore_errors=True)
    return pdf


def _public_agenda(
    parts: list[Part],
    plan: PackPlan,
    prepared: Prepared,
    templates: Path,
    folder: Path,
    counts: dict[str, int],
) -> list[Path]:
    """Render the public pack's agenda for these page counts, as protect_pack will need it."""
    restricted = {d.key for d in plan.documents if d.restricted}
    if not restricted:
        return []
    work = folder / ".ahead"
    public = public_parts(parts, restricted, work / "notices")
    layout = plan_layout(public, {p.key: counts.get(p.key, 1) for p in public})
    agenda = _agenda(plan)
    docx = render_document(
        agenda, public_plan(plan, public), prepared, templates, work, layout.items
    )
    return [docx.rename(docx.with_name(f"{docx.stem}-public.docx"))]  # a name of its own


def _render(plan: PackPlan, prepared: Prepared, templates: Path, out_dir: Path) -> list[Path]:
    """Render every document from its template; the templates were checked once already."""
    problems, paths = Problems(), []
    for doc in plan.documents:
        if doc.template is None:
            continue
        try:
            paths.append(render_document(doc, plan, prepared, templates, out_dir))
        except PackgenError as exc:
            problems.extend(exc.problems)
    problems.raise_if_errors("Some documents can't be rendered.", TemplateError)
    return paths


def _agenda(plan: PackPlan) -> PackDocument:
    return next(doc for doc in plan.documents if doc.item is None)


def _pack_info(plan: PackPlan, prepared: Prepared) -> PackInfo:
    name, day = prepared.settings.name, _day(plan)
    return PackInfo(
        title=f"{name} – {prepared.settings.pack_title} – {day}",
        subject=f"Agenda and papers for the meeting of {day}",
        author=name,
        footer=f"{name} – {day}",
    )


def _write_manifest(
    folder: Path,
    plan: PackPlan,
    parts: list[Part],
    layout: Layout,
    data: Path,
    templates: Path,
    prepared: Prepared,
    libreoffice: str = "unknown",
    reuse: dict | None = None,
) -> None:
    """Record what went in and where it sits: sources with SHA-256, versions, page ranges."""
    manifest = {
        "meeting": plan.meeting.date.isoformat(),
        "pack": PACK_NAME,
        "pages": layout.pages,
        "sha256": _sha256(folder / PACK_NAME),
        "versions": {
            "packgen": __version__,
            "libreoffice": libreoffice,
            "python": platform.python_version(),
            "pypdf": pypdf.__version__,
        },
        "items": _manifest_items(plan, layout),
        "documents": [_manifest_document(doc, layout) for doc in plan.documents],
        "sources": _manifest_sources(plan, prepared, data, templates),
        **(reuse or {}),  # what a rebuild compares to reuse this pack when nothing changed
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (folder / MANIFEST_NAME).write_text(text, encoding="utf-8")


def _manifest_items(plan: PackPlan, layout: Layout) -> list[dict]:
    return [
        {
            "number": item.number,
            "title": item.title,
            "pages": list(layout.items[item.number]) if item.number in layout.items else None,
            "documents": [doc.key for doc in plan.for_item(item.number)],
        }
        for item in plan.agenda.items
    ]


def _manifest_document(doc: PackDocument, layout: Layout) -> dict:
    return {
        "key": doc.key,
        "title": doc.title,
        "item": doc.item.number if doc.item else None,
        "pages": list(layout.documents[doc.key]),
        "pdf": f"pdf/{doc.key}.pdf",
        "docx": None if doc.paper else f"documents/{doc.key}.docx",
        "restricted": doc.restricted,
    }


def _manifest_sources(
    plan: PackPlan, prepared: Prepared, data: Path, templates: Path
) -> list[dict]:
    """List every file read, named relative to its folder, never by an absolute path."""
    files = {Path(p) for p in prepared.partnership.sources}
    files |= {doc.paper.path for doc in plan.documents if doc.paper}
    files |= {templates / doc.template for doc in plan.documents if doc.template}
    files |= {doc.letter.signature for doc in plan.documents if doc.letter and doc.letter.signature}
    files |= set(prepared.settings.logos)
    files |= {data / "partnership.toml"} if (data / "partnership.toml").is_file() else set()
    named = {_source_name(f, data, templates): f for f in files if f.is_file()}
    return [{"file": name, "sha256": _sha256(named[name])} for name in sorted(named)]


def _source_name(path: Path, data: Path, templates: Path) -> str:
    if path.resolve().is_relative_to(templates.resolve()):
        return _relative(path, templates, "templates")
    return _relative(path, data, "data")


def _relative(path: Path, folder: Path, label: str) -> str:
    """Name a file as `label/relative/path`, or by its bare name outside the folder."""
    try:
        return f"{label}/{path.resolve().relative_to(folder.resolve()).as_posix()}"
    except ValueError:
        return path.name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _move_into_place(folder: Path, final: Path, staging: Path) -> Path:
    """Swap the finished folder in for the previous one by renames; put it back on failure."""
    previous = staging / "previous"
    if final.exists():
        os.replace(final, previous)
    try:
        os.replace(folder, final)
    except BaseException:
        if previous.exists():
            os.replace(previous, final)
        raise
    log.info("Wrote %s", final)
    return final
