"""The command line's own behaviour, apart from what each command does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

# A command interrupted while Python runs code it compiled from a string, as dataclasses'
# generated methods are when pypdf is imported while LibreOffice converts: deterministic here.
PROBE = """
import signal

from packgen import cli

signal.signal(signal.SIGINT, signal.default_int_handler)  # even if the tests' SIGINT is ignored


@cli.cli.command("probe")
def probe():
    exec("import _thread\\n_thread.interrupt_main()\\nwhile True:\\n    pass\\n")


cli.main()
"""


def test_an_interrupt_caught_inside_code_made_from_a_string_still_exits_1(
    tmp_path: Path,
) -> None:
    """`python -m` exits with click's status 1, not killed by SIGINT (CPython 3.11 to 3.13 mark
    a KeyboardInterrupt leaving exec'd code as unhandled even when it is caught)."""
    (tmp_path / "probe.py").write_text(PROBE, encoding="utf-8")
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)])}
    done = subprocess.run(
        [sys.executable, "-m", "probe", "probe"],
        cwd=tmp_path,
        env=environ,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "Aborted!" in done.stderr
    assert "Traceback" not in done.stderr
