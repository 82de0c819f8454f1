"""The formats papers may be sent in, which part of LibreOffice converts each, and the check
that a paper is one of them and safe to open."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from packgen.errors import Location, Problem
from packgen.limits import office_problem


@dataclass(frozen=True)
class PaperFormat:
    suffix: str
    kind: str  # "a Word document", for messages
    part: str  # the part of LibreOffice that converts it ("" for a PDF, taken as it is)
    package: str  # the Debian package that installs that part
    main_part: str = ""  # a zip-based format's main XML part, checked before LibreOffice sees it
    image: bool = False  # put on a page of its own, scaled to fit, through a Word document


WRITER, IMPRESS, CALC = (
    "libreoffice-writer-nogui",
    "libreoffice-impress-nogui",
    "libreoffice-calc-nogui",
)
FORMATS = {
    f.suffix: f
    for f in (
        PaperFormat(".docx", "a Word document", "Writer", WRITER, "word/document.xml"),
        PaperFormat(".doc", "a Word 97-2003 document", "Writer", WRITER),
        PaperFormat(".odt", "an OpenDocument text", "Writer", WRITER, "content.xml"),
        PaperFormat(".rtf", "a Rich Text document", "Writer", WRITER),
        PaperFormat(
            ".pptx", "a PowerPoint presentation", "Impress", IMPRESS, "ppt/presentation.xml"
        ),
        PaperFormat(".ppt", "a PowerPoint 97-2003 presentation", "Impress", IMPRESS),
        PaperFormat(".odp", "an OpenDocument presentation", "Impress", IMPRESS, "content.xml"),
        PaperFormat(".xlsx", "an Excel workbook", "Calc", CALC, "xl/workbook.xml"),
        PaperFormat(".ods", "an OpenDocument spreadsheet", "Calc", CALC, "content.xml"),
        PaperFormat(".pdf", "a PDF", "", ""),
        PaperFormat(".png", "a PNG image", "Writer", WRITER, image=True),
        PaperFormat(".jpg", "a JPEG image", "Writer", WRITER, image=True),
        PaperFormat(".jpeg", "a JPEG image", "Writer", WRITER, image=True),
    )
}
ACCEPTED = ", ".join(FORMATS)
JPEG = b"\xff\xd8\xff"
# An image must be one: it is placed on a page by python-docx, which reads its header. (Old
# .doc, .ppt and .rtf are left to LibreOffice, which recognises a file by its content.)
_SIGNATURES = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (JPEG,), ".jpeg": (JPEG,)}


def paper_format(path: Path) -> PaperFormat | None:
    return FORMATS.get(path.suffix.lower())


def paper_problem(path: Path, where: Location) -> Problem | None:
    """Refuse a paper in a format packgen doesn't take, or one that isn't what its name says."""
    found = paper_format(path)
    if found is None:
        what = f"a {path.suffix} file" if path.suffix else "a file without an extension"
        return Problem(
            where, f"is {what}, which packgen can't put in a pack: send it as {ACCEPTED}"
        )
    if found.main_part:
        return office_problem(path, found.main_part, found.kind, where)
    signatures = _SIGNATURES.get(found.suffix)
    if signatures:
        with path.open("rb") as stream:
            head = stream.read(8)
        if not head.startswith(signatures):
            return Problem(where, f"is not {found.kind}, as its name says: it can't be converted")
    return None
