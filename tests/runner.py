"""Running the CLI in-process: ``run_cli`` checks the exit code, ``train`` is a quick, quiet ``make-report train``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

QUICK = ["--quick", "--quiet"]


def run_cli(*args: str, expect: int = 0):
    from report.cli import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result


def train(data: Path, build: Path, *extra: str, names=("imdb_simplernn",)):
    """``make-report train NAMES --quick --quiet`` on ``data`` into ``build`` (``names=()``: every experiment)."""
    return run_cli("train", *names, "--data-dir", str(data), "--build-dir", str(build), *QUICK, *extra)


def metrics(build: Path, name: str = "imdb_simplernn") -> dict:
    """What a run computed (history without timings, test metrics, best epoch): equal for equal runs."""
    raw = json.loads((build / "results" / name / "results.json").read_text())
    for epoch in raw["history"]:
        epoch.pop("seconds")
    return {"history": raw["history"], "test": raw["test"], "best": raw["best_epoch"]}
