"""qpdf reads every structure tree as pypdf does, only faster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from packgen.pack.qpdf_reading import read_with_qpdf
from packgen.pack.structure import read_with_pypdf, structure
from packgen.pack.trees import encode

ROOT = Path(__file__).resolve().parent.parent
PAPERS = ROOT / "data" / "papers" / "2020-10-15"


def canonical(found) -> str:
    """The tree as JSON, each value tagged with its type, keys in order (qpdf sorts them)."""

    def ordered(value):
        if isinstance(value, dict):
            return {k: ordered(v) for k, v in sorted(value.items())}
        if isinstance(value, list):
            pairs = all(
                isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) for v in value
            )
            items = [ordered(v) for v in value]
            return sorted(items) if pairs and value else items
        return value

    return json.dumps(ordered(encode(found)))


def pdfs_of(folder: Path) -> list[Path]:
    return sorted((folder / "pdf").glob("*.pdf"))


def test_every_document_of_the_sample_pack_reads_the_same(protected_build: Path) -> None:
    pdfs = pdfs_of(protected_build)
    assert len(pdfs) == 19  # LibreOffice's exports and the PDF papers sent in
    elements = 0
    for pdf in pdfs:
        reader = PdfReader(pdf)
        fast, slow = read_with_qpdf(pdf, reader), read_with_pypdf(reader)
        assert fast == slow, pdf.name
        assert canonical(fast) == canonical(slow), pdf.name  # each value of the same type
        elements += len(fast.elements) if fast else 0
    assert elements > 2000


def test_an_untagged_pdf_reads_as_none(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    pdf = tmp_path / "plain.pdf"
    writer.write(pdf)
    assert read_with_qpdf(pdf, PdfReader(pdf)) is None


def test_a_pdf_qpdf_sees_otherwise_is_read_with_pypdf(protected_build: Path) -> None:
    """Pages counted differently (here: the file is another PDF) is not trusted."""
    first, other = pdfs_of(protected_build)[:2]
    reader = PdfReader(first)
    if len(reader.pages) == len(PdfReader(other).pages):
        pytest.skip("the two PDFs have as many pages")
    with pytest.raises(ValueError, match="pages"):
        read_with_qpdf(other, reader)
    assert structure(PdfReader(first), None, other) == read_with_pypdf(PdfReader(first))
