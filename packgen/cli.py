"""The command line: thin wrappers that load settings, call one library function and report."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

import click

from packgen import __version__
from packgen.errors import PackgenError

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
    default=Path("templates"),
    show_default=True,
    help="Folder holding the Word templates.",
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
            raise click.ClickException(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from exc


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
@MEETING
@DATA
def check(meeting: dt.date | None, data: Path) -> None:
    """Check the workbooks and papers for a meeting's pack; list every problem at once."""
    from packgen.check import inspect, long_date, stop_message, summary
    from packgen.errors import InputError, Severity

    prepared, problems = inspect(data, meeting)
    if prepared is not None:
        click.echo(f"Meeting: {long_date(prepared.meeting.date)} ({prepared.reason})")
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if warnings:
        click.echo(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:")
        click.echo("\n".join(f"  {p}" for p in warnings))
    if errors or prepared is None:
        raise InputError(stop_message(errors, prepared.meeting.date if prepared else meeting), errors)
    click.echo(summary(prepared))


def main() -> None:
    """Entry point of the `packgen` console script."""
    cli(prog_name="packgen")
