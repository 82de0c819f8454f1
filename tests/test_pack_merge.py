"""Assembling the pack: merge order, bookmarks, stamps inside each page, labels and metadata."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
)
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from packgen.errors import InputError
from packgen.pack.merge import PackInfo, Part, assemble, open_pdf, page_counts, plan_layout

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


def page_text(pdf: Path, number: int) -> str:
    """Return one page's text as pdftotext reads it."""
    return subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def rewrite_contents(path: Path, before: bytes, after: bytes = b"") -> Path:
    """Put raw content-stream bytes before and after each page's own content."""
    writer = PdfWriter(clone_from=path)
    for page in writer.pages:
        streams = [DecodedStreamObject(), page.raw_get("/Contents"), DecodedStreamObject()]
        streams[0].set_data(before)
        streams[2].set_data(after)
        streams[0], streams[2] = writer._add_object(streams[0]), writer._add_object(streams[2])
        page[NameObject("/Contents")] = ArrayObject(streams)
    writer.write(path)
    return path


def share_resources(path: Path, extra_xobject: bool = False) -> Path:
    """Make every page use the first page's /Resources dictionary (one indirect object)."""
    writer = PdfWriter(clone_from=path)
    shared = writer.pages[0].raw_get("/Resources")
    for page in writer.pages:
        page[NameObject("/Resources")] = shared
    if extra_xobject:  # a paper's own form, named as the pack's stamp would be, drawn on page 1
        form = DecodedStreamObject()
        form.set_data(b"BT /F1 12 Tf 72 400 Td (Own form text) Tj ET")
        form.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(NumberObject(n) for n in (0, 0, 595, 842)),
                NameObject("/Resources"): shared,
            }
        )
        resources = shared.get_object()
        resources[NameObject("/XObject")] = DictionaryObject(
            {NameObject("/PackgenStamp1"): writer._add_object(form)}
        )
        writer.pages[0].replace_contents(None)
        draw = DecodedStreamObject()
        draw.set_data(b"/PackgenStamp1 Do")
        writer.pages[0][NameObject("/Contents")] = writer._add_object(draw)
    writer.write(path)
    return path


def test_every_page_shows_its_stamp_to_pdftotext(pack: Path) -> None:
    for number in range(1, 9):
        text = page_text(pack, number)
        assert f"Page {number} of 8" in text
        assert [n for n in range(1, 9) if f"Page {n} of 8" in text] == [number]


def test_pages_sharing_resources_each_get_only_their_own_stamp(tmp_path: Path) -> None:
    shared = share_resources(make_pdf(tmp_path / "shared.pdf", "Shared", 3))
    out = tmp_path / "pack.pdf"
    assemble([Part("agenda", shared, "Agenda")], out, INFO)
    reader = PdfReader(out)
    forms = []
    for number, page in enumerate(reader.pages, start=1):
        names = [n for n in page["/Resources"]["/XObject"] if n.startswith("/PackgenStamp")]
        assert len(names) == 1
        forms.append(page["/Resources"]["/XObject"].raw_get(names[0]).idnum)
        assert [n for n in range(1, 4) if f"Page {n} of 3" in page_text(out, number)] == [number]
    assert len(set(forms)) == 3


def test_a_papers_own_xobject_named_like_the_stamp_is_kept(tmp_path: Path) -> None:
    paper = share_resources(make_pdf(tmp_path / "own.pdf", "Own", 2), extra_xobject=True)
    out = tmp_path / "pack.pdf"
    assemble([Part("agenda", paper, "Agenda")], out, INFO)
    first = page_text(out, 1)
    assert "Own form text" in first and "Page 1 of 2" in first
    assert "Page 2 of 2" in page_text(out, 2)
    xobjects = PdfReader(out).pages[0]["/Resources"]["/XObject"]
    assert sorted(xobjects) == ["/PackgenStamp1", "/PackgenStamp2"]


def test_a_pages_own_content_is_wrapped_in_q_and_Q_and_kept_as_it_was(
    parts: list[Part], pack: Path
) -> None:
    source = PdfReader(parts[0].pdf).pages[0].get_contents().get_data()
    contents = PdfReader(pack).pages[0]["/Contents"]
    streams = [s.get_object().get_data() for s in contents]
    assert streams[0].strip() == b"q"
    assert b"".join(streams[1:-1]) == source  # not parsed and written again
    assert streams[-1].split()[:2] == [b"Q", b"q"]
    assert streams[-1].split()[-3:] == [b"/PackgenStamp1", b"Do", b"Q"]


@pytest.mark.parametrize(
    "before",
    [b"0.5 0 0 0.5 0 0 cm\n", b"q 0.5 0 0 0.5 0 0 cm\n", b"q q 1 0 0 1 40 -30 cm\n"],
    ids=["cm-without-q", "q-without-Q", "two-q-without-Q"],
)
def test_a_paper_that_leaves_its_graphics_state_changed_gets_its_stamp_in_place(
    tmp_path: Path, before: bytes
) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", "Plain", 1)
    skewed = rewrite_contents(make_pdf(tmp_path / "skewed.pdf", "Skewed", 1), before)
    parts = [Part("plain", plain, "Plain", 1, "One"), Part("skewed", skewed, "Skewed", 2, "Two")]
    out = tmp_path / "pack.pdf"
    assemble(parts, out, INFO)
    found = words(out)

    def stamp(page: int) -> dict[str, tuple[float, ...]]:
        return {w["text"]: w["box"] for w in found if w["page"] == page and w["text"] in STAMP}

    assert stamp(1).keys() == stamp(2).keys() == set(STAMP)
    for text in STAMP:
        assert stamp(2)[text] == pytest.approx(stamp(1)[text], abs=0.5)


STAMP = ("Item", "Page", "Partnership")


def test_an_unchanged_pdf_is_parsed_once_and_a_changed_one_again(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "part.pdf", "Part", 2)
    first = open_pdf(path)
    assert open_pdf(path) is first
    make_pdf(path, "Part", 3)
    assert len(open_pdf(path).pages) == 3
    assert page_counts([Part("part", path, "Part")]) == {"part": 3}


def test_a_copy_of_an_opened_pdf_is_not_parsed_again(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "paper.pdf", "Paper", 2)
    copy = tmp_path / "pdf" / "07a-paper.pdf"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    assert open_pdf(copy) is open_pdf(path)


def test_a_footer_with_brackets_and_a_backslash_is_stamped_as_written(
    parts: list[Part], tmp_path: Path
) -> None:
    out = tmp_path / "pack.pdf"
    assemble(parts, out, replace(INFO, footer="BHR (Barking) \\ Partnership – 15·10·2020"))
    assert "BHR (Barking) \\ Partnership – 15·10·2020 · Page 1 of 8" in page_text(out, 1)


# --- Protective marking -------------------------------------------------------------------------


@pytest.fixture
def marked(parts: list[Part], tmp_path: Path) -> Path:
    """The pack with item 7's documents (landscape and rotated pages) marked restricted."""
    out = tmp_path / "marked.pdf"
    marked = [replace(p, marking="OFFICIAL-SENSITIVE") if p.item == 7 else p for p in parts]
    assemble(marked, out, INFO)
    return out


def markings(pdf: Path) -> list[dict]:
    return [w for w in words(pdf) if w["text"] == "OFFICIAL-SENSITIVE"]


def test_every_page_of_a_marked_document_and_no_other_carries_the_marking(marked: Path) -> None:
    pages = [w["page"] for w in markings(marked)]
    assert sorted(set(pages)) == [6, 7, 8]
    assert all(pages.count(page) == 2 for page in (6, 7, 8))  # at the top and at the bottom


@pytest.mark.parametrize("page", [6, 8], ids=["landscape", "rotated"])
def test_the_marking_sits_centred_at_the_top_and_bottom_inside_the_shown_page(
    marked: Path, page: int
) -> None:
    top, bottom = sorted(
        (w for w in markings(marked) if w["page"] == page), key=lambda w: w["box"][1]
    )
    for word in (top, bottom):
        x0, y0, x1, y1 = word["box"]
        assert word["width"] > word["height"]  # landscape as shown
        assert abs((x0 + x1) / 2 - word["width"] / 2) < 1  # centred
        assert x1 - x0 > y1 - y0  # upright
    assert top["box"][3] < 40  # in the top margin
    assert bottom["box"][1] > bottom["height"] - 50  # in the bottom margin,
    footer = next(w for w in words(marked) if w["page"] == page and w["text"] == "Page")
    assert bottom["box"][3] <= footer["box"][1]  # above the footer, not on it


def test_a_whole_pack_marking_goes_on_every_page_a_document_marks_not(
    parts: list[Part], tmp_path: Path
) -> None:
    out = tmp_path / "marked.pdf"
    marked = [replace(p, marking="OFFICIAL-SENSITIVE") if p.item == 7 else p for p in parts]
    assemble(marked, out, replace(INFO, marking="OFFICIAL"))
    found = {(w["page"], w["text"]) for w in words(out) if w["text"].startswith("OFFICIAL")}
    assert found == {(n, "OFFICIAL") for n in range(1, 6)} | {
        (n, "OFFICIAL-SENSITIVE") for n in range(6, 9)
    }


def test_the_marking_is_a_pagination_artifact_in_the_embedded_font(marked: Path) -> None:
    page = PdfReader(marked).pages[5]
    form = next(
        x.get_object()
        for name, x in page["/Resources"]["/XObject"].items()
        if name.startswith("/PackgenStamp")
    )
    content = form.get_data().decode("latin-1")
    assert content.count("/Artifact <</Type /Pagination /Subtype /Header>> BDC 0 g BT /F2") == 1
    assert "(OFFICIAL-SENSITIVE) Tj ET EMC" in content
    assert "/FontFile2" in form["/Resources"]["/Font"]["/F2"]["/FontDescriptor"]
