"""(g) Emailing the sample pack to an SMTP server on loopback: per recipient against the group send.

`packgen email --send` runs as a user runs it (its own Python process), on the sample pack built
with a pack password, to a real SMTP server on 127.0.0.1 (aiosmtpd) that accepts every message;
each run starts with no send log, so every message is sent. The group send (one message to the
chairs, one to the members) is the baseline; the per-recipient send (`--per-recipient`: a copy
stamped for each person, encrypted, one message each) is measured in turns with it, so that the
machine's drift moves both alike. The cost of one copy is the difference over the number of
copies, against a clean build measured in the same run (target: under a tenth).

`python -m benchmarks.sending` measures these rows alone, with clean builds of its own as the
baseline; `make bench` measures them after (f), against its (c).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA, TEMPLATES, OUTPUT = ROOT / "data", ROOT / "packgen" / "templates", ROOT / "output"
MEETING = "2020-10-15"
PASSWORD = "bench pack password"  # the copies are encrypted with it, as the pack is
RUNS = 5
TARGET = 0.1  # one copy's cost, as a share of a clean build


@dataclass
class Sends:
    """The medians of the group and per-recipient sends, and how many copies each run made."""

    group: list[float] = field(default_factory=list)
    per_recipient: list[float] = field(default_factory=list)
    copies: int = 0
    messages: int = 0  # what the server accepted over all the runs

    def per_copy(self) -> float:
        extra = statistics.median(self.per_recipient) - statistics.median(self.group)
        return max(extra, 0.0) / max(self.copies, 1)


class _Accept:
    """An aiosmtpd handler that accepts every message and counts them."""

    def __init__(self) -> None:
        self.messages = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        return "250 Message accepted"


@contextlib.contextmanager
def loopback_server() -> Iterator[tuple[int, _Accept]]:
    """A real SMTP server on 127.0.0.1; yield its port and handler."""
    from aiosmtpd.controller import Controller  # a test dependency: `make bench` installs it

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = _Accept()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACKGEN_SMTP")}
    env.update({"PACKGEN_PACK_PASSWORD": PASSWORD, **extra})
    return env


def build_pack(output: Path) -> None:
    """Build the sample pack with the pack password into `output` (not timed)."""
    command = [sys.executable, "-m", "packgen", "-q", "build", MEETING, "--data", str(DATA)]
    command += ["--templates", str(TEMPLATES), "--output", str(output)]
    _run(command, _env())


def send(output: Path, port: int, per_recipient: bool) -> float:
    """Time one `packgen email --send` of the built pack, from no send log."""
    shutil.rmtree(output / MEETING / "email", ignore_errors=True)
    command = [sys.executable, "-m", "packgen", "-q", "email", MEETING, "--data", str(DATA)]
    command += ["--templates", str(TEMPLATES), "--output", str(output), "--send"]
    command += ["--per-recipient"] if per_recipient else []
    started = time.perf_counter()
    _run(command, _env(PACKGEN_SMTP_HOST="127.0.0.1", PACKGEN_SMTP_PORT=str(port)))
    return time.perf_counter() - started


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        command, capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[3:6])} failed:\n{done.stdout}\n{done.stderr}")


def measure_sends(work: Path, runs: int = RUNS) -> Sends:
    """Build the sample pack in `work`, then time the group and per-recipient sends in turns."""
    output = work / "send"
    build_pack(output)
    sends = Sends()
    with loopback_server() as (port, handler):
        send(output, port, per_recipient=True)  # warm-up (font subset, page cache): not timed
        for _ in range(runs):
            sends.group.append(send(output, port, per_recipient=False))
            sends.per_recipient.append(send(output, port, per_recipient=True))
        sends.messages = handler.messages
    copies = output / MEETING / "email" / "copies"
    sends.copies = len(list(copies.glob("*.pdf")))
    return sends


def report(sends: Sends, build: float) -> dict:
    """The figures and ratios, against the clean build of the same run."""
    group, per_recipient = (statistics.median(t) for t in (sends.group, sends.per_recipient))
    return {
        "send_group_s": round(group, 3),
        "send_per_recipient_s": round(per_recipient, 3),
        "copies": sends.copies,
        "per_copy_s": round(sends.per_copy(), 3),
        "per_recipient_over_group": round(per_recipient / group, 3),
        "per_copy_over_build": round(sends.per_copy() / build, 3),
        "send_runs": {"group": sends.group, "per_recipient": sends.per_recipient},
    }


def lines(figures: dict, build: float) -> list[str]:
    """The rows `make bench` prints for (g)."""
    ok = "met" if figures["per_copy_over_build"] < TARGET else "NOT met"
    return [
        f"(g) email --send, group (2 messages): {figures['send_group_s']:.2f} s; per recipient "
        f"({figures['copies']} stamped copies): {figures['send_per_recipient_s']:.2f} s "
        f"= {figures['per_recipient_over_group']:.2f} × group",
        f"    one copy: {figures['per_copy_s']:.3f} s = {figures['per_copy_over_build']:.3f} × "
        f"clean build ({build:.2f} s) (< {TARGET}): {ok}",
    ]


def clean_build(output: Path) -> float:
    """Time one `packgen build` from clean, as (c) does: no output, caches or LibreOffice."""
    from packgen.convert import stop_offices

    stop_offices()
    shutil.rmtree(output, ignore_errors=True)
    command = [sys.executable, "-m", "packgen", "-q", "build", MEETING, "--data", str(DATA)]
    command += ["--templates", str(TEMPLATES), "--output", str(output)]
    env = {k: v for k, v in os.environ.items() if k != "PACKGEN_PACK_PASSWORD"}
    started = time.perf_counter()
    _run(command, env)
    return time.perf_counter() - started


def main() -> int:
    """Measure (g) alone: three clean builds of its own as the baseline, then the sends."""
    from packgen.convert import RUNTIME_ENV, stop_offices

    OUTPUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-send-", dir=OUTPUT) as tmp:
        os.environ[RUNTIME_ENV] = str(Path(tmp) / "runtime")  # kept LibreOffices of its own
        try:
            build = statistics.median(clean_build(Path(tmp) / "clean") for _ in range(3))
            sends = measure_sends(Path(tmp))
        finally:
            stop_offices()
    figures = report(sends, build)
    for line in lines(figures, build):
        sys.stdout.write(line + "\n")
    sys.stdout.write(json.dumps({**figures, "build_s": round(build, 3)}) + "\n")
    return 0 if figures["per_copy_over_build"] < TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
