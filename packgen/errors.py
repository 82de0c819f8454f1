"""One exception family, and the problems it carries with their places."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Location:
    """Where a problem is: workbook › sheet › cell, or template › paragraph."""

    file: str
    part: str | None = None
    position: str | None = None

    def __str__(self) -> str:
        return " › ".join(p for p in (self.file, self.part, self.position) if p)


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class PackgenError(Exception):
    """A problem the user can fix; the CLI prints it and exits 1, without a traceback."""

    exit_code = 1

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    def __str__(self) -> str:
        lines = [self.args[0]]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class InputError(PackgenError):
    """Workbooks, papers or settings that can't be used."""


class TemplateError(PackgenError):
    """A Word template that can't be rendered."""


class ConversionError(PackgenError):
    """LibreOffice missing, failing or producing no PDF."""


class DistributionError(PackgenError):
    """The pack could not be prepared for or sent by email."""


class Problems:
    """Collect every problem of a stage, then fail once with all of them."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, location: Location, message: str) -> None:
        self.items.append(Problem(location, message, Severity.ERROR))

    def warn(self, location: Location, message: str) -> None:
        self.items.append(Problem(location, message, Severity.WARNING))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.WARNING]

    def raise_if_errors(self, summary: str, error_class: type[PackgenError] = InputError) -> None:
        if self.errors:
            raise error_class(summary, self.errors)
