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
    findings += check_office_parts(settings)
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


# The parts of LibreOffice that convert papers sent as slides and spreadsheets (Writer is
# checked above): each with a one-line document in its flat OpenDocument form.
NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
)
LINE = "<text:p>packgen doctor</text:p>"
PARTS = {
    "Impress": (
        "slide", "doctor-slides.fodp", "presentation", "libreoffice-impress-nogui",
        '<draw:page draw:name="1"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" '
        f'svg:height="3cm"><draw:text-box>{LINE}</draw:text-box></draw:frame></draw:page>',
    ),
    "Calc": (
        "sheet", "doctor-sheet.fods", "spreadsheet", "libreoffice-calc-nogui",
        '<table:table table:name="Sheet1"><table:table-row><table:table-cell '
        f'office:value-type="string">{LINE}</table:table-cell></table:table-row></table:table>',
    ),
}  # fmt: skip


def check_office_parts(settings: Settings) -> list[Finding]:
    """LibreOffice Impress and Calc must each convert a one-line document (papers sent as
    slides or spreadsheets need them)."""
    if shutil.which(settings.soffice) is None:
        return []  # the LibreOffice finding says what to install
    findings = []
    for part, (what, name, kind, package, body) in PARTS.items():
        with tempfile.TemporaryDirectory(prefix="packgen-doctor-") as tmp:
            doc = Path(tmp) / name
            doc.write_text(
                f'<?xml version="1.0" encoding="UTF-8"?><office:document {NS} '
                f'office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.{kind}">'
                f"<office:body><office:{kind}>{body}</office:{kind}></office:body>"
                "</office:document>",
                encoding="utf-8",
            )
            try:
                convert_to_pdf(
                    [doc], Path(tmp) / "pdf", soffice=settings.soffice,
                    timeout=settings.soffice_timeout,
                )  # fmt: skip
            except ConversionError as exc:
                fix = f"sudo apt-get install {package}"
                findings.append(Finding(f"LibreOffice {part}", False, str(exc), fix))
                continue
        findings.append(Finding(f"LibreOffice {part}", True, f"converts a {what} to PDF"))
    return findings


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
