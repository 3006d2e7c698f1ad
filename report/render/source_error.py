"""An input of the render that is wrong at a known place: the message says what, ``path`` and ``line`` where.

The command line prints it as ``path:line: message``; ``make-report preview`` shows the same in the
page (report/preview/problems.py).
"""

from __future__ import annotations

import click


class SourceError(click.ClickException):
    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        super().__init__(f"{self.path}{f':{line}' if line else ''}: {message}")
