"""Assembling the pack: merge order, bookmarks, stamps inside each page, labels and metadata."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from packgen.assemble import PackInfo, Part, assemble, open_pdf, page_counts, plan_layout
from packgen.errors import InputError

INFO = PackInfo(
    title="BHR Safeguarding Partnership – Meeting Pack – 15 October 2020",
    subject="Papers for the meeting of 15 October 2020",
    author="BHR Safeguarding Partnership",
    footer="BHR Safeguarding Partnership – 15 October 2020",
)


def make_pdf(path: Path, label: str, pages: int = 1, size=A4, rotate: int = 0) -> Path:
    """Write a PDF whose pages say `label` and their number, with a local path in its metadata."""
    canvas = Canvas(str(path), pagesize=size)
    canvas.setTitle("/home/officer/Documents/secret.docx")
    for number in range(1, pages + 1):
        canvas.drawString(72, size[1] - 72, f"{label} page {number}")
        canvas.linkURL("file:///home/officer/Documents/other.docx", (72, 100, 200, 120))
        canvas.showPage()
    canvas.save()
    if rotate:
        writer = PdfWriter(clone_from=path)
        for page in writer.pages:
            page.rotate(rotate)
        writer.write(path)
    return path


@pytest.fixture
def parts(tmp_path: Path) -> list[Part]:
    return [
        Part("agenda", make_pdf(tmp_path / "agenda.pdf", "Agenda", 2), "Agenda"),
        Part("minutes", make_pdf(tmp_path / "m.pdf", "Minutes", 3), "Notes", 2, "Notes"),
        Part("table", make_pdf(tmp_path / "t.pdf", "Table", 2, landscape(A4)), "Table", 7, "SCR"),
        Part("letter", make_pdf(tmp_path / "l.pdf", "Letter", 1, rotate=90), "Letter", 7, "SCR"),
    ]


@pytest.fixture
def pack(parts: list[Part], tmp_path: Path) -> Path:
    out = tmp_path / "pack.pdf"
    assemble(parts, out, INFO)
    return out


def shown_size(pdf: Path, number: int) -> tuple[float, float]:
    """Return a page's size as a reader sees it, after /Rotate."""
    page = PdfReader(pdf).pages[number - 1]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    return (height, width) if page.rotation % 180 else (width, height)


def words(pdf: Path) -> list[dict]:
    """Return every word with its page's shown size and its box (top-left origin, as shown)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    found = []
    for number, page in enumerate(html.split("<page ")[1:], start=1):
        width, height = shown_size(pdf, number)
        for match in re.finditer(pattern, page):
            box = tuple(float(v) for v in match.groups()[:4])
            found.append(
                {
                    "page": number,
                    "width": width,
                    "height": height,
                    "box": box,
                    "text": match.group(5),
                }
            )
    return found


def test_page_count_is_the_sum_of_the_parts(parts: list[Part], pack: Path) -> None:
    assert len(PdfReader(pack).pages) == sum(page_counts(parts).values()) == 8


def test_documents_keep_their_order(pack: Path) -> None:
    texts = [page.extract_text() for page in PdfReader(pack).pages]
    labels = [re.search(r"(\w+) page (\d)", t).group(0) for t in texts]
    assert labels[:3] == ["Agenda page 1", "Agenda page 2", "Minutes page 1"]
    assert labels[-1] == "Letter page 1"


def test_layout_gives_each_document_and_item_its_pages(parts: list[Part], tmp_path: Path) -> None:
    layout = assemble(parts, tmp_path / "pack.pdf", INFO)
    assert layout.pages == 8
    assert layout.documents == {
        "agenda": (1, 2),
        "minutes": (3, 5),
        "table": (6, 7),
        "letter": (8, 8),
    }
    assert layout.items == {2: (3, 5), 7: (6, 8)}
    assert plan_layout(parts, page_counts(parts)) == layout


def test_bookmarks_hold_the_agenda_and_each_item_with_its_documents(pack: Path) -> None:
    reader = PdfReader(pack)
    outline = reader.outline
    titles = [o.title for o in outline if not isinstance(o, list)]
    assert titles == ["Agenda", "2 Notes", "7 SCR"]
    assert [o.title for o in outline[4]] == ["Table", "Letter"]
    assert [reader.get_destination_page_number(o) for o in outline[4]] == [5, 7]


def test_every_page_carries_its_number_and_the_meeting(pack: Path) -> None:
    for number, page in enumerate(PdfReader(pack).pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of 8" in text
        assert "BHR Safeguarding Partnership – 15 October 2020" in text


def test_each_papers_first_page_carries_its_item_number(pack: Path) -> None:
    stamped = [w["page"] for w in words(pack) if w["text"] == "Item"]
    assert stamped == [3, 6, 8]


@pytest.mark.parametrize("page", [6, 8], ids=["landscape", "rotated"])
def test_stamps_sit_upright_inside_the_shown_page(pack: Path, page: int) -> None:
    mine = [w for w in words(pack) if w["page"] == page and w["text"] in ("Page", "Item")]
    assert {w["text"] for w in mine} == {"Page", "Item"}
    for word in mine:
        x0, y0, x1, y1 = word["box"]
        assert word["width"] > word["height"]  # both are landscape as shown
        assert 0 < x0 < x1 < word["width"] and 0 < y0 < y1 < word["height"]
        assert x1 - x0 > y1 - y0  # horizontal text, not turned on its side
    footer = next(w for w in mine if w["text"] == "Page")
    assert footer["box"][1] > footer["height"] - 40  # in the bottom margin
    item = next(w for w in mine if w["text"] == "Item")
    assert item["box"][3] < 40 and item["box"][0] > item["width"] / 2  # top right


def test_page_labels_match_the_stamped_numbers(pack: Path) -> None:
    assert PdfReader(pack).page_labels == [str(n) for n in range(1, 9)]


def test_metadata_names_the_pack_and_no_local_path(pack: Path) -> None:
    meta = PdfReader(pack).metadata
    assert meta.title == INFO.title
    assert meta.author == "BHR Safeguarding Partnership"
    assert meta.subject == INFO.subject
    assert meta.creator.startswith("packgen")
    assert b"/home/officer" not in pack.read_bytes()


def test_an_encrypted_pdf_is_refused_by_name(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=make_pdf(tmp_path / "plain.pdf", "Secret"))
    writer.encrypt("password")
    writer.write(tmp_path / "Secret report.pdf")
    with pytest.raises(InputError, match="Secret report.pdf: the PDF is encrypted"):
        open_pdf(tmp_path / "Secret report.pdf")


def test_a_corrupt_pdf_is_refused_by_name(tmp_path: Path) -> None:
    broken = tmp_path / "Phase 1 Report.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really a pdf\n")
    with pytest.raises(InputError, match="Phase 1 Report.pdf: the PDF can't be read"):
        page_counts([Part("report", broken, "Report", 10, "Phase 1")])
