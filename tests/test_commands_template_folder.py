"""Where the templates come from: --templates, a templates/ folder here, else packgen's own."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from packgen.cli import cli
from packgen.commands import DEFAULT_TEMPLATES, choose_templates

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data"
NAMES = [
    "action_log.docx",
    "agenda.docx",
    "email.txt",
    "forward_plan.docx",
    "letter.docx",
    "minutes.docx",
    "notes.docx",
    "recommendations.docx",
    "tracker.docx",
]


def test_the_default_templates_ship_inside_the_package() -> None:
    assert DEFAULT_TEMPLATES == ROOT / "packgen" / "templates"
    assert sorted(p.name for p in DEFAULT_TEMPLATES.iterdir()) == NAMES


def test_a_given_folder_wins_then_templates_here_then_the_defaults(tmp_path: Path) -> None:
    given = tmp_path / "mine"
    assert choose_templates(given, tmp_path) == (given, False)
    assert choose_templates(None, tmp_path) == (DEFAULT_TEMPLATES, True)
    (tmp_path / "templates").mkdir()
    assert choose_templates(None, tmp_path) == (tmp_path / "templates", False)
    assert choose_templates(given, tmp_path) == (given, False)


def test_render_without_a_templates_folder_uses_the_defaults_and_says_so_once(
    tmp_path: Path, monkeypatch
) -> None:
    shutil.copytree(SAMPLE, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "2020-10-15"])
    assert result.exit_code == 0, result.output
    note = "No templates/ folder here: using packgen's default templates"
    assert result.output.count(note) == 1
    assert (tmp_path / "output" / "2020-10-15" / "documents" / "00-agenda.docx").is_file()


def test_a_templates_folder_here_is_used_without_a_note(tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(SAMPLE, tmp_path / "data")
    shutil.copytree(DEFAULT_TEMPLATES, tmp_path / "templates")
    (tmp_path / "templates" / "agenda.docx").write_bytes(b"not a Word document")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "2020-10-15"])
    assert result.exit_code == 1
    assert "default templates" not in result.output
    assert "agenda.docx" in result.output
