"""Emailing the pack: drafts, a real SMTP server on loopback, the send log, size and splitting."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import random
import shutil
import socket
import string
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from conftest import PACK_PASSWORD, SAMPLE, make_workbook
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from packgen.cli import cli
from packgen.distribute.emailing import EmailOptions, email_pack
from packgen.distribute.messages import Mailing, encoded_size
from packgen.distribute.recipients import recipient_groups
from packgen.distribute.sendlog import SendLog
from packgen.distribute.smtp import is_loopback
from packgen.errors import DistributionError, Location, Problems, TemplateError
from packgen.model import AgendaItem, Meeting, Member
from packgen.pack.merge import PackInfo, Part, assemble
from packgen.pack.protect import encrypt_pdf, encryption_algorithm
from packgen.read.meetings import read_meetings_workbook
from packgen.settings import EmailSettings

TEMPLATE = Path(__file__).parent.parent / "packgen" / "templates" / "email.txt"
SENDER = "bhr.partnership@bhr-partnership.example"
MEETING = Meeting(dt.date(2020, 10, 15), dt.time(14), dt.time(16), "Microsoft Teams", "CH", "SE")
ITEMS = (
    AgendaItem(1, "Welcome, Introductions and Apologies", "Chair", 5),
    AgendaItem(9, "BHR Case Review Tracker", "LP", 10, restricted=True),
    AgendaItem(10, "Phase 1 Report", "AL", 15),
)
INFO = PackInfo("BHR – Meeting Pack", "Papers", "BHR Safeguarding Partnership", "BHR – 15 Oct")


def member(name: str, email: str, role: str = "member", send_as: str = "to", row: int = 2):
    where, cell = (Location("meetings.xlsx", "Members", f"{c}{row}") for c in "AE")
    return Member(name, name[:2].upper(), "", "", email, True, role, send_as, where, cell)


MEMBERS = [
    member("Carol Hale", "carol.hale@lbbd.example", "chair", row=2),
    member("Adrian Loades", "adrian.loades@havering.example", row=3),
    member("Lisa Pike", "lisa.pike@redbridge.example", row=4),
    member("Tom Vale", "tom.vale@nhs.example", send_as="cc", row=5),
    Member("No Pack", "NP", "", "", "no.pack@x.example", False, location=None),
]


def noisy_pdf(path: Path, label: str, pages: int) -> Path:
    """Write pages of incompressible text, about 3 KB each, so sizes are predictable."""
    rng = random.Random(label)
    canvas = Canvas(str(path), pageCompression=0, invariant=1)
    for number in range(pages):
        canvas.drawString(72, 760, f"{label} page {number + 1}")
        for line in range(30):
            noise = "".join(rng.choice(string.ascii_letters) for _ in range(90))
            canvas.drawString(40, 740 - 20 * line, noise)
        canvas.showPage()
    canvas.save()
    return path


def make_pack(folder: Path, label: str = "v1") -> Path:
    """Assemble a four-document pack into folder/2020-10-15/meeting-pack.pdf."""
    docs = folder / f"docs-{label}"
    docs.mkdir(parents=True, exist_ok=True)
    parts = [
        Part("00-agenda", noisy_pdf(docs / "a.pdf", f"Agenda {label}", 1), "Agenda"),
        Part("02-notes", noisy_pdf(docs / "n.pdf", "Notes", 2), "Notes", 2, "Notes"),
        Part("09-tracker", noisy_pdf(docs / "t.pdf", "Tracker", 2), "Tracker", 9, "Tracker"),
        Part("10-report", noisy_pdf(docs / "r.pdf", "Report", 3), "Report", 10, "Phase 1"),
    ]
    pack = folder / "2020-10-15" / "meeting-pack.pdf"
    assemble(parts, pack, INFO)
    return pack


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Collector:
    """An aiosmtpd handler keeping every message; it can refuse addresses or drop the line."""

    def __init__(self, refuse: set[str] = frozenset(), drop_after: int | None = None) -> None:
        self.refuse, self.drop_after = set(refuse), drop_after
        self.received: list[tuple[list[str], object]] = []

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            server.transport.close()  # the server goes away mid-send
            return "421 4.3.2 Shutting down"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    @property
    def recipients(self) -> list[str]:
        return [r for rcpts, _ in self.received for r in rcpts]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    """Start a real SMTP server on loopback; yield a function that sets its handler."""
    controllers = []

    def start(handler: Collector) -> EmailSettings:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append(controller)
        return EmailSettings(sender=SENDER, smtp_host="127.0.0.1", smtp_port=controller.port)

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return make_pack(tmp_path)


def mailing(pack: Path, restricted: bool = False) -> Mailing:
    return Mailing("BHR Safeguarding Partnership", MEETING, ITEMS, pack, ITEMS[1:2] * restricted)


def run(pack, settings, members=MEMBERS, password=None, restricted=False, **options):
    return email_pack(
        mailing(pack, restricted), members, settings, TEMPLATE, EmailOptions(**options), password
    )


def read_log(pack: Path) -> list[dict]:
    return json.loads((pack.parent / "email" / "sent.json").read_text())["sent"]


# --- Recipients and addresses --------------------------------------------------------------------


def test_groups_are_chairs_and_members_with_to_and_cc():
    chairs, members = recipient_groups(MEMBERS)
    assert (chairs.key, [r.address for r in chairs.on("to")]) == (
        "chairs",
        ["carol.hale@lbbd.example"],
    )
    assert [r.address for r in members.on("to")] == [
        "adrian.loades@havering.example",
        "lisa.pike@redbridge.example",
    ]
    assert [r.address for r in members.on("cc")] == ["tom.vale@nhs.example"]


def test_a_line_break_in_an_address_is_an_error_naming_the_cell():
    bad = member("Eve Smith", "eve@x.example\nBcc: all@evil.example", row=7)
    with pytest.raises(DistributionError) as caught:
        recipient_groups([*MEMBERS, bad])
    assert "meetings.xlsx › Members › E7: the email address" in str(caught.value)
    assert "line break" in str(caught.value)


def test_a_bad_address_read_from_the_workbook_names_its_email_cell(tmp_path):
    rows = [
        ["BHR members"],
        ["Name", "Initials", "Agency", "Receives Pack", "Email"],
        ["Carol Hale", "CH", "LBBD", "Y", "carol.hale@lbbd.example"],
        ["Eve Smith", "ES", "NHS", "Y", "eve@x.example; all@evil.example"],
    ]
    make_workbook(tmp_path / "meetings.xlsx", rows, sheet="Members")
    _, members, _ = read_meetings_workbook(tmp_path, Problems())
    with pytest.raises(DistributionError) as caught:
        recipient_groups(members)
    assert [str(p.location) for p in caught.value.problems] == ["meetings.xlsx › Members › E4"]


def test_a_member_without_an_email_cell_is_named_by_row():
    bad = dataclasses.replace(member("Eve Smith", "", row=7), email_location=None)
    with pytest.raises(DistributionError) as caught:
        recipient_groups([bad])
    assert "meetings.xlsx › Members › row 7: the email address is empty" in str(caught.value)


def test_a_second_address_in_a_cell_is_an_error():
    bad = member("Eve Smith", "eve@x.example, all@evil.example", row=8)
    with pytest.raises(DistributionError, match="more than one address"):
        recipient_groups([bad])


def test_a_line_break_in_a_name_is_an_error():
    bad = member("Eve\r\nBcc: all@evil.example", "eve@x.example", row=9)
    with pytest.raises(DistributionError, match="name .* holds a line break"):
        recipient_groups([bad])


def test_every_bad_address_is_listed_at_once():
    bad = [member("A", "not-an-address", row=3), member("B", "b@x.example;c@x.example", row=4)]
    with pytest.raises(DistributionError) as caught:
        recipient_groups(bad)
    assert len(caught.value.problems) == 2


def test_loopback_hosts():
    assert all(is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("smtp.office365.com", "10.0.0.1", "8.8.8.8"))


# --- Drafts ---------------------------------------------------------------------------------------


def test_drafts_one_per_group_open_as_unsent_with_the_pack_attached(pack):
    report = run(pack, EmailSettings(sender=SENDER))
    names = sorted(p.name for p in (pack.parent / "email").glob("*.eml"))
    assert names == ["chairs.eml", "members.eml"]
    draft = message_from_bytes(
        (pack.parent / "email" / "members.eml").read_bytes(), policy=policy.default
    )
    assert draft["X-Unsent"] == "1"
    assert draft["Cc"] == "Tom Vale <tom.vale@nhs.example>"
    assert "Lisa Pike <lisa.pike@redbridge.example>" in draft["To"]
    attachment = next(draft.iter_attachments())
    assert sha(attachment.get_content()) == sha(pack.read_bytes())
    assert len(report.drafts) == 2 and report.sent == []


def test_draft_subject_and_body_come_from_the_template(pack):
    run(pack, EmailSettings(sender=SENDER))
    draft = message_from_bytes(
        (pack.parent / "email" / "chairs.eml").read_bytes(), policy=policy.default
    )
    assert (
        draft["Subject"]
        == "BHR Safeguarding Partnership: meeting pack for Thursday 15 October 2020"
    )
    body = draft.get_body(("plain",)).get_content()
    assert "14:00 – 16:00, at Microsoft Teams" in body
    assert "9. BHR Case Review Tracker (restricted)" in body
    assert f"The pack has {len(PdfReader(pack).pages)} pages." in body


def test_encrypted_pack_message_says_the_password_follows_but_never_holds_it(pack, caplog):
    caplog.set_level(logging.DEBUG)
    encrypt_pdf(pack, pack, "Tr0ub4dor&3")
    run(pack, EmailSettings(sender=SENDER), password="Tr0ub4dor&3", restricted=True)
    for draft in (pack.parent / "email").glob("*.eml"):
        raw = draft.read_bytes()
        assert b"Tr0ub4dor" not in raw
        assert "password will follow separately" in " ".join(raw.decode().split())
    assert "Tr0ub4dor" not in caplog.text


def test_template_values_are_data_not_template_code(pack):
    meeting = Meeting(MEETING.date, None, None, "{{ 7 * 7 }} Room", "CH", "SE")
    mail = Mailing("BHR", meeting, ITEMS, pack)
    email_pack(mail, MEMBERS, EmailSettings(sender=SENDER), TEMPLATE, EmailOptions())
    raw = (pack.parent / "email" / "members.eml").read_bytes().decode()
    assert "{{ 7 * 7 }} Room" in raw and "49 Room" not in raw


def test_a_template_naming_an_unknown_value_is_an_error(pack, tmp_path):
    template = tmp_path / "email.txt"
    template.write_text("Pack for {{ meeting_name }}\n\nHello\n")
    with pytest.raises(TemplateError, match="email.txt"):
        email_pack(mailing(pack), MEMBERS, EmailSettings(), template, EmailOptions())


def test_restricted_pack_without_encryption_is_refused(pack):
    with pytest.raises(DistributionError, match="--allow-unprotected"):
        run(pack, EmailSettings(sender=SENDER), restricted=True)
    assert not (pack.parent / "email").exists()


def test_allow_unprotected_sends_the_restricted_pack_as_it_is(pack):
    report = run(pack, EmailSettings(sender=SENDER), restricted=True, allow_unprotected=True)
    assert len(report.drafts) == 2


# --- Sending --------------------------------------------------------------------------------------


def test_send_delivers_each_group_its_message_with_the_pack(pack, smtp):
    server = Collector()
    run(pack, smtp(server), send=True)
    by_subject = {tuple(sorted(rcpts)): msg for rcpts, msg in server.received}
    assert set(by_subject) == {
        ("carol.hale@lbbd.example",),
        ("adrian.loades@havering.example", "lisa.pike@redbridge.example", "tom.vale@nhs.example"),
    }
    for message in by_subject.values():
        assert message["Subject"].startswith("BHR Safeguarding Partnership: meeting pack")
        assert message["X-Unsent"] is None
        attachment = next(message.iter_attachments())
        assert sha(attachment.get_content()) == sha(pack.read_bytes())


def test_send_log_records_recipient_pack_time_and_message_id(pack, smtp):
    server = Collector()
    run(pack, smtp(server), send=True)
    entries = read_log(pack)
    assert sorted(e["recipient"] for e in entries) == sorted(server.recipients)
    ids = {str(msg["Message-ID"]) for _, msg in server.received}
    assert {e["message_id"] for e in entries} == ids
    assert {e["pack_sha256"] for e in entries} == {sha(pack.read_bytes())}
    assert all(dt.datetime.fromisoformat(e["time"]).tzinfo for e in entries)


def test_sending_again_sends_nothing_twice(pack, smtp):
    server = Collector()
    settings = smtp(server)
    run(pack, settings, send=True)
    report = run(pack, settings, send=True)
    assert len(server.recipients) == 4
    assert report.sent == [] and len(report.skipped) == 4


def test_refused_recipient_is_sent_alone_on_the_next_run(pack, smtp):
    busy = Collector(refuse={"lisa.pike@redbridge.example"})
    with pytest.raises(DistributionError, match="lisa.pike@redbridge.example") as caught:
        run(pack, smtp(busy), send=True)
    assert "451" in str(caught.value)
    assert "lisa.pike@redbridge.example" not in [e["recipient"] for e in read_log(pack)]
    server = Collector()
    run(pack, smtp(server), send=True)
    assert server.recipients == ["lisa.pike@redbridge.example"]
    assert len(read_log(pack)) == 4


def test_server_gone_midway_resumes_without_repeats(pack, smtp):
    failing = Collector(drop_after=1)
    with pytest.raises(DistributionError, match="run the same command again"):
        run(pack, smtp(failing), send=True)
    first = failing.recipients
    assert len(first) in (1, 3) and len(read_log(pack)) == len(first)
    server = Collector()
    run(pack, smtp(server), send=True)
    assert sorted(first + server.recipients) == sorted(m.email for m in MEMBERS if m.receives_pack)


def test_changed_pack_is_sent_again_only_with_resend(pack, smtp, tmp_path):
    server = Collector()
    settings = smtp(server)
    run(pack, settings, send=True)
    old = sha(pack.read_bytes())
    make_pack(tmp_path, "v2")
    report = run(pack, settings, send=True)
    assert len(server.received) == 2 and len(report.changed) == 4
    run(pack, settings, send=True, resend=True)
    assert len(server.recipients) == 8
    resent = [e for e in read_log(pack) if e["resend"]]
    assert len(resent) == 4 and all(e["replaces_sha256"] == [old] for e in resent)


def test_the_pack_sent_is_kept_as_an_issue_each_recipient_had(pack, smtp, tmp_path):
    settings = smtp(Collector())
    run(pack, settings, send=True)
    issued = pack.parent / "issued" / "1" / "meeting-pack.pdf"
    assert issued.read_bytes() == pack.read_bytes()
    assert {e["issue"] for e in read_log(pack)} == {1}
    make_pack(tmp_path, "v2")
    run(pack, settings, send=True, resend=True)
    assert [e["issue"] for e in read_log(pack)] == [1] * 4 + [2] * 4
    assert (pack.parent / "issued" / "1" / "meeting-pack.pdf").read_bytes() != pack.read_bytes()


def test_sending_without_a_sender_is_refused(pack, smtp):
    settings = smtp(Collector())
    no_sender = EmailSettings(smtp_host=settings.smtp_host, smtp_port=settings.smtp_port)
    with pytest.raises(DistributionError, match="PACKGEN_SMTP_FROM"):
        run(pack, no_sender, send=True)


def test_unreachable_server_is_a_clear_error(pack):
    settings = EmailSettings(sender=SENDER, smtp_host="127.0.0.1", smtp_port=free_port())
    with pytest.raises(DistributionError, match="Can't connect to the SMTP server 127.0.0.1"):
        run(pack, settings, send=True)


# --- Size and splitting ---------------------------------------------------------------------------


def limit_for(pack: Path, fraction: float) -> float:
    """Return a max_message_mb that lets about `fraction` of the pack through in one message."""
    return (encoded_size(pack.stat().st_size) * fraction + 4000) / 1_000_000


def test_too_big_message_stops_before_sending_and_names_the_largest_papers(pack, smtp):
    server = Collector()
    settings = smtp(server)
    small = EmailSettings(
        SENDER, settings.smtp_host, settings.smtp_port, max_message_mb=limit_for(pack, 0.5)
    )
    with pytest.raises(DistributionError) as caught:
        run(pack, small, send=True)
    text = str(caught.value)
    assert "over the" in text and "nothing was sent" in text and "--split" in text
    assert "Largest papers: 10 Phase 1" in text
    assert server.received == []


def test_split_parts_are_valid_pdfs_with_bookmarks_holding_every_page(pack):
    small = EmailSettings(SENDER, max_message_mb=limit_for(pack, 0.6))
    report = run(pack, small, split=True)
    parts = sorted({d.attachment for d in report.drafts})
    assert len(parts) >= 2
    texts = []
    for part in parts:
        reader = PdfReader(part)
        assert reader.outline
        texts += [page.extract_text() for page in reader.pages]
    assert texts == [page.extract_text() for page in PdfReader(pack).pages]
    assert all(d.size <= small.max_message_mb * 1_000_000 for d in report.drafts)


def test_split_messages_are_numbered_and_all_delivered(pack, smtp):
    server = Collector()
    settings = smtp(server)
    small = EmailSettings(
        SENDER, settings.smtp_host, settings.smtp_port, max_message_mb=limit_for(pack, 0.6)
    )
    report = run(pack, small, send=True, split=True)
    parts = report.drafts[-1].parts
    subjects = sorted({str(m["Subject"]) for _, m in server.received})
    assert len(subjects) == parts and subjects[0].endswith(f"(part 1 of {parts})")
    assert len(server.received) == 2 * parts
    assert len(read_log(pack)) == 4 * parts


def test_split_parts_of_an_encrypted_pack_stay_encrypted(pack):
    encrypt_pdf(pack, pack, "pw")
    small = EmailSettings(SENDER, max_message_mb=limit_for(pack, 0.6))
    report = run(pack, small, split=True, password="pw", restricted=True)
    for part in {d.attachment for d in report.drafts}:
        assert encryption_algorithm(part) == "AES-256"
        reader = PdfReader(part)
        assert reader.decrypt("pw") and len(reader.pages) > 0


def test_send_log_is_rewritten_whole_after_each_send(tmp_path):
    log = SendLog(tmp_path / "sent.json")
    log.record({"recipient": "a@x.example", "pack_sha256": "1"})
    log.record({"recipient": "b@x.example", "pack_sha256": "1"})
    again = SendLog(tmp_path / "sent.json")
    assert [e["recipient"] for e in again.entries] == ["a@x.example", "b@x.example"]
    assert list(tmp_path.glob("*.tmp")) == []


# --- The command on the sample meeting (built once with a password, real LibreOffice) ------------


@pytest.fixture
def sample_output(protected_build: Path, tmp_path: Path) -> Path:
    """A copy of the built sample's output folder, so each test has its own drafts and log."""
    output = tmp_path / "output"
    shutil.copytree(protected_build, output / protected_build.name)
    return output


def cli_email(output: Path, *flags: str):
    args = ["email", "2020-10-15", "--data", str(SAMPLE), "--templates", str(TEMPLATE.parent)]
    return CliRunner().invoke(cli, [*args, "--output", str(output), *flags])


@pytest.mark.soffice
def test_email_command_writes_drafts_for_the_sample(sample_output, monkeypatch):
    monkeypatch.delenv("PACKGEN_PACK_PASSWORD", raising=False)
    result = cli_email(sample_output)
    assert result.exit_code == 0, result.output
    assert "Wrote 2 draft(s)" in result.output
    raw = (sample_output / "2020-10-15" / "email" / "members.eml").read_bytes()
    assert b"X-Unsent: 1" in raw and PACK_PASSWORD.encode() not in raw


@pytest.mark.soffice
def test_email_command_sends_the_sample_to_a_local_server(sample_output, smtp, monkeypatch):
    server = Collector()
    settings = smtp(server)
    monkeypatch.setenv("PACKGEN_SMTP_PORT", str(settings.smtp_port))
    result = cli_email(sample_output, "--send")
    assert result.exit_code == 0, result.output
    pack = (sample_output / "2020-10-15" / "meeting-pack.pdf").read_bytes()
    for _, message in server.received:
        assert sha(next(message.iter_attachments()).get_content()) == sha(pack)
        assert "password will follow separately" in message.get_body(("plain",)).get_content()
    members = [m for m in read_members() if m.receives_pack]
    assert sorted(server.recipients) == sorted(m.email for m in members)


@pytest.mark.soffice
def test_email_command_refuses_an_unprotected_pack_with_restricted_items(sample_output):
    pack = sample_output / "2020-10-15" / "meeting-pack.pdf"
    reader = PdfReader(pack)
    reader.decrypt(PACK_PASSWORD)
    PdfWriter(clone_from=reader).write(pack)
    result = cli_email(sample_output)
    assert result.exit_code == 1
    assert "not encrypted" in result.output and "--allow-unprotected" in result.output
    assert cli_email(sample_output, "--allow-unprotected").exit_code == 0


def read_members() -> list[Member]:
    from packgen.read.partnership import read_partnership

    return read_partnership(SAMPLE)[0].members


def test_a_line_break_smuggled_into_the_subject_is_refused(pack):
    mail = Mailing("BHR\rBcc: all@evil.example", MEETING, ITEMS, pack)
    with pytest.raises(DistributionError, match="line break"):
        email_pack(mail, MEMBERS, EmailSettings(sender=SENDER), TEMPLATE, EmailOptions())


def test_the_subject_of_a_pack_holding_restricted_material_starts_with_its_marking(pack):
    marked = dataclasses.replace(mailing(pack, restricted=True), marking="OFFICIAL-SENSITIVE")
    encrypt_pdf(pack, pack, PACK_PASSWORD)
    email_pack(marked, MEMBERS, EmailSettings(sender=SENDER), TEMPLATE, EmailOptions())
    draft = message_from_bytes((pack.parent / "email" / "members.eml").read_bytes())
    subject = "BHR Safeguarding Partnership: meeting pack for Thursday 15 October 2020"
    assert draft["Subject"] == f"OFFICIAL-SENSITIVE: {subject}"


def test_the_subject_marking_is_the_restricted_items_else_the_whole_packs():
    from packgen.distribute.emailing import subject_marking
    from packgen.settings import Settings

    settings = Settings(Path("data"), pack_marking="OFFICIAL")
    assert subject_marking(settings, restricted=True) == "OFFICIAL-SENSITIVE"
    assert subject_marking(settings, restricted=False) == "OFFICIAL"
    assert subject_marking(Settings(Path("data")), restricted=False) == ""
