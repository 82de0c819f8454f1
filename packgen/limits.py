"""Size limits for the zip files packgen opens: workbooks, templates and every zip-based paper
(.docx, .pptx, .xlsx, .odt, .odp, .ods)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from packgen.errors import Location, Problem

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all parts of one file, unpacked
MAX_RATIO = 100  # unpacked size / packed size of a part larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_PARTS = 10_000
DTD_SCAN = 4096  # bytes read from the start of each XML part to look for a DTD
WORD_BODY = "word/document.xml"


def archive_problem(path: Path, where: Location | None = None) -> Problem | None:
    """Refuse a zip whose declared sizes would unpack too far, or whose XML declares entities."""
    where = where or Location(path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            return _size_problem(archive.infolist(), where) or _dtd_problem(archive, where)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        return Problem(where, f"is not a zip file as Office saves them ({exc})")


def docx_problem(path: Path, where: Location | None = None) -> Problem | None:
    """Refuse a .docx that isn't a safe, well-formed Word document, before LibreOffice sees it."""
    return office_problem(path, WORD_BODY, "a Word document", where)


def office_problem(
    path: Path, main_part: str, kind: str, where: Location | None = None
) -> Problem | None:
    """Refuse a zip-based office file (.docx, .pptx, .xlsx, .odt, .odp, .ods) that isn't safe,
    or whose main part (`word/document.xml`, `content.xml`, …) is missing or not well-formed."""
    where = where or Location(path.name)
    problem = archive_problem(path, where)
    if problem is not None:
        return problem
    with zipfile.ZipFile(path) as archive:
        if main_part not in archive.namelist():
            return Problem(where, f"is not {kind}: it has no {main_part}")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        try:
            with archive.open(main_part) as body:
                etree.parse(body, parser)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError) as exc:
            return Problem(where, f"is damaged: {main_part} can't be read ({exc})")
    return None


def _size_problem(parts: list[zipfile.ZipInfo], where: Location) -> Problem | None:
    if len(parts) > MAX_PARTS:
        return Problem(where, f"holds {len(parts)} parts, more than {MAX_PARTS}: refused")
    total = sum(p.file_size for p in parts)
    if total > MAX_UNCOMPRESSED:
        return Problem(
            where,
            f"would unpack to {_mb(total)}, more than {_mb(MAX_UNCOMPRESSED)}: refused "
            "(a zip bomb, or far larger than any workbook or paper)",
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            return Problem(
                where,
                f"{part.filename} is compressed {ratio:.0f} to 1, more than {MAX_RATIO} to 1: "
                "refused (a zip bomb)",
            )
    return None


def _dtd_problem(archive: zipfile.ZipFile, where: Location) -> Problem | None:
    """Office files never declare a DTD; one that does may hide an entity bomb."""
    for part in archive.infolist():
        if not part.filename.endswith((".xml", ".rels")):
            continue
        with archive.open(part) as stream:
            head = stream.read(DTD_SCAN)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            return Problem(
                where, f"{part.filename} declares XML entities, which Office never writes: refused"
            )
    return None


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"
