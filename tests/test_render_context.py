"""Per-document contexts: what each template is given."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from render_factories import letters, make_prepared

from packgen.check.inputs import prepare
from packgen.errors import InputError
from packgen.model import (
    Action,
    FuzzyDate,
    MinuteItem,
    MinuteParagraph,
    Minutes,
    ParagraphStyle,
    Status,
)
from packgen.plan.documents import plan_pack
from packgen.read.actions import closed_on
from packgen.render.context import Image, Record, build_context, clean
from packgen.render.context.agenda import agenda_context, page_text
from packgen.render.context.letters import letter_context
from packgen.render.context.minutes import minutes_context
from packgen.render.context.tables import (
    CURRENT_SHADE,
    SHADES,
    action_log_context,
    financial_year,
    forward_plan_context,
    recommendations_context,
)


@pytest.fixture
def prepared(tmp_path):
    return make_prepared(tmp_path)


def test_page_text_gives_range_single_page_or_placeholder():
    assert page_text(2, {2: (5, 12)}) == "pp. 5–12"
    assert page_text(2, {2: (5, 5)}) == "p. 5"
    assert page_text(2, None) == "pp. –"


def test_agenda_items_get_running_start_times(prepared):
    items = agenda_context(plan_pack(prepared), prepared, None)["items"]
    assert [i["start"] for i in items[:4]] == ["09:00", "09:01", "09:06", "09:11"]
    assert items[0]["duration"] == "1 minute"
    assert items[1]["duration"] == "5 minutes"


def test_agenda_pages_only_for_items_with_documents(prepared):
    items = agenda_context(plan_pack(prepared), prepared, {2: (3, 4)})["items"]
    assert items[0]["pages"] == ""
    assert items[1]["pages"] == "pp. 3–4"
    assert items[2]["pages"] == "pp. –"


def test_agenda_meeting_table_names_chair_with_title_and_short_agency(prepared):
    meeting = agenda_context(plan_pack(prepared), prepared, None)["meeting"]
    assert meeting["chair"] == "Elaine Allegretti, Director of People and Resilience, LBBD"
    assert meeting["time"] == "09:00 – 11:00"
    assert meeting["date"] == "15 October 2020"


def test_future_meetings_sit_under_the_dates_item(prepared):
    context = agenda_context(plan_pack(prepared), prepared, None)
    assert context["items"][-1]["future_meetings"] == [
        "27 November 2020 @ 10:00",
        "8 January 2021 @ 15:00",
    ]
    assert not context["future_meetings_after_items"]


def test_future_meetings_follow_the_items_without_a_dates_item(prepared):
    prepared.agenda = dataclasses.replace(prepared.agenda, items=prepared.agenda.items[:-1])
    assert agenda_context(plan_pack(prepared), prepared, None)["future_meetings_after_items"]


def test_attendees_show_initials_late_arrival_and_deputising(prepared):
    context = minutes_context(prepared)
    names = [a["name"] for a in context["attendees"]]
    assert "Elaine Allegretti (EA) (from 15:45)" in names
    assert "Caroline Cutts (CC) (for AL)" in names
    assert [a["name"] for a in context["apologies"]] == ["Adrian Loades (AL)"]


def test_action_paragraph_gets_its_label_once(prepared):
    para = MinuteParagraph(ParagraphStyle.ACTION, "Action 2020/18: LP to clear it.", "2020/18")
    minutes = Minutes(dt.date(2020, 9, 9), (MinuteItem(5, "Table", (para,)),))
    prepared.partnership.minutes = [minutes]
    line = minutes_context(prepared)["items"][0]["paragraphs"][0]
    assert (line["label"], line["text"]) == ("Action 2020/18:", "LP to clear it.")


def test_action_log_groups_by_meeting_and_shades_open_actions(prepared):
    context = action_log_context(prepared)
    assert [g["heading"] for g in context["groups"]] == ["05 June 2020", "09 September 2020"]
    open_action = context["groups"][1]["actions"][0]
    assert open_action["shade"] == SHADES[Status.OPEN] != SHADES[Status.CLOSED]
    assert context["title"] == "Action Log 2020 - 2021"


def test_financial_year_runs_april_to_march():
    assert financial_year(dt.date(2020, 10, 15)) == "2020 - 2021"
    assert financial_year(dt.date(2021, 3, 26)) == "2020 - 2021"


def test_forward_plan_shades_this_meeting(prepared):
    meetings = forward_plan_context(prepared)["meetings"]
    assert [m["shade"] == CURRENT_SHADE for m in meetings] == [False, True, False]


def test_recommendation_responses_follow_the_agency_columns(prepared):
    context = recommendations_context(prepared)
    assert context["agencies"] == ["Redbridge SCP", "B&D SCP", "BHR CCGs"]
    assert context["recommendations"][1]["responses"] == [
        "Develop provision.",
        "Promote training.",
        "Promote training to GPs.",
    ]


def test_signed_letter_carries_its_signature_image(prepared):
    signed, unsigned = prepared.partnership.letters
    assert isinstance(letter_context(signed, prepared)["signature"], Image)
    assert letter_context(unsigned, prepared)["signature"] is None
    assert letter_context(signed, prepared)["signatory"]["title"] == (
        "Corporate Director of People, LBR"
    )


def test_signed_letter_without_its_image_names_the_row(prepared, tmp_path):
    letter = dataclasses.replace(letters(tmp_path)[0], signature=tmp_path / "gone.png")
    with pytest.raises(InputError) as caught:
        letter_context(letter, prepared)
    assert "letters.xlsx › Letters › row 2: signature image gone.png is missing" in str(
        caught.value
    )


def test_clean_removes_characters_xml_forbids_and_keeps_tabs_and_breaks():
    assert clean("a\x00b\x07c\x0cd\x1fe\tf\r\ng") == "abcde\tf\ng"
    assert clean({"k": ["x\x0by"]}) == {"k": ["xy"]}


def test_rows_give_fields_not_dict_methods(prepared):
    plan = plan_pack(prepared)
    doc = next(d for d in plan.documents if d.key == "03-action-log")
    action = build_context(doc, plan, prepared)["groups"][0]["actions"][1]
    assert isinstance(action, Record)
    assert action.update == "Close."
    assert action["ref"] == "2020/02"


def test_no_notes_before_the_meeting_is_an_input_error(prepared):
    prepared.partnership.minutes = []
    with pytest.raises(InputError, match="notes of the previous meeting"):
        minutes_context(prepared)


def test_agenda_shows_the_marking_beside_an_item_with_restricted_papers(prepared):
    items = agenda_context(plan_pack(prepared), prepared, None)["items"]
    marked = [i["title"] for i in items if "OFFICIAL-SENSITIVE" in i["title"]]
    assert marked == ["BHR Case Review Tracker [OFFICIAL-SENSITIVE]"]


def test_agenda_without_restricted_papers_or_marking_shows_none(prepared):
    plan = plan_pack(prepared)
    public = dataclasses.replace(
        plan, documents=[dataclasses.replace(d, restricted=False) for d in plan.documents]
    )
    unmarked = dataclasses.replace(
        prepared, settings=dataclasses.replace(prepared.settings, restricted_marking="")
    )
    for shown in (agenda_context(public, prepared, None), agenda_context(plan, unmarked, None)):
        assert not any("[" in i["title"] for i in shown["items"])


# --- the actions closed since the previous meeting ------------------------------------------

SAMPLE = Path(__file__).resolve().parent.parent / "data"


def test_action_log_lists_the_sample_actions_closed_since_the_previous_meeting():
    context = action_log_context(prepare(SAMPLE, dt.date(2020, 10, 15)))
    assert [a["ref"] for a in context["closed"]] == ["2020/15", "2020/23", "2020/24"]
    assert context["closed_since"] == "9 September 2020"
    assert context["summary"] == (
        "28 actions: 10 open, 6 carried forward, 12 closed, of which 3 since the meeting of "
        "9 September 2020, for the Partnership to agree their closure."
    )


def closed(ref: str, raised: dt.date, update: str) -> Action:
    meeting = FuzzyDate(f"{raised:%d %B %Y}", raised.year, raised.month, raised.day)
    return Action(
        ref,
        meeting.text,
        meeting,
        "Text.",
        "JC",
        update,
        Status.CLOSED,
        closed_on=closed_on(update),
    )


def test_closed_since_takes_the_closing_date_else_the_meeting_that_raised_it(prepared):
    actions = [
        closed("2020/02", dt.date(2020, 6, 5), "Completed 03 08 2020."),  # before 9 September
        closed("2020/15", dt.date(2020, 8, 3), "Completed 01 10 2020."),
        closed("2020/17", dt.date(2020, 9, 9), "Close."),  # raised at the previous meeting
        closed("2020/18", dt.date(2020, 8, 3), "Close."),  # no date: can't tell when
    ]
    partnership = dataclasses.replace(prepared.partnership, actions=actions)
    context = action_log_context(dataclasses.replace(prepared, partnership=partnership))
    assert [a["ref"] for a in context["closed"]] == ["2020/15", "2020/17"]


def test_action_log_without_closures_since_says_nothing_of_them(prepared):
    context = action_log_context(prepared)
    assert context["closed"] == []
    assert "since the meeting" not in context["summary"]
