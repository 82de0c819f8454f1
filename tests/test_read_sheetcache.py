"""The sheet cache: unchanged workbooks come back exactly as openpyxl read them, changed ones are
read again, and a broken cache only costs speed."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, SAMPLE, make_workbook
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter as openpyxl_column_letter

from packgen.read import sheetcache, workbook
from packgen.read.sheetcache import (
    FORMAT,
    SheetCache,
    Uncacheable,
    caching,
    decode_value,
    encode_value,
)
from packgen.read.workbook import Sheet, WorkbookError, get_column_letter
from packgen.store import package_digest

SAMPLE_BOOKS = sorted(p.name for p in SAMPLE.glob("*.xlsx"))
MEETING = dt.date(2020, 10, 15)
ACTION_TEXT = "B23"  # action 2020/17 on the sample action log


def typed(sheets: list[Sheet]) -> list:
    """Everything a sheet holds, each value with its type: 1, 1.0 and True tell apart."""
    return [
        (s.file, s.title, s.hidden, s.uncached, s.hyperlinks,
         [[(c.coordinate, type(c.value), c.value) for c in row] for row in s.rows])
        for s in sheets
    ]  # fmt: skip


def assert_same(cached: list[Sheet], fresh: list[Sheet]) -> None:
    assert cached == fresh
    assert typed(cached) == typed(fresh)


def cached_read(root: Path, path: Path) -> tuple[list[Sheet], SheetCache]:
    """Read through a cache of its own on `root`, as a new build would."""
    cache = SheetCache(root)
    return cache.read(path), cache


def set_value(path: Path, ref: str, value: object) -> None:
    """Change one cell of a workbook, as an officer saving it in Excel would."""
    book = openpyxl.load_workbook(path)
    book.worksheets[0][ref] = value
    book.save(path)


def entries(root: Path) -> list[Path]:
    return sorted(root.glob("*.json"))


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A workbook with dates, times, durations, floats (1.0 among them), bools, empty, merged and
    formula cells, a hyperlink and a hidden sheet."""
    rows = [
        ["Date", "Time", "Float", "One", "Bool", "Empty", "Span", "Link", "Formula", "Long", "Dur"],
        [dt.datetime(2020, 10, 15, 10, 30, 15, 250000), dt.time(9, 45), 2.5, 1, True, None,
         "merged", "site", "=1+1", 12345678901234, dt.timedelta(hours=30, minutes=5)],
        [dt.datetime(2020, 1, 2), None, 1e-300, -3, False, "", None, None, None, "x\xa0y"],
    ]  # fmt: skip
    path = make_workbook(tmp_path / "mixed.xlsx", rows, "Log", ["G2:G3"], {"Old": [["Ref"], [3]]})
    book = openpyxl.load_workbook(path)
    book["Log"]["H2"].hyperlink = "https://example.org/a?b=1"
    book["Old"].sheet_state = "hidden"
    book.save(path)
    _write_float_as_saved(path, "D2", "1.0")  # openpyxl saves 1.0 as 1; Excel may write 1.0
    return path


def _write_float_as_saved(path: Path, ref: str, text: str) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            if info.filename == "xl/worksheets/sheet1.xml":
                old = f'<c r="{ref}" t="n"><v>1</v></c>'.encode()
                assert old in data
                data = data.replace(old, f'<c r="{ref}" t="n"><v>{text}</v></c>'.encode())
            archive.writestr(info, data)


@pytest.mark.parametrize("name", SAMPLE_BOOKS)
def test_a_sample_workbook_comes_back_from_the_cache_exactly(tmp_path: Path, name: str) -> None:
    first, _ = cached_read(tmp_path / "cache", SAMPLE / name)
    again, cache = cached_read(tmp_path / "cache", SAMPLE / name)
    assert cache.hits == [name]
    assert_same(again, workbook.read_sheets(SAMPLE / name))
    assert_same(first, again)


def test_every_kind_of_value_merged_cells_links_and_hidden_sheets_come_back_exactly(
    tmp_path: Path, mixed: Path
) -> None:
    cached_read(tmp_path / "cache", mixed)
    again, cache = cached_read(tmp_path / "cache", mixed)
    fresh = workbook.read_sheets(mixed)
    assert cache.hits == ["mixed.xlsx"]
    assert_same(again, fresh)
    log, old = again
    assert (type(log.cell(2, 4).value), log.cell(3, 7).value) == (float, "merged")
    assert (log.uncached, log.hyperlinks, old.hidden) == (
        {"I2"}, {"H2": "https://example.org/a?b=1"}, True,
    )  # fmt: skip


def test_a_changed_cell_is_read_again(tmp_path: Path, sample_copy: Path) -> None:
    path = sample_copy / "action_log.xlsx"
    before, _ = cached_read(tmp_path / "cache", path)
    set_value(path, ACTION_TEXT, "A changed action")
    after, cache = cached_read(tmp_path / "cache", path)
    assert cache.misses == ["action_log.xlsx"]
    assert after != before
    assert_same(after, workbook.read_sheets(path))
    assert len(entries(tmp_path / "cache")) == 1  # the old entry made way for the new


def test_the_same_bytes_under_another_name_are_read_again(tmp_path: Path) -> None:
    cached_read(tmp_path / "cache", SAMPLE / "letters.xlsx")
    renamed = shutil.copy(SAMPLE / "letters.xlsx", tmp_path / "letters 2.xlsx")
    sheets, cache = cached_read(tmp_path / "cache", Path(renamed))
    assert cache.misses == ["letters 2.xlsx"]
    assert {s.file for s in sheets} == {"letters 2.xlsx"}


@pytest.fixture
def reading_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A stand-in for packgen's code, whose fingerprint is taken afresh on each read."""
    package = tmp_path / "code"
    package.mkdir()
    code = package / "workbook.py"
    code.write_text("# the reading code\n")
    monkeypatch.setattr(SheetCache, "read", _fresh_salt(SheetCache.read, package))
    yield code


def _fresh_salt(read, package: Path):
    def reading(self, path):
        self.salt = sheetcache.cache_salt(package_digest(package))
        return read(self, path)

    return reading


def test_changed_reading_code_is_a_miss(tmp_path: Path, reading_code: Path) -> None:
    cached_read(tmp_path / "cache", SAMPLE / "letters.xlsx")
    assert cached_read(tmp_path / "cache", SAMPLE / "letters.xlsx")[1].hits == ["letters.xlsx"]
    reading_code.write_text("# the reading code, changed\n")
    _, cache = cached_read(tmp_path / "cache", SAMPLE / "letters.xlsx")
    assert cache.misses == ["letters.xlsx"]


def test_another_fingerprint_is_a_miss(tmp_path: Path) -> None:
    cached_read(tmp_path / "cache", SAMPLE / "letters.xlsx")
    cache = SheetCache(tmp_path / "cache", salt="other code, other openpyxl")
    cache.read(SAMPLE / "letters.xlsx")
    assert cache.misses == ["letters.xlsx"]


BROKEN = {
    "truncated": lambda text: text[: len(text) // 2],
    "not json": lambda text: "\x00\xff garbage",
    "a list": lambda text: "[]",
    "another format": lambda text: text.replace(FORMAT, "packgen sheets 0"),
    "an unknown tag": lambda text: text.replace('{"datetime":', '{"pickle":', 1),
    "a value as a list": lambda text: text.replace('{"datetime":"2020-10-15T00:00:00"}', "[1]"),
    "a title as a number": lambda text: text.replace('"title":"Meetings"', '"title":7'),
    "NaN": lambda text: text.replace('"hidden":false', '"hidden":NaN', 1),
}


@pytest.mark.parametrize("breaking", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_entry_is_ignored_and_written_again(tmp_path: Path, breaking) -> None:
    path = SAMPLE / "meetings.xlsx"
    cached_read(tmp_path / "cache", path)
    (entry,) = entries(tmp_path / "cache")
    text = entry.read_text(encoding="utf-8")
    assert breaking(text) != text
    entry.write_text(breaking(text), encoding="latin-1")
    sheets, cache = cached_read(tmp_path / "cache", path)
    assert cache.misses == ["meetings.xlsx"]
    assert_same(sheets, workbook.read_sheets(path))
    assert entry.read_text(encoding="utf-8") == text
    assert cached_read(tmp_path / "cache", path)[1].hits == ["meetings.xlsx"]


def _zip(path: Path, parts: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)


UNREADABLE = {
    "text": lambda path: path.write_bytes(b"Ref,Lead\n2020/01,LP\n"),
    "old excel": lambda path: path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 99),
    "truncated": lambda path: path.write_bytes((SAMPLE / "letters.xlsx").read_bytes()[:300]),
    "no workbook": lambda path: _zip(path, {"hello.txt": "hi"}),
    "entities": lambda path: _zip(path, {"[Content_Types].xml": "<!DOCTYPE x [<!ENTITY a 'b'>]>"}),
}


@pytest.mark.parametrize("making", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_workbook_that_cant_be_read_says_so_as_always_and_is_never_cached(
    tmp_path: Path, making
) -> None:
    path = tmp_path / "action_log.xlsx"
    making(path)
    with pytest.raises(WorkbookError) as plain:
        workbook.read_sheets(path)
    for _ in range(2):
        with pytest.raises(WorkbookError) as cached:
            cached_read(tmp_path / "cache", path)
        assert cached.value.problem == plain.value.problem
    assert entries(tmp_path / "cache") == []


def test_a_cache_that_cant_be_written_only_costs_speed(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder would go")
    sheets, cache = cached_read(blocked, SAMPLE / "letters.xlsx")
    assert cache.misses == ["letters.xlsx"]
    assert_same(sheets, workbook.read_sheets(SAMPLE / "letters.xlsx"))


def test_without_a_cache_in_use_workbooks_are_read_and_nothing_is_written(tmp_path: Path) -> None:
    with caching(tmp_path / "cache") as cache:
        sheetcache.read_sheets(SAMPLE / "letters.xlsx")
    sheets = sheetcache.read_sheets(SAMPLE / "letters.xlsx")  # after the block: no cache
    assert (cache.misses, len(entries(tmp_path / "cache"))) == (["letters.xlsx"], 1)
    assert_same(sheets, workbook.read_sheets(SAMPLE / "letters.xlsx"))


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.datetimes().map(lambda d: d.replace(fold=0)),  # openpyxl's are naive, fold 0
    st.dates(),
    st.times().map(lambda t: t.replace(fold=0)),
    st.timedeltas(),
)


@given(VALUES)
def test_every_value_openpyxl_gives_reads_back_with_its_type(value: object) -> None:
    text = json.dumps(encode_value(value), allow_nan=False)
    back = decode_value(json.loads(text))
    assert type(back) is type(value)
    assert back == value or (math.isnan(back) and math.isnan(value))
    if isinstance(value, float) and not math.isnan(value):  # a NaN's sign means nothing
        assert math.copysign(1, back) == math.copysign(1, value)  # -0.0 stays -0.0


@pytest.mark.parametrize(
    "value",
    [dt.datetime(2020, 10, 15, tzinfo=dt.UTC), dt.time(9, fold=1), b"bytes", 1 + 2j, [1]],
    ids=["time zone", "fold", "bytes", "complex", "list"],
)
def test_a_value_that_cant_be_written_exactly_is_refused(value: object) -> None:
    with pytest.raises(Uncacheable):
        encode_value(value)


def test_column_letters_are_openpyxls() -> None:
    assert all(get_column_letter(c) == openpyxl_column_letter(c) for c in range(1, 18279))
    with pytest.raises(ValueError):
        get_column_letter(18279)


def test_unchanged_workbooks_are_read_without_importing_openpyxl(tmp_path: Path) -> None:
    code = (
        "import datetime, pathlib, sys\n"
        "from packgen.check.inputs import prepare\n"
        "from packgen.read.sheetcache import caching\n"
        f"with caching(pathlib.Path({str(tmp_path / 'cache')!r})) as cache:\n"
        f"    prepare(pathlib.Path({str(SAMPLE)!r}), datetime.date(2020, 10, 15))\n"
        "print(len(cache.hits), len(cache.misses), 'openpyxl' in sys.modules)\n"
    )
    run = [sys.executable, "-c", code]
    first = subprocess.run(run, capture_output=True, text=True, check=True).stdout.split()
    second = subprocess.run(run, capture_output=True, text=True, check=True).stdout.split()
    assert first == ["0", str(len(SAMPLE_BOOKS)), "True"]
    assert second == [str(len(SAMPLE_BOOKS)), "0", "False"]


@pytest.mark.soffice
def test_a_rebuild_reads_only_the_changed_workbook_and_makes_the_same_pack(
    tmp_path: Path, sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from packgen.commands.pipeline import build

    read, opened = [], []  # the workbooks read, and how many times openpyxl opened one
    reading, loading = workbook.read_sheets, openpyxl.load_workbook
    monkeypatch.setattr(
        workbook, "read_sheets", lambda p, *a: read.append(p.name) or reading(p, *a)
    )
    monkeypatch.setattr(
        openpyxl, "load_workbook", lambda *a, **k: [opened.append(1), loading(*a, **k)][1]
    )
    templates, output = ROOT / "packgen" / "templates", tmp_path / "output"
    build(sample_copy, templates, output, MEETING)
    assert (sorted(read), len(opened)) == (SAMPLE_BOOKS, len(SAMPLE_BOOKS))
    set_value(sample_copy / "action_log.xlsx", ACTION_TEXT, "Sheet cache check: a changed action")
    read.clear()
    opened.clear()
    rebuilt = build(sample_copy, templates, output, MEETING)
    assert (read, len(opened)) == (["action_log.xlsx"], 1)
    clean = build(sample_copy, templates, tmp_path / "clean", MEETING)
    text = pack_text(rebuilt.pack)
    assert "Sheet cache check: a changed action" in " ".join(text.split())  # lines wrap
    assert text == pack_text(clean.pack)


def pack_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
