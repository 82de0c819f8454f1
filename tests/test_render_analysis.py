"""Checking templates from records: unchanged templates aren't parsed, problems stay the same."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from render_factories import edited_template

from packgen.check.inputs import prepare
from packgen.plan.documents import plan_pack
from packgen.render import analysis
from packgen.render.analysis import TemplateRecords, template_bytes
from packgen.render.documents import check_templates

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "packgen" / "templates"
SAMPLE = ROOT / "data"


@pytest.fixture(scope="module")
def sample():
    """The sample meeting of 15 October 2020, prepared and planned once."""
    prepared = prepare(SAMPLE, dt.date(2020, 10, 15))
    return plan_pack(prepared), prepared


class Parses(list):
    """The names of the templates parsed, in order."""

    def forget(self) -> None:
        """Start counting afresh, as a new process would: nothing parsed, nothing kept."""
        self.clear()
        analysis.forget_parsed()


@pytest.fixture
def parses(monkeypatch) -> Parses:
    """Count the templates parsed from now on, with nothing kept from earlier in the process."""
    parsed = Parses()
    real = analysis.parse_template

    def counting(path, data, digest):
        parsed.append(path.name)
        return real(path, data, digest)

    analysis.forget_parsed()
    monkeypatch.setattr(analysis, "parse_template", counting)
    return parsed


def template_names(plan) -> list[str]:
    return sorted({d.template for d in plan.documents if d.template is not None})


def check(templates: Path, sample, output: Path | None = None) -> list[str]:
    plan, prepared = sample
    return [str(p) for p in check_templates(templates, plan, prepared, output)]


def record_files(output: Path) -> list[Path]:
    return sorted((output / ".cache" / "templates").glob("*.json"))


def test_records_are_written_for_the_clean_sample_templates(sample, tmp_path, parses):
    assert check(TEMPLATES, sample, tmp_path) == []
    assert sorted(parses) == template_names(sample[0])
    records = [json.loads(p.read_text(encoding="utf-8")) for p in record_files(tmp_path)]
    assert len(records) == len(template_names(sample[0]))
    assert all(r["parses"] is True and r["balanced"] is True for r in records)
    assert any("salutation" in r["variables"] for r in records)


def test_unchanged_templates_are_checked_without_parsing(sample, tmp_path, parses):
    assert check(TEMPLATES, sample, tmp_path) == []
    parses.forget()
    assert check(TEMPLATES, sample, tmp_path) == []
    assert parses == []


def test_a_variable_the_data_lacks_is_named_from_the_record(sample, tmp_path, parses):
    folder = edited_template(tmp_path, "letter.docx", "{{ salutation }}", "{{ not_in_data }}")
    expected = ["letter.docx: uses {{ not_in_data }}, which the data can't provide"]
    assert check(folder, sample) == expected
    output = tmp_path / "output"
    assert check(folder, sample, output) == expected
    parses.forget()
    assert check(folder, sample, output) == expected
    assert parses == []


def test_a_changed_template_is_parsed_again(sample, tmp_path, parses):
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    assert check(folder, sample, tmp_path) == []
    edited_template(tmp_path, "letter.docx", "{{ salutation }}", "{{ greeting }}")
    parses.forget()
    assert check(folder, sample, tmp_path) == [
        "letter.docx: uses {{ greeting }}, which the data can't provide"
    ]
    assert parses == ["letter.docx"]


def test_one_byte_more_is_a_new_template(sample, tmp_path, parses):
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    assert check(folder, sample, tmp_path) == []
    path = folder / "tracker.docx"
    path.write_bytes(path.read_bytes() + b"\0")
    parses.forget()
    assert check(folder, sample, tmp_path) == []
    assert parses == ["tracker.docx"]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b'{"format": "packgen checked',
        b"\xff\xfe",
        b"[]",
        b'{"format": "packgen checked template 1", "variables": "abc"}',
        b'{"format": "packgen checked template 1", "variables": [], "parses": true}',
    ],
)
def test_a_corrupt_record_is_ignored_and_replaced(sample, tmp_path, parses, content):
    folder = edited_template(tmp_path, "letter.docx", "{{ salutation }}", "{{ not_in_data }}")
    output = tmp_path / "output"
    expected = check(folder, sample, output)
    for path in record_files(output):
        path.write_bytes(content)
    parses.forget()
    assert check(folder, sample, output) == expected
    assert sorted(parses) == template_names(sample[0])
    parses.forget()
    assert check(folder, sample, output) == expected
    assert parses == []


def test_a_record_says_the_tags_were_balanced(sample, tmp_path, parses):
    assert check(TEMPLATES, sample, tmp_path) == []
    records = TemplateRecords.for_output(tmp_path)
    path = records.path(template_bytes(TEMPLATES / "letter.docx")[1])
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**record, "balanced": False}), encoding="utf-8")
    parses.forget()
    assert check(TEMPLATES, sample, tmp_path) == []
    assert parses == ["letter.docx"]


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("{{ subject }}", "{{ subject ", "› paragraph 15 › “{{ subject”: a tag is not closed"),
        (
            "Yours sincerely",
            "Yours {{ sincerely | }}",
            "› paragraph 19 › “Yours {{ sincerely | }}”: TemplateSyntaxError: expected token",
        ),
    ],
    ids=["unbalanced", "syntax-error"],
)
def test_a_template_with_a_bad_tag_is_never_recorded(sample, tmp_path, parses, old, new, where):
    folder = edited_template(tmp_path, "letter.docx", old, new)
    expected = check(folder, sample)
    assert len(expected) == 1 and expected[0].startswith("letter.docx › paragraph ")
    assert where in expected[0]
    output = tmp_path / "output"
    records = TemplateRecords.for_output(output)
    for _ in range(2):
        parses.forget()
        assert check(folder, sample, output) == expected
        assert "letter.docx" in parses
        assert not records.path(template_bytes(folder / "letter.docx")[1]).exists()
    assert len(record_files(output)) == len(template_names(sample[0])) - 1


def test_without_an_output_folder_nothing_is_recorded(sample, tmp_path, parses, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check(TEMPLATES, sample) == []
    assert list(tmp_path.iterdir()) == []
