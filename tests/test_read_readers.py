from __future__ import annotations

import datetime as dt
import shutil

import pytest
from conftest import SAMPLE, TEST_DATA, make_workbook

from packgen.errors import Problems, Severity
from packgen.model import DocumentKind, Status
from packgen.read.actions import read_actions
from packgen.read.forward_plan import read_forward_plan
from packgen.read.letters import read_letters
from packgen.read.meetings import read_meetings_workbook
from packgen.read.partnership import read_partnership, status_from_update
from packgen.read.recommendations import read_recommendations
from packgen.read.tracker import read_cases

LOG_HEAD = ["Date", "Action", "Lead", "Update Comments"]


def actions_from(tmp_path, rows, heading=LOG_HEAD):
    make_workbook(tmp_path / "action_log.xlsx", [["Action Log 2020 - 2021"], heading, *rows])
    problems = Problems()
    return read_actions(tmp_path, problems), problems


@pytest.mark.parametrize(
    ("update", "status"),
    [
        ("Final draft on Agenda for meeting held on 03 08 2020. Close.", Status.CLOSED),
        ("Completed 03 08 2020.", Status.CLOSED),
        ("Published on the website . C/F – awaiting confirmation.", Status.CARRIED_FORWARD),
        ("To be reviewed at October meeting. C/F", Status.CARRIED_FORWARD),
        ("", Status.OPEN),
        ("LP e-mailed to AL on 10 09 2020.", Status.OPEN),
    ],
)
def test_status_comes_from_the_update_text(update, status):
    assert status_from_update(update) is status


def test_actions_belong_to_the_meeting_row_above(tmp_path):
    actions, problems = actions_from(
        tmp_path,
        [
            ["Meeting: 05 June 2020"],
            ["2020/01", "Publish ToR", "LP", "C/F"],
            [],
            ["Meeting: 03 August 2020"],
            ["2020/12", "Tracker", "TDV", "Completed 03 08 2020."],
        ],
    )
    assert [(a.ref, a.meeting_date.exact, a.status) for a in actions] == [
        ("2020/01", dt.date(2020, 6, 5), Status.CARRIED_FORWARD),
        ("2020/12", dt.date(2020, 8, 3), Status.CLOSED),
    ]
    assert not problems.items


def test_status_column_wins_over_the_update_text(tmp_path):
    rows = [["Meeting: 05 June 2020"], ["2020/01", "ToR", "LP", "Close.", "carried forward"]]
    actions, _ = actions_from(tmp_path, rows, [*LOG_HEAD, "Status"])
    assert actions[0].status is Status.CARRIED_FORWARD


def test_empty_lead_is_an_error_naming_the_cell(tmp_path):
    _, problems = actions_from(tmp_path, [["Meeting: 05 June 2020"], ["2020/01", "ToR", " ", ""]])
    assert [str(p) for p in problems.errors] == ["action_log.xlsx › Sheet1 › C4: Lead is empty"]


def test_a_row_split_by_a_page_break_joins_the_action_above(tmp_path):
    rows = [
        ["Meeting: 09 September 2020"],
        ["2020/27", "Consider gaps in a BHR themed", "LP/CC"],
        [None, "review and bring back in October."],
    ]
    actions, _ = actions_from(tmp_path, rows)
    assert actions[0].text == "Consider gaps in a BHR themed review and bring back in October."


def test_workbook_saved_by_libreoffice_is_read(tmp_path):
    shutil.copy(TEST_DATA / "action_log_libreoffice.xlsx", tmp_path / "action_log.xlsx")
    problems = Problems()
    actions = read_actions(tmp_path, problems)
    assert [(a.ref, a.lead, a.status) for a in actions] == [
        ("2020/19", "TDV", Status.OPEN),
        ("2020/28", "LP/MW/TDV", Status.CLOSED),
        ("2020/29", "LP/CC", Status.CARRIED_FORWARD),
    ]
    assert actions[1].text == "Dates to be set\nfor the year."
    assert actions[2].meeting_date.exact == dt.date(2020, 10, 15)
    assert not problems.items


def test_tracker_reads_real_and_text_dates_and_unknowns(tmp_path):
    head = [
        "Initials",
        "Notification Date to NP",
        "Case Summary/Themes",
        "Lead Authority",
        "Update",
        "Presentation to Local SCP",
        "Published Y/N",
    ]
    rows = [
        ["Tracker"],
        head,
        ["TQ", dt.datetime(2020, 6, 15), "s", "LBH", "u", "TBC", "N/A"],
        ["Family D", "May 2017", "s", "LBBB", "u", "17 10 2018", dt.datetime(2020, 1, 14)],
    ]
    make_workbook(tmp_path / "case_review_tracker.xlsx", rows)
    cases = read_cases(tmp_path, Problems())
    assert cases[0].notified.exact == dt.date(2020, 6, 15) and not cases[0].presented.known
    assert (cases[1].notified.month, cases[1].notified.day) == (5, None)
    assert cases[1].published == "14 January 2020"


def test_bad_date_is_an_error_naming_its_cell(tmp_path):
    head = [
        "Initials",
        "Notification Date to NP",
        "Case Summary",
        "Lead Authority",
        "Update",
        "Presentation",
        "Published",
    ]
    make_workbook(tmp_path / "case_review_tracker.xlsx", [head, ["TQ", "31/02/2020"]])
    problems = Problems()
    read_cases(tmp_path, problems)
    assert [str(p) for p in problems.errors] == [
        "case_review_tracker.xlsx › Sheet1 › B2: "
        "Notification Date to NP: 31/02/2020 is not a real date"
    ]


def test_forward_plan_papers_and_agenda_numbers(tmp_path):
    head = ["Item", "Agenda Item", "Lead", "Notes", "Minutes", "Papers", "Restricted"]
    rows = [
        ["Agenda Forward Plan"],
        head,
        ["Meeting: 15 October 2020"],
        [3, "Action Log", "All", "", "5 minutes", "Action log", "N"],
        [6, "Suicide", "AL/LP", "", 10, "Briefing.docx\nKent summary.pdf", "Yes"],
    ]
    make_workbook(tmp_path / "forward_plan.xlsx", rows)
    [meeting] = read_forward_plan(tmp_path, Problems())
    first, second = meeting.items
    assert (first.number, first.minutes, first.papers[0].kind) == (3, 5, DocumentKind.ACTION_LOG)
    assert [p.filename for p in second.papers] == ["Briefing.docx", "Kent summary.pdf"]
    assert second.restricted and not first.restricted


def test_forward_plan_reason_is_read_for_a_restricted_item_and_warned_of_otherwise(tmp_path):
    head = ["Item", "Agenda Item", "Lead", "Restricted", "Reason"]
    rows = [
        head,
        ["Meeting: 15 October 2020"],
        [9, "Tracker", "All", "Y", "Paragraph 1 of Part 1\nof Schedule 12A"],
        [10, "Report", "All", "N", "Information relating to an individual"],
    ]
    make_workbook(tmp_path / "forward_plan.xlsx", rows)
    problems = Problems()
    [meeting] = read_forward_plan(tmp_path, problems)
    assert [i.reason for i in meeting.items] == ["Paragraph 1 of Part 1 of Schedule 12A", ""]
    [warning] = problems.warnings
    assert str(warning) == (
        "forward_plan.xlsx › Sheet1 › E4: a Reason is given but the item is not restricted"
    )


def test_paper_names_leaving_the_papers_folder_are_refused(tmp_path):
    head = ["Item", "Agenda Item", "Lead", "Papers"]
    rows = [head, ["Meeting: 15 October 2020"], [1, "X", "All", "../../secret.pdf"]]
    make_workbook(tmp_path / "forward_plan.xlsx", rows)
    problems = Problems()
    [meeting] = read_forward_plan(tmp_path, problems)
    assert meeting.items[0].papers == ()
    assert "forward_plan.xlsx › Sheet1 › D3" in str(problems.errors[0])


def test_members_email_location_is_the_email_cell(tmp_path):
    rows = [
        ["Members of the partnership"],
        ["Name", "Initials", "Title", "Agency", "Email", "Receives Pack"],
        ["Carol Hale", "CH", "Chair", "LBBD", "carol.hale@lbbd.example", "Y"],
        ["Eve Smith", "ES", "Nurse", "NHS", "eve@nhs.example", "Y"],
    ]
    make_workbook(tmp_path / "meetings.xlsx", rows, sheet="Members")
    _, members, _ = read_meetings_workbook(tmp_path, Problems())
    assert [str(m.email_location) for m in members] == [
        "meetings.xlsx › Members › E3",
        "meetings.xlsx › Members › E4",
    ]


def test_members_without_an_email_column_have_no_email_location(tmp_path):
    rows = [["Name", "Initials"], ["Carol Hale", "CH"]]
    make_workbook(tmp_path / "meetings.xlsx", rows, sheet="Members")
    _, [member], _ = read_meetings_workbook(tmp_path, Problems())
    assert member.email_location is None and member.email == ""


LETTER_HEAD = ["Key", "Item", "Recipient", "Salutation", "Subject", "Body", "Signatory"]
LETTER_ROW = ["home-office", 7, "Home Office", "Dear Minister", "SCR", "Text.", "AL"]


def test_letter_title_column_is_read_as_one_line(tmp_path):
    rows = [[*LETTER_HEAD, "Title"], [*LETTER_ROW, "Letter to the\nHome  Office "]]
    make_workbook(tmp_path / "letters.xlsx", rows, sheet="Letters")
    problems = Problems()
    [letter] = read_letters(tmp_path, problems)
    assert letter.title == "Letter to the Home Office" and problems.errors == []


def test_letters_without_a_title_column_have_no_title(tmp_path):
    make_workbook(tmp_path / "letters.xlsx", [LETTER_HEAD, LETTER_ROW], sheet="Letters")
    problems = Problems()
    [letter] = read_letters(tmp_path, problems)
    assert letter.title == "" and problems.errors == []


def test_recommendations_header_block_and_agency_columns(tmp_path):
    rows = [
        ["Case Type:", "SCR", "Publication Date:", "14 01 2020"],
        ["Lead LSCP:", "Redbridge SCP", "Title and link to Report:", "Baby T https://x.example/t"],
        ["Recommendation", "Redbridge SCP", "B&D SCP"],
        ["Write to the Home Office", "Draft", "N/A"],
        ["household matters.", None, None],
    ]
    make_workbook(tmp_path / "scr_recommendations.xlsx", rows)
    table = read_recommendations(tmp_path, Problems())
    assert table.header.publication_date.exact == dt.date(2020, 1, 14)
    assert (table.header.title, table.header.link) == ("Baby T", "https://x.example/t")
    assert table.agencies == ("Redbridge SCP", "B&D SCP")
    [rec] = table.recommendations
    assert rec.text == "Write to the Home Office household matters."
    assert rec.responses == (("Redbridge SCP", "Draft"), ("B&D SCP", "N/A"))


# --- the whole sample, cross-checked against the seed pack ---------------------------------


@pytest.fixture(scope="module")
def sample():
    if not (SAMPLE / "action_log.xlsx").exists():
        pytest.skip("the sample workbooks are not in data/ yet")
    return read_partnership(SAMPLE)


def test_sample_reads_without_errors(sample):
    _, problems = sample
    assert [str(p) for p in problems if p.severity is Severity.ERROR] == []


def test_sample_has_the_28_actions_of_the_seed_with_their_statuses(sample):
    actions = {a.ref: a for a in sample[0].actions}
    assert list(actions) == [f"2020/{n:02d}" for n in range(1, 29)]
    assert actions["2020/01"].status is Status.CARRIED_FORWARD
    assert actions["2020/02"].status is Status.CLOSED
    assert actions["2020/12"].status is Status.CLOSED
    assert actions["2020/17"].status is Status.OPEN
    assert actions["2020/07"].lead == "Adrian Loades/John Carroll"
    assert actions["2020/27"].text.endswith(
        "review and bring back to the October meeting for a decision."
    )


def test_sample_has_every_tracker_case(sample):
    cases = sample[0].cases
    assert [c.initials for c in cases] == ["Family D", "Baby T", "Child F", "ZP", "TQ"]
    assert cases[0].notified.text == "May 2017" and cases[0].notified.day is None
    assert not cases[2].presented.known


def test_sample_has_11_recommendations_with_6_agencies(sample):
    table = sample[0].recommendations
    assert len(table.agencies) == 6
    assert [r.number for r in table.recommendations] == list(range(1, 12))
    assert all(len(r.responses) == 6 for r in table.recommendations)


def test_sample_letters_have_the_titles_of_the_product_brief(sample):
    assert [letter.title for letter in sample[0].letters] == [
        "Letter to the Home Office",
        "Letter to the London Safeguarding Children Partnership",
        "Letter to NHS England",
        "Letter to the Hackney, Croydon and Cardiff partnerships",
    ]


def test_sample_agenda_has_13_items_with_leads_and_minutes(sample):
    [agenda] = [m for m in sample[0].forward_plan if m.date.exact == dt.date(2020, 10, 15)]
    assert [i.number for i in agenda.items] == list(range(1, 14))
    assert [i.lead for i in agenda.items][4:8] == ["AL", "AL/LP", "All", "TDV"]
    assert sum(i.minutes for i in agenda.items) == 102
