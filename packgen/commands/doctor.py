"""`packgen doctor`: check that this machine can build a pack, and say what to install if not."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packgen.convert import INSTALL_HINT, convert_to_pdf, soffice_version
from packgen.errors import ConversionError
from packgen.settings import Settings

PACKAGES = ("click", "openpyxl", "python-docx", "docxtpl", "pypdf", "cryptography", "reportlab")
# The fonts the templates name, and the metric-compatible Debian packages that stand in for them.
FONTS = {
    "Calibri": (("calibri", "carlito"), "fonts-crosextra-carlito"),
    "Cambria": (("cambria", "caladea"), "fonts-crosextra-caladea"),
    "Arial": (("arial", "liberation sans"), "fonts-liberation2"),
}


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def diagnose(settings: Settings, output: Path) -> list[Finding]:
    """Run every check and return what each found."""
    findings = [check_python(), *check_packages()]
    findings.append(check_soffice(settings))
    findings += check_fonts()
    findings.append(check_output(output))
    return findings


def check_python() -> Finding:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 10)
    return Finding("Python", ok, version, "" if ok else "install Python 3.10 or newer")


def check_packages() -> list[Finding]:
    findings = []
    for name in PACKAGES:
        try:
            findings.append(Finding(name, True, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            findings.append(Finding(name, False, "not installed", "pip install -e ."))
    return findings


def check_soffice(settings: Settings) -> Finding:
    """LibreOffice must be present and convert a one-line document."""
    if shutil.which(settings.soffice) is None:
        return Finding("LibreOffice", False, f"{settings.soffice} not found", INSTALL_HINT)
    version = soffice_version(settings.soffice, timeout=settings.soffice_timeout)
    with tempfile.TemporaryDirectory(prefix="packgen-doctor-") as tmp:
        doc = _one_line_document(Path(tmp))
        try:
            convert_to_pdf(
                [doc], Path(tmp) / "pdf", soffice=settings.soffice, timeout=settings.soffice_timeout
            )
        except ConversionError as exc:
            return Finding("LibreOffice", False, f"{version}; {exc}", INSTALL_HINT)
    return Finding("LibreOffice", True, f"{version}; converts a document to PDF")


def check_fonts() -> list[Finding]:
    if shutil.which("fc-match") is None:
        return [
            Finding(
                "fonts", False, "fontconfig (fc-match) not found", "sudo apt-get install fontconfig"
            )
        ]
    return [_check_font(name, accepted, package) for name, (accepted, package) in FONTS.items()]


def check_output(output: Path) -> Finding:
    try:
        output.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=output, prefix=".packgen-doctor-"):
            pass
    except OSError as exc:
        return Finding(
            "output folder", False, f"{output}: {exc.strerror}", "choose a writable --output"
        )
    return Finding("output folder", True, f"{output} is writable")


def _check_font(name: str, accepted: tuple[str, ...], package: str) -> Finding:
    result = subprocess.run(
        ["fc-match", "--format=%{family}", name], capture_output=True, text=True, check=False
    )
    family = result.stdout.strip()
    ok = any(a in family.casefold() for a in accepted)
    fix = "" if ok else f"sudo apt-get install {package}"
    return Finding(f"font {name}", ok, f"rendered with {family or 'nothing'}", fix)


def _one_line_document(folder: Path) -> Path:
    from docx import Document

    path = folder / "doctor.docx"
    document = Document()
    document.add_paragraph("packgen doctor")
    document.save(path)
    return path
