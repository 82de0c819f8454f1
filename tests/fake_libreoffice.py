"""A stand-in for soffice that converts in order, as LibreOffice does, and hangs on cue.

It writes a one-page PDF for each document of `--convert-to pdf`, one after the other, and
hangs (sleeps) on any document whose name holds one of the `hang_on` words; `--version` answers
at once, or hangs too with `version=False`. Started as an office (no `--convert-to`) it never
comes up. Each run is logged as a line, `<kind> <document names…>`, so that tests count runs
instead of timing them.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfWriter

_SCRIPT = """#!{python}
import os, sys, time
from pathlib import Path

LOG, PDF, HANG_ON, VERSION = {log!r}, {pdf!r}, {hang_on!r}, {version!r}


def log(line):
    with open(LOG, "a") as stream:
        stream.write(line + "\\n")


args = sys.argv[1:]
if "--version" in args:
    log("version")
    if VERSION:
        print("LibreOffice 7.4.7.2 fake")
        sys.exit(0)
    time.sleep(300)
if "--convert-to" not in args:
    log("office")
    time.sleep(300)
    sys.exit(0)
out = Path(args[args.index("--outdir") + 1])
docs = [Path(a) for a in args[args.index("--outdir") + 2 :]]
log("convert " + " ".join(d.name for d in docs))
for doc in docs:
    if any(word in doc.name for word in HANG_ON):
        time.sleep(300)
    target = out / (doc.stem + ".pdf")
    target.write_bytes(Path(PDF).read_bytes())
    print(f"convert {{doc}} -> {{target}} using filter : writer_pdf_Export", flush=True)
"""


@dataclass
class FakeLibreOffice:
    soffice: Path
    log: Path

    def runs(self, kind: str = "convert") -> list[list[str]]:
        """The runs of one kind so far, each as the document names it was given."""
        if not self.log.exists():
            return []
        lines = [line.split() for line in self.log.read_text().splitlines()]
        return [line[1:] for line in lines if line[0] == kind]


def fake_libreoffice(
    folder: Path, hang_on: tuple[str, ...] = (), *, version: bool = True
) -> FakeLibreOffice:
    """Write the stand-in soffice into `folder`; return it with its log of runs."""
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / "page.pdf"
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf.write_bytes(buffer.getvalue())
    log = folder / "runs.log"
    script = folder / "soffice"
    script.write_text(
        _SCRIPT.format(
            python=sys.executable, log=str(log), pdf=str(pdf), hang_on=hang_on, version=version
        )
    )
    script.chmod(0o755)
    return FakeLibreOffice(script, log)
