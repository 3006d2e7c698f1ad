"""The in-epoch progress line: drawn in place on a terminal only; one line per epoch otherwise."""

from __future__ import annotations

import io
import sys

import pytest

from report.train import progress


def test_the_line_counts_batches_and_estimates_the_rest():
    assert progress.progress_line("imdb epoch 2/10", 100, 400, 5.0) == "imdb epoch 2/10: 100/400 batches, 5 s, ETA 15 s"
    assert progress.progress_line("x", 0, 10, 0.0).endswith("ETA 0 s")


class _Tty:
    def isatty(self):
        return True

    def write(self, s):
        pass

    def flush(self):
        pass


@pytest.mark.parametrize(("quiet", "ci", "tty", "drawn"), [
    (False, "", True, True),  # a person at a terminal
    (True, "", True, False),  # --quiet
    (False, "true", True, False),  # CI: one line per epoch
    (False, "", False, False),  # a log file
])
def test_drawn_only_on_a_terminal_outside_ci_and_quiet(monkeypatch, quiet, ci, tty, drawn):
    monkeypatch.setenv("CI", ci)
    monkeypatch.setattr(sys, "stderr", _Tty() if tty else io.StringIO())
    assert progress.live(quiet) is drawn
