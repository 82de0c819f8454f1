"""The tagged pack: every document's structure tree kept in the merged packs, the stamps as
artifacts, checked by poppler (independent of pypdf) and by `packgen check-pdf`'s audit."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject, NumberObject
from reportlab.pdfgen.canvas import Canvas

from packgen.cli import cli
from packgen.commands.pipeline import build
from packgen.pack.accessibility import audit
from packgen.pack.merge import PackInfo, Part, assemble
from packgen.pack.split import sections, write_part

pytestmark = pytest.mark.soffice

MEETING = dt.date(2020, 10, 15)
INFO = PackInfo("A Partnership – Meeting Pack", "Papers", "A Partnership", "A Partnership")
HOLDS = [
    "tagged (a structure tree, /MarkInfo /Marked true)",
    "the document's language is given",
    "a title, shown as the window's title, and the PDF/UA identifier",
    "the structure tree is consistent",
    "the parent tree maps every marked content and annotation to its element",
    "every text on every page is in the structure tree or an artifact",
    "every font is embedded",
    "every figure has alternative text",
    "headings go down one level at a time",
    "every page is tagged",
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample pack, built once without a password: return output/2020-10-15/."""
    output = tmp_path_factory.mktemp("tagged")
    return build(SAMPLE, ROOT / "packgen" / "templates", output, MEETING).folder


def checks(path: Path) -> dict[str, list[str]]:
    return {check.name: check.failures for check in audit(path)}


def struct_text(path: Path) -> str:
    done = subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True
    )
    return done.stdout


def sect_titles(path: Path) -> list[str]:
    lines = struct_text(path).splitlines()
    return [line.strip()[len('Sect "') : -1] for line in lines if line.startswith('  Sect "')]


def bookmarks(path: Path) -> list[str]:
    """The documents' bookmarks in pack order: the agenda's, then each item's documents'."""
    titles = []
    for entry in PdfReader(path).outline:
        if isinstance(entry, list):
            titles += [child.title for child in entry if not isinstance(child, list)]
        elif entry.title == "Agenda":
            titles.append(entry.title)
    return titles


@pytest.mark.parametrize("pack", ["meeting-pack.pdf", "public-pack.pdf"])
def test_the_sample_packs_are_tagged_and_hold_together(sample: Path, pack: str) -> None:
    found = checks(sample / pack)
    assert set(HOLDS) | {"every table has header cells"} <= set(found)
    assert found == {name: [] for name in found}  # every check holds
    info = subprocess.run(["pdfinfo", str(sample / pack)], capture_output=True, text=True)
    assert "Tagged:          yes" in info.stdout
    assert CliRunner().invoke(cli, ["check-pdf", str(sample / pack)]).exit_code == 0


def test_a_label_beside_its_value_heads_its_row(sample: Path) -> None:
    """The sample's forms label each answer in a header cell, scoped to its row (LibreOffice
    scopes it to its column; the merge puts that right), as poppler reads it."""
    text = struct_text(sample / "meeting-pack.pdf").splitlines()
    label = next(n for n, line in enumerate(text) if '"Name of Child:"' in line)
    cell = max(n for n in range(label) if text[n].strip().startswith(("TH", "TD")))
    assert text[cell].strip() == "TH:" and text[cell + 1].strip() == "/Scope /Row"
    headed = [n for n, line in enumerate(text) if line.strip() == "TH:"]
    # A heading row of a grid table keeps the column scope.
    assert any(text[n + 1].strip() == "/Scope /Column" for n in headed)


def test_poppler_reads_each_document_in_pack_order_and_no_stamp(sample: Path) -> None:
    pack = sample / "meeting-pack.pdf"
    assert sect_titles(pack) == bookmarks(pack)
    text = struct_text(pack)
    assert "Page 1 of" not in text and "Item 6" not in text
    kent = text.index("Kent Multi-Agency Safeguarding Children Partnership")  # a tagged PDF paper
    assert text.index('Sect "Briefing - Adolescent Suicide"') < kent
    assert kent < text.index('Sect "SCR Recommendations"')


def test_the_public_pack_tags_the_notice_of_a_restricted_item(sample: Path) -> None:
    text = struct_text(sample / "public-pack.pdf")
    assert 'Sect "Restricted, not for publication"' in text
    assert "restricted, not for publication" in text
    assert "Case Review Tracker" not in sect_titles(sample / "public-pack.pdf")


def test_the_signature_has_its_alternative_text(sample: Path) -> None:
    reader = PdfReader(sample / "meeting-pack.pdf")
    alts = [e.get("/Alt") for e in _elements(reader) if e.get("/S") == "/Figure"]
    assert alts == ["Signature of Adrian Loades"] * 4


def test_packgens_table_header_rows_are_header_cells(sample: Path) -> None:
    reader = PdfReader(sample / "meeting-pack.pdf")
    headers = [e for e in _elements(reader) if e.get("/S") == "/TH"]
    assert len(headers) > 20  # the action log's, tracker's and forward plan's heading rows


def test_the_manifest_says_which_documents_are_tagged(sample: Path) -> None:
    import json

    manifest = json.loads((sample / "manifest.json").read_text(encoding="utf-8"))
    tagged = {doc["key"]: doc["tagged"] for doc in manifest["documents"]}
    assert all(tagged.values())
    assert len(tagged) == 19


def test_each_part_cut_for_email_is_tagged(sample: Path, tmp_path: Path) -> None:
    reader = PdfReader(sample / "meeting-pack.pdf")
    parts = sections(reader)
    part = tmp_path / "part.pdf"
    part.write_bytes(write_part(reader, parts[5:8]))
    found = checks(part)
    assert {name: found[name] for name in HOLDS} == {name: [] for name in HOLDS}
    assert sect_titles(part)[0] == "Case Review Protocol"


@pytest.mark.parametrize("count", [1, 2, 19])
def test_packs_of_any_size_with_a_document_twice_hold_together(
    sample: Path, tmp_path: Path, count: int
) -> None:
    pdfs = sorted((sample / "pdf").glob("*.pdf"))[:count]
    parts = [Part(f"d{n}", pdf, pdf.stem, n) for n, pdf in enumerate(pdfs, 1)]
    parts.append(Part("again", pdfs[0], f"{pdfs[0].stem} again", len(pdfs) + 1))
    layout = assemble(parts, tmp_path / "pack.pdf", INFO)
    found = checks(tmp_path / "pack.pdf")
    assert {name: found[name] for name in HOLDS} == {name: [] for name in HOLDS}
    assert layout.untagged == []
    assert sect_titles(tmp_path / "pack.pdf") == [p.title for p in parts]
    reader = PdfReader(tmp_path / "pack.pdf")
    sects = [e for e in _elements(reader) if e.get("/S") == "/Sect"]
    first, last = (_descendants(s) for s in (sects[0], sects[-1]))
    assert not first & last  # the copy shares no element with the first


def test_an_untagged_paper_is_taken_as_it_is_and_named(sample: Path, tmp_path: Path) -> None:
    untagged = tmp_path / "Scanned letter.pdf"
    canvas = Canvas(str(untagged))
    canvas.drawString(72, 720, "A letter scanned, with no structure")
    canvas.save()
    agenda = sample / "pdf" / "00-agenda.pdf"
    parts = [Part("agenda", agenda, "Agenda"), Part("scan", untagged, "Scanned letter", 4)]
    layout = assemble(parts, tmp_path / "pack.pdf", INFO)
    assert layout.untagged == ["scan"]
    found = checks(tmp_path / "pack.pdf")
    page = len(PdfReader(agenda).pages) + 1
    assert found["every page is tagged"] == [f"Scanned letter (page {page})"]
    assert found["every text on every page is in the structure tree or an artifact"]


def _broken(sample: Path, tmp_path: Path, breaking) -> Path:
    writer = PdfWriter(clone_from=PdfReader(sample / "meeting-pack.pdf"))
    breaking(writer)
    broken = tmp_path / "broken.pdf"
    with broken.open("wb") as stream:
        writer.write(stream)
    return broken


def _unmark_page(writer: PdfWriter) -> None:
    del writer.pages[2][NameObject("/StructParents")]


def _reparent(writer: PdfWriter) -> None:
    for element in _elements(writer):
        if element.get("/S") == "/Standard":  # LibreOffice's paragraph (role-mapped to P)
            element[NameObject("/P")] = writer.root_object["/StructTreeRoot"].indirect_reference
            return


def _loose_text(writer: PdfWriter) -> None:
    page = writer.pages[4]
    stream = DecodedStreamObject()
    font = next(iter(page["/Resources"]["/Font"]))
    stream.set_data(f"BT {font} 9 Tf 20 20 Td (stamped outside the tree) Tj ET".encode())
    page[NameObject("/Contents")].get_object().append(writer._add_object(stream))


def _shift_mcid(writer: PdfWriter) -> None:
    for element in _elements(writer):
        kids = element.get("/K")
        if isinstance(kids, list) and kids and isinstance(kids[0], NumberObject):
            kids[0] = NumberObject(int(kids[0]) + 1000)
            return


def _skip_heading(writer: PdfWriter) -> None:
    """Make the notes' first item (an H2 after the H1 "Notes") an H4."""
    notes = next(e for e in _elements(writer) if str(e.get("/T", "")).startswith("Notes of"))
    stack = [notes]
    while stack:
        node = stack.pop().get_object()
        if node.get("/S") == "/H2":
            node[NameObject("/S")] = NameObject("/H4")
            return
        kids = node.get("/K")
        kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
        stack += [k for k in reversed(kids) if hasattr(k.get_object(), "get")]


BREAKS = {
    "a heading two levels below the one before": (
        _skip_heading,
        "headings go down one level at a time",
    ),
    "a page without its parent-tree key": (
        _unmark_page,
        "the parent tree maps every marked content and annotation to its element",
    ),
    "an element whose /P is not its parent": (_reparent, "the structure tree is consistent"),
    "text drawn outside the tree": (
        _loose_text,
        "every text on every page is in the structure tree or an artifact",
    ),
    "an element claiming content the page lacks": (
        _shift_mcid,
        "every text on every page is in the structure tree or an artifact",
    ),
}


@pytest.mark.parametrize("breaking, check", BREAKS.values(), ids=BREAKS.keys())
def test_the_audit_finds_a_broken_pack(sample: Path, tmp_path: Path, breaking, check) -> None:
    assert checks(sample / "meeting-pack.pdf")[check] == []
    assert checks(_broken(sample, tmp_path, breaking))[check] != []


def test_check_pdf_says_what_holds_and_exits_1_when_something_fails(
    sample: Path, tmp_path: Path
) -> None:
    untagged = tmp_path / "plain.pdf"
    Canvas(str(untagged)).save()
    result = CliRunner().invoke(cli, ["check-pdf", str(untagged)])
    assert result.exit_code == 1, result.output
    assert "FAIL  tagged (a structure tree, /MarkInfo /Marked true): no structure tree" in (
        result.output
    )
    shutil.copy(sample / "meeting-pack.pdf", tmp_path / "pack.pdf")
    result = CliRunner().invoke(cli, ["check-pdf", str(tmp_path / "pack.pdf")])
    assert "ok    every font is embedded" in result.output


def _elements(pdf) -> list:
    root = pdf.root_object if isinstance(pdf, PdfWriter) else pdf.trailer["/Root"]
    found, stack = [], [root["/StructTreeRoot"]["/K"]]
    while stack:
        node = stack.pop().get_object()
        if isinstance(node, list):
            stack += list(node)
        elif hasattr(node, "get") and "/S" in node:
            found.append(node)
            if "/K" in node:
                stack.append(node["/K"])
    return found


def _descendants(element) -> set[int]:
    found, stack = set(), [element]
    while stack:
        node = stack.pop()
        kids = node.get_object().get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "idnum"):
                found.add(kid.idnum)
                stack.append(kid)
    return found


def test_check_pdf_names_a_file_it_cant_read_or_open(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from packgen.cli import cli
    from packgen.plan import PASSWORD_ENV

    (tmp_path / "notes.pdf").write_text("not a PDF at all")
    result = CliRunner().invoke(cli, ["check-pdf", str(tmp_path / "notes.pdf")])
    assert result.exit_code == 1
    assert "notes.pdf: the PDF can't be read" in result.output
    assert "Traceback" not in result.output
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret", algorithm="AES-256")
    with (tmp_path / "locked.pdf").open("wb") as stream:
        writer.write(stream)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    result = CliRunner().invoke(cli, ["check-pdf", str(tmp_path / "locked.pdf")])
    assert result.exit_code == 1
    assert f"locked.pdf: encrypted: set {PASSWORD_ENV} to the password that opens it" in (
        result.output
    )
    monkeypatch.setenv(PASSWORD_ENV, "secret")
    result = CliRunner().invoke(cli, ["check-pdf", str(tmp_path / "locked.pdf")])
    assert "FAIL  tagged" in result.output


def test_a_pack_built_untagged_on_purpose_has_no_tree_and_no_warnings(
    sample: Path, tmp_path: Path
) -> None:
    from dataclasses import replace

    from packgen.write.manifest import untagged_warnings

    parts = [Part("agenda", sample / "pdf" / "00-agenda.pdf", "Agenda")]
    layout = assemble(parts, tmp_path / "pack.pdf", replace(INFO, tagged=False))
    assert layout.untagged == ["agenda"]
    assert "/StructTreeRoot" not in PdfReader(tmp_path / "pack.pdf").trailer["/Root"]
    documents = [{"key": "agenda", "title": "Agenda", "tagged": False, "paper": None}]
    assert untagged_warnings({"tagged_pack": False, "documents": documents}) == []
    assert [w.message for w in untagged_warnings({"documents": documents})] == [
        "not tagged, so screen readers can't follow it; LibreOffice exported it untagged"
    ]


def test_tagged_pack_is_a_setting_the_environment_can_turn_off(tmp_path: Path, monkeypatch):
    from packgen.errors import InputError
    from packgen.settings import TAGGED_ENV, load_settings

    (tmp_path / "partnership.toml").write_text('name = "A"\n[build]\ntagged_pack = "sometimes"\n')
    with pytest.raises(InputError, match="tagged_pack must be true or false"):
        load_settings(tmp_path)
    (tmp_path / "partnership.toml").write_text('name = "A"\n[build]\ntagged_pack = true\n')
    assert load_settings(tmp_path).tagged_pack is True
    monkeypatch.setenv(TAGGED_ENV, "0")
    assert load_settings(tmp_path).tagged_pack is False
