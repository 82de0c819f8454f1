"""Each recipient's copy: the side stamp on every page, upright, and copies written fast."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from test_pack_merge import INFO, make_pdf, words

from packgen.pack import copies as copies_module
from packgen.pack.copies import CopyFor, CopyStamper
from packgen.pack.merge import Part, assemble

KATE = CopyFor("Kate Dempsey", "LB Havering", "kate@havering.example", dt.date(2020, 10, 8))
LISA = CopyFor("Lisa Pike", "LB Redbridge", "lisa@redbridge.example", dt.date(2020, 10, 8))


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A pack of portrait, landscape and rotated pages."""
    parts = [
        Part("agenda", make_pdf(tmp_path / "a.pdf", "Agenda", 1), "Agenda"),
        Part("table", make_pdf(tmp_path / "t.pdf", "Table", 1, landscape(A4)), "Table", 7, "SCR"),
        Part("letter", make_pdf(tmp_path / "l.pdf", "Letter", 1, rotate=90), "Letter", 7, "SCR"),
    ]
    assemble(parts, tmp_path / "pack.pdf", INFO)
    return tmp_path / "pack.pdf"


def test_kates_copy_says_so_on_every_page_and_in_its_metadata(pack, tmp_path):
    out = tmp_path / "kate.pdf"
    CopyStamper(pack, None, [KATE]).write(KATE, out)
    reader = PdfReader(out)
    assert KATE.text == "Copy for Kate Dempsey, LB Havering \u2013 issued 8 October 2020"
    assert all(KATE.text in " ".join(p.extract_text().split()) for p in reader.pages)
    assert reader.metadata["/PackgenCopyFor"] == KATE.text
    assert reader.metadata["/PackgenRecipient"] == "kate@havering.example"


@pytest.mark.parametrize("page", [1, 2, 3], ids=["portrait", "landscape", "rotated"])
def test_the_stamp_runs_up_the_left_margin_inside_the_shown_page(pack, tmp_path, page):
    out = tmp_path / "kate.pdf"
    CopyStamper(pack, None, [KATE]).write(KATE, out)
    stamp = [w for w in words(out) if w["page"] == page and w["text"] in ("Copy", "Dempsey,")]
    assert len(stamp) == 2
    for word in stamp:
        x0, y0, x1, y1 = word["box"]
        assert 0 < x0 < x1 < 30  # in the left margin, as the page is shown
        assert y1 - y0 > x1 - x0  # running up the page
        assert 0 < y0 < y1 < word["height"]
    copy, name = sorted(stamp, key=lambda w: w["box"][1], reverse=True)
    assert copy["text"] == "Copy"  # read from the bottom up


def test_each_copy_carries_its_own_stamp_only(pack, tmp_path):
    stamper = CopyStamper(pack, None, [KATE, LISA])
    stamper.write(KATE, tmp_path / "kate.pdf")
    stamper.write(LISA, tmp_path / "lisa.pdf")
    lisa = " ".join(PdfReader(tmp_path / "lisa.pdf").pages[0].extract_text().split())
    assert LISA.text in lisa and "Kate" not in lisa
    assert PdfReader(tmp_path / "lisa.pdf").metadata["/PackgenRecipient"] == LISA.address


def test_a_copy_is_the_pdf_pypdf_itself_would_write(pack, tmp_path):
    stamper = CopyStamper(pack, None, [KATE, LISA])
    stamper.write(KATE, tmp_path / "kate.pdf")
    stamper.write(LISA, tmp_path / "lisa.pdf")  # from the bytes kept from Kate's
    ours = (tmp_path / "lisa.pdf").read_bytes()
    theirs = io.BytesIO()
    stamper.writer.write(theirs)
    assert ours == theirs.getvalue()


def test_with_a_pypdf_that_writes_otherwise_each_copy_is_pypdfs_own(pack, tmp_path, monkeypatch):
    monkeypatch.setattr(copies_module, "_writes_as_known", lambda: False)
    stamper = CopyStamper(pack, None, [KATE, LISA])
    stamper.write(KATE, tmp_path / "kate.pdf")
    stamper.write(LISA, tmp_path / "lisa.pdf")
    assert LISA.text in PdfReader(tmp_path / "lisa.pdf").pages[2].extract_text()


def test_a_copy_without_a_name_names_the_address():
    bare = CopyFor("", "", "someone@x.example", dt.date(2020, 10, 8))
    assert bare.text == "Copy for someone@x.example \u2013 issued 8 October 2020"
