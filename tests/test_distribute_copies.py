"""Per-recipient copies: a message each, a copy stamped with its recipient, logged by hash."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import test_distribute_emailing
from conftest import PACK_PASSWORD
from pypdf import PdfReader
from test_distribute_emailing import SENDER, TEMPLATE, Collector, limit_for, mailing, read_log

from packgen.distribute.emailing import EmailOptions, email_pack
from packgen.errors import DistributionError, Location
from packgen.model import Member, long_date
from packgen.pack.protect import encrypt_pdf, encryption_algorithm
from packgen.settings import EmailSettings

ISSUED = long_date(dt.date.today())
pack = test_distribute_emailing.pack  # the fixtures: a small pack, a real SMTP server
smtp = test_distribute_emailing.smtp


def person(name: str, agency: str, email: str, role: str = "member", send_as: str = "to"):
    where = Location("meetings.xlsx", "Members", "E2")
    return Member(name, name[:2].upper(), "", agency, email, True, role, send_as, where, where)


PEOPLE = [
    person("Carol Hale", "LB Barking & Dagenham", "carol.hale@lbbd.example", "chair"),
    person("Kate Dempsey", "LB Havering", "kate.dempsey@havering.example"),
    person("Lisa Pike", "LB Redbridge", "lisa.pike@redbridge.example"),
    person("Tom Vale", "BHR CCGs", "tom.vale@nhs.example", send_as="cc"),
]


def stamp(member: Member) -> str:
    return f"Copy for {member.name}, {member.agency} \u2013 issued {ISSUED}"


def send(pack: Path, settings: EmailSettings, password: str | None = None, **options):
    options = {"per_recipient": True, **options}
    restricted = password is not None
    return email_pack(
        mailing(pack, restricted), PEOPLE, settings, TEMPLATE, EmailOptions(**options), password
    )


def attachment(message) -> bytes:
    return next(message.iter_attachments()).get_content()


def copy_reader(data: bytes, password: str | None = None) -> PdfReader:
    import io

    reader = PdfReader(io.BytesIO(data))
    if password:
        assert reader.decrypt(password)
    return reader


def test_each_person_gets_a_message_of_their_own_with_a_copy_stamped_for_them(pack, smtp):
    server = Collector()
    send(pack, smtp(server), send=True)
    assert sorted(tuple(r) for r, _ in server.received) == sorted((m.email,) for m in PEOPLE)
    for recipients, message in server.received:
        member = next(m for m in PEOPLE if m.email == recipients[0])
        assert message["To"].addresses[0].addr_spec == member.email and message["Cc"] is None
        reader = copy_reader(attachment(message))
        for page in reader.pages:
            text = " ".join(page.extract_text().split())
            assert stamp(member) in text
            assert not any(stamp(m) in text for m in PEOPLE if m is not member)
        assert reader.metadata["/PackgenCopyFor"] == stamp(member)
        assert reader.metadata["/PackgenRecipient"] == member.email


def test_the_send_log_lists_each_copys_sha256_beside_its_recipient(pack, smtp):
    server = Collector()
    send(pack, smtp(server), send=True)
    received = {r[0]: hashlib.sha256(attachment(m)).hexdigest() for r, m in server.received}
    logged = {e["recipient"]: e["attachment_sha256"] for e in read_log(pack)}
    assert logged == received
    assert len(set(logged.values())) == len(PEOPLE)  # every copy is its own file
    pack_sha = hashlib.sha256(pack.read_bytes()).hexdigest()
    assert {e["pack_sha256"] for e in read_log(pack)} == {pack_sha}


def test_the_side_stamp_sits_upright_in_the_left_margin_as_an_artifact(pack, smtp):
    server = Collector()
    send(pack, smtp(server), send=True)
    page = copy_reader(attachment(server.received[0][1])).pages[0]
    forms = [x.get_object() for n, x in page["/Resources"]["/XObject"].items()]
    content = [f.get_data() for f in forms if b"Copy for" in f.get_data()]
    assert len(content) == 1
    assert content[0].startswith(b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC")
    assert b"0 1 -1 0 22.6772 " in content[0]  # turned to run up the page, 0.8 cm from the left


def test_copies_of_an_encrypted_pack_are_encrypted_with_the_pack_password(pack, smtp):
    encrypt_pdf(pack, pack, PACK_PASSWORD)
    server = Collector()
    send(pack, smtp(server), password=PACK_PASSWORD, send=True)
    for recipients, message in server.received:
        copy = pack.parent / "copy.pdf"
        copy.write_bytes(attachment(message))
        assert encryption_algorithm(copy) == "AES-256"
        assert not PdfReader(copy).decrypt("wrong")
        reader = copy_reader(copy.read_bytes(), PACK_PASSWORD)
        assert reader.metadata["/PackgenRecipient"] == recipients[0]


def test_copies_of_an_encrypted_pack_without_the_password_are_refused(pack, smtp):
    encrypt_pdf(pack, pack, PACK_PASSWORD)
    server = Collector()
    with pytest.raises(DistributionError, match="pack password is needed"):
        send(pack, smtp(server), password=None, send=True, allow_unprotected=True)
    assert server.received == []


def test_drafts_are_one_per_person_beside_their_copies(pack):
    report = send(pack, EmailSettings(sender=SENDER))
    names = sorted(d.path.name for d in report.drafts)
    assert names == sorted(
        [
            "chairs-carol-hale-lbbd-example.eml",
            "members-kate-dempsey-havering-example.eml",
            "members-lisa-pike-redbridge-example.eml",
            "members-tom-vale-nhs-example.eml",
        ]
    )
    copies = sorted(p.name for p in (pack.parent / "email" / "copies").iterdir())
    assert copies == [name.replace(".eml", ".pdf") for name in names]


def test_resume_after_a_failure_midway_sends_no_copy_twice(pack, smtp):
    failing = Collector(drop_after=2)
    with pytest.raises(DistributionError, match="run the same command again"):
        send(pack, smtp(failing), send=True)
    first = failing.recipients
    assert len(first) == 2 and sorted(e["recipient"] for e in read_log(pack)) == sorted(first)
    server = Collector()
    report = send(pack, smtp(server), send=True)
    assert sorted(first + server.recipients) == sorted(m.email for m in PEOPLE)
    assert len(report.skipped) == 2
    logged = {e["recipient"]: e["attachment_sha256"] for e in read_log(pack)}
    for recipients, message in failing.received + server.received:
        assert logged[recipients[0]] == hashlib.sha256(attachment(message)).hexdigest()


def test_split_copies_are_stamped_in_every_part(pack, smtp):
    server = Collector()
    settings = smtp(server)
    settings = EmailSettings(**{**settings.__dict__, "max_message_mb": limit_for(pack, 0.6)})
    send(pack, settings, send=True, split=True)
    kate = [m for r, m in server.received if r == ["kate.dempsey@havering.example"]]
    assert len(kate) > 1
    for message in kate:
        reader = copy_reader(attachment(message))
        assert all(stamp(PEOPLE[1]) in p.extract_text() for p in reader.pages)
    logged = [e for e in read_log(pack) if e["recipient"] == "kate.dempsey@havering.example"]
    assert len(logged) == len(kate)


sample_output = test_distribute_emailing.sample_output  # a copy of the built sample's output


@pytest.mark.soffice
def test_the_sample_sent_per_recipient_gives_each_member_a_traceable_copy(
    sample_output, smtp, monkeypatch, tmp_path
):
    from click.testing import CliRunner

    from packgen.cli import cli

    server = Collector()
    monkeypatch.setenv("PACKGEN_SMTP_PORT", str(smtp(server).smtp_port))
    monkeypatch.setenv("PACKGEN_PACK_PASSWORD", PACK_PASSWORD)
    result = test_distribute_emailing.cli_email(sample_output, "--send", "--per-recipient")
    assert result.exit_code == 0, result.output
    members = [m for m in test_distribute_emailing.read_members() if m.receives_pack]
    assert sorted(r for rs, _ in server.received for r in rs) == sorted(m.email for m in members)
    recipients, message = server.received[-1]
    member = next(m for m in members if m.email == recipients[0])
    copy = tmp_path / "forwarded.pdf"
    copy.write_bytes(attachment(message))
    reader = copy_reader(copy.read_bytes(), PACK_PASSWORD)
    assert all(stamp(member) in " ".join(p.extract_text().split()) for p in reader.pages)
    assert message["Subject"].startswith("OFFICIAL-SENSITIVE: ")
    traced = CliRunner().invoke(cli, ["trace", str(copy), "--output", str(sample_output)])
    assert traced.exit_code == 0 and f"<{member.email}>" in traced.output
    pack = sample_output / "2020-10-15" / "meeting-pack.pdf"
    checked = [CliRunner().invoke(cli, ["check-pdf", str(p)]).output for p in (pack, copy)]
    assert "ok    tagged" in checked[0]
    assert checked[0] == checked[1]  # the copy is as accessible as the pack
