"""What changed since an issue, said in the officers' terms, from two manifests."""

from __future__ import annotations

import copy

from packgen.write.changes import compare


def action(ref: str, update: str = "", status: str = "Open") -> dict:
    return {"ref": ref, "text": f"Do {ref}", "lead": "LP", "update": update, "status": status}


def item(number: int, title: str, minutes: int = 10, docs: tuple[str, ...] = ()) -> dict:
    return {
        "number": number,
        "title": title,
        "lead": "All",
        "minutes": minutes,
        "restricted": False,
    }


def manifest() -> dict:
    """An issued pack: the agenda, an action log for item 3, two papers for item 8."""
    agenda = {
        "template_sha256": "t",
        "items": [item(3, "Action Log"), item(5, "VRU"), item(8, "Case Review Guidance")],
    }
    log = {"template_sha256": "t", "actions": [action("2020/17"), action("2020/18")]}
    return {
        "items": [
            {"number": 3, "title": "Action Log", "pages": [3, 5], "documents": ["03-action-log"]},
            {"number": 5, "title": "VRU", "pages": None, "documents": []},
            {"number": 8, "title": "Case Review Guidance", "pages": [6, 9],
             "documents": ["08a-protocol", "08b-form"]},
        ],
        "documents": [
            {"key": "00-agenda", "title": "Agenda", "item": None, "content": agenda},
            {"key": "03-action-log", "title": "Action Log", "item": 3, "content": log},
            {"key": "08a-protocol", "title": "Protocol", "item": 8, "paper": "papers/p.docx",
             "content": {"sha256": "a"}},
            {"key": "08b-form", "title": "Form", "item": 8, "paper": "papers/f.docx",
             "content": {"sha256": "b"}},
        ],
    }  # fmt: skip


def documents(m: dict) -> dict:
    return {d["key"]: d for d in m["documents"]}


def test_the_same_pack_has_no_changes():
    found = compare(manifest(), manifest(), 1)
    assert (found.changes, found.pages) == ([], [])


def test_an_action_closed_says_now_closed():
    built = manifest()
    documents(built)["03-action-log"]["content"]["actions"][0]["status"] = "Closed"
    assert compare(manifest(), built, 1).lines() == ["Item 3 – Action Log: 2020/17: now Closed"]


def test_an_update_changed_and_an_action_added_are_each_a_line():
    built = manifest()
    actions = documents(built)["03-action-log"]["content"]["actions"]
    actions[1]["update"] = "Done in November"
    actions.append(action("2020/19"))
    found = compare(manifest(), built, 1)
    assert [c.text for c in found.changes] == ["2020/18: update changed", "action 2020/19 added"]
    assert found.documents == ["03-action-log"]


def test_agenda_items_retitled_retimed_added_and_moved():
    built = manifest()
    items = documents(built)["00-agenda"]["content"]["items"]
    items[1]["title"], items[1]["minutes"] = "VRU – update", 15
    items[2]["number"] = 9
    items.insert(2, item(8, "Late item"))
    found = compare(manifest(), built, 1)
    assert [c.text for c in found.changes] == [
        "item 5 retitled: now “VRU – update”, was “VRU”",
        "item 5 retimed: now 15 minutes, was 10 minutes",
        "item “Case Review Guidance” moved from 8 to 9",
        "item 8 added: “Late item”",
    ]
    assert found.documents == []  # the agenda's changes are listed, the agenda not sent again


def test_a_paper_added_before_another_leaves_that_one_unchanged():
    built = manifest()
    late = {"key": "08a-late", "title": "Late", "item": 8, "paper": "papers/l.docx",
            "content": {"sha256": "c"}}  # fmt: skip
    built["documents"].insert(2, late)
    documents(built)["08a-protocol"]["key"] = "08b-protocol"
    found = compare(manifest(), built, 1)
    assert found.lines() == ["Item 8 – Case Review Guidance: paper added: Late"]
    assert found.documents == ["08a-late"]


def test_a_paper_replaced_and_a_paper_withdrawn():
    built = manifest()
    documents(built)["08a-protocol"]["content"]["sha256"] = "new bytes"
    built["documents"].pop()
    found = compare(manifest(), built, 2)
    assert [c.text for c in found.changes] == ["paper replaced: Protocol", "paper withdrawn: Form"]
    assert found.documents == ["08a-protocol"]


def test_items_whose_pages_moved_say_old_and_new_pages():
    built = copy.deepcopy(manifest())
    built["items"][2]["pages"] = [6, 11]
    assert compare(manifest(), built, 1).page_lines() == [
        "Item 8 – Case Review Guidance: pp. 6–9, now pp. 6–11"
    ]


def test_a_paper_restricted_since_the_issue_is_a_restricted_change():
    built = manifest()
    documents(built)["08b-form"]["restricted"] = True
    (change,) = compare(manifest(), built, 1).changes
    assert change.restricted and change.text == "Form is now restricted"


def test_an_agenda_item_restricted_since_the_issue_is_a_restricted_change():
    built = manifest()
    documents(built)["00-agenda"]["content"]["items"][1]["restricted"] = True
    (change,) = compare(manifest(), built, 1).changes
    assert (change.item, change.text, change.restricted) == (None, "item 5 now restricted", True)
