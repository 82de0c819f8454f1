"""The copies of the papers LibreOffice converts, each prepared so its PDF reads well in the pack.

Word, OpenDocument and old Office files and slides are copied as they are (LibreOffice's plain
`--convert-to pdf` picks the export filter for each: slides one to a page, at their own
landscape size). A spreadsheet's copy is set to fit each sheet to the page width. An image
becomes a small Word document holding it on one page, scaled to fit, with its file name as its
alternative text, converted like the rest. The officer's file is never changed.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

from lxml import etree

from packgen.check import paper_format
from packgen.errors import ConversionError, Location, Problem

FIXED = (1980, 1, 1, 0, 0, 0)  # zip entry dates of the image documents, so they stay the same
SHEET_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
# What follows <pageSetup> in a worksheet (ECMA-376 CT_Worksheet): it goes before the first.
_AFTER_PAGE_SETUP = (
    "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors",
    "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture",
    "oleObjects", "controls", "webPublishItems", "tableParts", "extLst",
)  # fmt: skip
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def copy_paper(source: Path, target: Path) -> Path:
    """Write the copy of `source` LibreOffice converts, as `target` with the right suffix."""
    found = paper_format(source)
    suffix = source.suffix.lower()
    if found is not None and found.image:
        out = target.with_suffix(".docx")
        out.write_bytes(image_document(source))
    elif suffix == ".xlsx":
        out = target.with_suffix(suffix)
        _rewrite_zip(source, out, _fit_xlsx_sheet)
    elif suffix == ".ods":
        out = target.with_suffix(suffix)
        _rewrite_zip(source, out, _fit_ods_styles)
    else:
        out = target.with_suffix(suffix)
        shutil.copyfile(source, out)
    return out


def missing_parts(papers: list[tuple[str, Path]], soffice: str) -> list[Problem]:
    """Name each paper whose part of LibreOffice (Writer, Impress, Calc) isn't installed, and the
    Debian package that installs it. `papers` are (where, path); an unknown LibreOffice layout
    (no share/registry beside program/) is left to the conversion to judge."""
    executable = shutil.which(soffice)
    if executable is None:
        return []
    registry = Path(executable).resolve().parent.parent / "share" / "registry"
    if not (registry / "main.xcd").is_file():
        return []
    problems = []
    for where, path in papers:
        found = paper_format(path)
        if found and found.part and not (registry / f"{found.part.lower()}.xcd").is_file():
            problems.append(
                Problem(
                    Location(where),
                    f"{found.kind} needs LibreOffice {found.part}, which isn't installed: "
                    f"sudo apt-get install {found.package}",
                )
            )
    return problems


def refuse_missing_parts(papers: list[tuple[str, Path]], soffice: str) -> None:
    problems = missing_parts(papers, soffice)
    if problems:
        raise ConversionError("LibreOffice can't convert some papers.", problems)


def image_document(image: Path) -> bytes:
    """A Word document holding `image` alone on an A4 page (landscape for a wide image), scaled
    to fit inside the margins, its alternative text the file's name; the same bytes each time."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.image.image import Image
    from docx.shared import Cm, Pt

    picture = Image.from_file(str(image))
    wide = picture.px_width > picture.px_height
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if wide else WD_ORIENT.PORTRAIT
    long, short = Cm(29.7), Cm(21.0)
    section.page_width, section.page_height = (long, short) if wide else (short, long)
    margin = Cm(2)
    section.top_margin = section.bottom_margin = section.left_margin = section.right_margin = margin
    room_w = section.page_width - 2 * margin
    room_h = int((section.page_height - 2 * margin) * 0.92)  # the line the picture sits on
    scale = min(room_w / picture.px_width, room_h / picture.px_height)
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run()
    shape = run.add_picture(
        str(image), width=int(picture.px_width * scale), height=int(picture.px_height * scale)
    )
    shape._inline.docPr.set("descr", image.stem)  # the alternative text screen readers read
    shape._inline.docPr.set("title", image.stem)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = image.stem, "packgen", "packgen"
    props.created = props.modified = dt.datetime(2000, 1, 1)
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_dates(buffer.getvalue())


def _fixed_dates(docx: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def _rewrite_zip(source: Path, target: Path, change) -> None:
    """Copy a zip entry by entry, in order and with each entry's own settings, passing each
    part through `change(name, bytes)`."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, change(info.filename, src.read(info.filename)))


def _fit_xlsx_sheet(name: str, data: bytes) -> bytes:
    """Set a worksheet to print one page wide (as tall as it needs)."""
    if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
        return data
    root = etree.fromstring(data, _PARSER)
    ns = f"{{{SHEET_MAIN}}}"
    props = root.find(f"{ns}sheetPr")
    if props is None:
        props = etree.Element(f"{ns}sheetPr")
        root.insert(0, props)
    fit = props.find(f"{ns}pageSetUpPr")
    if fit is None:
        fit = etree.SubElement(props, f"{ns}pageSetUpPr")
    fit.set("fitToPage", "1")
    setup = root.find(f"{ns}pageSetup")
    if setup is None:
        setup = etree.Element(f"{ns}pageSetup")
        later = [root.find(f"{ns}{tag}") for tag in _AFTER_PAGE_SETUP]
        later = [e for e in later if e is not None]
        if later:
            later[0].addprevious(setup)
        else:
            root.append(setup)
    setup.set("fitToWidth", "1")
    setup.set("fitToHeight", "0")
    setup.attrib.pop("scale", None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _fit_ods_styles(name: str, data: bytes) -> bytes:
    """Set every page style of a spreadsheet to scale its sheets to one page wide."""
    if name != "styles.xml":
        return data
    root = etree.fromstring(data, _PARSER)
    for props in root.iter(f"{{{STYLE}}}page-layout-properties"):
        for attribute in ("scale-to", "scale-to-pages", "scale-to-Y"):
            props.attrib.pop(f"{{{STYLE}}}{attribute}", None)
        props.set(f"{{{STYLE}}}scale-to-X", "1")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
