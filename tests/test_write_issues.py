"""Issued packs: kept whole and read-only under issued/N/, checked before they are trusted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from packgen.errors import InputError
from packgen.write.issues import all_issues, issue_of, issue_pack, last_issue
from packgen.write.staging import move_into_place, staging_folder


def built_folder(root: Path, pack: bytes = b"%PDF-1.7 full") -> Path:
    """A meeting folder as a build leaves it: the pack, the public pack and the manifest."""
    folder = root / "2020-10-15"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meeting-pack.pdf").write_bytes(pack)
    (folder / "public-pack.pdf").write_bytes(b"%PDF-1.7 public")
    manifest = {"meeting": "2020-10-15", "public_pack": {"file": "public-pack.pdf"}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_first_issue_keeps_pack_public_pack_and_manifest_read_only(tmp_path):
    folder = built_folder(tmp_path)
    issue = issue_pack(folder)
    assert issue.number == 1 and issue.folder == folder / "issued" / "1"
    kept = sorted(p.name for p in issue.folder.iterdir())
    assert kept == ["issue.json", "manifest.json", "meeting-pack.pdf", "public-pack.pdf"]
    assert (issue.folder / "meeting-pack.pdf").read_bytes() == b"%PDF-1.7 full"
    assert all(not os.stat(p).st_mode & 0o222 for p in [issue.folder, *issue.folder.iterdir()])


def test_issuing_the_same_pack_again_gives_the_same_issue(tmp_path):
    folder = built_folder(tmp_path)
    first = issue_pack(folder)
    assert issue_pack(folder) == first
    assert [i.number for i in all_issues(folder)] == [1]


def test_a_changed_pack_becomes_the_next_issue(tmp_path):
    folder = built_folder(tmp_path)
    first = issue_pack(folder)
    built_folder(tmp_path, b"%PDF-1.7 revised")
    second = issue_pack(folder)
    assert (second.number, last_issue(folder)) == (2, second)
    assert issue_of(folder, first.pack_sha) == first


def test_an_issued_file_edited_by_hand_is_refused_naming_it(tmp_path):
    folder = built_folder(tmp_path)
    issue = issue_pack(folder)
    pack = issue.folder / "meeting-pack.pdf"
    pack.chmod(0o644)
    pack.write_bytes(b"%PDF-1.7 edited")
    with pytest.raises(InputError) as caught:
        last_issue(folder)
    assert "2020-10-15/issued/1 › meeting-pack.pdf: changed since it was issued" in str(
        caught.value
    )


def test_a_missing_issue_is_refused_naming_it(tmp_path):
    folder = built_folder(tmp_path)
    issue_pack(folder)
    built_folder(tmp_path, b"%PDF-1.7 revised")
    issue_pack(folder)
    first = folder / "issued" / "1"
    first.chmod(0o755)
    os.rename(first, folder / "issued" / "old")
    with pytest.raises(InputError, match="2020-10-15/issued: issue 1 is not there"):
        all_issues(folder)


def test_no_pack_to_issue_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="There is no pack to issue"):
        issue_pack(tmp_path / "2020-10-15")


def test_a_new_build_moved_into_place_keeps_the_issues_the_send_log_and_the_notes(tmp_path):
    final = built_folder(tmp_path / "output")
    issue = issue_pack(final)
    (final / "email").mkdir()
    (final / "email" / "sent.json").write_text('{"sent": []}')
    (final / f"notes-{final.name}.docx").write_bytes(b"the minute-taker's template")
    (final / "new-actions.xlsx").write_bytes(b"rows to paste")
    staging = tmp_path / "output" / ".packgen-build-1"
    new = built_folder(staging, b"%PDF-1.7 rebuilt")
    move_into_place(new, final, staging)
    assert (final / "meeting-pack.pdf").read_bytes() == b"%PDF-1.7 rebuilt"
    assert last_issue(final).files == issue.files
    assert (final / "email" / "sent.json").read_text() == '{"sent": []}'
    assert (final / f"notes-{final.name}.docx").read_bytes() == b"the minute-taker's template"
    assert (final / "new-actions.xlsx").read_bytes() == b"rows to paste"


def abandoned_build(output: Path) -> Path:
    """The folder of a build killed outright (its pid long gone) between its renames."""
    return output / ".packgen-build-999999999-x"


def test_issues_a_killed_build_moved_aside_are_put_back(tmp_path):
    output = tmp_path / "output"
    final = built_folder(output)
    issue = issue_pack(final)
    staging = abandoned_build(output)
    new = built_folder(staging, b"%PDF-1.7 rebuilt")
    os.replace(final, staging / "previous")
    os.replace(staging / "previous" / "issued", new / "issued")  # killed just after the carry
    with staging_folder(output):
        pass
    assert not staging.exists()
    assert (final / "meeting-pack.pdf").read_bytes() == b"%PDF-1.7 full"
    assert last_issue(final).files == issue.files


def test_issues_carried_into_a_killed_builds_new_folder_are_put_back(tmp_path):
    output = tmp_path / "output"
    final = built_folder(output)
    issue = issue_pack(final)
    new = built_folder(abandoned_build(output), b"%PDF-1.7 rebuilt")
    os.replace(final / "issued", new / "issued")
    with staging_folder(output):
        pass
    assert last_issue(final).files == issue.files
