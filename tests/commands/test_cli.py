"""The command line as a whole: listing, help."""

from __future__ import annotations

from report.cli import cli
from tests.runner import run_cli


def test_list_names_every_experiment_with_its_title():
    out = run_cli("list").output
    assert "imdb_simplernn" in out and "IMDB sentiment with a SimpleRNN" in out
    assert "reuters_lstm" in out and "Reuters newswire topics with an LSTM" in out


def test_every_command_has_help_with_an_example():
    for name, command in cli.commands.items():
        assert "Example:" in (command.help or ""), f"`make-report {name}` help lacks an example"
