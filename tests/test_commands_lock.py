from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from packgen.commands.lock import LockError, lock_path, meeting_lock

DAY = dt.date(2020, 10, 15)


def test_the_lock_file_names_the_meeting_and_holds_the_builders_pid(tmp_path: Path) -> None:
    with meeting_lock(tmp_path, DAY) as path:
        assert path == tmp_path / ".2020-10-15.lock"
        assert path.read_text() == f"{os.getpid()}\n"
    assert not lock_path(tmp_path, DAY).exists()


def test_a_second_holder_fails_after_its_wait_naming_file_and_pid(tmp_path: Path) -> None:
    with (
        meeting_lock(tmp_path, DAY),
        pytest.raises(LockError) as caught,
        meeting_lock(tmp_path, DAY, wait=0.3),
    ):
        pass
    message = str(caught.value)
    assert f"{tmp_path / '.2020-10-15.lock'}: locked by pid {os.getpid()}" in message
    assert "waited 0.3 s" in message


def test_other_meetings_are_not_locked(tmp_path: Path) -> None:
    with meeting_lock(tmp_path, DAY), meeting_lock(tmp_path, dt.date(2020, 11, 27), wait=0):
        assert len(list(tmp_path.glob(".*.lock"))) == 2


def test_a_released_lock_can_be_taken_again(tmp_path: Path) -> None:
    with meeting_lock(tmp_path, DAY):
        pass
    with meeting_lock(tmp_path, DAY, wait=0) as path:
        assert path.exists()
