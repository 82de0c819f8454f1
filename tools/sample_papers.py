"""Build the papers officers sent in for the 15 October 2020 meeting from the seed pack's text.

The text of each paper is transcribed from the reference pack into `tools/papers/*.txt`, in a small
line-based markup (a front-matter block of `key: value` lines ended by `---`, then one block per
line; blank lines only separate blocks):

    # Heading 1 / ## Heading 2 / ### Heading 3
    + 1.2.3 Text       numbered paragraph, number hanging at `numindent` cm
    ++ (a) Text        sub-numbered paragraph, text at `subindent` cm
    - Text             bullet (`bulletindent` cm when given)
    > Text             paragraph indented to the numbered text
    | a | b | > |      table row; `>` merges a cell into the one on its left; `<br>` breaks a cell
    !table STYLE [widths in cm] [head=N]   style of the next table: grid, kv, form, plain, box
    !title T / !subtitle T / !center T / !right T / !band T (shaded bar) / !draft / !box N lines
    !spacer N / !pagebreak
    inline: **bold**, *italic*, ***both***, __underline__, [link text](#)

Every paper is written as .docx with python-docx; the `.pdf` papers are converted with LibreOffice
and their metadata fixed with pypdf. Dates, zip timestamps and PDF identifiers are fixed, so the
same text gives the same files.

Usage: python tools/sample_papers.py [--out DIR] [--docx-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
TEXT_DIR = Path(__file__).resolve().parent / "papers"
OUT_DIR = ROOT / "data" / "papers" / "2020-10-15"
SOFFICE_TIMEOUT = 180
ZIP_TIME = (2020, 10, 1, 0, 0, 0)
PAGE_WIDTH_CM = 21.0
MARGIN_CM = 2.2
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM
INLINE = re.compile(
    r"\*\*\*(?P<bi>.+?)\*\*\*|\*\*(?P<b>.+?)\*\*|\*(?P<i>[^*\s][^*]*?)\*"
    r"|__(?P<u>.+?)__|\[(?P<link>.+?)\]\(#\)"
)
LINK_BLUE = RGBColor(0x05, 0x63, 0xC1)
TABLE_HEADING = "Table Heading"


@dataclass
class PaperText:
    """One paper's front matter and body lines as transcribed."""

    source: Path
    meta: dict[str, str]
    lines: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        """Return the file name the paper is written to."""
        return self.meta["output"]

    def number(self, key: str, default: float) -> float:
        """Return a numeric front-matter value."""
        return float(self.meta.get(key, default))


def load_papers(text_dir: Path = TEXT_DIR) -> list[PaperText]:
    """Read every transcribed paper under `text_dir`, in file-name order."""
    return [parse_paper(path) for path in sorted(text_dir.glob("*.txt"))]


def parse_paper(path: Path) -> PaperText:
    """Split a transcribed paper into front matter and body lines."""
    head, sep, body = path.read_text(encoding="utf-8").partition("\n---\n")
    if not sep:
        raise ValueError(f"{path.name}: no '---' line after the front matter")
    meta = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    missing = {"title", "author", "created", "output"} - meta.keys()
    if missing:
        raise ValueError(f"{path.name}: front matter lacks {', '.join(sorted(missing))}")
    return PaperText(path, meta, body.splitlines())


# --- inline text -------------------------------------------------------------------------------


def add_inline(paragraph: Paragraph, text: str, *, bold: bool = False, size: float = 0) -> None:
    """Append `text` to `paragraph`, turning the inline markup into runs."""
    pos = 0
    for match in INLINE.finditer(text):
        if match.start() > pos:
            _run(paragraph, text[pos : match.start()], bold=bold, size=size)
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "link":
            value = value.replace("\\(", "(").replace("\\)", ")")
            run = _run(paragraph, value, bold=bold, size=size)
            run.font.underline = True
            run.font.color.rgb = LINK_BLUE
        else:
            run = _run(paragraph, value, bold=bold or kind in ("b", "bi"), size=size)
            run.italic = kind in ("i", "bi") or None
            run.underline = kind == "u" or None
        pos = match.end()
    if pos < len(text):
        _run(paragraph, text[pos:], bold=bold, size=size)


def _run(paragraph: Paragraph, text: str, *, bold: bool, size: float):
    """Add one run with optional bold and size."""
    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    if size:
        run.font.size = Pt(size)
    return run


# --- document set-up ---------------------------------------------------------------------------


def new_document(paper: PaperText) -> Document:
    """Create an A4 document with the paper's fonts, styles, header and properties."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    section.header_distance = section.footer_distance = Cm(1.0)
    style_document(doc, paper)
    if paper.meta.get("header"):
        write_header(doc, paper)
    set_properties(doc, paper)
    return doc


def style_document(doc: Document, paper: PaperText) -> None:
    """Set the body, heading and title styles to the paper's font and accent colour."""
    font = paper.meta.get("font", "Arial")
    size = paper.number("size", 11)
    accent = RGBColor.from_string(paper.meta.get("accent", "1F4E79"))
    normal = doc.styles["Normal"]
    _set_font(normal, font, size)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.08
    specs = {
        "Heading 1": (size + 3, accent, False, 14),
        "Heading 2": (size + 1, accent, False, 10),
        "Heading 3": (size, accent, True, 8),
        "Title": (size + 9, accent, False, 6),
        "Subtitle": (size + 4, accent, False, 6),
    }
    for name, (pt, colour, italic, before) in specs.items():
        style = doc.styles[name]
        _set_font(style, font, pt)
        style.font.bold, style.font.italic, style.font.color.rgb = True, italic, colour
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
        _drop_border(style)
    doc.styles["Title"].font.bold = True
    _set_font(doc.styles["Header"], font, 8)
    # LibreOffice exports a cell whose paragraphs have this style as a header cell (TH).
    heading = doc.styles.add_style(TABLE_HEADING, WD_STYLE_TYPE.PARAGRAPH)
    heading.base_style = normal


def _set_font(style, name: str, size: float) -> None:
    """Give a style a fixed font (not the theme's) and size."""
    style.font.name, style.font.size = name, Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _drop_border(style) -> None:
    """Remove the paragraph border some default styles (Title) carry."""
    ppr = style.element.pPr
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)


def write_header(doc: Document, paper: PaperText) -> None:
    """Render the partners' logos as one header line of their names, a cell per partner."""
    header = doc.sections[0].header
    names = [name.strip() for name in paper.meta["header"].split("|")]
    rule = header.paragraphs[0]
    if len(names) == 1:
        _header_text(rule, names[0])
    else:
        table = header.add_table(1, len(names), Cm(TEXT_WIDTH_CM))
        _set_widths(table, [min(max(len(name), 20), 40) for name in names])
        for cell, name in zip(table.rows[0].cells, names, strict=True):
            cell.paragraphs[0].style = doc.styles["Header"]
            _header_text(cell.paragraphs[0], name)
        header._element.remove(rule._p)
        header._element.append(rule._p)
    rule.paragraph_format.space_after = Pt(0)
    _paragraph_border(rule, "bottom")


def _header_text(paragraph: Paragraph, text: str) -> None:
    """Write one partner's name, centred and bold, in the header."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(2)
    run = paragraph.add_run(text)
    run.bold = True
    run.font.color.rgb = RGBColor(0x40, 0x40, 0x40)


def _paragraph_border(paragraph: Paragraph, side: str) -> None:
    """Draw a thin rule on one side of a paragraph."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "4"), ("color", "808080")):
        edge.set(qn(f"w:{key}"), value)
    borders.append(edge)
    ppr.append(borders)


def set_properties(doc: Document, paper: PaperText) -> None:
    """Set fixed core properties so builds are reproducible."""
    props = doc.core_properties
    when = dt.datetime.fromisoformat(paper.meta["created"])
    props.title = paper.meta["title"]
    props.author = props.last_modified_by = paper.meta["author"]
    props.subject = paper.meta.get("subject", "")
    props.keywords = "BHR Safeguarding Partnership; 15 October 2020"
    props.created = props.modified = when
    props.last_printed = when
    props.revision = 1


# --- body blocks -------------------------------------------------------------------------------


class Renderer:
    """Turn a paper's body lines into document blocks."""

    def __init__(self, doc: Document, paper: PaperText) -> None:
        self.doc = doc
        self.paper = paper
        self.size = paper.number("size", 11)
        self.accent = paper.meta.get("accent", "1F4E79")
        self.numindent = paper.number("numindent", 1.2)
        self.table_spec: list[str] = []
        self.rows: list[list[str]] = []

    def render(self) -> None:
        """Render every line, flushing tables at blank lines and other blocks."""
        for line in self.paper.lines:
            if line.startswith("|"):
                self.rows.append([cell.strip() for cell in line.strip()[1:-1].split("|")])
                continue
            self.flush_table()
            if line.strip():
                self.block(line)
        self.flush_table()

    def block(self, line: str) -> None:
        """Render one non-table line."""
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            add_inline(self.doc.add_heading(level=level), line[level:].strip())
        elif line.startswith("!"):
            self.directive(*line[1:].partition(" ")[::2])
        elif line.startswith("++ "):
            self.numbered(line[3:], self.paper.number("subindent", 1.0), 0.75)
        elif line.startswith("+ "):
            self.numbered(line[2:], self.numindent, self.numindent)
        elif line.startswith("- "):
            self.bullet(line[2:])
        elif line.startswith("> "):
            paragraph = self.doc.add_paragraph()
            paragraph.paragraph_format.left_indent = Cm(self.numindent)
            add_inline(paragraph, line[2:])
        else:
            add_inline(self.doc.add_paragraph(), line)

    def directive(self, name: str, arg: str) -> None:
        """Render a `!name arg` line."""
        handlers = {
            "title": lambda: add_inline(self.doc.add_paragraph(style="Title"), arg),
            "ctitle": lambda: self.aligned(arg, WD_ALIGN_PARAGRAPH.CENTER, "Title"),
            "subtitle": lambda: add_inline(self.doc.add_paragraph(style="Subtitle"), arg),
            "center": lambda: self.aligned(arg, WD_ALIGN_PARAGRAPH.CENTER),
            "right": lambda: self.aligned(arg, WD_ALIGN_PARAGRAPH.RIGHT),
            "band": lambda: self.band(arg),
            "draft": self.draft,
            "box": lambda: self.box(int(arg or 3)),
            "spacer": lambda: [self.doc.add_paragraph() for _ in range(int(arg or 1))],
            "pagebreak": lambda: self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE),
            "table": lambda: self.table_spec.extend(arg.split()),
        }
        if name not in handlers:
            raise ValueError(f"{self.paper.source.name}: unknown directive !{name}")
        handlers[name]()

    def aligned(self, text: str, alignment: WD_ALIGN_PARAGRAPH, style: str | None = None) -> None:
        """Add a centred or right-aligned paragraph."""
        paragraph = self.doc.add_paragraph(style=style)
        paragraph.alignment = alignment
        add_inline(paragraph, text)

    def numbered(self, text: str, indent: float, hang: float) -> None:
        """Add a paragraph whose literal number hangs in the margin of its text."""
        number, _, rest = text.partition(" ")
        paragraph = self.doc.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.left_indent, fmt.first_line_indent = Cm(indent), Cm(-hang)
        fmt.tab_stops.add_tab_stop(Cm(indent))
        paragraph.add_run(number + "\t")
        add_inline(paragraph, rest)

    def bullet(self, text: str) -> None:
        """Add a bulleted paragraph."""
        paragraph = self.doc.add_paragraph(style="List Bullet")
        if "bulletindent" in self.paper.meta:
            fmt = paragraph.paragraph_format
            fmt.left_indent = Cm(self.paper.number("bulletindent", 0))
            fmt.first_line_indent = Cm(-0.63)
        paragraph.paragraph_format.space_after = Pt(3)
        add_inline(paragraph, text)

    def band(self, text: str) -> None:
        """Add a shaded bar with white bold text, as a timeline step."""
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(12)
        paragraph.paragraph_format.keep_with_next = True
        _shade(paragraph._p.get_or_add_pPr(), self.accent)
        run = paragraph.add_run(text)
        run.bold, run.font.size = True, Pt(self.size + 1)
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)

    def draft(self) -> None:
        """Add the DRAFT mark."""
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run("DRAFT")
        run.bold, run.font.size = True, Pt(36)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)

    def box(self, lines: int) -> None:
        """Add an empty bordered box for a form answer, kept with its question: a paragraph
        with a border, not a one-cell table (a table a screen reader would announce)."""
        self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        box = self.doc.add_paragraph()
        box.paragraph_format.line_spacing = Cm(0.6 * lines)
        box.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        box.paragraph_format.space_after = Pt(0)
        _border(box)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)

    def flush_table(self) -> None:
        """Write the table rows collected so far, in the pending style."""
        if not self.rows:
            return
        spec, self.table_spec = self.table_spec or ["grid"], []
        style = spec[0]
        head = next((int(s[5:]) for s in spec if s.startswith("head=")), 1)
        widths = [float(s) for s in spec[1:] if not s.startswith("head=")]
        if style == "box":
            self.text_box([cell for row in self.rows for cell in row])
        else:
            write_table(self, self.rows, style, widths, head)
        self.rows = []

    def text_box(self, cells: list[str]) -> None:
        """Write a box of text as bordered paragraphs (they share one border), not a table."""
        for cell in cells:
            for part in cell.split("<br>"):
                paragraph = self.doc.add_paragraph()
                paragraph.paragraph_format.space_after = Pt(2)
                add_inline(paragraph, part.strip(), size=self.size - 1)
                _border(paragraph)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)


# --- tables ------------------------------------------------------------------------------------


def write_table(
    renderer: Renderer, rows: list[list[str]], style: str, widths: list[float], head: int
) -> None:
    """Write one table: merged cells, label shading and column widths."""
    doc = renderer.doc
    cols = max(len(row) for row in rows)
    table = doc.add_table(rows=len(rows), cols=cols)
    if style != "plain":
        table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_widths(table, widths or [TEXT_WIDTH_CM / cols] * cols)
    for r, row in enumerate(rows):
        for c, text in enumerate(row + [""] * (cols - len(row))):
            cell = table.cell(r, c)
            label = _is_label(style, r, c, head)
            if text != ">":
                _fill_cell(cell, text, label, renderer.size - 1)
                if label and style != "grid":  # a row's label: a header cell (TH) in the PDF
                    for paragraph in cell.paragraphs:
                        paragraph.style = doc.styles[TABLE_HEADING]
            if label and style != "plain":
                _shade(cell._tc.get_or_add_tcPr(), "DEEAF6")
        if style in ("form", "box") or not any(row):
            _row_height(table.rows[r], 2.4 if style == "box" else 0.8)
        _merge_row(table, r, row)
        _keep_row(table.rows[r], together=style == "kv" and r < len(rows) - 1)
    if style == "grid":
        for r in range(min(head, len(rows))):
            _repeat_header(table.rows[r])
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _is_label(style: str, row: int, col: int, head: int) -> bool:
    """Tell whether a cell is a heading or label cell in this table style."""
    if style == "grid":
        return row < head
    return style in ("kv", "form", "plain") and col % 2 == 0


def _fill_cell(cell: _Cell, text: str, bold: bool, size: float) -> None:
    """Put text in a cell, one paragraph per `<br>`."""
    parts = text.split("<br>")
    first = cell.paragraphs[0]
    for index, part in enumerate(parts):
        paragraph = first if index == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        add_inline(paragraph, part.strip(), bold=bold, size=size)


def _merge_row(table: Table, r: int, row: list[str]) -> None:
    """Merge each `>` cell into the cell on its left."""
    start = None
    for c, text in enumerate(row):
        if text == ">" and start is not None:
            table.cell(r, start).merge(table.cell(r, c))
        elif text != ">":
            start = c


def _set_widths(table: Table, widths: list[float]) -> None:
    """Fix column widths (grid and cells), scaled to the text width."""
    table.autofit = False
    scale = TEXT_WIDTH_CM / sum(widths)
    for c, width in enumerate(widths):
        table.columns[c].width = Cm(width * scale)
        for cell in table.columns[c].cells:
            cell.width = Cm(width * scale)


def _keep_row(row, *, together: bool) -> None:
    """Keep a row on one page and, for small tables, with the row below it."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if together:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _row_height(row, cm: float) -> None:
    """Give a row a minimum height."""
    row.height, row.height_rule = Cm(cm), WD_ROW_HEIGHT_RULE.AT_LEAST


def _shade(props, fill: str) -> None:
    """Add background shading to paragraph or cell properties."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    props.append(shading)


def _border(paragraph: Paragraph) -> None:
    """Draw a thin box round a paragraph, as Table Grid draws a cell."""
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:space"), "4")
        line.set(qn("w:color"), "auto")
        borders.append(line)
    paragraph._p.get_or_add_pPr().append(borders)


def _repeat_header(row) -> None:
    """Repeat a heading row at the top of each page."""
    trpr = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    trpr.append(marker)


# --- files -------------------------------------------------------------------------------------


def write_docx(paper: PaperText, path: Path) -> Path:
    """Write one paper as a .docx with fixed timestamps."""
    doc = new_document(paper)
    Renderer(doc, paper).render()
    doc.save(str(path))
    fix_zip_times(path)
    return path


def fix_zip_times(path: Path) -> None:
    """Rewrite a zip with one fixed timestamp on every member, so bytes are reproducible."""
    with zipfile.ZipFile(path) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)


# Tagged PDF/UA, as packgen's own LibreOffices export: the sample's PDF papers are accessible.
PDF_EXPORT = (
    'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
    '"PDFUACompliance":{"type":"boolean","value":"true"}}'
)


def convert_to_pdf(docx_files: list[Path], out_dir: Path, soffice: str = "soffice") -> None:
    """Convert .docx files to PDF with LibreOffice, in a private profile."""
    with tempfile.TemporaryDirectory(prefix="sample-papers-lo-") as profile:
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--convert-to",
            PDF_EXPORT,
            "--outdir",
            str(out_dir),
            *map(str, docx_files),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=SOFFICE_TIMEOUT)
    for docx in docx_files:
        if not (out_dir / f"{docx.stem}.pdf").exists():
            raise RuntimeError(f"LibreOffice did not convert {docx.name}")


def finish_pdf(source: Path, target: Path, paper: PaperText) -> None:
    """Copy a converted PDF with the paper's metadata and a fixed identifier."""
    stamp = "D:" + dt.date.fromisoformat(paper.meta["created"]).strftime("%Y%m%d") + "000000Z"
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.metadata = None
    writer.add_metadata(
        {
            "/Title": paper.meta["title"],
            "/Author": paper.meta["author"],
            "/Subject": paper.meta.get("subject", ""),
            "/Creator": "Writer",
            "/Producer": "LibreOffice",
            "/CreationDate": stamp,
            "/ModDate": stamp,
        }
    )
    digest = hashlib.md5(paper.meta["title"].encode(), usedforsecurity=False).digest()
    # pypdf keeps LibreOffice's random file identifier; a fixed one makes the bytes reproducible.
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    with target.open("wb") as handle:
        writer.write(handle)


def build_all(out_dir: Path = OUT_DIR, *, docx_only: bool = False) -> list[Path]:
    """Build every paper into `out_dir`; return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    papers = load_papers()
    written = []
    with tempfile.TemporaryDirectory(prefix="sample-papers-") as tmp:
        pending: list[tuple[PaperText, Path]] = []
        for paper in papers:
            if paper.output.endswith(".docx"):
                written.append(write_docx(paper, out_dir / paper.output))
            elif not docx_only:
                docx = Path(tmp) / f"{Path(paper.output).stem}.docx"
                pending.append((paper, write_docx(paper, docx)))
        if pending:
            convert_to_pdf([docx for _, docx in pending], Path(tmp))
            for paper, docx in pending:
                finish_pdf(Path(tmp) / f"{docx.stem}.pdf", out_dir / paper.output, paper)
                written.append(out_dir / paper.output)
    for path in written:
        log.info("wrote %s", path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Build the sample papers from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write the papers to")
    parser.add_argument("--docx-only", action="store_true", help="skip the LibreOffice PDFs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.docx_only and shutil.which("soffice") is None:
        parser.error("soffice (LibreOffice) is needed for the PDF papers")
    build_all(args.out, docx_only=args.docx_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
