"""The command line: thin wrappers that load settings, call one library function and report."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import signal
import sys
from pathlib import Path

import click

from packgen import __version__
from packgen.commands import build as build_pack
from packgen.convert import stop_offices
from packgen.errors import InputError, PackgenError, Severity
from packgen.plan import PASSWORD_ENV, check_protection, pack_password
from packgen.settings import load_settings

log = logging.getLogger("packgen")


class MeetingDate(click.ParamType):
    """A meeting given as 2020-10-15."""

    name = "MEETING"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a meeting date like 2020-10-15", param, ctx)


MEETING = click.argument("meeting", type=MeetingDate(), required=False)
DATA = click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="Folder holding the workbooks, papers and partnership.toml.",
)
TEMPLATES = click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding the Word templates [default: templates, else packgen's own].",
)
OUTPUT = click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder the pack is written to, under <date>/.",
)


class PackgenGroup(click.Group):
    """Turn PackgenError into click's error output: the message and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PackgenError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise click.ClickException(
                f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
            ) from exc


@click.group(cls=PackgenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="packgen")
@click.option("-v", "--verbose", is_flag=True, help="Log each step.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool, debug: bool) -> None:
    """Build a safeguarding partnership's meeting pack from officers' workbooks."""
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)
    ctx.obj = {"debug": debug, "quiet": quiet}


# Commands are added below, one per pipeline verb.


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help='The partnership\'s name, e.g. "Northshire Adults Board".')
def init(folder: Path, name: str | None) -> None:
    """Start a partnership in FOLDER: blank workbooks, settings, papers/ and templates/."""
    from packgen.commands import init_partnership

    started = init_partnership(folder, name)
    click.echo(f"Started a partnership in {_shown(started.folder)}: {len(started.files)} files")
    click.echo(
        f"Next: fill in data/meetings.xlsx (Meetings, then Members) and data/forward_plan.xlsx "
        f"(the agenda), edit data/partnership.toml, then run packgen check in "
        f"{_shown(started.folder)}."
    )


@cli.command()
@MEETING
@DATA
def check(meeting: dt.date | None, data: Path) -> None:
    """Check the workbooks and papers for a meeting's pack; list every problem at once."""
    from packgen.check import inspect, stop_message, summary, untagged_papers
    from packgen.model import long_date

    prepared, problems = inspect(data, meeting)
    if prepared is not None:
        click.echo(f"Meeting: {long_date(prepared.meeting.date)} ({prepared.reason})")
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if prepared is not None:
        warnings += check_protection(prepared) + untagged_papers(prepared)
    if warnings:
        click.echo(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:")
        click.echo("\n".join(f"  {p}" for p in warnings))
    if errors or prepared is None:
        raise InputError(
            stop_message(errors, prepared.meeting.date if prepared else meeting), errors
        )
    click.echo(summary(prepared))


@cli.command("check-pdf")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_pdf(pdf: Path) -> None:
    """Say what a screen reader needs of a PDF (a pack, a paper) and what it lacks."""
    from packgen.pack import audit

    checks = audit(pdf, pack_password())
    for check in checks:
        click.echo(check.line())
    if not all(check.ok for check in checks):
        raise SystemExit(1)


@cli.command()
@MEETING
@DATA
@TEMPLATES
@OUTPUT
@click.pass_context
def render(
    ctx: click.Context, meeting: dt.date | None, data: Path, templates: Path | None, output: Path
) -> None:
    """Render the meeting's Word documents into OUTPUT/<date>/documents/."""
    from packgen.commands import render_meeting  # each command imports only the stages it runs

    paths = render_meeting(data, _templates(ctx, templates), output, meeting)
    if not (ctx.obj and ctx.obj.get("quiet")):
        for path in paths:
            click.echo(str(path))
        click.echo(f"Rendered {len(paths)} documents")


@cli.command()
@MEETING
@DATA
@TEMPLATES
@OUTPUT
@click.pass_context
def notes(
    ctx: click.Context, meeting: dt.date | None, data: Path, templates: Path | None, output: Path
) -> None:
    """Write the meeting's notes template for the minute-taker: OUTPUT/<date>/notes-<date>.docx."""
    from packgen.commands import notes_template

    path = notes_template(data, _templates(ctx, templates), output, meeting)
    if not (ctx.obj and ctx.obj.get("quiet")):
        click.echo(
            f"Wrote {_shown(path)}: save the finished notes as {data}/minutes/{path.name[6:]}"
        )


@cli.command()
@MEETING
@DATA
@OUTPUT
@click.pass_context
def actions(ctx: click.Context, meeting: dt.date | None, data: Path, output: Path) -> None:
    """Print the new actions of a meeting's notes as rows to paste into the action log."""
    from packgen.commands import meeting_actions

    found = meeting_actions(data, output, meeting)
    for row in found.rows():
        click.echo("\t".join(row))
    if not (ctx.obj and ctx.obj.get("quiet")):
        count = len(found.actions)
        click.echo(
            f"{count} new action{'s' if count != 1 else ''} in {found.source}; "
            f"written to {_shown(found.workbook)}",
            err=True,
        )


@cli.command()
@DATA
@OUTPUT
def doctor(data: Path, output: Path) -> None:
    """Check Python, packages, LibreOffice, fonts and the output folder."""
    from packgen.commands import diagnose

    findings = diagnose(load_settings(data), output)
    for f in findings:
        click.echo(f"{'ok' if f.ok else 'MISSING':8}{f.name}: {f.detail}")
    fixes = sorted({f.fix for f in findings if not f.ok and f.fix})
    if fixes:
        click.echo("\nTo fix:\n" + "\n".join(f"  {fix}" for fix in fixes))
        raise SystemExit(1)


@cli.command()
@MEETING
@DATA
@TEMPLATES
@OUTPUT
@click.pass_context
def build(
    ctx: click.Context, meeting: dt.date | None, data: Path, templates: Path | None, output: Path
) -> None:
    """Build the meeting pack into OUTPUT/<date>/ (the next meeting when MEETING is not given)."""
    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    with _ConversionBar(enabled=not quiet) as progress, _stop_on_sigterm():
        result = build_pack(
            data,
            _templates(ctx, templates),
            output,
            meeting,
            progress=progress,
            password=_ask_password,
        )
    if not quiet:
        click.echo(
            f"Built {_shown(result.pack)}: {result.pages} pages, "
            f"{result.documents} documents, {result.seconds:.1f} s"
        )


class _ConversionBar:
    """A progress bar on stderr fed by the build while LibreOffice converts the documents."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None

    def __enter__(self) -> _ConversionBar:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.render_finish()

    def __call__(self, done: int, total: int, name: str) -> None:
        if not self.enabled or total == 0:
            return
        if self.bar is None:
            self.bar = click.progressbar(
                length=total, label="Converting with LibreOffice", file=sys.stderr
            )
            self.bar.render_progress()
        self.bar.update(done - self.bar.pos, name)


@contextlib.contextmanager
def _stop_on_sigterm():
    """Turn SIGTERM into SystemExit so the build cleans up its temporary folder."""
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@cli.command()
def stop() -> None:
    """Close the LibreOffices kept open between builds (they close by themselves when idle)."""
    stopped = stop_offices()
    click.echo(f"Closed {stopped} kept LibreOffice{'s' if stopped != 1 else ''}")


@cli.command()
@MEETING
@DATA
@TEMPLATES
@OUTPUT
@click.option("--send", is_flag=True, help="Send the messages over SMTP; without it, only drafts.")
@click.option("--split", is_flag=True, help="Send a pack over the size limit in numbered parts.")
@click.option("--resend", is_flag=True, help="Send a changed pack to those who had an older one.")
@click.option(
    "--allow-unprotected",
    is_flag=True,
    help="Email a full pack with restricted items even though it is not encrypted.",
)
@click.option("--no-tls", is_flag=True, help="Don't require STARTTLS (for a trusted relay).")
@click.option(
    "--per-recipient",
    is_flag=True,
    help="A message for each person, with a copy stamped with their name ([email] per_recipient).",
)
@click.pass_context
def email(
    ctx: click.Context,
    meeting: dt.date | None,
    data: Path,
    templates: Path | None,
    output: Path,
    **flags: bool,
) -> None:
    """Write email drafts of the built pack to OUTPUT/<date>/email/; --send sends them."""
    from packgen.distribute import EmailOptions, email_meeting

    chosen = _templates(ctx, templates)
    report = email_meeting(
        data, chosen, output, meeting, EmailOptions(**flags), lambda: _ask_password(False)
    )
    if ctx.obj and ctx.obj.get("quiet"):
        return
    written = [*report.drafts, *report.supplements]
    folder = written[0].path.parent if written and written[0].path else output
    click.echo(f"Wrote {len(report.drafts)} draft(s) to {_shown(folder)}")
    if report.supplements:
        click.echo(
            f"Wrote {len(report.supplements)} supplement draft(s) for those who had the issue "
            "it follows"
        )
    if flags["send"]:
        click.echo(f"Sent {len(report.sent)}; {len(report.skipped)} already had this pack")
    if report.changed:
        click.echo(
            f"{len(report.changed)} had an earlier version of the pack and were not sent this "
            "one; run again with --resend to send it to them"
        )


@cli.command()
@MEETING
@DATA
@OUTPUT
def issue(meeting: dt.date | None, data: Path, output: Path) -> None:
    """Keep the built pack as issued (for a pack sent by hand): OUTPUT/<date>/issued/N/."""
    from packgen.commands import issue_meeting

    kept, new = issue_meeting(data, output, meeting)
    said = "Kept" if new else "Already kept"
    click.echo(f"{said} the pack as issue {kept.number} in {_shown(kept.folder)}")


@cli.command()
@MEETING
@DATA
@OUTPUT
def changes(meeting: dt.date | None, data: Path, output: Path) -> None:
    """Say what changed in the built pack since its last issue, document by document."""
    from packgen.commands import meeting_changes

    found = meeting_changes(data, output, meeting)
    since = f"issue {found.issue}" + (f" of {found.issued_on}" if found.issued_on else "")
    if not found.changes and not found.pages:
        click.echo(f"No changes since {since}")
        return
    click.echo(f"Changes since {since}: {len(found.changes)}")
    click.echo("\n".join(f"  {line}" for line in found.lines()))
    if found.pages:
        click.echo("Pages moved:")
        click.echo("\n".join(f"  {line}" for line in found.page_lines()))


@cli.command()
@MEETING
@DATA
@TEMPLATES
@OUTPUT
@click.pass_context
def supplement(
    ctx: click.Context, meeting: dt.date | None, data: Path, templates: Path | None, output: Path
) -> None:
    """Build the supplement to the last issue (what changed, and the papers added or replaced)
    and the full pack revised."""
    from packgen.commands import make_supplement

    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    with _ConversionBar(enabled=not quiet) as progress, _stop_on_sigterm():
        result, made = make_supplement(
            data, _templates(ctx, templates), output, meeting, progress=progress,
            password=_ask_password,
        )  # fmt: skip
    if not quiet:
        click.echo(
            f"Built {_shown(result.folder / made['file'])}: {made['pages']} pages, "
            f"{len(made['documents'])} documents ({made['public']['file']}: "
            f"{made['public']['pages']} pages); revised {result.pack.name}: {result.pages} pages"
        )


@cli.command()
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@OUTPUT
def trace(pdf: Path, output: Path) -> None:
    """Name the recipient of an emailed copy of a pack, from the send logs in OUTPUT."""
    from packgen.distribute import trace_copy

    for line in trace_copy(pdf, output, pack_password()).lines():
        click.echo(line)


def _templates(ctx: click.Context, given: Path | None) -> Path:
    """The templates folder for this run; say once when it is packgen's defaults."""
    from packgen.commands import choose_templates

    folder, default = choose_templates(given)
    if default and not (ctx.obj and ctx.obj.get("quiet")):
        click.echo(
            f"No templates/ folder here: using packgen's default templates ({folder})", err=True
        )
    return folder


def _ask_password(confirm: bool = True) -> str | None:
    """Return PACKGEN_PACK_PASSWORD, or ask at the terminal; never from the command line."""
    secret = pack_password()
    if secret or not sys.stdin.isatty():
        return secret
    typed = click.prompt(
        f"Pack password ({PASSWORD_ENV}; empty to leave the pack unencrypted)",
        default="",
        show_default=False,
        hide_input=True,
        confirmation_prompt=confirm,
        err=True,
    )
    return typed or None


def _shown(path: Path) -> str:
    """Name a path relative to the current folder when it is under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main() -> None:
    """Entry point of the `packgen` console script."""
    try:
        cli(prog_name="packgen")
    finally:
        _forget_caught_interrupt()
        # Python's garbage collections at exit take ~0.15 s once python-docx, pypdf and openpyxl
        # are loaded, to free memory the ending process gives back anyway: skip them.
        gc.freeze()


def _forget_caught_interrupt() -> None:
    """Let an interrupted run exit with the status click gave it (1), not die by SIGINT.

    CPython 3.11 to 3.13 mark the process as "KeyboardInterrupt went unhandled" whenever one
    leaves code compiled from a string (exec of a str: the methods dataclasses and namedtuple
    generate, as when pypdf is imported while LibreOffice converts), even when it is caught
    further up, as click catches it. `python -m packgen` then kills itself with SIGINT at exit
    (status -2) after printing "Aborted!". Running code from a string clears that mark; where
    Python no longer sets it there (3.14), this does nothing. A KeyboardInterrupt that really
    goes unhandled, here or later, still marks the process afterwards.
    """
    exec("")
