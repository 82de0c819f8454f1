"""The build: workbooks to a merged, page-numbered PDF pack in output/<date>/, or nothing at all.

This module reads and checks the workbooks and decides whether the previous pack can be kept;
packgen.commands.produce knows the order of the stages that make a new one, each in a stage of
its own.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packgen.commands.lock import meeting_lock
from packgen.commands.supplement import revision_salt
from packgen.convert import CachedConverter, installation
from packgen.errors import Location, Problem, Severity
from packgen.model import long_date
from packgen.plan import (
    MANIFEST,
    PACK_NAME,
    Layout,
    PackPlan,
    pack_password,
    plan_pack,
    unprotected_warning,
)
from packgen.settings import Settings, load_settings
from packgen.write import (
    Password,
    kept_without_reading,
    last_issue,
    manifest_layout,
    pack_inputs,
    read_files,
    reusable_pack,
    reuse_record,
    untagged_warnings,
)

if TYPE_CHECKING:
    from packgen.check import Prepared

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
    supplement: dt.date | None = None,
) -> BuildResult:
    """Build the meeting pack into `output/<date>/`; on any failure the previous pack stays.

    With `supplement` (its day), the pack is revised and the supplement to its last issue made
    beside it (packgen.commands.supplement)."""
    started = time.monotonic()
    settings = load_settings(data)
    if meeting is not None:  # perhaps nothing changed: known without reading the workbooks
        args = (data, templates, output, meeting, settings, password, supplement)
        manifest, warnings, password = _unchanged(*args)
        if manifest:
            return _kept(output / meeting.isoformat(), manifest, warnings, started)
    convert = CachedConverter.for_output(
        output, settings.soffice, settings.soffice_timeout, settings.keep_libreoffice
    )
    with convert:  # closes what it started on the way out; kept LibreOffices stay open
        if convert.keep:  # a kept LibreOffice is never wasted: start it before anything else
            convert.start_ahead(convert.offices_wanted())
        return _build(
            data, templates, output, meeting, settings, convert, progress, password, started,
            supplement,
        )  # fmt: skip


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
    supplement: dt.date | None,
) -> BuildResult:
    prepared, plan, warnings = _read(data, output, meeting, settings)
    output.mkdir(parents=True, exist_ok=True)
    final = output / plan.meeting.date.isoformat()
    files = read_files(plan, prepared)
    salt = _salt(settings, final, supplement)
    inputs = pack_inputs(data, templates, plan.meeting.date, files, salt)
    restricted = any(doc.restricted for doc in plan.documents)
    with meeting_lock(output, plan.meeting.date):
        kept, password = reusable_pack(final, inputs, restricted, password)
    if kept:
        return _kept(final, kept, warnings, started)
    # Imported only now: the stages below need python-docx, docxtpl, Jinja and pypdf, and an
    # unchanged pack (above) needs none of them.
    from packgen.commands.produce import Job, produce
    from packgen.write import prune_caches  # brings in the render stage, as produce does

    record = reuse_record(data, files, warnings)
    job = Job(data, templates, output, final, plan, prepared, inputs, record, supplement)
    made = produce(job, convert, progress, password)
    warnings += made.warnings
    prune_caches(output)  # the pack is made: cache entries unused for 60 days go
    seconds = time.monotonic() - started
    log.info("LibreOffice converted %d documents; %d came from the cache", *convert.counts)
    return BuildResult(
        final, final / PACK_NAME, made.layout.pages, made.documents, seconds, made.layout,
        warnings, *convert.counts,
    )  # fmt: skip


def _read(
    data: Path, output: Path, meeting: dt.date | None, settings: Settings
) -> tuple[Prepared, PackPlan, list[Problem]]:
    """Read the workbooks and papers and plan the pack, logging the warnings found.

    Workbooks whose bytes are unchanged since a build into `output` come from its sheet cache."""
    # Imported only now, after LibreOffice has been started; an unchanged pack needs neither.
    from packgen.check import prepare
    from packgen.read import CACHE_DIR as SHEETS_DIR
    from packgen.read import caching

    log.info("Reading the workbooks and papers in %s", data)
    with caching(output / SHEETS_DIR) as sheets:
        prepared = prepare(data, meeting, settings=settings)
    log.debug("Workbooks read: %s; from the sheet cache: %s", sheets.misses, sheets.hits)
    warnings = _log_warnings(prepared.problems)
    plan = plan_pack(prepared)
    log.info("Planned %d documents for the meeting of %s", len(plan.documents), _day(plan))
    return prepared, plan, warnings


def _unchanged(
    data: Path,
    templates: Path,
    output: Path,
    meeting: dt.date,
    settings: Settings,
    password: Password,
    supplement: dt.date | None,
) -> tuple[dict, list[Problem], Password]:
    """Return the manifest of the meeting's pack if nothing changed, with its recorded warnings."""
    folder = output / meeting.isoformat()
    if not (folder / MANIFEST).is_file():
        return {}, [], password
    salt = _salt(settings, folder, supplement)
    with meeting_lock(output, meeting):
        manifest, warnings, password = kept_without_reading(
            folder, data, templates, meeting, salt, password
        )
    for warning in warnings:
        log.warning("%s", warning)
    return manifest, warnings, password


def _kept(folder: Path, manifest: dict, warnings: list[Problem], started: float) -> BuildResult:
    """Report the pack kept from the previous build, with the warnings it was built with."""
    log.info("Nothing changed since %s was built: keeping it", folder / PACK_NAME)
    titles = {item["number"]: item["title"] for item in manifest["items"]}
    restricted = [doc for doc in manifest["documents"] if doc["restricted"]]
    if restricted and manifest.get("encryption") is None:
        items = {(d["item"], titles.get(d["item"], d["title"])) for d in restricted}
        warnings.append(unprotected_warning(sorted(items, key=str), Location(PACK_NAME)))
        log.warning("%s", warnings[-1])
    for warning in untagged_warnings(manifest):
        warnings.append(warning)
        log.warning("%s", warning)
    layout = manifest_layout(manifest)
    seconds = time.monotonic() - started
    documents = len(manifest["documents"])
    return BuildResult(
        folder, folder / PACK_NAME, layout.pages, documents, seconds, layout, warnings, 0, documents
    )


def _salt(settings: Settings, folder: Path, supplement: dt.date | None) -> str:
    """What a pack depends on besides its files: the LibreOffice installation and, for a
    revised pack, the line its agenda carries (packgen.commands.supplement)."""
    revised = revision_salt(last_issue(folder), supplement)
    return installation(settings.soffice) + (f"\n{revised}" if revised else "")


def _day(plan: PackPlan) -> str:
    return long_date(plan.meeting.date)


def _log_warnings(problems: list[Problem]) -> list[Problem]:
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    for problem in warnings:
        log.warning("%s", problem)
    return warnings
