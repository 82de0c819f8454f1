"""The render cache: unchanged documents are copied, anything changed is rendered again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import shutil
from pathlib import Path

import pytest
from docx import Document
from render_factories import ACTIONS, make_prepared, png

from packgen.commands.render import render_meeting
from packgen.plan.documents import plan_pack
from packgen.render.cache import RenderCache, is_complete_docx
from packgen.render.documents import render_all, render_document

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "packgen" / "templates"
SAMPLE = ROOT / "data"
DOCUMENTS = 8  # documents the small partnership renders from templates


def render_each(prepared, out: Path, cache: RenderCache | None, templates: Path = TEMPLATES):
    """Render every document; return {key: bytes}."""
    paths = render_all(plan_pack(prepared), prepared, templates, out, cache=cache)
    return {p.stem: p.read_bytes() for p in paths}


def render_one(prepared, key: str, out: Path, cache: RenderCache, templates: Path = TEMPLATES):
    plan = plan_pack(prepared)
    doc = next(d for d in plan.documents if d.key == key)
    return render_document(doc, plan, prepared, templates, out, cache=cache).read_bytes()


@pytest.fixture
def cache(tmp_path: Path) -> RenderCache:
    return RenderCache(tmp_path / "output" / ".cache" / "docx")


def test_unchanged_input_is_copied_from_the_cache_byte_for_byte(tmp_path, cache):
    prepared = make_prepared(tmp_path)
    first = render_each(prepared, tmp_path / "one", cache)
    assert (cache.hits, cache.misses) == (0, DOCUMENTS)
    second = render_each(prepared, tmp_path / "two", cache)
    assert (cache.hits, cache.misses) == (DOCUMENTS, DOCUMENTS)
    assert second == first


def test_cached_documents_are_the_bytes_a_fresh_render_gives(tmp_path, cache):
    prepared = make_prepared(tmp_path)
    render_each(prepared, tmp_path / "warm", cache)
    cached = render_each(prepared, tmp_path / "cached", cache)
    fresh = render_each(prepared, tmp_path / "fresh", None)
    assert cache.hits == DOCUMENTS
    assert cached == fresh


def test_a_changed_context_value_is_rendered_again(tmp_path, cache):
    before = render_one(make_prepared(tmp_path), "03-action-log", tmp_path / "one", cache)
    action = dataclasses.replace(ACTIONS[0], text="Partnership ToR to be published today.")
    changed = make_prepared(tmp_path, actions=[action, *ACTIONS[1:]])
    after = render_one(changed, "03-action-log", tmp_path / "two", cache)
    assert (cache.hits, cache.misses) == (0, 2)
    assert after != before
    table = Document(tmp_path / "two" / "03-action-log.docx").tables[0]
    cells = {cell.text for row in table.rows for cell in row.cells}
    assert "Partnership ToR to be published today." in cells


def test_a_changed_template_is_rendered_again(tmp_path, cache):
    prepared = make_prepared(tmp_path)
    before = render_one(prepared, "03-action-log", tmp_path / "one", cache)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    doc = Document(templates / "action_log.docx")
    doc.add_paragraph("Added after the first render.")
    doc.save(templates / "action_log.docx")
    after = render_one(prepared, "03-action-log", tmp_path / "two", cache, templates)
    assert (cache.hits, cache.misses) == (0, 2)
    assert after != before
    paragraphs = Document(tmp_path / "two" / "03-action-log.docx").paragraphs
    assert paragraphs[-1].text == "Added after the first render."


def test_a_changed_signature_image_is_rendered_again(tmp_path, cache):
    prepared = make_prepared(tmp_path)
    before = render_one(prepared, "07b-letter-home-office", tmp_path / "one", cache)
    png(tmp_path / "signatures" / "al.png", width=60, height=20)
    after = render_one(prepared, "07b-letter-home-office", tmp_path / "two", cache)
    assert (cache.hits, cache.misses) == (0, 2)
    assert after != before
    fresh = render_one(prepared, "07b-letter-home-office", tmp_path / "three", cache)
    assert fresh == after and cache.hits == 1


def test_a_truncated_cache_entry_is_removed_not_served(tmp_path, cache):
    prepared = make_prepared(tmp_path)
    first = render_each(prepared, tmp_path / "one", cache)
    entries = sorted(cache.root.glob("*.docx"))
    assert len(entries) == DOCUMENTS
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    second = render_each(prepared, tmp_path / "two", cache)
    assert (cache.hits, cache.misses) == (0, 2 * DOCUMENTS)
    assert second == first
    assert all(is_complete_docx(entry.read_bytes()) for entry in cache.root.glob("*.docx"))


def test_an_unwritable_cache_still_renders(tmp_path, cache, caplog):
    cache.root.mkdir(parents=True)
    cache.root.chmod(0o500)
    try:
        if os.access(cache.root, os.W_OK):
            pytest.skip("this user can write to a read-only folder (root)")
        with caplog.at_level(logging.WARNING, logger="packgen.render.cache"):
            written = render_each(make_prepared(tmp_path), tmp_path / "out", cache)
        fresh = render_each(make_prepared(tmp_path), tmp_path / "fresh", None)
    finally:
        cache.root.chmod(0o700)
    assert written == fresh
    assert list(cache.root.iterdir()) == []
    assert "Could not cache a rendered document" in caplog.text


def test_a_cache_that_cannot_be_created_still_renders(tmp_path, cache, caplog):
    cache.root.parent.mkdir(parents=True)
    cache.root.write_bytes(b"a file where the cache folder should be")
    with caplog.at_level(logging.WARNING, logger="packgen.render.cache"):
        written = render_each(make_prepared(tmp_path), tmp_path / "out", cache)
    assert written == render_each(make_prepared(tmp_path), tmp_path / "fresh", None)
    assert (cache.hits, cache.misses) == (0, DOCUMENTS)
    assert "Could not cache a rendered document" in caplog.text


def test_render_command_reuses_unchanged_documents(tmp_path, caplog):
    meeting = dt.date(2020, 10, 15)
    first = render_meeting(SAMPLE, TEMPLATES, tmp_path, meeting)
    before = {p.name: p.read_bytes() for p in first}
    with caplog.at_level(logging.INFO, logger="packgen.render.documents"):
        again = render_meeting(SAMPLE, TEMPLATES, tmp_path, meeting)
    assert {p.name: p.read_bytes() for p in again} == before
    assert "Reused 00-agenda.docx (unchanged)" in caplog.text
    assert "Rendered " not in caplog.text
    assert len(list((tmp_path / ".cache" / "docx").glob("*.docx"))) == len(before)
