from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLE, make_workbook

from packgen.check.inputs import choose_meeting, prepare
from packgen.cli import cli
from packgen.errors import InputError
from packgen.model import ForwardPlanMeeting, FuzzyDate, Meeting, Partnership

OCT15 = "2020-10-15"
pytestmark = pytest.mark.skipif(
    not (SAMPLE / "forward_plan.xlsx").exists(), reason="the sample workbooks are not in data/"
)


def run(data: Path, *args: str):
    return CliRunner().invoke(cli, ["check", *args, "--data", str(data)])


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- damage helpers: each edits a copy of the sample and returns the cell it touched -------


def _row(ws, key, key_col: str) -> int:
    if isinstance(key, int):
        return key
    for cells in ws.iter_rows():
        cell = cells[openpyxl.utils.column_index_from_string(key_col) - 1]
        if str(cell.value).strip() == key:
            return cell.row
    raise LookupError(key)


def put(book: str, col: str, key, value, sheet: str | None = None, key_col: str = "A"):
    """Return a damage: set column `col` of the row whose `key_col` holds `key` to `value`."""

    def damage(data: Path) -> dict:
        wb = openpyxl.load_workbook(data / book)
        ws = wb[sheet] if sheet else wb.worksheets[0]
        cell = f"{col}{_row(ws, key, key_col)}"
        ws[cell] = value
        wb.save(data / book)
        return {"cell": cell}

    return damage


def edit(book: str, change, sheet: str | None = None):
    """Return a damage that applies `change(ws)` to a sheet of a workbook."""

    def damage(data: Path) -> dict:
        wb = openpyxl.load_workbook(data / book)
        change(wb[sheet] if sheet else wb.worksheets[0])
        wb.save(data / book)
        return {}

    return damage


def locate(book: str, col: str, key, key_col: str = "A"):
    """Return a no-op damage that only names the cell, for expected messages."""

    def damage(data: Path) -> dict:
        ws = openpyxl.load_workbook(data / book, read_only=False).worksheets[0]
        return {"cell": f"{col}{_row(ws, key, key_col)}"}

    return damage


def write(name: str, content: bytes, truncate: bool = False):
    def damage(data: Path) -> dict:
        path = data / name
        path.write_bytes(path.read_bytes()[:400] if truncate else content)
        return {}

    return damage


def remove(name: str):
    def damage(data: Path) -> dict:
        (data / name).unlink()
        return {}

    return damage


def both(*damages):
    def damage(data: Path) -> dict:
        found: dict = {}
        for d in damages:
            found.update(d(data))
        return found

    return damage


def _swap_columns(ws) -> None:
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    for row in ws.iter_rows():
        row[1].value, row[2].value = row[2].value, row[1].value


def _insert_title_rows(ws) -> None:
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    ws.insert_rows(1, 3)
    ws["A1"] = "Printed copy"


def _blank_rows(ws) -> None:
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    ws.insert_rows(10, 2)


def _lock_files(data: Path) -> dict:
    (data / "~$action_log.xlsx").write_bytes(b"owner")
    (data / ".~lock.forward_plan.xlsx#").write_text("lock")
    return {}


def _extra_paper(data: Path) -> dict:
    (data / "papers" / OCT15 / "Late paper.docx").write_bytes(b"not yet")
    return {}


PAPERS = "papers/2020-10-15"
# (id, damage, extra CLI args, exit code, message fragments; {cell} is the touched cell)
CASES = [
    ("lead-empty", put("action_log.xlsx", "C", "2020/17", None), (), 1,
     ["action_log.xlsx › Action Log › {cell}: Lead is empty"]),
    ("action-empty", put("action_log.xlsx", "B", "2020/19", "  "), (), 1,
     ["action_log.xlsx › Action Log › {cell}: Action is empty"]),
    ("impossible-date", put("case_review_tracker.xlsx", "B", "TQ", "31/02/2020"), (), 1,
     ["case_review_tracker.xlsx › Case Review Tracker › {cell}: Notification Date to NP: "
      "31/02/2020 is not a real date"]),
    ("words-for-date", put("case_review_tracker.xlsx", "F", "ZP", "next week"), (), 1,
     ["Case Review Tracker › {cell}: Presentation to Local SCP: 'next week' is not a date"]),
    ("status-column-bad", both(put("action_log.xlsx", "E", 3, "Status"),
                               put("action_log.xlsx", "E", "2020/05", "maybe")), (), 1,
     ["action_log.xlsx › Action Log › {cell}: Status: 'maybe' is not Open"]),
    ("status-column-good", both(put("action_log.xlsx", "E", 3, " STATUS "),
                                put("action_log.xlsx", "E", "2020/17", "Closed")), (), 0,
     ["Meeting: 15 October 2020", "9 open and 6 carried-forward"]),
    ("heading-missing", put("action_log.xlsx", "C", 3, "Person"), (), 1,
     ["action_log.xlsx: no sheet has a heading row with Date, Action, Lead, Update Comments"]),
    ("heading-synonyms", both(put("action_log.xlsx", "A", 3, "Ref."),
                              put("action_log.xlsx", "D", 3, "comments")), (), 0,
     ["13 items"]),
    ("columns-swapped", edit("action_log.xlsx", _swap_columns), (), 0,
     ["action_log.xlsx › Action Log › B19: action 2020/14: lead 'AI'"]),
    ("sheet-renamed", edit("action_log.xlsx", lambda ws: setattr(ws, "title", "Sheet 7")), (), 0,
     ["action_log.xlsx › Sheet 7 › C19: action 2020/14: lead 'AI'"]),
    ("title-rows-added", edit("action_log.xlsx", _insert_title_rows), (), 0,
     ["action_log.xlsx › Action Log › C22: action 2020/14"]),
    ("blank-rows", edit("forward_plan.xlsx", _blank_rows), (), 0, ["13 items"]),
    ("spaces-and-breaks", put("action_log.xlsx", "C", "2020/17", "  JC \n"), (), 0, ["13 items"]),
    ("real-excel-date", put("case_review_tracker.xlsx", "B", "TQ", dt.datetime(2020, 6, 15)),
     (), 0, ["13 items"]),
    ("formula-unsaved", put("case_review_tracker.xlsx", "D", "TQ", '=LOWER("LBH")'), (), 1,
     ["case_review_tracker.xlsx › Case Review Tracker › {cell}: the formula has no saved value"]),
    ("excel-error", put("meetings.xlsx", "D", 6, "#REF!"), (), 1,
     ["meetings.xlsx › Meetings › {cell}: the cell shows #REF!"]),
    ("not-a-zip", write("meetings.xlsx", b"Date,Start\n"), (), 1,
     ["meetings.xlsx: is not an .xlsx workbook"]),
    ("truncated", write("forward_plan.xlsx", b"", truncate=True), (), 1,
     ["forward_plan.xlsx: "]),
    ("password-protected", write("letters.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512),
     (), 1, ["letters.xlsx: is password-protected"]),
    ("lock-files-skipped", _lock_files, (), 0, ["13 items"]),
    ("workbook-missing", both(remove("minutes.xlsx"), locate("forward_plan.xlsx", "F", "2")),
     (), 1, ["forward_plan.xlsx › Forward Plan › {cell}: item 2 names the notes of the previous "
             "meeting, but ", "data/minutes.xlsx does not exist"]),
    ("tracker-missing", both(remove("case_review_tracker.xlsx"),
                             locate("forward_plan.xlsx", "F", "9")), (), 1,
     ["forward_plan.xlsx › Forward Plan › {cell}: item 9 names the case review tracker, but ",
      "data/case_review_tracker.xlsx does not exist"]),
    ("paper-missing", both(remove(f"{PAPERS}/Rapid Review Letter.docx"),
                           locate("forward_plan.xlsx", "F", "8")), (), 1,
     ["forward_plan.xlsx › Forward Plan › {cell}: item 8: paper 'Rapid Review Letter.docx' "
      "not found"]),
    ("paper-escapes", put("forward_plan.xlsx", "F", "10", "../../etc/passwd"), (), 1,
     ["forward_plan.xlsx › Forward Plan › {cell}: paper '../../etc/passwd' must be a file name"]),
    ("paper-not-named", _extra_paper, (), 0,
     ["papers/2020-10-15 › Late paper.docx: not named in any Papers cell"]),
    ("meeting-not-in-meetings", put("meetings.xlsx", "A", 6, dt.datetime(2020, 10, 16)), (), 1,
     ["meetings.xlsx › Meetings: no meeting dated 15 October 2020"]),
    ("items-overrun", put("forward_plan.xlsx", "E", "10", 200), (), 0,
     ["the items take 282 minutes but the meeting runs 120 minutes"]),
    ("duration-words", put("forward_plan.xlsx", "E", "10", "twenty"), (), 1,
     ["forward_plan.xlsx › Forward Plan › {cell}: Minutes: 'twenty' is not a whole number"]),
    ("item-number-twice", put("forward_plan.xlsx", "A", "2", "1"), (), 1,
     ["item number 1 is used more than once"]),
    ("restricted-bad", put("forward_plan.xlsx", "G", "9", "maybe"), (), 1,
     ["forward_plan.xlsx › Forward Plan › {cell}: Restricted: 'maybe' is not Y or N"]),
    ("ref-twice", put("action_log.xlsx", "A", "2020/18", "2020/17"), (), 0,
     ["action_log.xlsx › Action Log › {cell}: ref 2020/17 is also used at "
      "action_log.xlsx › Action Log › A23"]),
    ("ref-malformed", put("action_log.xlsx", "A", "2020/19", "20/19"), (), 0,
     ["action_log.xlsx › Action Log › {cell}: ref '20/19' is not like 2020/17"]),
    ("lead-unknown", put("action_log.xlsx", "C", "2020/19", "TDV/ZZ"), (), 0,
     ["action 2020/19: lead 'ZZ' is not a member's initials or name"]),
    ("minutes-ref-unknown", put("minutes.xlsx", "F", "2020/17", "2020/99", key_col="F"), (), 0,
     ["minutes.xlsx › Minutes › E37: action 2020/99 is not in the action log",
      "action 2020/17 is not raised in the notes of 9 September 2020"]),
    ("meeting-month-only", put("meetings.xlsx", "A", 6, "October 2020"), (), 1,
     ["meetings.xlsx › Meetings › {cell}: Date: October 2020 needs a day"]),
    ("time-words", put("meetings.xlsx", "B", 6, "9am-ish"), (), 1,
     ["meetings.xlsx › Meetings › {cell}: Start: '9am-ish' is not a time"]),
    ("ends-before-start", put("meetings.xlsx", "C", 6, "08:00"), (), 1,
     ["meetings.xlsx › Meetings › {cell}: the meeting ends (08:00) before it starts"]),
    ("attendance-bad", put("meetings.xlsx", "C", 3, "maybe", sheet="Attendance"), (), 1,
     ["meetings.xlsx › Attendance › {cell}: Attendance: 'maybe' is not attended or apologies"]),
    ("minutes-style-bad", put("minutes.xlsx", "D", 3, "quote"), (), 1,
     ["minutes.xlsx › Minutes › {cell}: Style: 'quote' is not paragraph"]),
    ("signature-missing", remove("signatures/adrian-loades.png"), (), 1,
     ["letters.xlsx › Letters › K3: Signature: adrian-loades.png not found in",
      "letters.xlsx › Letters › K6: Signature: adrian-loades.png not found in"]),
    ("publication-date-bad", put("scr_recommendations.xlsx", "F", 3, "31/02/2020"), (), 1,
     ["scr_recommendations.xlsx › Recommendations › F3: Publication Date: 31/02/2020 is not a "
      "real date"]),
    ("placeholder", put("action_log.xlsx", "D", "2020/19", "Report due xx November."), (), 0,
     ["action_log.xlsx › Action Log › {cell}: placeholder 'xx'"]),
    ("agenda-lead-empty", put("forward_plan.xlsx", "C", "5", None), (), 0,
     ["forward_plan.xlsx › Forward Plan › {cell}: item 5 has no lead"]),
    ("no-agenda-for-meeting", lambda data: {}, ("2020-11-27",), 1,
     ["forward_plan.xlsx: no 'Meeting: 27 November 2020' row with numbered items"]),
]  # fmt: skip


@pytest.mark.parametrize(("damage", "args", "code", "fragments"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])  # fmt: skip
def test_bad_or_awkward_input(sample_copy, damage, args, code, fragments):
    where = damage(sample_copy)
    before = snapshot(sample_copy)
    result = run(sample_copy, *(args or (OCT15,)))
    assert result.exit_code == code, result.output
    for fragment in fragments:
        assert fragment.format(**where) in result.output
    assert "Traceback" not in result.output
    assert snapshot(sample_copy) == before


def test_sample_check_exits_0_and_summarises_the_pack():
    result = run(SAMPLE, OCT15)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Meeting: 15 October 2020 (as asked)\n")
    assert "will hold 13 items and 9 papers sent in" in result.output
    assert "action_log.xlsx › Action Log › C19: action 2020/14: lead 'AI'" in result.output
    assert "heading '19 September 2020' matches no meeting" in result.output
    assert "heading 'January 2020 [Date TBC]' matches no meeting" in result.output


def test_all_errors_are_listed_at_once(sample_copy):
    put("action_log.xlsx", "C", "2020/17", None)(sample_copy)
    put("case_review_tracker.xlsx", "B", "TQ", "31/02/2020")(sample_copy)
    result = run(sample_copy, OCT15)
    assert result.exit_code == 1
    assert "2 problems stop the pack for 15 October 2020:" in result.output
    assert "C23: Lead is empty" in result.output and "B8: Notification Date" in result.output


def test_meeting_is_not_a_date_is_a_usage_error():
    result = run(SAMPLE, "15/10/2020")
    assert result.exit_code == 2
    assert "is not a meeting date like 2020-10-15" in result.output


def test_prepare_gives_meeting_agenda_and_papers_in_agenda_order():
    prepared = prepare(SAMPLE, dt.date(2020, 10, 15))
    assert prepared.meeting.date == dt.date(2020, 10, 15)
    assert [p.item for p in prepared.papers] == [6, 6, 8, 8, 8, 8, 8, 8, 10]
    assert all(p.path.is_file() for p in prepared.papers)
    assert all(p.severity.value == "warning" for p in prepared.problems)


def test_prepare_raises_with_every_error(sample_copy):
    remove(f"{PAPERS}/Rapid Review Letter.docx")(sample_copy)
    with pytest.raises(InputError, match="1 problem stops the pack for 15 October 2020") as caught:
        prepare(sample_copy, dt.date(2020, 10, 15))
    assert "Rapid Review Letter.docx" in str(caught.value.problems[0])


# --- choosing the meeting ------------------------------------------------------------------


def partnership_with(agendas: list[dt.date], meetings: list[dt.date]) -> Partnership:
    from packgen.model import AgendaItem

    item = AgendaItem(1, "Welcome", "Chair", 5)
    plan = [ForwardPlanMeeting(d.isoformat(), FuzzyDate("", d.year, d.month, d.day), (item,))
            for d in agendas]  # fmt: skip
    rows = [Meeting(d, None, None, "", "", "") for d in meetings]
    return Partnership(rows, [], [], plan, [], [], None, [], [])


@pytest.mark.parametrize(
    ("today", "expected", "reason"),
    [
        (dt.date(2020, 10, 1), dt.date(2020, 10, 15), "next meeting with an agenda"),
        (dt.date(2020, 10, 15), dt.date(2020, 10, 15), "next meeting with an agenda"),
        (dt.date(2020, 10, 16), dt.date(2020, 11, 27), "next meeting with an agenda"),
        (dt.date(2024, 1, 1), dt.date(2020, 11, 27), "latest meeting with an agenda"),
    ],
)
def test_choose_meeting_without_a_date(today, expected, reason):
    dates = [dt.date(2020, 10, 15), dt.date(2020, 11, 27)]
    meeting, why = choose_meeting(partnership_with(dates, dates), None, today)
    assert (meeting.date, why) == (expected, reason)


def test_choose_meeting_refuses_an_agenda_without_a_meeting():
    p = partnership_with([dt.date(2020, 10, 15)], [])
    with pytest.raises(InputError, match="15 October 2020 is not a meeting"):
        choose_meeting(p, None, dt.date(2020, 1, 1))


def test_empty_data_folder_lists_every_missing_workbook_it_needs(tmp_path):
    make_workbook(tmp_path / "unrelated.xlsx", [["Hello"]])
    result = run(tmp_path, OCT15)
    assert result.exit_code == 1
    for name in ("meetings.xlsx", "forward_plan.xlsx"):
        assert f"{name}: not found in" in result.output
    for name in ("action_log.xlsx", "letters.xlsx", "minutes.xlsx", "case_review_tracker.xlsx"):
        assert name not in result.output  # needed only when an agenda names their document
