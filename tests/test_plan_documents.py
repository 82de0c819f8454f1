"""The pack plan: which documents, in which order, under which file names."""

from __future__ import annotations

import dataclasses

import pytest
from render_factories import letters, make_prepared

from packgen.errors import InputError, Location
from packgen.model import DocumentKind, Paper
from packgen.plan.documents import letter_title, plan_pack, slug


@pytest.fixture
def prepared(tmp_path):
    return make_prepared(tmp_path)


def test_agenda_comes_first_then_items_in_agenda_order(prepared):
    keys = [d.key for d in plan_pack(prepared).documents]
    assert keys == [
        "00-agenda",
        "02-notes-of-previous-meeting",
        "03-action-log",
        "06a-briefing",
        "06b-kent-thematic-analysis-executive-summary",
        "07a-scr-recommendations",
        "07b-letter-home-office",
        "07c-letter-nhs-england",
        "09-case-review-tracker",
        "11-agenda-forward-plan",
    ]


def test_rendered_documents_name_their_template_and_papers_none(prepared):
    docs = {d.key: d for d in plan_pack(prepared).documents}
    assert docs["00-agenda"].template == "agenda.docx"
    assert docs["00-agenda"].item is None
    assert docs["07b-letter-home-office"].template == "letter.docx"
    assert docs["07b-letter-home-office"].kind is DocumentKind.LETTERS
    assert docs["06a-briefing"].template is None
    assert docs["06a-briefing"].paper.path.name == "Briefing.docx"


def test_titles_read_as_bookmarks(prepared):
    titles = {d.key: d.title for d in plan_pack(prepared).documents}
    assert titles["02-notes-of-previous-meeting"] == "Notes of the meeting of 9 September 2020"
    assert titles["07b-letter-home-office"] == "Letter to the Home Office"
    assert titles["07c-letter-nhs-england"] == "Letter to NHS England"
    assert titles["06b-kent-thematic-analysis-executive-summary"] == (
        "Kent Thematic Analysis Executive Summary"
    )


def test_restricted_item_makes_its_documents_restricted(prepared):
    docs = {d.key: d for d in plan_pack(prepared).documents}
    assert docs["09-case-review-tracker"].restricted
    assert not docs["03-action-log"].restricted


def test_paper_sent_in_but_not_listed_joins_its_item(prepared, tmp_path):
    extra = tmp_path / "Late Paper.pdf"
    extra.write_bytes(b"x")
    prepared.papers.append(Paper(3, "Late Paper", extra, restricted=True))
    docs = {d.key: d for d in plan_pack(prepared).documents}
    assert "03a-action-log" in docs
    assert docs["03b-late-paper"].restricted


def test_two_letters_with_the_same_key_are_refused(tmp_path):
    twin = letters(tmp_path / "signatures")[0]
    second = dataclasses.replace(twin, location=Location("letters.xlsx", "Letters", "row 5"))
    prepared = make_prepared(tmp_path, letters=[twin, second])
    with pytest.raises(InputError) as caught:
        plan_pack(prepared)
    assert "letters.xlsx › Letters › row 5: two letters have the key 'home-office'" in str(
        caught.value
    )


def test_two_documents_with_the_same_file_name_are_refused(tmp_path):
    prepared = make_prepared(tmp_path)
    items = prepared.agenda.items
    twin = dataclasses.replace(items[2], location=Location("forward_plan.xlsx", "Plan", "A9"))
    prepared.agenda = dataclasses.replace(prepared.agenda, items=(*items, twin))
    with pytest.raises(InputError) as caught:
        plan_pack(prepared)
    assert (
        "forward_plan.xlsx › Plan › A9: two documents would both be written as 03-action-log"
        in (str(caught.value))
    )


def test_letters_of_other_meetings_are_left_out(tmp_path):
    own, other = letters(tmp_path / "signatures")
    other = dataclasses.replace(other, meeting=own.meeting.replace(year=2019))
    prepared = make_prepared(tmp_path, letters=[own, other])
    keys = [d.key for d in plan_pack(prepared).documents]
    assert "07b-letter-home-office" in keys
    assert not any("nhs-england" in k for k in keys)


def test_slug_makes_readable_file_stems():
    assert slug("Phase 1 Report – Sir Alan Wood") == "phase-1-report-sir-alan-wood"
    assert slug("Barking & Dagenham") == "barking-and-dagenham"
    assert slug("???") == "paper"


def test_letter_title_keeps_the_recipients_spelling(tmp_path):
    letter = letters(tmp_path)[1]
    assert letter_title(letter) == "Letter to NHS England"
    assert letter_title(dataclasses.replace(letter, key="croydon-partnership")) == (
        "Letter to the Croydon Partnership"
    )


def test_letter_title_comes_from_its_title_when_given(tmp_path):
    letter = dataclasses.replace(
        letters(tmp_path)[0], key="hackney-croydon-cardiff", title="Letter to the partnerships"
    )
    assert letter_title(letter) == "Letter to the partnerships"
    assert (
        letter_title(dataclasses.replace(letter, title="")) == "Letter to Hackney Croydon Cardiff"
    )


def test_a_titled_letter_is_bookmarked_by_its_title_under_its_key(tmp_path):
    titled = dataclasses.replace(letters(tmp_path / "signatures")[0], title="To the Minister")
    prepared = make_prepared(tmp_path, letters=[titled])
    titles = {d.key: d.title for d in plan_pack(prepared).documents}
    assert titles["07b-letter-home-office"] == "To the Minister"


def test_plan_documents_for_item(prepared):
    plan = plan_pack(prepared)
    assert [d.key for d in plan.for_item(7)] == [
        "07a-scr-recommendations",
        "07b-letter-home-office",
        "07c-letter-nhs-england",
    ]
    assert plan.for_item(1) == []
