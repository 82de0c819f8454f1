"""`make bench`: time LibreOffice alone and `packgen build` on this machine, in one run.

Prints a table and writes `output/bench.json`. Every figure is a median of several runs; peak
memory is the maximum RSS of packgen's own process and of LibreOffice (its children, and the
LibreOffices kept open between builds). Builds "from clean" start with no output folder, no
cache and no LibreOffice kept open; rebuilds run as a user's do, with the LibreOffice the
previous build kept open (keep_libreoffice, 600 s by default), and once more with it off.
(g), benchmarks/sending.py, emails the sample pack to an SMTP server on loopback, per recipient
against the group send, and weighs one stamped copy against (c).
"""

from __future__ import annotations

import compileall
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl

from benchmarks import sending
from benchmarks.scale import Size, write_partnership
from packgen.convert import (
    RUNTIME_ENV,
    client_command,
    kept_offices,
    prepare_profile,
    soffice_version,
    split_batches,
    stop_offices,
)
from packgen.settings import KEEP_ENV, TAGGED_ENV

ROOT = Path(__file__).resolve().parent.parent
DATA, TEMPLATES, OUTPUT = ROOT / "data", ROOT / "packgen" / "templates", ROOT / "output"
MEETING = "2020-10-15"
RUNS, PAIRED_RUNS, BIG_RUNS = 5, 9, 3
TARGETS = (  # (name, ratio key, limit)
    ("build ≤ 1.5 × limit", "build_over_limit", 1.5),
    ("build ≤ 0.3 × naive", "build_over_naive", 0.3),
    ("unchanged rebuild ≤ 0.15 × build", "unchanged_over_build", 0.15),
    ("one-cell rebuild ≤ 0.4 × build", "one_cell_over_build", 0.4),
    ("scale full ≤ 2.2 × half", "scale_full_over_half", 2.2),
)
MAX_RSS_MB = 400
UNTAGGED = {TAGGED_ENV: "0"}  # tagged_pack = false: measured beside (c) and (e), no target
_CHILD = """
import atexit, json, resource, sys

def usage():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"self_mb": own, "children_mb": kids}), file=sys.stderr)

atexit.register(usage)
from packgen.cli import main  # the console script's entry point, exit included
sys.argv[0] = "packgen"
main()
"""


class Measure:
    """Wall times and peak memory of one benchmark."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.self_mb = 0.0
        self.children_mb = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def packgen_build(data: Path, output: Path, measure: Measure, **env_extra: str) -> None:
    """Run `packgen build` in its own Python process and record its time and memory."""
    command = [sys.executable, "-c", _CHILD, "-q", "build", MEETING, "--data", str(data)]
    command += ["--templates", str(TEMPLATES), "--output", str(output)]
    env = {k: v for k, v in os.environ.items() if k not in ("PACKGEN_PACK_PASSWORD", KEEP_ENV)}
    env.update(env_extra)
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env
    )
    measure.times.append(time.perf_counter() - started)
    if done.returncode != 0:
        raise SystemExit(f"packgen build failed:\n{done.stdout}\n{done.stderr}")
    usage = json.loads(done.stderr.strip().splitlines()[-1])
    measure.self_mb = max(measure.self_mb, usage["self_mb"])
    measure.children_mb = max(measure.children_mb, usage["children_mb"], _kept_peak_mb())


def _kept_peak_mb() -> float:
    """The largest peak RSS of the LibreOffices kept open between builds, from /proc.

    Each runs in a process group of its own (soffice, oosplash, soffice.bin): all are counted.
    """
    groups = {office["office"] for office in kept_offices()}
    peaks = [0.0]
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (proc / "stat").read_text(encoding="ascii")
            if int(stat.rsplit(")", 1)[1].split()[2]) not in groups:  # its process group
                continue
            status = (proc / "status").read_text(encoding="ascii")
            peaks += [int(ln.split()[1]) / 1024 for ln in status.splitlines() if "VmHWM" in ln]
    return max(peaks)


def soffice(docs: Sequence[Path], out_dir: Path, profile: Path) -> float:
    """Convert documents in one soffice process on `profile`; return its peak RSS in MB.

    Each lane has a profile of its own, set up by a first run before anything is timed, as a
    user's LibreOffice has (packgen's kept LibreOffices reuse theirs too). The "prepared" lanes'
    profiles also record LibreOffice's version, as packgen's do (packgen.convert.profile), so that
    LibreOffice skips its start-up self-test there too.
    """
    command = client_command("soffice", profile, list(docs), out_dir)  # packgen's own command
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"soffice failed ({proc.returncode}) on {[d.name for d in docs]}")
    return usage.ru_maxrss / 1024


def timed(runs: int, action: Callable[[], float], measure: Measure | None = None) -> Measure:
    """Time `action` `runs` times into `measure`; it returns its peak memory in MB."""
    measure = measure or Measure()
    for _ in range(runs):
        started = time.perf_counter()
        peak = action()
        measure.times.append(time.perf_counter() - started)
        measure.children_mb = max(measure.children_mb, peak)
    return measure


def sample_documents(work: Path) -> list[Path]:
    """The sample pack's Word documents: packgen's rendered ones and the .docx papers."""
    output = work / "warm-up"
    packgen_build(DATA, output, Measure())
    docs = work / "docs"
    docs.mkdir()
    for path in [
        *(output / MEETING / "documents").glob("*.docx"),
        *(DATA / "papers" / MEETING).glob("*.docx"),
    ]:
        shutil.copyfile(path, docs / path.name)
    return sorted(docs.iterdir())


def naive(docs: list[Path], out: Path, profiles: list[Path]) -> float:
    return max(soffice([doc], out, profiles[0]) for doc in docs)


def parallel(docs: list[Path], out: Path, profiles: list[Path]) -> float:
    batches = split_batches(docs, 2)
    with ThreadPoolExecutor(2) as pool:
        return max(pool.map(soffice, batches, [out] * len(batches), profiles))


def edit_cell(data: Path, run: int) -> None:
    """Change one cell of the action log (a different value every run)."""
    path = data / "action_log.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["Action Log"]
    sheet["D7"] = f"Item added to the forward plan for December 2020 meeting (check {run})."
    book.save(path)


def main() -> int:
    OUTPUT.mkdir(exist_ok=True)
    # As pip does when it installs packgen: otherwise, with PYTHONDONTWRITEBYTECODE set, every
    # build would compile packgen's modules again (about 0.15 s here).
    compileall.compile_dir(ROOT / "packgen", quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-", dir=OUTPUT) as tmp:
        os.environ[RUNTIME_ENV] = str(Path(tmp) / "runtime")  # kept LibreOffices of its own
        try:
            results, docs, pages = _measure(Path(tmp))
            sends = sending.measure_sends(Path(tmp))  # (g): against (c) of this run
        finally:
            stop_offices()
    report = _report(results, len(docs), *pages)
    report.update(sending.report(sends, results["build"].median))
    report["targets"]["per copy < 0.1 × build"] = report["per_copy_over_build"] < sending.TARGET
    (OUTPUT / "bench.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    _print(report, results)
    return 0 if all(report["targets"].values()) else 1


def _measure(work: Path) -> tuple[dict[str, Measure], list[Path], tuple[int, int]]:
    """Run every benchmark in `work`; return the measures, the documents and the scale pages."""
    results: dict[str, Measure] = {}
    docs = sample_documents(work)
    stop_offices()  # LibreOffice alone is measured with no other LibreOffice running
    out = work / "pdf"
    out.mkdir()
    profiles = [work / "profile-1", work / "profile-2"]
    prepared = [work / "prepared-1", work / "prepared-2"]
    for profile in profiles + prepared:
        soffice(docs[:1], out, profile)  # LibreOffice sets the profile up: not timed
    for profile in prepared:
        prepare_profile(profile, "soffice")
    _say(f"{len(docs)} Word documents in the sample pack")
    results["naive"] = timed(BIG_RUNS, lambda: naive(docs, out, profiles))
    # The limits and the clean build take turns, so that the machine's drift over the minutes
    # the benchmark takes moves all alike and their ratios stay fair.
    one, two, one_prepared, two_prepared = Measure(), Measure(), Measure(), Measure()
    results["build"] = Measure()
    results["build_untagged"] = Measure()  # the merged packs without structure trees
    for _ in range(PAIRED_RUNS):
        timed(1, lambda: soffice(docs, out, profiles[0]), one)
        timed(1, lambda: parallel(docs, out, profiles), two)
        timed(1, lambda: soffice(docs, out, prepared[0]), one_prepared)
        timed(1, lambda: parallel(docs, out, prepared), two_prepared)
        _clean_builds(DATA, work / "clean", 1, results["build"])
        _clean_builds(DATA, work / "untagged", 1, results["build_untagged"], **UNTAGGED)
    results["limit"] = min(one, two, key=lambda m: m.median)
    results["limit_prepared"] = min(one_prepared, two_prepared, key=lambda m: m.median)
    _say(f"limit: one run {one.median:.2f} s, two runs in parallel {two.median:.2f} s")
    _say(
        f"limit on prepared profiles: one run {one_prepared.median:.2f} s, "
        f"two runs in parallel {two_prepared.median:.2f} s"
    )
    output = work / "clean"  # its last build is the previous pack for the rebuilds
    results["unchanged"] = Measure()
    for _ in range(RUNS):
        packgen_build(DATA, output, results["unchanged"])
    data = work / "data"
    shutil.copytree(DATA, data)
    results["one_cell"] = Measure()
    for run in range(RUNS):
        edit_cell(data, run)
        packgen_build(data, output, results["one_cell"])
    stop_offices()
    results["one_cell_not_kept"] = Measure()  # the same, with keep_libreoffice = 0
    for run in range(RUNS, 2 * RUNS):
        edit_cell(data, run)
        packgen_build(data, output, results["one_cell_not_kept"], **{KEEP_ENV: "0"})
    results["one_cell_untagged"] = Measure()  # the same as (e), the packs built untagged
    for run in range(2 * RUNS, 3 * RUNS):
        edit_cell(data, run)
        packgen_build(data, work / "untagged", results["one_cell_untagged"], **UNTAGGED)
    full = write_partnership(DATA, work / "scale-full", Size())
    half = write_partnership(DATA, work / "scale-half", Size().half())
    results["scale_full"] = _clean_builds(full, work / "scale-out", BIG_RUNS)
    full_pages = _pages(work / "scale-out")
    results["scale_half"] = _clean_builds(half, work / "scale-out", BIG_RUNS)
    half_pages = _pages(work / "scale-out")
    return results, docs, (full_pages, half_pages)


def _clean_builds(
    data: Path, output: Path, runs: int, measure: Measure | None = None, **env: str
) -> Measure:
    measure = measure or Measure()
    for _ in range(runs):
        stop_offices()  # no LibreOffice kept open from before
        shutil.rmtree(output, ignore_errors=True)  # the pack and the caches
        packgen_build(data, output, measure, **env)
    return measure


def _pages(output: Path) -> int:
    return json.loads((output / MEETING / "manifest.json").read_text(encoding="utf-8"))["pages"]


def _report(results: dict[str, Measure], docs: int, full_pages: int, half_pages: int) -> dict:
    seconds = {name: round(m.median, 3) for name, m in results.items()}
    builds = [m for name, m in results.items() if not name.startswith(("naive", "limit"))]
    report = {
        "naive_s": seconds["naive"],
        "limit_s": seconds["limit"],
        "limit_prepared_profile_s": seconds["limit_prepared"],
        "build_s": seconds["build"],
        "build_untagged_s": seconds["build_untagged"],
        "rebuild_one_cell_untagged_s": seconds["one_cell_untagged"],
        "rebuild_unchanged_s": seconds["unchanged"],
        "rebuild_one_cell_s": seconds["one_cell"],
        "rebuild_one_cell_not_kept_s": seconds["one_cell_not_kept"],
        "scale_full_s": seconds["scale_full"],
        "scale_half_s": seconds["scale_half"],
        "peak_rss_mb": round(max(m.self_mb for m in builds), 1),
        "peak_rss_libreoffice_mb": round(max(m.children_mb for m in results.values()), 1),
        "build_over_naive": _ratio(seconds["build"], seconds["naive"]),
        "build_over_limit": _ratio(seconds["build"], seconds["limit"]),
        "build_over_limit_prepared_profile": _ratio(seconds["build"], seconds["limit_prepared"]),
        "unchanged_over_build": _ratio(seconds["unchanged"], seconds["build"]),
        "one_cell_over_build": _ratio(seconds["one_cell"], seconds["build"]),
        "scale_full_over_half": _ratio(seconds["scale_full"], seconds["scale_half"]),
        "documents": docs,
        "scale_pages": {"full": full_pages, "half": half_pages},
        "runs": {name: [round(t, 3) for t in m.times] for name, m in results.items()},
        "peak_rss_by_benchmark_mb": {
            name: {"packgen": round(m.self_mb, 1), "libreoffice": round(m.children_mb, 1)}
            for name, m in results.items()
        },
        "machine": _machine(),
    }
    report["targets"] = {name: report[key] <= limit for name, key, limit in TARGETS}
    report["targets"][f"packgen peak memory ≤ {MAX_RSS_MB} MB"] = (
        report["peak_rss_mb"] <= MAX_RSS_MB
    )
    return report


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3)


def _machine() -> dict:
    model, ram = "unknown", "unknown"
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    for line in lscpu.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram": ram,
        "python": platform.python_version(),
        "libreoffice": soffice_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _print(report: dict, results: dict[str, Measure]) -> None:
    rows = [
        ("(a) naive: one soffice per document", "naive"),
        ("(b) limit: best of one run / two parallel runs", "limit"),
        ("    the same on profiles prepared as packgen's", "limit_prepared"),
        ("(c) packgen build from clean", "build"),
        ("    the same with tagged_pack = false (no target)", "build_untagged"),
        ("(d) packgen build, nothing changed", "unchanged"),
        ("(e) packgen build, one cell changed", "one_cell"),
        ("    the same with keep_libreoffice = 0", "one_cell_not_kept"),
        ("    the same with tagged_pack = false (no target)", "one_cell_untagged"),
        ("(f) scale, full size, from clean", "scale_full"),
        ("(f) scale, half size, from clean", "scale_half"),
    ]
    _say(f"{'benchmark':50} {'median s':>9} {'runs':>5} {'packgen MB':>11} {'soffice MB':>11}")
    for label, name in rows:
        m = results[name]
        own = f"{m.self_mb:.0f}" if m.self_mb else "–"
        _say(f"{label:50} {m.median:9.2f} {len(m.times):5} {own:>11} {m.children_mb:11.0f}")
    _say("")
    for name, key, limit in TARGETS:
        ok = "met" if report["targets"][name] else "NOT met"
        _say(f"{name:40} {key} = {report[key]:.3f} (≤ {limit}): {ok}")
    _say(
        f"{'(no target) build / limit on prepared profiles':40} build_over_limit_prepared_profile"
        f" = {report['build_over_limit_prepared_profile']:.3f}"
    )
    for line in sending.lines(report, results["build"].median):
        _say(line)
    mb = report["peak_rss_mb"]
    verdict = "met" if mb <= MAX_RSS_MB else "NOT met"
    _say(f"{'packgen peak memory ≤ 400 MB':40} {mb:.0f} MB: {verdict}")
    machine = report["machine"]
    _say(f"\n{machine['cpu']}, {machine['cores']} cores, {machine['ram']} RAM")
    _say(f"Python {machine['python']}, {machine['libreoffice']}; wrote {OUTPUT / 'bench.json'}")


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
