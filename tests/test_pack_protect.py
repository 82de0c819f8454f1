"""Restricted items: nothing of a restricted paper in the public pack; AES-256 for the full one."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import PACK_PASSWORD
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject
from reportlab.pdfgen.canvas import Canvas

from packgen.errors import DistributionError, Location, Severity
from packgen.pack.merge import PackInfo, Part, assemble
from packgen.pack.protect import (
    PASSWORD_ENV,
    encrypt_pdf,
    encryption_algorithm,
    leaked_phrases,
    notice_text,
    open_protected,
    pack_password,
    pdf_text,
    public_parts,
    unprotected_warning,
)

INFO = PackInfo("BHR – Meeting Pack", "Papers", "BHR Safeguarding Partnership", "BHR – 15 Oct")
SECRET_LINES = [
    "Child R was known to children's social care in Havering since 2016",
    "Rapid review held on 3 August with police and health partners",
    "Chronology requested from the school nursing team for Child T",
]
SECRET_TITLE = "Tracker for Child R and Child T"
TRACKER = "BHR Case Review Tracker"
NOTICE = "Item 9 – BHR Case Review Tracker: restricted, not for publication"


def text_pdf(path: Path, lines: list[str], title: str = "") -> Path:
    """Write one page per line of text."""
    canvas = Canvas(str(path))
    if title:
        canvas.setTitle(title)
    for line in lines:
        canvas.drawString(72, 700, line)
        canvas.showPage()
    canvas.save()
    return path


def restricted_paper(path: Path) -> Path:
    """Write a paper carrying its secrets everywhere a PDF can: text, outline, metadata, files."""
    text_pdf(path, SECRET_LINES, title=SECRET_TITLE)
    writer = PdfWriter(clone_from=path)
    writer.add_metadata({"/Subject": "Child R chronology", "/Keywords": "Child T rapid review"})
    writer.add_outline_item(title="Child R chronology and rapid review", page_number=0)
    writer.add_attachment("child-r-chronology.txt", b"Child R chronology: secret notes")
    writer.set_page_label(0, 2, prefix="CR-")
    xmp = StreamObject()
    xmp.set_data(b"<x:xmpmeta><dc:title>Child R chronology</dc:title></x:xmpmeta>")
    xmp.update({NameObject("/Type"): NameObject("/Metadata")})
    writer.root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    writer.pages[0][NameObject("/Metadata")] = writer._add_object(xmp)
    writer.write(path)
    return path


@pytest.fixture
def packs(tmp_path: Path) -> dict[str, Path]:
    """A full and a public pack assembled from the same parts; item 9 is restricted."""
    agenda = text_pdf(tmp_path / "a.pdf", ["Agenda: 9 BHR Case Review Tracker"])
    notes = text_pdf(tmp_path / "n.pdf", ["Notes of the last meeting"])
    report = text_pdf(tmp_path / "r.pdf", ["Phase 1 report", "next steps"])
    parts = [
        Part("00-agenda", agenda, "Agenda"),
        Part("02-notes", notes, "Notes", 2, "Notes"),
        Part("09-tracker", restricted_paper(tmp_path / "t.pdf"), SECRET_TITLE, 9, TRACKER),
        Part("10-report", report, "Report", 10, "Phase 1"),
    ]
    full, public = tmp_path / "meeting-pack.pdf", tmp_path / "public-pack.pdf"
    assemble(parts, full, INFO)
    assemble(public_parts(parts, {"09-tracker"}, tmp_path / "notices"), public, INFO)
    return {"full": full, "public": public, "tracker": tmp_path / "t.pdf"}


def test_public_pack_replaces_the_restricted_paper_with_one_notice_page(packs):
    public, full = PdfReader(packs["public"]), PdfReader(packs["full"])
    assert len(public.pages) == len(full.pages) - len(SECRET_LINES) + 1
    assert NOTICE in " ".join(public.pages[2].extract_text().split())


def test_public_pack_has_its_own_page_numbers(packs):
    public = PdfReader(packs["public"])
    assert f"Page 4 of {len(public.pages)}" in public.pages[3].extract_text()


def test_public_pack_holds_no_phrase_of_the_restricted_paper(packs):
    public = pdf_text(PdfReader(packs["public"]))
    tracker = pdf_text(PdfReader(packs["tracker"]))
    assert leaked_phrases(public, [tracker]) == set()
    for secret in ["Child R", "Child T", "rapid review", "chronology", "CR-"]:
        assert secret.casefold() not in public.casefold()


def test_full_pack_search_finds_the_secrets_so_the_search_can_fail(packs):
    full = pdf_text(PdfReader(packs["full"]))
    tracker = pdf_text(PdfReader(packs["tracker"]))
    assert leaked_phrases(full, [tracker])
    assert "Child R" in full


def test_search_reads_metadata_xmp_outline_and_attachments(packs):
    tracker = pdf_text(PdfReader(packs["tracker"]))
    for hidden in ["secret notes", "<dc:title>Child R", "Child T rapid review", "and rapid review"]:
        assert hidden in tracker


def test_public_pack_text_from_poppler_holds_no_secret(packs):
    text = subprocess.run(
        ["pdftotext", str(packs["public"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert NOTICE in " ".join(text.split())
    assert "Child R" not in text and "Child T" not in text


def test_public_pack_bookmarks_name_the_item_not_the_paper(packs):
    titles = [str(e.title) for e in _flatten(PdfReader(packs["public"]).outline)]
    assert "9 BHR Case Review Tracker" in titles
    assert SECRET_TITLE not in titles
    assert not any("Child" in t for t in titles)


def test_public_pack_has_no_attachment_or_restricted_page_label(packs):
    public = PdfReader(packs["public"])
    assert public.attachments == {}
    assert not any(label.startswith("CR-") for label in public.page_labels)


def test_two_restricted_papers_of_one_item_share_one_notice(tmp_path):
    paper = text_pdf(tmp_path / "p.pdf", ["secret"])
    parts = [Part(k, paper, k, 9, "Tracker") for k in ("09a-one", "09b-two")]
    public = public_parts(parts, {"09a-one", "09b-two"}, tmp_path)
    assert len(public) == 1
    assert public[0].title == "Restricted, not for publication"


def test_the_notice_and_its_agenda_line_give_the_reason_when_there_is_one(tmp_path):
    paper = text_pdf(tmp_path / "p.pdf", ["secret"])
    parts = [Part("09-tracker", paper, "Tracker", 9, TRACKER)]
    [notice] = public_parts(parts, {"09-tracker"}, tmp_path, {9: "Information about a person"})
    assert notice.title == "Restricted, not for publication (Information about a person)"
    text = " ".join(PdfReader(notice.pdf).pages[0].extract_text().split())
    assert text == f"{NOTICE} (Information about a person)"


def test_notice_without_item_number_names_the_title():
    assert notice_text(None, "Tracker") == "Tracker: restricted, not for publication"


def test_encrypted_pack_opens_with_the_password_only(packs, tmp_path):
    target = tmp_path / "encrypted.pdf"
    encrypt_pdf(packs["full"], target, "correct horse")
    reader = PdfReader(target)
    assert reader.is_encrypted
    assert not reader.decrypt("wrong")
    assert reader.decrypt("correct horse")
    assert "Child R" in reader.pages[2].extract_text()


def test_encrypted_pack_uses_aes_256(packs, tmp_path):
    target = tmp_path / "encrypted.pdf"
    encrypt_pdf(packs["full"], target, "correct horse")
    encrypt = PdfReader(target).trailer["/Encrypt"].get_object()
    assert (encrypt["/V"], encrypt["/R"]) == (5, 6)
    assert encryption_algorithm(target) == "AES-256"
    assert encryption_algorithm(packs["full"]) == "none"


def test_encrypted_pack_hides_its_text_without_the_password(packs, tmp_path):
    target = tmp_path / "encrypted.pdf"
    encrypt_pdf(packs["full"], target, "correct horse")
    assert b"Child R" not in target.read_bytes()
    result = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True)
    assert result.returncode != 0 and "Child R" not in result.stdout


def test_encrypting_in_place_replaces_the_file(packs):
    encrypt_pdf(packs["full"], packs["full"], "pw")
    assert PdfReader(packs["full"]).is_encrypted


def test_empty_password_is_refused(packs, tmp_path):
    with pytest.raises(DistributionError, match="empty pack password"):
        encrypt_pdf(packs["full"], tmp_path / "x.pdf", "")


def test_open_pdf_with_a_wrong_password_says_which_variable(packs, tmp_path):
    encrypt_pdf(packs["full"], tmp_path / "e.pdf", "right")
    with pytest.raises(DistributionError, match=PASSWORD_ENV):
        open_protected(tmp_path / "e.pdf", "wrong")
    assert len(open_protected(tmp_path / "e.pdf", "right").pages) > 0


def test_password_comes_from_the_environment_and_empty_means_none():
    assert pack_password({PASSWORD_ENV: "s3cret"}) == "s3cret"
    assert pack_password({PASSWORD_ENV: ""}) is None
    assert pack_password({}) is None


def test_unprotected_warning_names_the_items_and_the_variable():
    problem = unprotected_warning([(9, "BHR Case Review Tracker")], Location("forward_plan.xlsx"))
    assert problem.severity is Severity.WARNING
    assert "item 9 (BHR Case Review Tracker)" in problem.message
    assert PASSWORD_ENV in problem.message


def _flatten(outline: list) -> list:
    flat = []
    for entry in outline:
        flat += _flatten(entry) if isinstance(entry, list) else [entry]
    return flat


# --- The sample meeting, built once with a password (real LibreOffice) ---------------------------


def sample_texts(folder: Path) -> tuple[str, list[str]]:
    """Return the tracker's text and the texts of every other document of the sample pack."""
    pdfs = sorted((folder / "pdf").glob("*.pdf"))
    tracker = [pdf_text(PdfReader(p)) for p in pdfs if "case-review-tracker" in p.name]
    others = [pdf_text(PdfReader(p)) for p in pdfs if "case-review-tracker" not in p.name]
    return tracker[0], others


@pytest.mark.soffice
def test_sample_public_pack_holds_no_distinctive_phrase_of_the_tracker(protected_build):
    tracker, others = sample_texts(protected_build)
    public = pdf_text(PdfReader(protected_build / "public-pack.pdf"))
    full = PdfReader(protected_build / "meeting-pack.pdf")
    full.decrypt(PACK_PASSWORD)
    assert len(leaked_phrases(pdf_text(full), [tracker], others)) > 100  # the search can fail
    assert leaked_phrases(public, [tracker], others) == set()
    for phrase in ["insulin overdose", "unofficial childminder", "Family D", "Induced illness"]:
        assert phrase in " ".join(tracker.split()) and phrase not in " ".join(public.split())


@pytest.mark.soffice
def test_sample_public_agenda_lists_the_item_and_its_notice_page(protected_build):
    public = PdfReader(protected_build / "public-pack.pdf")
    agenda = " ".join(public.pages[0].extract_text().split())
    assert "9 BHR Case Review Tracker" in agenda
    assert "Restricted, not for publication" in agenda
    number = re.search(r"Tracker .*?p\. (\d+)", agenda).group(1)
    notice = " ".join(public.pages[int(number) - 1].extract_text().split())
    assert "Item 9 – BHR Case Review Tracker: restricted, not for publication" in notice
    assert len(public.pages) == len(sample_full(protected_build).pages) - 1


@pytest.mark.soffice
def test_sample_full_pack_is_aes_256_and_opens_with_the_password_only(protected_build):
    pack = protected_build / "meeting-pack.pdf"
    assert encryption_algorithm(pack) == "AES-256"
    assert not PdfReader(pack).decrypt("wrong")
    assert "Family D" in pdf_text(sample_full(protected_build))


@pytest.mark.soffice
def test_sample_manifest_records_protection_but_never_the_password(protected_build):
    text = (protected_build / "manifest.json").read_text()
    manifest = json.loads(text)
    assert manifest["encryption"] == "AES-256" and manifest["restricted"] is True
    assert manifest["public_pack"]["file"] == "public-pack.pdf"
    assert PACK_PASSWORD not in text
    digest = hashlib.sha256((protected_build / "meeting-pack.pdf").read_bytes()).hexdigest()
    assert manifest["sha256"] == digest


def sample_full(folder: Path) -> PdfReader:
    reader = PdfReader(folder / "meeting-pack.pdf")
    reader.decrypt(PACK_PASSWORD)
    return reader


def test_check_warns_about_restricted_items_without_a_password(monkeypatch):
    from click.testing import CliRunner

    from packgen.cli import cli

    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    data = Path(__file__).resolve().parent.parent / "data"
    result = CliRunner().invoke(cli, ["check", "2020-10-15", "--data", str(data)])
    assert "item 9 (BHR Case Review Tracker)" in result.output
    assert "forward_plan.xlsx › Forward Plan › B25: the full pack holds restricted" in result.output
    assert "no pack password is set" in result.output
    monkeypatch.setenv(PASSWORD_ENV, "pw")
    result = CliRunner().invoke(cli, ["check", "2020-10-15", "--data", str(data)])
    assert "no pack password is set" not in result.output


def marked_pages(pdf: Path, password: str = "") -> list[int]:
    """The pages on which pdftotext finds the marking, once per time it shows."""
    pages = subprocess.run(
        ["pdftotext", "-upw", password, "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\f")
    return [n for n, text in enumerate(pages, start=1) for _ in range(text.count("OFFICIAL-"))]


@pytest.mark.soffice
def test_sample_trackers_pages_and_no_others_carry_the_marking_top_and_bottom(protected_build):
    manifest = json.loads((protected_build / "manifest.json").read_text())
    first, last = next(d["pages"] for d in manifest["documents"] if "tracker" in d["key"])
    found = marked_pages(protected_build / "meeting-pack.pdf", PACK_PASSWORD)
    agenda = found.count(1)  # the agenda names the marking beside item 9
    assert agenda == 1
    assert [n for n in found if n != 1] == [n for n in range(first, last + 1) for _ in (1, 2)]
    assert marked_pages(protected_build / "public-pack.pdf") == []


@pytest.mark.soffice
def test_sample_public_pack_says_why_an_item_is_withheld(sample_copy, tmp_path):
    import datetime as dt

    import openpyxl

    from packgen.commands.pipeline import build

    book = openpyxl.load_workbook(sample_copy / "forward_plan.xlsx")
    sheet = book.active
    heading = next(r for r in sheet.iter_rows() if r[0].value == "Item")[0].row
    sheet.cell(heading, 8, "Reason")
    tracker = next(r for r in sheet.iter_rows() if r[0].value == 9 and r[6].value == "Y")
    sheet.cell(tracker[0].row, 8, "Paragraph 1 of Part 1 of Schedule 12A")
    book.save(sample_copy / "forward_plan.xlsx")
    templates = Path(__file__).parent.parent / "packgen" / "templates"
    folder = build(sample_copy, templates, tmp_path, dt.date(2020, 10, 15)).folder
    public = PdfReader(folder / "public-pack.pdf")
    reason = "(Paragraph 1 of Part 1 of Schedule 12A)"
    agenda = " ".join(public.pages[0].extract_text().split())
    assert f"Restricted, not for publication {reason}" in agenda
    assert any(f"{NOTICE} {reason}" in " ".join(p.extract_text().split()) for p in public.pages)
