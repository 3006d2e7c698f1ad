"""What a run (an experiment or a study) is handed besides its config."""

from __future__ import annotations

from dataclasses import dataclass

import click

from report.paths import BuildPaths


@dataclass(frozen=True)
class RunContext:
    """What the CLI hands an experiment besides its config."""

    paths: BuildPaths
    quiet: bool = False
    key: str = ""  # the experiment's cache key, stored in results and checkpoints
    checkpoint: bool = True  # save a checkpoint after every epoch and resume from one

    @property
    def live(self) -> bool:
        """Whether progress lines within an epoch are drawn in place (a terminal, not --quiet, not CI)."""
        from report.train.progress import live

        return live(self.quiet)

    def echo(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    def clear_line(self) -> None:
        """Erase an in-place progress line before the next ordinary line."""
        if self.live:
            click.echo("\r\x1b[K", err=True, nl=False)
