"""The checklist's types: an :class:`Item` is one line, ✓, ! or ✗ with what is wrong; a :class:`CheckReport` the list.

A warning (``!``) is something to fix before handing in that does not make the report wrong, such as
the placeholder author of report.toml: plain ``make-report check`` passes with warnings,
``make-report check --strict`` fails on them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

MARKS = {True: "\u2713", False: "\u2717", None: "-", "warn": "!"}
COLOURS = {True: "green", False: "red", None: None, "warn": "yellow"}


def use_colour(stream: IO | None = None) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    import sys

    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass(frozen=True)
class Item:
    title: str
    ok: bool | None  # None: skipped on request
    problems: tuple[str, ...] = ()
    detail: str = ""
    warnings: tuple[str, ...] = ()  # things to fix before handing in; the item still passes

    @property
    def warned(self) -> bool:
        return self.ok is True and bool(self.warnings)

    @property
    def state(self) -> bool | None | str:
        return "warn" if self.warned else self.ok

    def lines(self, colour: bool = False) -> list[str]:
        mark = MARKS[self.state]
        if colour and COLOURS[self.state]:
            import click

            mark = click.style(mark, fg=COLOURS[self.state], bold=True)
        head = f"{mark} {self.title}" + (f": {self.detail}" if self.detail else "")
        notes = self.problems if self.ok is False else self.warnings
        return [head] + [f"    {p}" for p in notes[:20]] + (
            [f"    ... and {len(notes) - 20} more"] if len(notes) > 20 else []
        )


@dataclass
class CheckReport:
    items: list[Item] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No failures (warnings allowed)."""
        return all(item.ok is not False for item in self.items)

    def passes(self, strict: bool = False) -> bool:
        """No failures, and under ``strict`` no warnings either."""
        return self.ok and not (strict and self.warnings)

    @property
    def failures(self) -> list[Item]:
        return [item for item in self.items if item.ok is False]

    @property
    def warnings(self) -> list[Item]:
        return [item for item in self.items if item.warned]

    def format(self, *, colour: bool = False, strict: bool = False) -> str:
        from report.render.format import plural

        lines = [line for item in self.items for line in item.lines(colour)]
        n_fail, n_warn = len(self.failures), len(self.warnings)
        warned = f"{plural(n_warn, 'warning')}" if n_warn else ""
        if n_fail:
            lines.append(f"{n_fail} check(s) failed" + (f", {warned}" if warned else ""))
        elif warned and strict:
            lines.append(f"{warned}: --strict fails on warnings")
        else:
            lines.append("all checks passed" + (f", {warned}" if warned else ""))
        return "\n".join(lines)


def item(title: str, problems: Iterable[str], detail: str = "") -> Item:
    problems = tuple(problems)
    return Item(title, not problems, problems, detail)


def warning(title: str, warnings: Iterable[str], detail: str = "") -> Item:
    """An item that passes, with a ``!`` when there is something to fix before handing in."""
    return Item(title, True, (), detail, tuple(warnings))
