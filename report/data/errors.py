"""The one error type of the data layer: a one-line, actionable message."""

from __future__ import annotations

from pathlib import Path

import click


class DataError(click.ClickException):
    """A dataset file is missing, corrupt or not in the expected layout.

    The message is one line: the file concerned, what was expected, and the fix.
    ``click`` prints it as ``Error: ...`` and exits with status 1, no traceback.
    """

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))  # always one line


def where(path: Path | str, member: str | None = None) -> str:
    """Name a file, or a member inside an archive, for an error message."""
    return f"{path}:{member}" if member else str(path)
