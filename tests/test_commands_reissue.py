"""After issue, with the real LibreOffice: issued packs kept, and what changed since, listed."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PACK_PASSWORD, SAMPLE
from late_changes import add_late_paper, change_action_update, retitle_item

from packgen.cli import cli

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


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


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
    before = digests(folder / "issued")
    add_late_paper(data)
    change_action_update(data)
    retitle_item(data)
    rebuilt = packgen(data, output, "build")
    assert rebuilt.exit_code == 0, rebuilt.output
    return {"data": data, "output": output, "folder": folder, "issued": before,
            "issue_output": issued.output}  # fmt: skip


def test_issue_keeps_the_built_pack_as_issue_1(reissued):
    assert reissued["issue_output"].startswith("Kept the pack as issue 1 in ")
    assert sorted(reissued["issued"]) == [
        "1/issue.json", "1/manifest.json", "1/meeting-pack.pdf", "1/public-pack.pdf"
    ]  # fmt: skip


def test_changes_lists_exactly_the_three_late_changes(reissued):
    result = packgen(reissued["data"], reissued["output"], "changes")
    assert result.exit_code == 0, result.output
    listed = result.output.split("Pages moved:")[0].splitlines()
    assert listed == [
        "Changes since issue 1: 3",
        "  Agenda: item 5 retitled: “Joint Working with the Violence Reduction Unit (VRU) (verbal "
        "update)” → “Joint Working with the Violence Reduction Unit – Update”",
        "  Item 3 – Action Log 2020 - 2021: 2020/17: update changed",
        "  Item 8 – BHR Case Review Guidance, Process and Forms: paper added: Late Paper - "
        "Safeguarding Audit",
    ]


def test_changes_gives_the_old_and_new_pages_of_items_that_moved(reissued):
    result = packgen(reissued["data"], reissued["output"], "changes")
    moved = result.output.split("Pages moved:\n")[1].splitlines()
    assert "  Item 9 – BHR Case Review Tracker: pp. 42–43, now pp. 43–44" in moved
    assert all(", now pp. " in line for line in moved)


def test_the_manifest_records_the_same_changes(reissued):
    manifest = json.loads((reissued["folder"] / "manifest.json").read_text(encoding="utf-8"))
    recorded = manifest["changes"]
    assert recorded["since_issue"] == 1
    assert [c["text"] for c in recorded["changes"]] == [
        "item 5 retitled: “Joint Working with the Violence Reduction Unit (VRU) (verbal update)” "
        "→ “Joint Working with the Violence Reduction Unit – Update”",
        "2020/17: update changed",
        "paper added: Late Paper - Safeguarding Audit",
    ]


def test_issued_packs_are_byte_identical_after_rebuilds(reissued):
    assert digests(reissued["folder"] / "issued") == reissued["issued"]
    assert (reissued["folder"] / "meeting-pack.pdf").read_bytes() != (
        reissued["folder"] / "issued" / "1" / "meeting-pack.pdf"
    ).read_bytes()


def test_a_build_that_fails_leaves_the_issues_untouched(reissued, tmp_path):
    broken = tmp_path / "data"
    shutil.copytree(reissued["data"], broken)
    (broken / "papers" / MEETING / "Late Paper - Safeguarding Audit.docx").write_bytes(b"not a zip")
    result = packgen(broken, reissued["output"], "build")
    assert result.exit_code == 1 and "Late Paper - Safeguarding Audit.docx" in result.output
    assert digests(reissued["folder"] / "issued") == reissued["issued"]


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
