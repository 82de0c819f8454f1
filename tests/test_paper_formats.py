"""Papers in the formats officers send: Word (also .doc, .odt, .rtf), slides (.pptx, .ppt,
.odp), spreadsheets (.xlsx, .ods), PDFs and images, each converted by the real LibreOffice into
the pack; anything else, and a broken file, refused by name."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from new_partnership import MEETING, fill_agenda, fill_meetings, init
from PIL import Image
from pptx import Presentation
from pptx.util import Inches
from reportlab.pdfgen import canvas

from packgen.check import ACCEPTED, FORMATS
from packgen.cli import cli
from packgen.convert import image_document, missing_parts

pytestmark = pytest.mark.soffice

# (file name, what its first page says): one paper of each accepted format.
PAPERS = {
    "Briefing.docx": "Briefing in Word",
    "Old Briefing.doc": "Briefing in Word",
    "Open Briefing.odt": "Briefing in Word",
    "Rich Briefing.rtf": "Briefing in Word",
    "Slides.pptx": "First slide",
    "Old Slides.ppt": "First slide",
    "Open Slides.odp": "First slide",
    "Figures.xlsx": "R1C1",
    "Open Figures.ods": "R1C1",
    "Report.pdf": "A report sent as a PDF",
    "Wide Chart.png": None,
    "Tall Scan.jpg": None,
}


def soffice_convert(sources: list[Path], to: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
             "--convert-to", to, "--outdir", str(out), *map(str, sources)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip


def make_papers(folder: Path, scratch: Path) -> None:
    """Write each paper: Word, slides and a sheet with python-docx, python-pptx and openpyxl;
    their older and OpenDocument forms by LibreOffice itself; a PDF and two images."""
    doc = Document()
    doc.add_heading("Briefing in Word", 1)
    doc.add_paragraph("Officers send papers in every format.")
    for stem in ("Briefing", "Old Briefing", "Open Briefing", "Rich Briefing"):
        doc.save(scratch / f"{stem}.docx")
    slides = Presentation()
    for title in ("First slide", "Second slide"):
        slide = slides.slides.add_slide(slides.slide_layouts[5])
        slide.shapes.title.text = title
        slide.shapes.add_textbox(Inches(1), Inches(3), Inches(6), Inches(1)).text = "Findings"
    for stem in ("Slides", "Old Slides", "Open Slides"):
        slides.save(scratch / f"{stem}.pptx")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in range(1, 41):  # 26 columns: three pages wide unless fitted to the width
        for col in range(1, 27):
            sheet.cell(row, col, f"R{row}C{col}")
    for stem in ("Figures", "Open Figures"):
        book.save(scratch / f"{stem}.xlsx")
    for name in ("Briefing.docx", "Slides.pptx", "Figures.xlsx"):
        shutil.copy(scratch / name, folder / name)
    soffice_convert([scratch / "Old Briefing.docx"], "doc", folder)
    soffice_convert([scratch / "Open Briefing.docx"], "odt", folder)
    soffice_convert([scratch / "Rich Briefing.docx"], "rtf", folder)
    soffice_convert([scratch / "Old Slides.pptx"], "ppt", folder)
    soffice_convert([scratch / "Open Slides.pptx"], "odp", folder)
    soffice_convert([scratch / "Open Figures.xlsx"], "ods", folder)
    pdf = canvas.Canvas(str(folder / "Report.pdf"))
    pdf.drawString(72, 720, "A report sent as a PDF")
    pdf.save()
    Image.new("RGB", (1600, 800), (30, 90, 160)).save(folder / "Wide Chart.png")
    Image.new("RGB", (900, 1400), (200, 200, 200)).save(folder / "Tall Scan.jpg", quality=80)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A partnership whose agenda has one item per paper, built; return output/<date>/."""
    root = tmp_path_factory.mktemp("formats")
    folder = root / "partnership"
    init(folder)
    data = folder / "data"
    fill_meetings(data)
    items = [[n, f"Paper {n}", "PQ", 5, name] for n, name in enumerate(PAPERS, start=1)]
    fill_agenda(data, items)
    papers = data / "papers" / MEETING.isoformat()
    papers.mkdir()
    (root / "scratch").mkdir()
    make_papers(papers, root / "scratch")
    assert sorted(p.name for p in papers.iterdir()) == sorted(PAPERS)
    settings = data / "partnership.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("keep_libreoffice = 600", "keep_libreoffice = 0"))
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--output", str(root / "out"),
                                      "--templates", str(folder / "templates")])  # fmt: skip
    assert result.exit_code == 0, result.output
    return root / "out" / MEETING.isoformat()


def pdf_pages(path: Path) -> list[tuple[float, float]]:
    """Each page's width and height in points, by pdfinfo."""
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    return [(float(w), float(h)) for w, h in sizes]


def paper_pdf(folder: Path, number: int) -> Path:
    [found] = folder.glob(f"pdf/{number:02d}-*.pdf")
    return found


def text_of(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize(("number", "name"), list(enumerate(PAPERS, start=1)))
def test_each_accepted_format_converts_into_the_pack(built: Path, number: int, name: str):
    pdf = paper_pdf(built, number)
    pages = pdf_pages(pdf)
    first_page = PAPERS[name]
    if first_page is not None:
        assert first_page in text_of(pdf)
    suffix = Path(name).suffix
    if suffix in (".pptx", ".ppt", ".odp"):
        assert len(pages) == 2  # one slide to a page
        assert all(w > h for w, h in pages)  # landscape
    elif suffix in (".xlsx", ".ods"):
        assert len(pages) == 1  # 26 columns and 40 rows, fitted to the page width
    elif suffix in (".png", ".jpg"):
        assert len(pages) == 1
        width, height = pages[0]
        assert (width > height) == (name == "Wide Chart.png")


def test_the_pack_holds_every_paper_in_agenda_order(built: Path):
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    files = {s["file"] for s in manifest["sources"]}
    for name in PAPERS:
        assert f"data/papers/{MEETING.isoformat()}/{name}" in files
    pack_text = text_of(built / "meeting-pack.pdf")
    positions = [pack_text.index(text) for text in ("Briefing in Word", "First slide", "R1C1")]
    assert positions == sorted(positions)


def test_an_image_page_keeps_its_name_as_alternative_text(tmp_path: Path):
    Image.new("RGB", (400, 300), (0, 0, 0)).save(tmp_path / "Safeguarding Chart.png")
    docx = tmp_path / "image.docx"
    docx.write_bytes(image_document(tmp_path / "Safeguarding Chart.png"))
    with zipfile.ZipFile(docx) as archive:
        body = archive.read("word/document.xml").decode()
    assert 'descr="Safeguarding Chart"' in body
    assert image_document(tmp_path / "Safeguarding Chart.png") == docx.read_bytes()  # stable


def check_with(tmp_path: Path, monkeypatch, name: str, content: bytes):
    folder = tmp_path / "p"
    init(folder)
    data = folder / "data"
    fill_meetings(data)
    fill_agenda(data, [[1, "A paper", "PQ", 5, name]])
    (data / "papers" / MEETING.isoformat()).mkdir()
    (data / "papers" / MEETING.isoformat() / name).write_bytes(content)
    monkeypatch.chdir(folder)
    return CliRunner().invoke(cli, ["check"])


def test_an_unknown_format_is_refused_by_name_with_the_accepted_list(tmp_path, monkeypatch):
    result = check_with(tmp_path, monkeypatch, "Minutes.pages", b"Apple Pages")
    assert result.exit_code == 1
    assert (
        f"papers/{MEETING.isoformat()} › Minutes.pages: is a .pages file, which packgen can't put "
        f"in a pack: send it as {ACCEPTED}"
    ) in result.output
    assert ".pptx" in ACCEPTED and ".jpg" in ACCEPTED
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"PK\x03\x04 not really a presentation", "is not a zip file as Office saves them"),
        (None, "is not a PowerPoint presentation: it has no ppt/presentation.xml"),
    ],
)
def test_a_broken_pptx_is_refused_by_name(tmp_path, monkeypatch, content, says):
    if content is None:  # a zip, but not a presentation
        buffer = tmp_path / "fake.zip"
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
        content = buffer.read_bytes()
    result = check_with(tmp_path, monkeypatch, "Slides.pptx", content)
    assert result.exit_code == 1
    assert f"papers/{MEETING.isoformat()} › Slides.pptx: {says}" in result.output


def test_zip_bomb_limits_apply_to_every_zip_based_format(tmp_path, monkeypatch):
    for suffix in (".pptx", ".xlsx", ".odt", ".odp", ".ods"):
        zipped = tmp_path / f"bomb{suffix}"
        with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(FORMATS[suffix].main_part, b"<a>" + b" " * 30_000_000 + b"</a>")
        result = check_with(
            tmp_path / suffix[1:], monkeypatch, f"Bomb{suffix}", zipped.read_bytes()
        )
        assert result.exit_code == 1
        assert "more than 100 to 1: refused (a zip bomb)" in result.output, suffix


def test_a_missing_libreoffice_part_names_the_paper_and_the_package(tmp_path):
    program = tmp_path / "libreoffice" / "program"
    registry = tmp_path / "libreoffice" / "share" / "registry"
    program.mkdir(parents=True)
    registry.mkdir(parents=True)
    for part in ("main", "writer"):  # Writer only: no Impress, no Calc
        (registry / f"{part}.xcd").write_text("<oor/>")
    soffice = program / "soffice"
    soffice.write_text("#!/bin/sh\n")
    soffice.chmod(0o755)
    papers = [("papers/2026-12-10 › Slides.pptx", Path("Slides.pptx")),
              ("papers/2026-12-10 › Figures.ods", Path("Figures.ods")),
              ("papers/2026-12-10 › Briefing.docx", Path("Briefing.docx"))]  # fmt: skip
    assert [str(p) for p in missing_parts(papers, str(soffice))] == [
        "papers/2026-12-10 › Slides.pptx: a PowerPoint presentation needs LibreOffice Impress, "
        "which isn't installed: sudo apt-get install libreoffice-impress-nogui",
        "papers/2026-12-10 › Figures.ods: an OpenDocument spreadsheet needs LibreOffice Calc, "
        "which isn't installed: sudo apt-get install libreoffice-calc-nogui",
    ]
