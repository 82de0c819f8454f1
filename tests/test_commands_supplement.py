"""The supplement's lines: what the public supplement says of restricted documents."""

from __future__ import annotations

from packgen.commands.supplement import public_lines
from packgen.write.changes import Change, Changes

TITLES = {3: "Action Log", 9: "Case Review Tracker"}


def test_a_restricted_documents_changes_become_one_notice_in_the_public_supplement():
    changes = Changes(1, TITLES, [
        Change(3, "2020/17: now Closed", "03-action-log"),
        Change(9, "case AB updated", "09-tracker", private=True),
        Change(9, "case CD added", "09-tracker", private=True),
        Change(9, "paper withdrawn: Case CD chronology", private=True),
    ])  # fmt: skip
    assert public_lines(changes, {"09-tracker"}) == [
        ("Item 3 – Action Log: 2020/17: now Closed", "03-action-log"),
        ("Item 9 – Case Review Tracker: restricted, not for publication", None),
    ]


def test_a_paper_restricted_since_the_issue_is_named_only_as_its_item(tmp_path):
    changes = Changes(1, TITLES, [Change(9, "Minutes is now restricted", None, True, private=True)])
    lines = public_lines(changes, set())
    assert lines == [("Item 9 – Case Review Tracker: restricted, not for publication", None)]
