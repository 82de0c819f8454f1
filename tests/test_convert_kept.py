"""LibreOffices kept open between builds: a rebuild converts with the one the last build left
open; they close when idle, when `packgen stop` asks, and never serve a stale or dead office."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from packgen.cli import cli
from packgen.commands.pipeline import build
from packgen.convert.keeper import INSTALLATION, LAST_USED, OPENED, STATE, pipe_paths, try_lock
from packgen.convert.kept import (
    RUNTIME_ENV,
    kept_offices,
    prune_slots,
    runtime_dir,
    stop_offices,
)
from packgen.convert.profile import SETTINGS
from packgen.convert.soffice import install_stamp
from packgen.errors import InputError
from packgen.settings import KEEP_ENV, load_settings

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "packgen" / "templates"
MEETING = dt.date(2020, 10, 15)


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A private runtime folder, keeping on (2 minutes) and a soffice that logs its calls."""
    folder = tmp_path / "runtime"
    monkeypatch.setenv(RUNTIME_ENV, str(folder))
    monkeypatch.setenv(KEEP_ENV, "120")
    log = tmp_path / "soffice-calls.txt"
    wrapper = tmp_path / "bin" / "soffice"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec /usr/bin/soffice "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PACKGEN_SOFFICE", str(wrapper))
    yield folder
    stop_offices()


def calls(tmp_path: Path) -> list[str]:
    path = tmp_path / "soffice-calls.txt"
    return path.read_text().splitlines() if path.exists() else []


def started(tmp_path: Path) -> int:
    """How many LibreOffices were started to stay up (kept or ahead), not client calls."""
    return sum("keep-open" in call for call in calls(tmp_path))


def change_cell(data: Path, text: str) -> None:
    book = openpyxl.load_workbook(data / "action_log.xlsx")
    book["Action Log"]["D7"] = text
    book.save(data / "action_log.xlsx")


def pack_text(pack: Path) -> str:
    """The pack's words, one space apart (table cells wrap lines)."""
    text = subprocess.run(["pdftotext", str(pack), "-"], capture_output=True, text=True).stdout
    return " ".join(text.split())


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes() != b""
    except OSError:
        return False


def wait_until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_a_rebuild_converts_with_the_libreoffices_the_last_build_kept(
    runtime: Path, sample_copy: Path, tmp_path: Path
) -> None:
    build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    offices = kept_offices()
    assert len(offices) == 2 and all(alive(o["office"]) for o in offices)
    assert started(tmp_path) == 2
    change_cell(sample_copy, "Checked with the kept LibreOffice (k-17)")
    before = len(calls(tmp_path))
    result = build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    assert result.converted == 1
    assert started(tmp_path) == 2  # no LibreOffice was started for the rebuild
    rebuild_calls = calls(tmp_path)[before:]
    profiles = {f"{Path(runtime / s).resolve().as_uri()}" for s in os.listdir(runtime)}
    assert rebuild_calls and all("--convert-to" in call for call in rebuild_calls)
    assert all(any(p in call for p in profiles) for call in rebuild_calls)
    assert kept_offices() == offices
    assert "Checked with the kept LibreOffice (k-17)" in pack_text(result.pack)


def test_kept_libreoffices_close_by_themselves_once_idle(
    runtime: Path, sample_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Kept 5 s: long enough to outlast what the build does after its last conversion (the
    # merges), on a busy machine too; short enough to watch them close.
    monkeypatch.setenv(KEEP_ENV, "5")
    build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    offices = kept_offices()
    assert offices, "the build kept no LibreOffice open"
    gone = lambda: not any(alive(o["office"]) or alive(o["keeper"]) for o in offices)  # noqa: E731
    assert wait_until(lambda: not kept_offices() and gone())
    for slot in runtime.glob("office-*"):
        assert not (slot / "profile" / OPENED).exists()
        assert not any(p.exists() for p in pipe_paths(slot / "profile"))


def test_packgen_stop_closes_them(runtime: Path, sample_copy: Path, tmp_path: Path) -> None:
    build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    offices = kept_offices()
    assert len(offices) == 2
    result = CliRunner().invoke(cli, ["stop"])
    assert result.exit_code == 0, result.output
    assert "Closed 2 kept LibreOffices" in result.output
    assert not kept_offices()
    assert not any(alive(o["office"]) for o in offices)
    assert not any((slot / "profile" / OPENED).exists() for slot in runtime.glob("office-*"))
    assert len(list(runtime.glob("office-*/profile"))) == 2  # kept for the next keepers


def test_the_next_libreoffice_reuses_the_profile_unless_libreoffice_changed(
    runtime: Path, sample_copy: Path, tmp_path: Path
) -> None:
    build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    stop_offices()
    slots = sorted(runtime.glob("office-*"))
    for slot in slots:
        (slot / "profile" / "user" / "marker").write_text("set up before")
    (slots[1] / "installation").write_text("a LibreOffice since upgraded")
    change_cell(sample_copy, "Built on a reused profile (k-41)")
    result = build(sample_copy, TEMPLATES, tmp_path / "fresh", MEETING)  # from clean: two
    assert "Built on a reused profile (k-41)" in pack_text(result.pack)
    assert len(kept_offices()) == 2
    assert (slots[0] / "profile" / "user" / "marker").exists()
    assert not (slots[1] / "profile" / "user" / "marker").exists()


def test_a_kept_libreoffice_that_died_is_replaced(
    runtime: Path, sample_copy: Path, tmp_path: Path
) -> None:
    build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    dead = kept_offices()
    for office in dead:
        os.killpg(office["office"], signal.SIGKILL)
    assert wait_until(lambda: not kept_offices())  # each keeper notices and clears its slot
    change_cell(sample_copy, "Converted after the kept LibreOffice died (k-23)")
    result = build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    assert "Converted after the kept LibreOffice died (k-23)" in pack_text(result.pack)
    fresh = kept_offices()
    assert fresh and {o["office"] for o in fresh}.isdisjoint(o["office"] for o in dead)


def test_a_slot_another_build_holds_is_passed_over(
    runtime: Path, sample_copy: Path, tmp_path: Path
) -> None:
    build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    slot = sorted(runtime.glob("office-*"))[0]
    busy = kept_offices()[0]
    with open(slot / "lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        change_cell(sample_copy, "Built while a slot was busy (k-31)")
        result = build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    assert "Built while a slot was busy (k-31)" in pack_text(result.pack)
    assert alive(busy["office"])  # the busy slot's LibreOffice was left alone


def test_keeping_off_leaves_nothing_running(
    runtime: Path, sample_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEEP_ENV, "0")
    build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    assert not kept_offices()
    assert not list(runtime.glob("office-*"))


def test_a_runtime_folder_others_can_read_is_not_used(
    runtime: Path, sample_copy: Path, tmp_path: Path
) -> None:
    runtime.mkdir(mode=0o700)
    runtime.chmod(0o755)
    assert runtime_dir() is None
    result = build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    assert result.pages == 52
    assert not kept_offices() and not list(runtime.glob("office-*"))


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf"])
def test_a_bad_keep_setting_names_the_variable(
    value: str, sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEEP_ENV, value)
    with pytest.raises(InputError) as caught:
        load_settings(sample_copy)
    assert f"{KEEP_ENV}: {value!r} is not a number of seconds, 0 or more" in str(caught.value)


def test_an_interrupted_build_closes_the_libreoffices_that_were_converting(
    runtime: Path, sample_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    first = build(sample_copy, TEMPLATES, output, MEETING)
    before = first.pack.read_bytes()
    shutil.rmtree(output / ".cache")  # so that the next build has everything to convert
    command = [sys.executable, "-m", "packgen", "-v", "build", MEETING.isoformat()]
    command += ["--data", str(sample_copy), "--templates", str(TEMPLATES), "--output", str(output)]
    change_cell(sample_copy, "Never built (k-53)")
    running = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert running.stderr is not None
    for line in running.stderr:
        if "Converting with LibreOffice as the documents come" in line:
            break
    else:
        pytest.fail("the build ended without converting")
    time.sleep(0.5)  # LibreOffice is converting
    running.send_signal(signal.SIGINT)
    rest = running.stderr.read()
    assert running.wait(timeout=60) == 1, rest
    assert "Traceback" not in rest
    assert "converting with a new one" not in rest  # an interrupted batch is not tried again
    assert first.pack.read_bytes() == before
    assert wait_until(lambda: not kept_offices())
    assert wait_until(lambda: not _office_processes(runtime))


def _office_processes(runtime: Path) -> list[str]:
    """Command lines of live LibreOffice processes on a profile under `runtime`."""
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if (
                "soffice" in command
                and str(runtime) in command
                and "packgen.convert.keeper" not in command
            ):
                found.append(command)
    return found


@pytest.mark.parametrize("module", ["packgen.convert.keeper", "packgen.keeper"])
def test_packgen_stop_stops_a_keeper_of_this_layout_or_the_one_before(
    tmp_path: Path, module: str
) -> None:
    """A keeper an earlier packgen started as `python -m packgen.keeper` is still found."""
    runtime = tmp_path / "runtime"
    slot = runtime / "office-0000abcd-0"
    slot.mkdir(parents=True)
    runtime.chmod(0o700)
    environ = {RUNTIME_ENV: str(runtime)}
    keeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "-m", module])
    cmdline = Path(f"/proc/{keeper.pid}/cmdline")
    try:  # until it has exec'd, the child's command line is still this process's
        assert wait_until(lambda: module.encode() in cmdline.read_bytes().split(b"\0"))
        (slot / STATE).write_text(json.dumps({"keeper": keeper.pid, "office": 0}))
        assert [state["keeper"] for state in kept_offices(environ)] == [keeper.pid]
        assert stop_offices(environ) == 1
        assert keeper.wait(timeout=10) == -signal.SIGTERM
    finally:
        keeper.kill()
        keeper.wait()


# --- slots left behind: removed by the next build or `packgen stop` --------------------------


def make_slot(runtime: Path, name: str, installation: str, unused: float) -> Path:
    """A slot as a keeper leaves it: a profile, the installation it is for, when last used."""
    slot = runtime / name
    (slot / "profile").mkdir(parents=True)
    (slot / "profile" / "registrymodifications.xcu").write_text("<items/>")
    (slot / INSTALLATION).write_text(installation)
    (slot / LAST_USED).touch()
    then = time.time() - unused
    os.utime(slot / LAST_USED, (then, then))
    return slot


def installed() -> str:
    return f"{install_stamp(Path(shutil.which('soffice') or 'soffice'))}|{SETTINGS}"


def fake_keeper() -> subprocess.Popen:
    keeper = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "-m", "packgen.convert.keeper"]
    )
    cmdline = Path(f"/proc/{keeper.pid}/cmdline")
    assert wait_until(lambda: b"packgen.convert.keeper" in cmdline.read_bytes().split(b"\0"))
    return keeper


def test_slots_of_a_libreoffice_gone_or_changed_or_long_unused_are_removed(
    tmp_path: Path,
) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    environ = {RUNTIME_ENV: str(runtime)}
    gone = f"{tmp_path / 'deleted' / 'soffice'}:120:1700000000|{SETTINGS}"
    upgraded = f"{install_stamp(Path(shutil.which('soffice') or 'soffice'))}|an older profile"
    fresh = make_slot(runtime, "office-aaaaaaaa-0", installed(), unused=10)
    make_slot(runtime, "office-aaaaaaaa-1", installed(), unused=700)  # unused > keep
    make_slot(runtime, "office-bbbbbbbb-0", gone, unused=10)  # its soffice was deleted
    make_slot(runtime, "office-cccccccc-0", upgraded, unused=10)  # set up otherwise
    busy = make_slot(runtime, "office-dddddddd-0", gone, unused=700)
    running = make_slot(runtime, "office-eeeeeeee-0", gone, unused=700)
    lock = try_lock(busy)  # a build is using it
    keeper = fake_keeper()
    try:
        (running / STATE).write_text(json.dumps({"keeper": keeper.pid, "office": 0}))
        assert prune_slots(600, environ) == 3
        assert sorted(runtime.iterdir()) == [fresh, busy, running]
        assert (fresh / "profile" / "registrymodifications.xcu").is_file()  # left whole
        # `packgen stop`: the keeper is stopped, then its slot is pruned like the others.
        assert stop_offices(environ, keep=600) == 1
        assert keeper.wait(timeout=10) == -signal.SIGTERM
        assert sorted(runtime.iterdir()) == [fresh, busy]
    finally:
        keeper.kill()
        keeper.wait()
        assert lock is not None
        os.close(lock)
    assert stop_offices(environ, keep=600) == 0 and list(runtime.iterdir()) == [fresh]


def test_a_build_removes_stale_slots_and_keeps_the_profiles_it_takes(
    runtime: Path, sample_copy: Path, tmp_path: Path
) -> None:
    build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    for state in kept_offices():  # the keepers close their LibreOffices, as when idle
        os.kill(state["keeper"], signal.SIGTERM)
    assert wait_until(lambda: not kept_offices())
    ours = sorted(runtime.glob("office-*"))
    assert len(ours) == 2
    for slot in ours:  # long unused, yet this build's to take: their profiles stay
        (slot / "profile" / "marker").touch()
        os.utime(slot / LAST_USED, (0, 0))
    stale = make_slot(runtime, "office-bbbbbbbb-0", f"{tmp_path / 'gone'}:1:2|{SETTINGS}", 10)
    idle = make_slot(runtime, "office-cccccccc-1", installed(), unused=1000)  # kept 120 s
    change_cell(sample_copy, "Converted after the slots were pruned")
    build(sample_copy, TEMPLATES, tmp_path / "out", MEETING)
    assert not stale.exists() and not idle.exists()
    assert sorted(runtime.glob("office-*")) == ours
    assert all((slot / "profile" / "marker").exists() for slot in ours)
