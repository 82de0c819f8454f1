"""After issue, with the real LibreOffice: issued packs kept, and what changed since, listed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PACK_PASSWORD, SAMPLE
from corpus import snapshot
from late_changes import add_late_paper, change_action_update, retitle_item
from pypdf import PdfReader

from packgen.cli import cli
from packgen.model import long_date
from packgen.pack.protect import encryption_algorithm

pytestmark = pytest.mark.soffice

TEMPLATES = Path(__file__).resolve().parent.parent / "packgen" / "templates"
MEETING = "2020-10-15"
ENV = {"PACKGEN_PACK_PASSWORD": PACK_PASSWORD}


def packgen(data: Path, output: Path, *args: str):
    """Run a packgen command for the sample meeting through click."""
    command, *rest = args
    where = ["--data", str(data), "--output", str(output)]
    if command in ("build", "supplement"):
        where += ["--templates", str(TEMPLATES)]
    return CliRunner().invoke(cli, [command, MEETING, *rest, *where], env=ENV)


@pytest.fixture(scope="module")
def reissued(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The sample built and issued; then a late paper, a new update and a retitled item, rebuilt."""
    root = tmp_path_factory.mktemp("reissue")
    data, output = root / "data", root / "output"
    shutil.copytree(SAMPLE, data)
    built = packgen(data, output, "build")
    assert built.exit_code == 0, built.output
    issued = packgen(data, output, "issue")
    assert issued.exit_code == 0, issued.output
    folder = output / MEETING
    before = snapshot(folder / "issued")
    add_late_paper(data)
    change_action_update(data)
    retitle_item(data)
    rebuilt = packgen(data, output, "build")
    assert rebuilt.exit_code == 0, rebuilt.output
    changes = packgen(data, output, "changes")
    made = packgen(data, output, "supplement")
    assert made.exit_code == 0, made.output
    return {"data": data, "output": output, "folder": folder, "issued": before,
            "issue_output": issued.output, "changes": changes.output,
            "supplement_output": made.output}  # fmt: skip


def test_issue_keeps_the_built_pack_as_issue_1(reissued):
    assert reissued["issue_output"].startswith("Kept the pack as issue 1 in ")
    assert sorted(reissued["issued"]) == [
        "1/issue.json", "1/manifest.json", "1/meeting-pack.pdf", "1/public-pack.pdf"
    ]  # fmt: skip


def test_changes_lists_exactly_the_three_late_changes(reissued):
    listed = reissued["changes"].split("Pages moved:")[0].splitlines()
    assert listed == [
        f"Changes since issue 1 of {long_date(dt.date.today())}: 3",
        "  Agenda: item 5 retitled: now “Joint Working with the Violence Reduction Unit – Update”, "
        "was “Joint Working with the Violence Reduction Unit (VRU) (verbal update)”",
        "  Item 3 – Action Log 2020 - 2021: 2020/17: update changed",
        "  Item 8 – BHR Case Review Guidance, Process and Forms: paper added: Late Paper - "
        "Safeguarding Audit",
    ]


def test_changes_gives_the_old_and_new_pages_of_items_that_moved(reissued):
    moved = reissued["changes"].split("Pages moved:\n")[1].splitlines()
    assert "  Item 9 – BHR Case Review Tracker: pp. 42–43, now pp. 43–44" in moved
    assert all(", now pp. " in line for line in moved)


def test_the_manifest_records_the_same_changes(reissued):
    manifest = json.loads((reissued["folder"] / "manifest.json").read_text(encoding="utf-8"))
    recorded = manifest["changes"]
    assert recorded["since_issue"] == 1
    assert [c["text"] for c in recorded["changes"]] == [
        "item 5 retitled: now “Joint Working with the Violence Reduction Unit – Update”, was "
        "“Joint Working with the Violence Reduction Unit (VRU) (verbal update)”",
        "2020/17: update changed",
        "paper added: Late Paper - Safeguarding Audit",
    ]


def test_issued_packs_are_byte_identical_after_rebuilds(reissued):
    assert snapshot(reissued["folder"] / "issued") == reissued["issued"]
    assert (reissued["folder"] / "meeting-pack.pdf").read_bytes() != (
        reissued["folder"] / "issued" / "1" / "meeting-pack.pdf"
    ).read_bytes()


def test_a_build_that_fails_leaves_the_issues_untouched(reissued, tmp_path):
    broken = tmp_path / "data"
    shutil.copytree(reissued["data"], broken)
    (broken / "papers" / MEETING / "Late Paper - Safeguarding Audit.docx").write_bytes(b"not a zip")
    result = packgen(broken, reissued["output"], "build")
    assert result.exit_code == 1 and "Late Paper - Safeguarding Audit.docx" in result.output
    assert snapshot(reissued["folder"] / "issued") == reissued["issued"]


def test_changes_before_any_issue_is_a_clear_error(tmp_path):
    folder = tmp_path / "output" / MEETING
    folder.mkdir(parents=True)
    (folder / "meeting-pack.pdf").write_bytes(b"%PDF-1.7")
    (folder / "manifest.json").write_text('{"documents": [{"key": "00-agenda"}]}')
    result = packgen(SAMPLE, tmp_path / "output", "changes")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith(
        "Error: Nothing to compare with: the pack has not been issued yet.\n"
        "  2020-10-15/issued: no issued pack: packgen email 2020-10-15 --send keeps the pack"
    )


def test_a_tampered_issue_stops_changes_naming_the_file(reissued, tmp_path):
    output = tmp_path / "output"
    shutil.copytree(reissued["output"] / MEETING, output / MEETING)
    public = output / MEETING / "issued" / "1" / "public-pack.pdf"
    public.chmod(0o644)
    public.write_bytes(b"%PDF-1.7 edited")
    result = packgen(reissued["data"], output, "changes")
    assert result.exit_code == 1
    assert "2020-10-15/issued/1 › public-pack.pdf: changed since it was issued" in result.output


# --- The supplement ------------------------------------------------------------------------------


def page_texts(pdf: Path, password: str | None = None) -> list[str]:
    reader = PdfReader(pdf)
    if reader.is_encrypted:
        assert reader.decrypt(password or "")
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def outline(pdf: Path, password: str | None = None) -> list[tuple[str, int]]:
    reader = PdfReader(pdf)
    if reader.is_encrypted:
        reader.decrypt(password or "")
    flat: list = []
    stack = list(reader.outline)
    while stack:
        entry = stack.pop(0)
        if isinstance(entry, list):
            stack[0:0] = entry
        else:
            flat.append((str(entry.title), reader.get_destination_page_number(entry) + 1))
    return flat


def test_the_supplement_holds_the_cover_and_the_two_changed_documents(reissued):
    supplement = reissued["folder"] / "supplement-1.pdf"
    assert outline(supplement, PACK_PASSWORD) == [
        (f"Supplementary pack 1 to the pack issued on {long_date(dt.date.today())}", 1),
        ("3 Action Log 2020 - 2021", 2),
        ("Action Log", 2),
        ("8 BHR Case Review Guidance, Process and Forms", 5),
        ("Late Paper - Safeguarding Audit", 5),
    ]
    texts = page_texts(supplement, PACK_PASSWORD)
    assert [f"S1 page {n} of 5" in text for n, text in enumerate(texts, 1)] == [True] * 5
    assert "Item 3 · Supplement 1" in texts[1] and "Item 8 · Supplement 1" in texts[4]
    assert "An audit of safeguarding referrals" in texts[4]


def test_the_cover_lists_each_change_with_its_page_in_the_supplement(reissued):
    cover = page_texts(reissued["folder"] / "supplement-1.pdf", PACK_PASSWORD)[0]
    assert "Item 3 – Action Log 2020 - 2021: 2020/17: update changed (S1 page 2)" in cover
    assert "paper added: Late Paper - Safeguarding Audit (S1 page 5)" in cover
    assert "Agenda: item 5 retitled: now “Joint Working with the Violence Reduction Unit" in cover
    assert "Item 9 – BHR Case Review Tracker: pp. 42–43, now pp. 43–44" in cover


def test_the_full_supplement_is_encrypted_like_the_pack_and_the_public_one_is_not(reissued):
    folder = reissued["folder"]
    assert encryption_algorithm(folder / "supplement-1.pdf") == "AES-256"
    assert encryption_algorithm(folder / "public-supplement-1.pdf") == "none"
    said = reissued["supplement_output"]
    assert said.endswith(
        "supplement-1.pdf: 5 pages, 2 documents (public-supplement-1.pdf: 5 pages); "
        "revised meeting-pack.pdf: 53 pages\n"
    )


def test_the_revised_pack_says_so_under_the_agenda_title_and_on_replaced_papers(reissued):
    texts = page_texts(reissued["folder"] / "meeting-pack.pdf", PACK_PASSWORD)
    assert f"Revised {long_date(dt.date.today())}: see supplement 1" in texts[0]
    manifest = json.loads((reissued["folder"] / "manifest.json").read_text(encoding="utf-8"))
    firsts = {d["key"]: d["pages"][0] for d in manifest["documents"]}
    assert "Item 3 · Revised" in texts[firsts["03-action-log"] - 1]
    assert "Item 8 · New" in texts[firsts["08g-late-paper-safeguarding-audit"] - 1]
    assert "Revised" not in texts[firsts["08a-case-review-protocol"] - 1]


def test_issued_packs_are_untouched_by_the_supplement(reissued):
    assert snapshot(reissued["folder"] / "issued") == reissued["issued"]


def test_a_supplement_when_nothing_changed_since_the_last_issue_is_refused(reissued, tmp_path):
    output = tmp_path / "output"
    shutil.copytree(reissued["output"] / MEETING, output / MEETING)
    assert packgen(reissued["data"], output, "issue").output.startswith("Kept the pack as issue 2")
    kept = sorted(p.name for p in (output / MEETING / "issued" / "2").iterdir())
    assert "supplement-1.pdf" in kept and "public-supplement-1.pdf" in kept  # sent by hand too
    result = packgen(reissued["data"], output, "supplement")
    assert result.exit_code == 1, result.output
    assert "Error: Nothing changed since issue 2: no supplement." in result.output
    assert "2020-10-15/issued: the pack is as issue 2 has it" in result.output


def test_a_supplement_before_any_issue_is_a_clear_error(tmp_path):
    result = packgen(SAMPLE, tmp_path / "output", "supplement")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith(
        "Error: There is nothing to supplement: the pack has not been issued.\n"
        "  2020-10-15/issued: no issued pack: a supplement says what changed since one"
    )
