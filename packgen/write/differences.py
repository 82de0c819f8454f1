"""What changed inside a document packgen writes, said as the officers would say it.

Each function takes the content records (write.contents) of the issued and the built document
and returns lines such as `2020/17: update changed; now Closed` or `item 5 retitled: …`.
"""

from __future__ import annotations

from collections.abc import Callable

RESTRICTED = "now restricted"  # an agenda line ending so makes the item restricted since issue


def content_differences(before: dict, after: dict) -> list[str]:
    """Say what changed between two records of the same document packgen writes."""
    lines: list[str] = []
    for key, describe in _DESCRIBED.items():
        if before.get(key) != after.get(key):
            lines += describe(before.get(key) or [], after.get(key) or [])
    if before.get("template_sha256") != after.get("template_sha256"):
        lines.append("its template changed")
    return lines or ["changed"]


def item_differences(before: dict, after: dict) -> list[str]:
    """Say which agenda items were added, removed, moved, retimed, retitled or restricted."""
    old, new = list(before.get("items") or []), list(after.get("items") or [])
    pairs = _pairs(old, new, lambda i: str(i["title"]).casefold())
    pairs += _pairs(old, new, lambda i: i["number"])
    lines: list[str] = []
    for was, now in sorted(pairs, key=lambda p: _order(p[1]["number"])):
        lines += _item_change(was, now)
    lines += [f"item {i['number']} added: “{i['title']}”" for i in new]
    lines += [f"item {i['number']} removed: “{i['title']}”" for i in old]
    if before.get("template_sha256") != after.get("template_sha256"):
        lines.append("the agenda's template changed")
    return lines


def _pairs(old: list[dict], new: list[dict], key: Callable[[dict], object]) -> list[tuple]:
    """Take the items found in both lists by `key` out of them, as (old, new) pairs."""
    pairs = []
    for item in list(new):
        match = next((o for o in old if key(o) == key(item)), None)
        if match is not None:
            old.remove(match)
            new.remove(item)
            pairs.append((match, item))
    return pairs


def _order(number: int | None) -> int:
    return -1 if number is None else number


def _item_change(was: dict, now: dict) -> list[str]:
    number, lines = now["number"], []
    if was["number"] != number:
        lines.append(f"item “{now['title']}” moved from {was['number']} to {number}")
    if was["title"] != now["title"]:
        lines.append(f"item {number} retitled: now “{now['title']}”, was “{was['title']}”")
    if was.get("minutes") != now.get("minutes"):
        lines.append(
            f"item {number} retimed: now {_minutes(now.get('minutes'))}, "
            f"was {_minutes(was.get('minutes'))}"
        )
    if was.get("lead") != now.get("lead"):
        lines.append(f"item {number}: lead now {now.get('lead') or 'none'}")
    if was.get("restricted") != now.get("restricted"):
        state = RESTRICTED if now.get("restricted") else "no longer restricted"
        lines.append(f"item {number} {state}")
    return lines


def _minutes(value: int | None) -> str:
    return "no time" if value is None else f"{value} minutes"


def _actions(old: list[dict], new: list[dict]) -> list[str]:
    return _rows(old, new, "ref", "action", _action_change)


def _action_change(was: dict, now: dict) -> list[str]:
    said = []
    if was["text"] != now["text"]:
        said.append("action reworded")
    if was["lead"] != now["lead"]:
        said.append(f"lead now {now['lead'] or 'none'}")
    if was["update"] != now["update"]:
        said.append("update changed")
    if was["status"] != now["status"]:
        said.append(f"now {now['status']}")
    return said


def _cases(old: list[dict], new: list[dict]) -> list[str]:
    return _rows(old, new, "initials", "case", _case_change)


def _case_change(was: dict, now: dict) -> list[str]:
    fields = [name.replace("_", " ") for name in now if was.get(name) != now[name]]
    return ["updated"] if fields == ["update"] else [f"{', '.join(fields)} changed"]


def _rows(
    old: list[dict],
    new: list[dict],
    key: str,
    noun: str,
    change: Callable[[dict, dict], list[str]],
) -> list[str]:
    """Compare rows kept by `key` (an action's ref, a case's initials): added, removed, changed."""
    before = {row[key]: row for row in old}
    after = {row[key]: row for row in new}
    lines = []
    for name, row in after.items():
        if name not in before:
            lines.append(f"{noun} {name} added")
        elif before[name] != row:
            said = "; ".join(change(before[name], row))
            lines.append(f"{name}: {said}" if noun == "action" else f"{noun} {name} {said}")
    lines += [f"{noun} {name} removed" for name in before if name not in after]
    return lines


def _letter(old: dict, new: dict) -> list[str]:
    fields = [name for name in new if old.get(name) != new.get(name)]
    return [f"letter changed: {', '.join(fields)}"]


def _meetings(old: list[dict], new: list[dict]) -> list[str]:
    return _rows(old, new, "heading", "meeting", lambda was, now: ["changed"])


def _recommendations(old: list[dict], new: list[dict]) -> list[str]:
    return _rows(old, new, "number", "recommendation", lambda was, now: ["changed"])


def _minutes_items(old: list[dict], new: list[dict]) -> list[str]:
    return _rows(old, new, "number", "notes of item", lambda was, now: ["changed"])


def _header(old: list, new: list) -> list[str]:
    return ["the case review's details changed"]


_DESCRIBED: dict[str, Callable[[list | dict, list | dict], list[str]]] = {
    "actions": _actions,
    "cases": _cases,
    "meetings": _meetings,
    "header": _header,
    "recommendations": _recommendations,
    "minutes": _minutes_items,
    "letter": _letter,
}
