"""`packgen trace`: the recipient of a copy, by its hash, else by its stamp and metadata."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import test_distribute_emailing
from click.testing import CliRunner
from conftest import PACK_PASSWORD
from pypdf import PdfReader, PdfWriter
from test_distribute_copies import PEOPLE, attachment, send, stamp
from test_distribute_emailing import Collector

from packgen.cli import cli
from packgen.pack.protect import encrypt_pdf

pack = test_distribute_emailing.pack  # the fixtures: a small pack, a real SMTP server
smtp = test_distribute_emailing.smtp
KATE = PEOPLE[1]


@pytest.fixture
def delivered(pack: Path, smtp) -> Path:
    """Kate Dempsey's copy as the SMTP server received it, saved as a file."""
    server = Collector()
    send(pack, smtp(server), send=True)
    message = next(m for r, m in server.received if r == [KATE.email])
    path = pack.parent.parent / "found" / "forwarded.pdf"
    path.parent.mkdir()
    path.write_bytes(attachment(message))
    return path


def trace(pdf: Path, output: Path, env: dict | None = None):
    return CliRunner().invoke(cli, ["trace", str(pdf), "--output", str(output)], env=env)


def test_trace_names_the_recipient_of_a_delivered_copy_by_its_hash(delivered, pack):
    result = trace(delivered, pack.parent.parent)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Sent to Kate Dempsey <{KATE.email}> (members) at ")
    assert lines[-1] == "Found by its SHA-256: this is the file exactly as it was sent."


def test_trace_finds_a_copy_saved_again_through_pypdf_by_its_stamp_and_metadata(delivered, pack):
    PdfWriter(clone_from=PdfReader(delivered)).write(delivered)
    result = trace(delivered, pack.parent.parent)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == stamp(KATE)
    assert lines[1].startswith(f"Sent to Kate Dempsey <{KATE.email}>")
    assert "Found by its copy stamp and metadata" in lines[-1]


def test_trace_finds_a_copy_without_its_metadata_by_the_stamp_on_its_pages(delivered, pack):
    writer = PdfWriter(clone_from=PdfReader(delivered))
    writer.metadata = None
    writer.write(delivered)
    assert (
        PdfReader(delivered).metadata is None
        or "/PackgenCopyFor" not in PdfReader(delivered).metadata
    )
    result = trace(delivered, pack.parent.parent)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2][0] == stamp(KATE)
    assert f"<{KATE.email}>" in result.output.splitlines()[1]


def test_an_encrypted_copy_saved_again_needs_the_pack_password(pack, smtp, tmp_path):
    encrypt_pdf(pack, pack, PACK_PASSWORD)
    server = Collector()
    send(pack, smtp(server), password=PACK_PASSWORD, send=True)
    copy = tmp_path / "forwarded.pdf"
    reader = PdfReader(io.BytesIO(attachment(server.received[1][1])))
    reader.decrypt(PACK_PASSWORD)
    writer = PdfWriter(clone_from=reader)
    writer.encrypt(PACK_PASSWORD, algorithm="AES-256")
    writer.write(copy)
    locked = trace(copy, pack.parent.parent, {"PACKGEN_PACK_PASSWORD": ""})
    assert locked.exit_code == 1
    assert "is encrypted" in locked.output and "PACKGEN_PACK_PASSWORD" in locked.output
    opened = trace(copy, pack.parent.parent, {"PACKGEN_PACK_PASSWORD": PACK_PASSWORD})
    assert opened.exit_code == 0, opened.output
    assert "Found by its copy stamp and metadata" in opened.output


def test_trace_of_a_file_that_isnt_a_pdf_is_a_clear_error(tmp_path):
    text = tmp_path / "notes.pdf"
    text.write_text("not a PDF at all")
    result = trace(text, tmp_path)
    assert result.exit_code == 1
    assert result.output.startswith("Error: notes.pdf is not a PDF packgen can read (")
    assert "Traceback" not in result.output


def test_trace_of_a_pdf_packgen_never_sent_says_so(pack, tmp_path):
    result = trace(pack, tmp_path)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: meeting-pack.pdf is not a copy packgen sent: its SHA-256 is in no send log "
        f"under {tmp_path}, and it carries no copy stamp.\n"
    )


def test_trace_of_a_pack_sent_to_a_group_names_everyone_who_had_it(pack, smtp):
    server = Collector()
    send(pack, smtp(server), send=True, per_recipient=False)
    result = trace(pack, pack.parent.parent)
    assert result.exit_code == 0, result.output
    sent = [line for line in result.output.splitlines() if line.startswith("Sent to ")]
    assert len(sent) == len(PEOPLE)
    assert result.output.splitlines()[-1] == (
        f"The same file went to {len(PEOPLE)} people; copies sent with --per-recipient tell "
        "one person's from another's."
    )
