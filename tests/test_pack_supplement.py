"""The supplement: a tagged cover saying what changed, then the documents it sends, stamped."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pypdf import PdfReader

from packgen.pack.accessibility import audit
from packgen.pack.cover import Block, write_cover
from packgen.pack.notice import write_notice
from packgen.pack.supplement import Supplement, assemble_supplement
from packgen.plan import PackInfo, Part

INFO = PackInfo("A Partnership – Meeting Pack", "Papers", "A Partnership", "A Partnership – 1 May")


def supplement(lines: int = 2) -> Supplement:
    changes = [(f"Item 8 – Forms: paper added: Form {n}", "08a-form") for n in range(lines)]
    return Supplement(1, "3 December 2026", changes, ["Item 9 – Tracker: pp. 4–5, now pp. 6–7"])


def sent(tmp_path: Path) -> list[Part]:
    pdf = write_notice(tmp_path / "form.pdf", "A late form, one tagged page")
    return [Part("08a-form", pdf, "Form", 8, "Forms")]


def texts(pdf: Path) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages]


def test_the_supplement_is_the_cover_then_each_document_stamped_s1(tmp_path):
    out = tmp_path / "supplement-1.pdf"
    layout = assemble_supplement(supplement(), sent(tmp_path), out, INFO)
    pages = texts(out)
    assert layout.pages == 2 and layout.documents["08a-form"] == (2, 2)
    assert pages[0].startswith("A Partnership – 1 May Supplementary pack 1 to the pack issued on 3")
    assert "Item 8 – Forms: paper added: Form 0 (S1 page 2)" in pages[0]
    assert "A Partnership – 1 May · S1 page 2 of 2" in pages[1]
    assert "Item 8 · Supplement 1" in pages[1]
    assert PdfReader(out).page_labels == ["S1-1", "S1-2"]


def test_a_long_cover_runs_on_and_the_pages_it_gives_count_it(tmp_path):
    out = tmp_path / "supplement-1.pdf"
    layout = assemble_supplement(supplement(lines=60), sent(tmp_path), out, INFO)
    pages = texts(out)
    assert layout.pages == 3 and "(S1 page 3)" in pages[0]
    assert "Form 59 (S1 page 3)" in pages[1] and "Item 8 · Supplement 1" in pages[2]


def test_the_supplement_is_readable_by_a_screen_reader(tmp_path):
    out = tmp_path / "supplement-1.pdf"
    assemble_supplement(supplement(lines=60), sent(tmp_path), out, INFO)
    failures = {check.name: check.failures for check in audit(out)}
    assert all(not failed for failed in failures.values()), failures
    tree = subprocess.run(["pdfinfo", "-struct-text", str(out)], capture_output=True, text=True)
    assert "H1" in tree.stdout and "What changed" in tree.stdout


def test_a_cover_block_is_never_cut_between_pages(tmp_path):
    blocks = [Block("H1", "Title")] + [Block("P", "word " * 60) for _ in range(20)]
    pages = write_cover(tmp_path / "cover.pdf", blocks, "Title")
    lines = [len(t.split("word")) - 1 for t in texts(tmp_path / "cover.pdf")]
    assert pages == len(lines) > 1 and all(count % 60 == 0 for count in lines)


def test_a_supplement_of_changes_without_papers_is_its_cover_alone(tmp_path):
    out = tmp_path / "supplement-1.pdf"
    only = Supplement(1, "3 December 2026", [("Item 8 – Forms: paper withdrawn: Form", None)], [])
    layout = assemble_supplement(only, [], out, INFO)
    (page,) = texts(out)
    assert layout.pages == 1 and "No paper was added or replaced" in page
    assert "Item 8 – Forms: paper withdrawn: Form" in page and "(S1 page" not in page
