"""Property tests: whatever officers type, packgen prints it as typed or says where it is."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, SAMPLE, make_workbook
from corpus import docx_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from packgen.check.inputs import prepare
from packgen.errors import InputError, Problems, Severity
from packgen.plan.documents import plan_pack
from packgen.read.actions import read_actions
from packgen.read.dates import DateError, find_date, parse_date, parse_time
from packgen.read.workbook import WorkbookError, read_sheets
from packgen.render.documents import render_document

MEETING = dt.date(2020, 10, 15)
ACTION_TEXT = "B23"  # action 2020/17 on the sample action log
XML_FORBIDDEN = re.compile("[\ufffe\uffff]")
CONTROL = re.compile("[\x7f]")  # kept by openpyxl, never printed: dropped as typed
FAST = settings(max_examples=100, deadline=None)
SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Anything an officer can save in a cell: any character a workbook can hold.
cell_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300).map(
    lambda s: XML_FORBIDDEN.sub("", ILLEGAL_CHARACTERS_RE.sub("", s))
)
cell_value = st.one_of(
    st.none(),
    cell_text,
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)),
)


def fold(text: str) -> str:
    return " ".join(text.split())


# --- dates -----------------------------------------------------------------------------------


@FAST
@given(st.one_of(cell_text, st.integers(), st.floats(), st.dates(), st.datetimes(), st.none()))
def test_parse_date_returns_a_date_or_says_why_not(value) -> None:
    try:
        found = parse_date(value)
    except DateError as exc:
        assert str(exc)
    else:
        assert found.exact is None or isinstance(found.exact, dt.date)


@FAST
@given(
    st.dates(min_value=dt.date(1000, 1, 1)),
    st.sampled_from(["%d/%m/%Y", "%d %m %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]),
)
def test_parse_date_reads_every_real_date_day_first(day: dt.date, layout: str) -> None:
    assert parse_date(day.strftime(layout)).exact == day


@FAST
@given(cell_text)
def test_find_date_and_parse_time_never_crash(text: str) -> None:
    assert find_date(text).text == fold(text)
    try:
        parse_time(text)
    except DateError as exc:
        assert str(exc)


# --- readers ---------------------------------------------------------------------------------


@FAST
@given(st.lists(st.lists(cell_value, min_size=1, max_size=6), max_size=8))
def test_any_sheet_reads_back_as_saved(rows: list[list]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = make_workbook(Path(folder) / "any.xlsx", rows)
        try:
            sheets = read_sheets(path)
        except WorkbookError as exc:  # only a formula-looking text may upset a workbook
            assert exc.problem.location.file == "any.xlsx"
            return
    for row, cells in zip(rows, sheets[0].rows, strict=False):
        for value, cell in zip(row, cells, strict=False):
            if isinstance(value, str) and not value.startswith("="):
                assert cell.value == (value or None)


@FAST
@given(st.lists(st.lists(cell_value, min_size=4, max_size=5), max_size=12))
def test_the_action_reader_reports_every_problem_with_its_cell(rows: list[list]) -> None:
    heading = ["Date", "Action", "Lead", "Update Comments"]
    with tempfile.TemporaryDirectory() as folder:
        make_workbook(Path(folder) / "action_log.xlsx", [heading, ["Meeting: 5 June 2020"], *rows])
        problems = Problems()
        read_actions(Path(folder), problems)
    for problem in problems.items:
        assert str(problem.location).startswith("action_log.xlsx › Sheet1 › ")
        assert re.fullmatch(r"[A-Z]+\d+|row \d+", problem.location.position or "")


# --- any cell, through to the rendered document ----------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("properties") / "data"
    shutil.copytree(SAMPLE, data)
    return data


@SLOW
@given(text=cell_text)
def test_an_action_reaches_the_document_as_typed_or_is_reported_at_its_cell(
    sample: Path, text: str
) -> None:
    book = openpyxl.load_workbook(sample / "action_log.xlsx")
    book.worksheets[0][ACTION_TEXT] = text
    book.save(sample / "action_log.xlsx")
    try:
        prepared = prepare(sample, MEETING)
    except InputError as exc:
        places = [str(p.location) for p in exc.problems if p.severity is Severity.ERROR]
        assert any(p.startswith(f"action_log.xlsx › Action Log › {ACTION_TEXT}") for p in places)
        return
    plan = plan_pack(prepared)
    doc = next(d for d in plan.documents if d.key == "03-action-log")
    with tempfile.TemporaryDirectory() as out:
        path = render_document(doc, plan, prepared, ROOT / "packgen" / "templates", Path(out))
        assert fold(CONTROL.sub("", text)) in docx_text(path)
