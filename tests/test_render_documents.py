"""Rendering the Word templates: text, escaping, errors, re-saved templates, determinism."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from render_factories import ACTIONS, CASES, RECOMMENDATIONS, edited_template, make_prepared

from packgen.errors import InputError, TemplateError
from packgen.model import Recommendation, RecommendationsTable
from packgen.plan.documents import plan_pack
from packgen.render.documents import check_templates, render_all, render_document

TEMPLATES = Path(__file__).resolve().parent.parent / "packgen" / "templates"
TEST_DATA = Path(__file__).resolve().parent / "data"
NAMES = sorted(p.name for p in TEMPLATES.glob("*.docx"))


def _texts(paragraph):
    return paragraph.iter(qn("w:t"), qn("w:tab"))


def text_of(path: Path) -> str:
    """Return a document's text, paragraphs, table cells and tabbed values in order, one per
    line."""
    lines: list[str] = []

    def walk(element) -> None:
        for child in element.iterchildren():
            if child.tag == qn("w:p"):  # a tab stop separates a label from its value
                parts = (t.text or "" if t.tag == qn("w:t") else "\t" for t in _texts(child))
                lines.extend("".join(parts).split("\t"))
            elif child.tag in (qn("w:tbl"), qn("w:tr"), qn("w:tc")):
                walk(child)

    walk(Document(path).element.body)
    return "\n".join(line for line in lines if line.strip())


def render(prepared, out: Path, templates: Path = TEMPLATES, page_refs=None) -> dict[str, Path]:
    plan = plan_pack(prepared)
    return {p.stem: p for p in render_all(plan, prepared, templates, out, page_refs)}


def render_one(prepared, key: str, out: Path, templates: Path = TEMPLATES) -> Path:
    plan = plan_pack(prepared)
    doc = next(d for d in plan.documents if d.key == key)
    return render_document(doc, plan, prepared, templates, out)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("rendered")
    return render(make_prepared(tmp), tmp / "out")


@pytest.fixture(scope="session")
def resaved_templates(tmp_path_factory) -> Path:
    """Every template opened and saved again by LibreOffice, in one soffice run."""
    tmp = tmp_path_factory.mktemp("resaved")
    profile = (tmp / "profile").as_uri()
    command = [
        shutil.which("soffice") or "soffice",
        f"-env:UserInstallation={profile}",
        "--headless",
        "--convert-to",
        "docx",
        "--outdir",
        str(tmp / "templates"),
        *[str(TEMPLATES / name) for name in NAMES],
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    assert sorted(p.name for p in (tmp / "templates").glob("*.docx")) == NAMES
    return tmp / "templates"


def test_every_template_document_is_rendered(rendered):
    assert sorted(rendered) == [
        "00-agenda",
        "02-notes-of-previous-meeting",
        "03-action-log",
        "07a-scr-recommendations",
        "07b-letter-home-office",
        "07c-letter-nhs-england",
        "09-case-review-tracker",
        "11-agenda-forward-plan",
    ]


def test_agenda_lists_items_with_lead_time_start_and_papers(rendered):
    text = text_of(rendered["00-agenda"])
    lines = text.splitlines()
    assert "A G E N D A" in lines
    for cells in (
        ["1", "Welcome, Introductions and Apologies", "Chair", "1 minute", "09:00"],
        ["7", "Redbridge LSCB SCR Recommendations", "Letter to the Home Office", "All"],
        ["13", "Dates of Future Meetings via MS Teams", "27 November 2020 @ 10:00"],
    ):
        start = lines.index(cells[0])
        assert lines[start : start + 12][: len(cells) + 3] != []
        for cell in cells[1:]:
            assert cell in lines[start : start + 12]
    assert "Elaine Allegretti, Director of People and Resilience, LBBD" in lines


def test_agenda_shows_page_references_when_known(tmp_path):
    paths = render(make_prepared(tmp_path), tmp_path / "out", page_refs={2: (3, 4), 3: (5, 5)})
    lines = text_of(paths["00-agenda"]).splitlines()
    assert "pp. 3–4" in lines
    assert "p. 5" in lines
    assert "pp. –" in lines


def test_notes_list_attendees_apologies_and_bold_actions(rendered):
    path = rendered["02-notes-of-previous-meeting"]
    lines = text_of(path).splitlines()
    for name in ("Elaine Allegretti (EA) (from 15:45)", "Caroline Cutts (CC) (for AL)"):
        assert name in lines
    assert lines.index("Apologies:") < lines.index("Adrian Loades (AL)")
    assert "Action 2020/17: JC to hold meeting with RS, AL and EA." in lines
    action = next(p for p in Document(path).paragraphs if p.text.startswith("Action 2020/17"))
    assert action.runs[0].bold and not action.runs[-1].bold


def test_notes_use_word_styles_for_headings_and_bullets(rendered):
    styles = {
        p.text: p.style.name for p in Document(rendered["02-notes-of-previous-meeting"]).paragraphs
    }
    assert styles["4. Update from Partners on Impact and Response to COVID-19"] == "Heading 2"
    assert styles["All schools have reopened."] == "List Bullet"


def test_action_log_shows_every_ref_and_shades_open_status(rendered):
    path = rendered["03-action-log"]
    lines = text_of(path).splitlines()
    for action in ACTIONS:
        assert action.ref in lines
    table = Document(path).tables[0]
    fills = {
        row.cells[0].text: row.cells[4]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill"))
        for row in table.rows[1:]
        if row.cells[0].text.startswith("2020/")
    }
    assert fills["2020/17"] != fills["2020/02"] == "FFFFFF"


def test_tracker_lists_every_case_in_landscape(rendered):
    path = rendered["09-case-review-tracker"]
    lines = text_of(path).splitlines()
    for case in CASES:
        assert case.initials in lines
        assert case.notified.text in lines
    section = Document(path).sections[0]
    assert section.page_width > section.page_height


def test_recommendations_have_one_column_per_agency(rendered):
    table = Document(rendered["07a-scr-recommendations"]).tables[-1]
    assert [c.text for c in table.rows[0].cells] == ["Recommendation", *RECOMMENDATIONS.agencies]
    assert [c.text for c in table.rows[2].cells] == [
        "2. Provide enhanced training.",
        "Develop provision.",
        "Promote training.",
        "Promote training to GPs.",
    ]


def test_recommendations_take_any_number_of_agencies(tmp_path):
    agencies = tuple(f"Agency {n}" for n in range(1, 8))
    rec = Recommendation(1, "Do it.", tuple((a, f"{a} acts") for a in agencies))
    table = RecommendationsTable(RECOMMENDATIONS.header, agencies, (rec,))
    path = render_one(
        make_prepared(tmp_path, recommendations=table), "07a-scr-recommendations", tmp_path
    )
    rows = Document(path).tables[-1].rows
    assert len(rows[1].cells) == 8
    assert rows[1].cells[7].text == "Agency 7 acts"
    grid = Document(path).tables[-1]._tbl.tblGrid.findall(qn("w:gridCol"))
    assert len(grid) == 8


def test_letters_carry_recipient_and_one_signature_when_signed(rendered):
    signed = rendered["07b-letter-home-office"]
    lines = text_of(signed).splitlines()
    for line in ("Kevin Foster MP", "SW1P 4DF", "Dear Mr Foster", "Yours sincerely"):
        assert line in lines
    assert "On behalf of the BHR Safeguarding Partnership" in lines
    assert len(Document(signed).inline_shapes) == 1
    assert len(Document(rendered["07c-letter-nhs-england"]).inline_shapes) == 0


def test_ampersand_and_angle_brackets_print_as_typed(tmp_path):
    action = dataclasses.replace(ACTIONS[0], text='Barking & Dagenham <b>bold</b> "quoted"')
    path = render_one(make_prepared(tmp_path, actions=[action]), "03-action-log", tmp_path)
    assert 'Barking & Dagenham <b>bold</b> "quoted"' in text_of(path).splitlines()


def test_template_syntax_in_a_cell_prints_as_typed(tmp_path):
    typed = ["{{ 7*7 }}", "{% for x in groups %}x{% endfor %}", "{{ ''.__class__ }}"]
    actions = [dataclasses.replace(ACTIONS[0], text=t) for t in typed]
    path = render_one(make_prepared(tmp_path, actions=actions), "03-action-log", tmp_path)
    lines = text_of(path).splitlines()
    for text in typed:
        assert text in lines
    assert "49" not in lines


def test_control_characters_are_removed_and_line_breaks_kept(tmp_path):
    action = dataclasses.replace(ACTIONS[0], update="first\x01 line\x0c\nsecond line\x07")
    path = render_one(make_prepared(tmp_path, actions=[action]), "03-action-log", tmp_path)
    cell = Document(path).tables[0].rows[2].cells[3]
    assert cell.text == "first line\nsecond line"
    assert cell._tc.xpath(".//w:br")


def test_signed_letter_without_image_fails_naming_the_row(tmp_path):
    prepared = make_prepared(tmp_path)
    (tmp_path / "signatures" / "al.png").unlink()
    problems = check_templates(TEMPLATES, plan_pack(prepared), prepared)
    assert [str(p) for p in problems if p.severity.value == "error"] == [
        "letters.xlsx › Letters › row 2: signature image al.png is missing"
    ]
    with pytest.raises(InputError, match="row 2: signature image al.png is missing"):
        render_one(prepared, "07b-letter-home-office", tmp_path)


def test_check_passes_the_shipped_templates(tmp_path):
    prepared = make_prepared(tmp_path)
    assert check_templates(TEMPLATES, plan_pack(prepared), prepared) == []


def test_template_error_names_template_and_quotes_paragraph(tmp_path):
    folder = edited_template(tmp_path, "letter.docx", "Yours sincerely", "Yours {{ sincerely.x }}")
    with pytest.raises(TemplateError) as caught:
        render_one(make_prepared(tmp_path), "07b-letter-home-office", tmp_path, folder)
    message = str(caught.value)
    assert "letter.docx › paragraph 19 › “Yours {{ sincerely.x }}”: UndefinedError" in message


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "{{ salutation }}",
            "{{ greeting }}",
            "letter.docx: uses {{ greeting }}, which the data can't provide",
        ),
        (
            "{{ subject }}",
            "{{ subject ",
            "letter.docx › paragraph 15 › “{{ subject”: a tag is not closed: {{ needs its pair",
        ),
        (  # its own paragraph, not the first one with a tag
            "{{ salutation }}",
            "{{ salutation( }}",
            "letter.docx › paragraph 14 › “{{ salutation( }}”: "
            "TemplateSyntaxError: unexpected '}', expected ')'",
        ),
    ],
    ids=["unknown-variable", "unclosed-tag", "jinja-syntax-error"],
)
def test_check_names_an_edited_templates_problem_and_paragraph(tmp_path, old, new, problem):
    folder = edited_template(tmp_path, "letter.docx", old, new)
    prepared = make_prepared(tmp_path)
    assert [str(p) for p in check_templates(folder, plan_pack(prepared), prepared)] == [problem]


def test_missing_template_is_named(tmp_path):
    prepared = make_prepared(tmp_path)
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    (folder / "tracker.docx").unlink()
    problems = check_templates(folder, plan_pack(prepared), prepared)
    assert [str(p) for p in problems] == [f"tracker.docx: template not found in {folder}"]


def test_rendering_twice_gives_identical_files(tmp_path):
    first = render(make_prepared(tmp_path), tmp_path / "one")
    second = render(make_prepared(tmp_path), tmp_path / "two")
    for key, path in first.items():
        with zipfile.ZipFile(path) as a, zipfile.ZipFile(second[key]) as b:
            assert a.namelist() == b.namelist()
            for name in a.namelist():
                assert a.read(name) == b.read(name), f"{key}: {name}"
        assert path.read_bytes() == second[key].read_bytes()


def test_documents_are_dated_by_the_meeting(rendered):
    props = Document(rendered["03-action-log"]).core_properties
    assert props.created.date().isoformat() == "2020-10-15"
    assert props.title == "Action Log"


def test_templates_use_calibri_a4_and_leave_room_for_stamps():
    for name in NAMES:
        doc = Document(TEMPLATES / name)
        section = doc.sections[0]
        size = sorted((section.page_width.cm, section.page_height.cm))
        assert size == pytest.approx([21.0, 29.7], abs=0.01), name
        assert section.bottom_margin >= Cm(2.0), name
        assert doc.styles["Normal"].font.name == "Calibri", name


@pytest.mark.soffice
def test_templates_resaved_by_libreoffice_render_the_same_text(
    rendered, resaved_templates, tmp_path
):
    again = render(make_prepared(tmp_path), tmp_path / "out", resaved_templates)
    assert sorted(again) == sorted(rendered)
    for key, path in rendered.items():
        assert text_of(again[key]) == text_of(path), key
    assert len(Document(again["07b-letter-home-office"]).inline_shapes) == 1
    grid = Document(again["07a-scr-recommendations"]).tables[-1]._tbl.tblGrid
    widths = [int(c.get(qn("w:w"))) for c in grid.findall(qn("w:gridCol"))]
    assert len(widths) == 4
    assert widths[0] > widths[1] == widths[2] == widths[3]


def test_templates_resaved_by_libreoffice_give_one_copy_of_each_part(resaved_templates, tmp_path):
    again = render(make_prepared(tmp_path), tmp_path / "out", resaved_templates)
    for key, path in again.items():
        with zipfile.ZipFile(path) as docx:
            names = [info.filename for info in docx.infolist()]
        assert len(names) == len(set(names)), key
        assert "docProps/core.xml" in names, key


# --- the sample meeting of 15 October 2020 --------------------------------------------------

SAMPLE = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample data prepared, planned and rendered once."""
    from packgen.check.inputs import prepare

    prepared = prepare(SAMPLE, dt.date(2020, 10, 15))
    out = tmp_path_factory.mktemp("sample")
    return prepared, render(prepared, out)


def cells_of(path: Path) -> set[str]:
    return set(text_of(path).splitlines())


def test_sample_agenda_has_every_item_with_lead_and_time(sample):
    prepared, paths = sample
    lines = text_of(paths["00-agenda"]).splitlines()
    for item in prepared.agenda.items:
        at = next(n for n, line in enumerate(lines) if line.startswith(item.title))
        row = lines[at - 1 : at + 12]
        assert row[0] == str(item.number)
        assert row[1] == item.title + (" [OFFICIAL-SENSITIVE]" if item.restricted else "")
        assert item.lead in row
        assert f"{item.minutes} minute{'s' if item.minutes != 1 else ''}" in row
    assert "26 March 2021 @ 14:00" in lines


def test_sample_notes_list_every_attendee_and_apology(sample):
    prepared, paths = sample
    lines = cells_of(paths["02-notes-of-previous-meeting"])
    members = {m.initials: m for m in prepared.partnership.members}
    rows = [a for a in prepared.partnership.attendance if a.meeting == dt.date(2020, 9, 9)]
    assert len(rows) == 11
    for row in rows:
        member = members[row.member]
        assert any(line.startswith(f"{member.name} ({member.initials})") for line in lines)
        assert member.title in lines
    assert "Action 2020/17: JC to hold meeting with RS, AL and EA to take forward." in lines


def test_sample_action_log_has_every_ref(sample):
    prepared, paths = sample
    lines = cells_of(paths["03-action-log"])
    refs = [a.ref for a in prepared.partnership.actions]
    assert len(refs) == 28
    assert set(refs) <= lines


def test_sample_tracker_has_every_case(sample):
    prepared, paths = sample
    lines = cells_of(paths["09-case-review-tracker"])
    for case in prepared.partnership.cases:
        assert {case.initials, case.summary, case.lead_authority} <= lines


def test_sample_recommendations_have_every_recommendation_and_agency_cell(sample):
    prepared, paths = sample
    table = prepared.partnership.recommendations
    rows = Document(paths["07a-scr-recommendations"]).tables[-1].rows
    assert [c.text for c in rows[0].cells] == ["Recommendation", *table.agencies]
    for row, rec in zip(rows[1:], table.recommendations, strict=True):
        assert row.cells[0].text == f"{rec.number}. {rec.text}"
        assert [c.text for c in row.cells[1:]] == [dict(rec.responses)[a] for a in table.agencies]


def test_sample_letters_each_have_recipient_and_one_signature(sample):
    prepared, paths = sample
    letters = prepared.partnership.letters
    assert len(letters) == 4
    for key, letter in zip(sorted(k for k in paths if "-letter-" in k), letters, strict=True):
        assert key.endswith(letter.key)
        assert set(letter.recipient) <= cells_of(paths[key])
        assert letter.salutation in cells_of(paths[key])
        assert len(Document(paths[key]).inline_shapes) == 1


def test_render_command_writes_the_documents_under_the_meeting_date(tmp_path):
    from click.testing import CliRunner

    from packgen.cli import cli

    args = ["-q", "render", "2020-10-15", "--data", str(SAMPLE), "--templates", str(TEMPLATES)]
    result = CliRunner().invoke(cli, [*args, "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "2020-10-15" / "documents"
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "00-agenda.docx"
    assert "07b-letter-home-office.docx" in names
    assert "03-action-log.docx" in names
    assert len(names) == 10


def test_render_command_names_a_missing_template_folder(tmp_path):
    from click.testing import CliRunner

    from packgen.cli import cli

    args = ["render", "2020-10-15", "--data", str(SAMPLE), "--templates", str(tmp_path / "none")]
    result = CliRunner().invoke(cli, [*args, "--output", str(tmp_path)])
    assert result.exit_code == 1
    assert f"agenda.docx: template not found in {tmp_path / 'none'}" in result.output
    assert not (tmp_path / "2020-10-15" / "documents").exists()


def test_render_command_waits_for_a_build_of_the_same_meeting(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from packgen.cli import cli
    from packgen.commands.lock import meeting_lock

    monkeypatch.setenv("PACKGEN_LOCK_WAIT", "0.2")
    args = ["render", "2020-10-15", "--data", str(SAMPLE), "--templates", str(TEMPLATES)]
    with meeting_lock(tmp_path, dt.date(2020, 10, 15)) as lock:
        result = CliRunner().invoke(cli, [*args, "--output", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{lock}: locked by pid" in result.output
    assert not (tmp_path / "2020-10-15" / "documents").exists()


def test_sample_notes_from_minutes_xlsx_render_as_with_the_template_before_word_notes(
    sample, tmp_path
):
    """The notes template learnt Word notes' formatting and tables; the 9 September notes kept
    in minutes.xlsx read the same as before, and a template edited from the old one still works."""
    prepared, paths = sample
    before = tmp_path / "templates"
    shutil.copytree(TEMPLATES, before)
    shutil.copyfile(TEST_DATA / "minutes-template-before-word-notes.docx", before / "minutes.docx")
    old = render_one(prepared, "02-notes-of-previous-meeting", tmp_path / "out", before)
    assert text_of(paths["02-notes-of-previous-meeting"]) == text_of(old)
    styles = [p.style.name for p in Document(old).paragraphs]
    assert styles == [
        p.style.name for p in Document(paths["02-notes-of-previous-meeting"]).paragraphs
    ]


def test_sample_action_log_ends_with_the_actions_closed_since_the_last_meeting(sample):
    _, paths = sample
    lines = text_of(paths["03-action-log"]).splitlines()
    closed = lines[lines.index("Closed since the meeting of 9 September 2020") :]
    assert closed[1] == "For the Partnership to agree their closure."
    assert [line for line in closed if line.startswith("2020/")] == [
        "2020/15",
        "2020/23",
        "2020/24",
    ]
    table = Document(paths["03-action-log"]).tables[-1]
    assert [c.text for c in table.rows[0].cells] == ["Ref", "Action", "Lead", "Update Comments"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
