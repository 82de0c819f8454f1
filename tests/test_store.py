"""The caches' store: whole entries, keys by prefix, pruning (entries unused for MAX_AGE go at
the end of a build; nothing else does), and the code digest every key covers."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest

import packgen
import packgen.convert.cache
from packgen.commands.pipeline import build
from packgen.convert.cache import CACHE_DIR, CachedConverter, PdfCache, is_complete_pdf
from packgen.render.cache import CACHE_DIR as DOCX_DIR
from packgen.render.cache import RenderCache
from packgen.store import MAX_AGE, PACKAGE, Store, code_digest, package_digest, prune
from packgen.write.caches import prune_caches

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "packgen" / "templates"
PAPER = Path("papers/2020-10-15/Case Review Protocol.docx")
MEETING = dt.date(2020, 10, 15)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
OLD = MAX_AGE + 86400  # a day past the age


def docx_bytes() -> bytes:
    """A small zip with a Word body: what RenderCache accepts as a whole document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def age(path: Path, seconds: float) -> Path:
    """Set `path`'s modification (and access) time `seconds` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def write(path: Path, data: bytes = PDF, seconds: float = 0.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return age(path, seconds)


def recent(path: Path) -> bool:
    return time.time() - path.stat().st_mtime < 3600


def test_an_entry_older_than_the_age_is_removed(tmp_path: Path) -> None:
    cache = PdfCache(tmp_path / "pdf")
    old = write(cache.path("a" * 64), seconds=OLD)
    assert cache.prune() == 1
    assert not old.exists()


def test_a_recent_entry_is_kept(tmp_path: Path) -> None:
    cache = PdfCache(tmp_path / "pdf")
    young = write(cache.path("b" * 64), seconds=MAX_AGE - 86400)
    assert cache.prune() == 0
    assert young.exists()


def test_files_that_are_not_entries_are_kept_however_old(tmp_path: Path) -> None:
    folder = tmp_path / "pdf"
    others = [
        write(folder / "README.txt", b"notes", OLD),
        write(folder / "a.docx", docx_bytes(), OLD),  # a rendered document's name, not a PDF's
        write(folder / ".hidden.pdf", PDF, OLD),
        write(folder / "sub" / ("c" * 64 + ".pdf"), PDF, OLD),  # nothing below the folder
    ]
    (folder / "old.pdf").mkdir()  # a folder named like an entry
    age(folder / "old.pdf", OLD)
    assert prune(folder, ".pdf") == 0
    assert all(path.exists() for path in others)
    assert (folder / "old.pdf").is_dir()


def test_old_leftovers_of_atomic_writes_are_removed_recent_ones_kept(tmp_path: Path) -> None:
    folder = tmp_path / "docx"
    old = write(folder / f".{'d' * 64}.docx.k2_x9abc.tmp", b"half", OLD)
    writing = write(folder / f".{'e' * 64}.docx.q8w7e6r5.tmp", b"half")  # another build's
    other = write(folder / ".notes.txt.k2_x9abc.tmp", b"half", OLD)
    assert RenderCache(folder).prune() == 1
    assert not old.exists()
    assert writing.exists() and other.exists()


def test_the_render_cache_prunes_its_old_documents_only(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "docx")
    old = write(cache.path("f" * 64), docx_bytes(), OLD)
    young = write(cache.path("0" * 64), docx_bytes())
    assert cache.prune() == 1
    assert not old.exists() and young.exists()


def test_prune_caches_covers_every_cache_and_leaves_other_files(tmp_path: Path) -> None:
    """PDFs, rendered documents, sheets and template records are pruned alike ([layout])."""
    cache = tmp_path / ".cache"
    pdf = write(tmp_path / CACHE_DIR / ("1" * 64 + ".pdf"), PDF, OLD)
    docx = write(tmp_path / DOCX_DIR / ("2" * 64 + ".docx"), docx_bytes(), OLD)
    sheet = write(cache / "sheets" / "Actions.xlsx.json", b"{}", OLD)
    template = write(cache / "templates" / ("3" * 64 + ".json"), b"{}", OLD)
    young = write(cache / "templates" / ("4" * 64 + ".json"), b"{}")
    version = write(cache / "libreoffice-version.json", b"{}", OLD)
    assert prune_caches(tmp_path) == 4
    assert not pdf.exists() and not docx.exists()
    assert not sheet.exists() and not template.exists()
    assert young.exists() and version.exists()


def test_pruning_logs_at_info_only_when_something_went(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="packgen.write.caches")
    write(tmp_path / CACHE_DIR / ("4" * 64 + ".pdf"), PDF)
    prune_caches(tmp_path)
    assert not [r for r in caplog.records if r.levelno >= logging.INFO]
    assert any("removed: 0" in r.getMessage() for r in caplog.records)
    caplog.clear()
    write(tmp_path / CACHE_DIR / ("5" * 64 + ".pdf"), PDF, OLD)
    prune_caches(tmp_path)
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == [
        "Removed 1 cache entries unused for 60 days"
    ]


def test_a_missing_or_unreadable_cache_folder_prunes_nothing(tmp_path: Path) -> None:
    assert prune(tmp_path / "missing", ".pdf") == 0
    assert prune(write(tmp_path / "a-file", b"x"), ".pdf") == 0  # not a folder
    assert prune_caches(tmp_path / "no-output") == 0


def test_a_pdf_cache_hit_refreshes_the_entry_time(tmp_path: Path) -> None:
    cache = PdfCache(tmp_path / "pdf")
    entry = write(cache.path("6" * 64), PDF, OLD)
    assert cache.get("6" * 64) == entry
    assert recent(entry)
    assert cache.prune() == 0


def test_a_render_cache_hit_refreshes_the_entry_time(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "docx")
    entry = write(cache.path("7" * 64), docx_bytes(), OLD)
    assert cache.get("7" * 64) == docx_bytes()
    assert recent(entry)


def test_a_hit_on_a_read_only_cache_is_still_served(tmp_path: Path, monkeypatch) -> None:
    cache = PdfCache(tmp_path / "pdf")
    entry = write(cache.path("8" * 64), PDF, OLD)

    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(packgen.convert.cache.os, "utime", refuse)
    assert cache.get("8" * 64) == entry


def test_a_render_cache_entry_pruned_before_it_is_read_is_a_miss(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "docx")
    write(cache.path("9" * 64), docx_bytes(), OLD)
    assert cache.prune() == 1
    assert cache.get("9" * 64) is None
    assert (cache.hits, cache.misses) == (0, 1)


@pytest.mark.soffice
def test_a_pdf_pruned_between_lookup_and_copy_is_converted(
    sample_copy: Path, tmp_path: Path, monkeypatch
) -> None:
    paper = sample_copy / PAPER
    converter = CachedConverter(PdfCache(tmp_path / "pdf"))
    key = converter.key(paper, normalise=False)
    entry = write(converter.cache.path(key), PDF)
    real_copy = shutil.copyfile

    def pruned_first(src, dst, *args, **kwargs):
        if Path(src) == entry:  # another build prunes the entry just after `get` found it
            Path(src).unlink()
        return real_copy(src, dst, *args, **kwargs)

    monkeypatch.setattr(packgen.convert.cache.shutil, "copyfile", pruned_first)
    with converter:
        pdfs = converter([paper], tmp_path / "out", raw=[paper])
    assert converter.counts == (1, 0)
    assert is_complete_pdf(pdfs[paper]) and pdfs[paper].read_bytes() != PDF
    assert converter.cache.get(key) is not None  # cached again from the real conversion


@pytest.mark.soffice
def test_a_build_prunes_old_entries_and_keeps_those_it_used(
    sample_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "output"
    build(sample_copy, TEMPLATES, output, MEETING, password=lambda: None)
    pdf_dir, docx_dir = output / CACHE_DIR, output / DOCX_DIR
    for entry in [*pdf_dir.iterdir(), *docx_dir.iterdir()]:
        age(entry, OLD)
    stray = write(pdf_dir / ("a" * 64 + ".pdf"), PDF, OLD)  # used by no build of this meeting
    notes = write(pdf_dir / "README.txt", b"notes", OLD)
    shutil.rmtree(output / MEETING.isoformat())  # a new pack is made, from the caches
    result = build(sample_copy, TEMPLATES, output, MEETING, password=lambda: None)
    assert result.converted == 0 and result.reused > 0
    assert not stray.exists() and notes.exists()
    pdfs, docxs = list(pdf_dir.glob("*.pdf")), list(docx_dir.glob("*.docx"))
    assert len(pdfs) >= result.reused and docxs
    assert all(recent(path) for path in [*pdfs, *docxs])


def test_a_store_entry_is_written_whole_and_served_once_whole(tmp_path: Path) -> None:
    store = Store(tmp_path / "store", ".bin", "a thing", "Ignoring a broken thing (%s)")
    assert store.put("a" * 8, b"whole")
    assert store.read("a" * 8) == b"whole"
    assert store.find("a" * 8) == tmp_path / "store" / ("a" * 8 + ".bin")
    assert store.read("a" * 8, whole=lambda data: data == b"other") is None
    assert not store.path("a" * 8).exists()  # broken: removed, never served again


def test_a_store_lists_its_keys_by_prefix_and_removes_one(tmp_path: Path) -> None:
    store = Store(tmp_path, ".json", "a record")
    for key in ("ab-1", "ab-2", "cd-1"):
        store.put(key, b"{}")
    write(tmp_path / ".ab-3.json.abcdefgh.tmp", b"{")  # an atomic write cut short
    assert store.keys("ab-") == ["ab-1", "ab-2"]
    store.remove("ab-1")
    assert store.keys() == ["ab-2", "cd-1"]


def test_a_store_that_cannot_be_written_says_so_and_costs_nothing_else(
    tmp_path: Path, caplog
) -> None:
    (tmp_path / "store").write_bytes(b"a file where the store's folder should be")
    store = Store(tmp_path / "store", ".bin", "a thing")
    with caplog.at_level(logging.WARNING, logger="packgen.store"):
        assert not store.put("k", b"data")
    assert store.read("k") is None
    assert "Could not cache a thing in" in caplog.text


def test_the_code_digest_changes_with_any_module_of_the_package(tmp_path: Path) -> None:
    package = tmp_path / "package"
    (package / "stage").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    module = package / "stage" / "module.py"
    module.write_text("VALUE = 1\n")
    before = package_digest(package)
    module.write_text("VALUE = 2\n")
    assert package_digest(package) != before
    (package / "stage" / "another.py").write_text("")
    assert len({before, package_digest(package)}) == 2


def test_packgens_code_digest_is_the_whole_packages() -> None:
    """Not one module's: every stage's modules (the issue's "watch for" after the move)."""
    assert Path(packgen.__file__).resolve().parent == PACKAGE
    code_digest.cache_clear()  # taken afresh: the modules as they are now
    assert code_digest() == package_digest(PACKAGE)
