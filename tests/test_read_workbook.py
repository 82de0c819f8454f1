from __future__ import annotations

import zipfile

import pytest
from conftest import make_workbook

from packgen.read.workbook import (
    Column,
    WorkbookError,
    clean,
    find_table,
    is_lock_file,
    normalise,
    read_sheets,
)

COLUMNS = (Column("ref", ("Date", "Ref")), Column("lead", ("Lead",)), Column("x", ("X",), False))


def table_of(tmp_path, rows, **kwargs):
    sheets = read_sheets(make_workbook(tmp_path / "t.xlsx", rows, **kwargs))
    return find_table(sheets, COLUMNS)


def test_heading_row_is_found_below_title_rows(tmp_path):
    table = table_of(tmp_path, [["Title"], [], ["Subtitle"], ["Date", "Lead"], ["2020/01", "LP"]])
    assert table.header_row == 4
    assert [r.text("lead") for r in table.rows()] == ["LP"]


def test_headings_ignore_case_spacing_punctuation_and_order(tmp_path):
    table = table_of(tmp_path, [[" LEAD: ", "r.e.f"], ["LP", "2020/01"]])
    row = next(table.rows())
    assert (row.text("ref"), row.cell("ref").coordinate) == ("2020/01", "B2")


def test_the_sheet_whose_headings_match_is_chosen(tmp_path):
    table = table_of(tmp_path, [["Notes"]], sheet="Cover", extra={"Log 2020": [["Ref", "Lead"]]})
    assert table.sheet.title == "Log 2020"


def test_no_matching_sheet_gives_none(tmp_path):
    assert table_of(tmp_path, [["Name", "Email"]]) is None


def test_blank_and_repeated_heading_rows_are_skipped(tmp_path):
    rows = [["Ref", "Lead"], ["a", "1"], [None, "  "], ["REF", "lead"], ["b", "2"]]
    assert [r.text("ref") for r in table_of(tmp_path, rows).rows()] == ["a", "b"]


def test_merged_cells_take_the_top_left_value(tmp_path):
    rows = [["Ref", "Lead"], ["2020/01", "LP"], ["2020/02", None]]
    table = table_of(tmp_path, rows, merged=["B2:B3"])
    assert [r.text("lead") for r in table.rows()] == ["LP", "LP"]


def test_line_breaks_kept_and_spaces_stripped():
    assert clean("  Dates to be set \r\n  for the  year.  ") == "Dates to be set\nfor the year."


def test_section_rows_give_their_heading(tmp_path):
    table = table_of(tmp_path, [["Ref", "Lead"], ["Meeting:  03 August 2020 "], ["a", "b"]])
    assert [r.section for r in table.rows()] == ["03 August 2020", None]


def test_formula_without_saved_value_is_a_problem_naming_the_cell(tmp_path):
    table = table_of(tmp_path, [["Ref", "Lead"], ["2020/01", '=UPPER("lp")']])
    [problem] = table.cell_problems()
    assert str(problem.location) == "t.xlsx › Sheet1 › B2"
    assert "formula has no saved value" in problem.message


def test_placeholders_are_warned_with_their_cells(tmp_path):
    table = table_of(tmp_path, [["Ref", "Lead"], ["XX recommendations", "???"]])
    assert [str(p.location) for p in table.placeholder_warnings()] == [
        "t.xlsx › Sheet1 › A2",
        "t.xlsx › Sheet1 › B2",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Ref,Lead\n2020/01,LP\n", "is not an .xlsx workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "password-protected"),
    ],
)
def test_files_that_are_not_workbooks_are_problems(tmp_path, content, message):
    path = tmp_path / "action_log.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookError, match=message) as caught:
        read_sheets(path)
    assert caught.value.problem.location.file == "action_log.xlsx"


def test_truncated_workbook_is_a_problem(tmp_path):
    path = make_workbook(tmp_path / "t.xlsx", [["Ref", "Lead"]])
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(WorkbookError):
        read_sheets(path)


def test_zip_without_workbook_is_a_problem(tmp_path):
    path = tmp_path / "t.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(WorkbookError, match="can't be read"):
        read_sheets(path)


@pytest.mark.parametrize(
    ("name", "lock"),
    [("~$action_log.xlsx", True), (".~lock.action_log.xlsx#", True), ("action_log.xlsx", False)],
)
def test_lock_files_are_recognised(tmp_path, name, lock):
    assert is_lock_file(tmp_path / name) is lock


def test_normalise_folds_headings():
    assert normalise(" Published Y/N ") == normalise("published yn")
