"""Sending after a supplement, with the real LibreOffice and a real SMTP server on loopback:
the supplement to who had issue 1, the revised pack to a member added since, nothing twice."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from conftest import PACK_PASSWORD, SAMPLE
from corpus import snapshot
from late_changes import (
    add_late_paper,
    add_member,
    change_action_update,
    restrict_item,
    retitle_item,
    withdraw_paper,
)

from packgen.cli import cli

pytestmark = pytest.mark.soffice

TEMPLATES = Path(__file__).resolve().parent.parent / "packgen" / "templates"
MEETING = "2020-10-15"
NEWCOMER = "new.member@nhs.example"


class Collector:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], object]] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def packgen(data: Path, output: Path, port: int, *args: str):
    command, *rest = args
    where = ["--data", str(data), "--output", str(output)]
    if command in ("build", "supplement", "email"):
        where += ["--templates", str(TEMPLATES)]
    env = {"PACKGEN_PACK_PASSWORD": PACK_PASSWORD, "PACKGEN_SMTP_PORT": str(port)}
    return CliRunner().invoke(cli, [command, MEETING, *rest, *where], env=env)


def sent_log(folder: Path) -> list[dict]:
    return json.loads((folder / "email" / "sent.json").read_text(encoding="utf-8"))["sent"]


@pytest.fixture(scope="module")
def mailed(tmp_path_factory: pytest.TempPathFactory):
    """Issue 1 emailed; late changes, a member added, the supplement made and emailed twice."""
    root = tmp_path_factory.mktemp("mailed")
    data, output = root / "data", root / "output"
    shutil.copytree(SAMPLE, data)
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    run = lambda *args: packgen(data, output, controller.port, *args)  # noqa: E731
    try:
        steps = {"build": run("build"), "first send": run("email", "--send")}
        first = list(handler.received)
        issue_1 = snapshot(output / MEETING / "issued" / "1")
        add_late_paper(data)
        change_action_update(data)
        retitle_item(data)
        add_member(data, "New Member", NEWCOMER)
        steps |= {"supplement": run("supplement"), "second send": run("email", "--send")}
        second = handler.received[len(first) :]
        steps["third send"] = run("email", "--send")
        third = handler.received[len(first) + len(second) :]
        steps |= {"rebuild": run("build"), "fourth send": run("email", "--send")}
        fourth = handler.received[len(first) + len(second) + len(third) :]
    finally:
        controller.stop()
    for name, result in steps.items():
        assert result.exit_code == 0, f"{name}: {result.output}"
    folder = output / MEETING
    return {"folder": folder, "data": data, "first": first, "second": second, "third": third,
            "fourth": fourth, "steps": steps, "issue_1": issue_1}  # fmt: skip


def _supplement(message) -> bool:
    return str(message["Subject"]).startswith(
        "Supplementary pack 1 – BHR Safeguarding Partnership: meeting pack for Thursday 15 October"
    )


def addresses(received) -> list[str]:
    return sorted(r for rcpts, _ in received for r in rcpts)


def test_those_who_had_issue_1_get_the_supplement_and_the_newcomer_the_revised_pack(mailed):
    had = addresses(mailed["first"])
    supplement = [r for rcpts, m in mailed["second"] if _supplement(m) for r in rcpts]
    full = [r for rcpts, m in mailed["second"] if not _supplement(m) for r in rcpts]
    assert sorted(supplement) == had and full == [NEWCOMER]
    assert NEWCOMER not in had


def test_the_supplement_message_lists_what_changed_and_attaches_the_supplement(mailed):
    message = next(m for _, m in mailed["second"] if _supplement(m))
    body = message.get_body(("plain",)).get_content()
    assert "  - Item 3 – Action Log 2020 - 2021: 2020/17: update changed" in body
    assert "paper added: Late Paper - Safeguarding Audit" in body
    assert "item 5 retitled: now “Joint Working with the Violence Reduction Unit – Update”" in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "supplement-1-2020-10-15.pdf"
    assert attachment.get_content() == (mailed["folder"] / "supplement-1.pdf").read_bytes()


def test_a_second_send_after_the_supplement_sends_nothing(mailed):
    assert mailed["third"] == []
    assert "Sent 0;" in mailed["steps"]["third send"].output


def test_a_rebuild_after_the_supplement_went_out_keeps_the_issued_pack_and_sends_nothing(mailed):
    issued = mailed["folder"] / "issued" / "2" / "meeting-pack.pdf"
    assert (mailed["folder"] / "meeting-pack.pdf").read_bytes() == issued.read_bytes()
    assert mailed["fourth"] == [] and "Sent 0;" in mailed["steps"]["fourth send"].output


def test_issue_2_keeps_the_revised_pack_with_its_supplement(mailed):
    issue_2 = mailed["folder"] / "issued" / "2"
    assert sorted(p.name for p in issue_2.iterdir()) == [
        "issue.json", "manifest.json", "meeting-pack.pdf", "public-pack.pdf",
        "public-supplement-1.pdf", "supplement-1.pdf",
    ]  # fmt: skip
    assert (issue_2 / "meeting-pack.pdf").read_bytes() == (
        mailed["folder"] / "meeting-pack.pdf"
    ).read_bytes()
    assert snapshot(mailed["folder"] / "issued" / "1") == mailed["issue_1"]


def test_the_send_log_says_which_issue_and_supplement_each_recipient_had(mailed):
    log = sent_log(mailed["folder"])
    first = [e for e in log if e["issue"] == 1]
    second = [e for e in log if e["issue"] == 2]
    assert sorted(e["recipient"] for e in first) == addresses(mailed["first"])
    supplements = [e for e in second if e.get("supplement") == 1]
    assert sorted(e["recipient"] for e in supplements) == addresses(mailed["first"])
    assert all(e["attachment"] == "supplement-1.pdf" and not e["resend"] for e in supplements)
    assert [e["recipient"] for e in second if "supplement" not in e] == [NEWCOMER]


def test_an_item_restricted_since_the_issue_warns_naming_who_had_it(tmp_path):
    from packgen.distribute.sendlog import SendLog
    from packgen.distribute.supplements import restricted_warnings
    from packgen.write.changes import Change, Changes
    from packgen.write.issues import issue_pack

    folder = tmp_path / MEETING
    folder.mkdir()
    (folder / "meeting-pack.pdf").write_bytes(b"%PDF-1.7 issue 1")
    issue = issue_pack(folder)
    log = SendLog(folder / "email" / "sent.json")
    log.entries = [{"recipient": "a@x.example", "pack_sha256": issue.pack_sha, "issue": 1},
                   {"recipient": "b@x.example", "pack_sha256": "another pack"}]  # fmt: skip
    changes = Changes(1, {6: "Themed Review"}, [Change(6, "item 6 now restricted", None, True)])
    (warning,) = restricted_warnings(folder, changes, log)
    assert str(warning) == (
        "Item 6 – Themed Review: item 6 now restricted since issue 1, whose copies are out "
        "(packgen can't recall email; ask them to delete theirs): a@x.example"
    )


def test_after_the_supplement_a_withdrawal_is_listed_and_a_restriction_names_who_had_it(
    mailed, tmp_path, caplog
):
    from packgen.commands.reissue import meeting_changes

    data, output = tmp_path / "data", tmp_path / "output"
    shutil.copytree(mailed["data"], data)
    shutil.copytree(mailed["folder"].parent, output)
    withdraw_paper(data, "Rapid Review Letter.docx")
    restrict_item(data, "G22")  # item 6, Themed Learning Review Consideration
    assert packgen(data, output, free_port(), "build").exit_code == 0
    with caplog.at_level("WARNING"):
        found = meeting_changes(data, output, dt.date(2020, 10, 15))
    item_8 = "Item 8 – BHR Case Review Guidance, Process and Forms"
    assert f"{item_8}: paper withdrawn: Rapid Review Letter" in found.lines()
    warned = [r.getMessage() for r in caplog.records if "whose copies are out" in r.getMessage()]
    everyone = sorted({e["recipient"] for e in sent_log(mailed["folder"]) if e["issue"] == 2})
    assert warned and all(msg.endswith(", ".join(everyone)) for msg in warned)
    assert warned[0].startswith("Agenda: item 6 now restricted since issue 2, whose copies are out")
