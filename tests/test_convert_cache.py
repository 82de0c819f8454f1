"""The PDF cache: only changed documents are converted, and a stale or broken PDF is never used."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from packgen.commands.pipeline import BuildResult, build
from packgen.convert.cache import (
    CACHE_DIR,
    CachedConverter,
    PdfCache,
    document_key,
    is_complete_pdf,
)
from packgen.write.reuse import reuse_record

ROOT = Path(__file__).resolve().parent.parent
DATA, TEMPLATES = ROOT / "data", ROOT / "packgen" / "templates"
MEETING = dt.date(2020, 10, 15)
DAY = MEETING.isoformat()
PAPER = "papers/2020-10-15/Case Review Protocol.docx"


def run(data: Path, templates: Path, output: Path) -> BuildResult:
    return build(data, templates, output, MEETING, password=lambda: None)


def pack_text(result: BuildResult) -> str:
    command = ["pdftotext", "-layout", str(result.pack), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def edit_zip(path: Path, part: str, old: str, new: str) -> None:
    """Replace text in one part of a .docx, keeping every other part as it is."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            if info.filename == part:
                assert old.encode() in data, f"{old!r} not in {path.name} › {part}"
                data = data.replace(old.encode(), new.encode())
            target.writestr(info, data)


def changed_documents(before: Path, after: Path) -> set[str]:
    """Name the rendered documents whose bytes differ between two builds' documents/."""
    return {
        path.name
        for path in (after / "documents").glob("*.docx")
        if path.read_bytes() != (before / "documents" / path.name).read_bytes()
    }


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Build the sample once from an empty cache; later builds start from a copy of its cache."""
    output = tmp_path_factory.mktemp("cache-first")
    result = run(DATA, TEMPLATES, output)
    return {"output": output, "result": result, "text": pack_text(result)}


@pytest.fixture
def rebuild(first: dict, tmp_path: Path):
    """Return (data, templates, build) for a new output folder holding the first build's cache."""
    data, templates, output = tmp_path / "data", tmp_path / "templates", tmp_path / "output"
    shutil.copytree(DATA, data)
    shutil.copytree(TEMPLATES, templates)
    shutil.copytree(first["output"] / CACHE_DIR, output / CACHE_DIR)
    return data, templates, lambda: run(data, templates, output)


@pytest.mark.soffice
def test_a_first_build_converts_every_word_document(first: dict) -> None:
    result = first["result"]
    word = len(list((result.folder / "documents").glob("*.docx"))) + 6  # six .docx papers
    assert result.converted >= word
    assert len(list((first["output"] / CACHE_DIR).glob("*.pdf"))) >= word


@pytest.mark.soffice
def test_nothing_changed_converts_nothing_and_gives_the_same_pack(
    first: dict, tmp_path: Path
) -> None:
    output = tmp_path / "output"
    shutil.copytree(first["output"], output)
    result = run(DATA, TEMPLATES, output)
    assert result.converted == 0
    assert pack_text(result) == first["text"]


@pytest.mark.soffice
def test_a_changed_cell_converts_only_its_document(first: dict, rebuild) -> None:
    data, _templates, go = rebuild
    book = openpyxl.load_workbook(data / "action_log.xlsx")
    sheet = book["Action Log"]
    assert str(sheet["D7"].value).startswith("Item added")
    sheet["D7"] = str(sheet["D7"].value).replace("Item added", "Item QZXWV", 1)
    book.save(data / "action_log.xlsx")
    result = go()
    assert changed_documents(first["result"].folder, result.folder) == {"03-action-log.docx"}
    assert result.converted == 1
    assert "Item QZXWV" in pack_text(result) and "Item QZXWV" not in first["text"]


@pytest.mark.soffice
def test_a_changed_template_changes_the_pack(first: dict, rebuild) -> None:
    _data, templates, go = rebuild
    edit_zip(templates / "forward_plan.docx", "word/document.xml", "Agenda Item<", "Agenda Topic<")
    result = go()
    assert "11-agenda-forward-plan.docx" in changed_documents(first["result"].folder, result.folder)
    assert result.converted >= 1
    assert "Agenda Topic" in pack_text(result) and "Agenda Topic" not in first["text"]


@pytest.mark.soffice
def test_a_changed_paper_changes_the_pack(first: dict, rebuild) -> None:
    data, _templates, go = rebuild
    edit_zip(data / PAPER, "word/document.xml", "Other documents", "Other ZQXPAPERS")
    result = go()
    assert result.converted == 1
    assert "Other ZQXPAPERS" in pack_text(result) and "ZQXPAPERS" not in first["text"]


@pytest.mark.soffice
def test_a_truncated_cache_entry_is_converted_again_not_served(first: dict, rebuild) -> None:
    data, _templates, go = rebuild
    output = data.parent / "output"
    converter = CachedConverter.for_output(output)
    entry = converter.cache.path(
        converter.key(first["result"].folder / "documents/03-action-log.docx")
    )
    assert entry.is_file()
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    result = go()
    assert result.converted == 1
    assert is_complete_pdf(entry)
    assert pack_text(result) == first["text"]


def test_volatile_docx_dates_do_not_change_the_key(tmp_path: Path) -> None:
    original = TEMPLATES / "letter.docx"
    resaved = tmp_path / "letter.docx"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(resaved, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _redate(data)
            target.writestr(zipfile.ZipInfo(info.filename, (2031, 5, 6, 7, 8, 10)), data)
    assert resaved.read_bytes() != original.read_bytes()
    assert document_key(resaved) == document_key(original)
    assert document_key(resaved, normalise=False) != document_key(original, normalise=False)


def _redate(core: bytes) -> bytes:
    text = core.decode()
    for tag in ("dcterms:created", "dcterms:modified"):
        start = text.index(f"<{tag}")
        end = text.index(f"</{tag}>")
        text = text[:start] + f'<{tag} xsi:type="dcterms:W3CDTF">2031-05-06T07:08:09Z' + text[end:]
    return text.encode()


def test_content_and_salt_change_the_key(tmp_path: Path) -> None:
    copy = tmp_path / "forward_plan.docx"
    shutil.copyfile(TEMPLATES / "forward_plan.docx", copy)
    before = document_key(copy)
    assert document_key(copy, "LibreOffice 7.4") != document_key(copy, "LibreOffice 24.2")
    edit_zip(copy, "word/document.xml", "Notes<", "Nodes<")
    assert document_key(copy) != before


def test_a_date_field_keeps_the_document_dates_in_the_key(tmp_path: Path) -> None:
    plain, dated = tmp_path / "plain.docx", tmp_path / "dated.docx"
    for path, field in ((plain, b""), (dated, b"<w:instrText> CREATEDATE </w:instrText>")):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", b"<w:document>" + field + b"</w:document>")
            core = b"<cp:coreProperties><dcterms:created>%s</dcterms:created></cp:coreProperties>"
            archive.writestr("docProps/core.xml", core % b"2020-01-01T00:00:00Z")
        other = path.with_name(f"other-{path.name}")
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(other, "w") as target:
            for name in source.namelist():
                data = source.read(name).replace(b"2020-01-01", b"2031-05-06")
                target.writestr(name, data)
        same = document_key(path) == document_key(other)
        assert same is (path is plain)


def test_a_broken_or_empty_entry_is_ignored_and_removed(tmp_path: Path) -> None:
    cache = PdfCache(tmp_path / "pdf")
    good = tmp_path / "good.pdf"
    good.write_bytes(b"%PDF-1.6\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    cache.put("k", good)
    assert cache.get("k") == cache.path("k")
    assert [p.name for p in cache.root.iterdir()] == ["k.pdf"]  # no temporary file left
    for broken in (b"", good.read_bytes()[:20]):
        cache.path("k").write_bytes(broken)
        assert cache.get("k") is None
        assert not cache.path("k").exists()


def test_a_broken_pdf_is_not_stored(tmp_path: Path) -> None:
    cache = PdfCache(tmp_path / "pdf")
    half = tmp_path / "half.pdf"
    half.write_bytes(b"%PDF-1.6\n1 0 obj<<>>endobj\n")
    cache.put("k", half)
    assert cache.get("k") is None


_KEEP_IN_A_FRESH_PROCESS = """
import datetime as dt, json, sys
from pathlib import Path
from packgen.commands.pipeline import build
result = build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), dt.date(2020, 10, 15),
               password=lambda: None)
print(json.dumps({"read": "openpyxl" in sys.modules, "converted": result.converted,
                  "warnings": [str(w) for w in result.warnings]}))
"""


@pytest.mark.soffice
def test_an_unchanged_pack_is_kept_without_reading_the_workbooks(
    first: dict, tmp_path: Path
) -> None:
    output = tmp_path / "output"
    shutil.copytree(first["output"], output)
    command = [sys.executable, "-c", _KEEP_IN_A_FRESH_PROCESS, str(DATA), str(TEMPLATES)]
    done = subprocess.run([*command, str(output)], capture_output=True, text=True, check=True)
    kept = json.loads(done.stdout)
    assert kept["read"] is False  # openpyxl was never imported
    assert kept["converted"] == 0
    assert kept["warnings"] == [str(w) for w in first["result"].warnings]
    assert any("E5: placeholder 'XX'" in w for w in kept["warnings"])


@pytest.mark.soffice
def test_any_change_is_noticed_without_reading_the_workbooks_first(
    first: dict, rebuild, tmp_path: Path
) -> None:
    data, _templates, go = rebuild
    shutil.copytree(first["output"] / DAY, tmp_path / "output" / DAY)  # the previous pack
    (data / "papers" / DAY / "Late paper notes.txt").write_text("not on the agenda")
    result = go()
    assert result.reused and not result.converted  # read and rebuilt, every PDF from the cache
    assert (tmp_path / "output" / DAY / "manifest.json").read_text() != (
        first["output"] / DAY / "manifest.json"
    ).read_text()


def test_a_file_read_from_outside_the_data_folder_means_reading_to_keep(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "signatures").mkdir(parents=True)
    inside, outside = data / "signatures" / "a.png", tmp_path / "logo.png"
    inside.write_bytes(b"png")
    outside.write_bytes(b"png")
    assert reuse_record(data, [inside], [])["files"] == ["signatures/a.png"]
    assert reuse_record(data, [inside, outside], []) == {}
