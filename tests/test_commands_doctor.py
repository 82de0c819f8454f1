from __future__ import annotations

import os
import stat
from pathlib import Path

from click.testing import CliRunner

from packgen.cli import cli


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["doctor", *args], env=env)


def _fake_soffice(folder: Path, script: str) -> str:
    path = folder / "soffice"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_doctor_passes_on_this_machine(tmp_path):
    result = _run("--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "ok      LibreOffice: LibreOffice" in result.output
    assert "converts a document to PDF" in result.output
    assert "ok      font Calibri: rendered with Carlito" in result.output
    assert "ok      LibreOffice Impress: converts a slide to PDF" in result.output
    assert "ok      LibreOffice Calc: converts a sheet to PDF" in result.output


def test_doctor_names_the_install_command_when_libreoffice_is_missing(tmp_path):
    result = _run("--output", str(tmp_path), env={"PACKGEN_SOFFICE": "no-such-soffice"})
    assert result.exit_code == 1
    assert "MISSING LibreOffice: no-such-soffice not found" in result.output
    assert "sudo apt-get install libreoffice-writer-nogui" in result.output


def test_doctor_fails_when_libreoffice_writes_no_pdf(tmp_path):
    fake = _fake_soffice(
        tmp_path, 'case "$*" in *--version*) echo "LibreOffice 0.0";; esac; exit 0'
    )
    result = _run("--output", str(tmp_path / "out"), env={"PACKGEN_SOFFICE": fake})
    assert result.exit_code == 1
    assert "MISSING LibreOffice: LibreOffice 0.0" in result.output
    assert "doctor.docx" in result.output
    for part, package in (("Impress", "impress"), ("Calc", "calc")):
        assert f"MISSING LibreOffice {part}:" in result.output
        assert f"sudo apt-get install libreoffice-{package}-nogui" in result.output


def test_doctor_reports_an_output_folder_it_cannot_write(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _run("--output", str(blocker / "out"))
    assert result.exit_code == 1
    assert "MISSING output folder:" in result.output
    assert os.fspath(blocker) in result.output
