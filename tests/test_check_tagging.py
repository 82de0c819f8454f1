"""`packgen check` names the PDF papers a screen reader can't follow, before any build."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from reportlab.pdfgen.canvas import Canvas

from packgen.cli import cli

MEETING = "2020-10-15"
PAPER = "Sir Alan Wood - Phase One Report.pdf"
WARNING = (
    f"papers/{MEETING} › {PAPER}: not tagged, so screen readers can't follow it; "
    "ask its author for an accessible PDF"
)


def scan(path: Path) -> None:
    """An untagged PDF, as a scanner or an old export writes it."""
    canvas = Canvas(str(path))
    canvas.drawString(72, 720, "Scanned page")
    canvas.save()


def check(data: Path):
    return CliRunner().invoke(cli, ["check", MEETING, "--data", str(data)])


def test_a_tagged_pdf_paper_gives_no_warning(sample_copy: Path) -> None:
    result = check(sample_copy)
    assert result.exit_code == 0, result.output
    assert "not tagged" not in result.output


def test_an_untagged_pdf_paper_is_named_as_the_build_names_it(sample_copy: Path) -> None:
    paper = sample_copy / "papers" / MEETING / PAPER
    scan(paper)
    before = paper.read_bytes()
    result = check(sample_copy)
    assert result.exit_code == 0, result.output
    assert f"  {WARNING}" in result.output.splitlines()
    assert result.output.count("not tagged") == 1
    assert paper.read_bytes() == before


def test_no_warning_when_the_pack_is_built_untagged_on_purpose(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan(sample_copy / "papers" / MEETING / PAPER)
    monkeypatch.setenv("PACKGEN_TAGGED_PACK", "0")
    result = check(sample_copy)
    assert result.exit_code == 0, result.output
    assert "not tagged" not in result.output


def test_a_pdf_paper_that_cant_be_read_is_left_to_the_build(sample_copy: Path) -> None:
    (sample_copy / "papers" / MEETING / PAPER).write_bytes(b"%PDF-1.4\nnot a pdf at all\n")
    result = check(sample_copy)
    assert result.exit_code == 0, result.output  # `packgen build` stops on it, naming it
    assert "not tagged" not in result.output and "Traceback" not in result.output
