"""make-report expect and verify on a real (quick) build: a rebuild of the same code, config and data on the
same machine is reproduced seed by seed, and a moved number is caught."""

from __future__ import annotations

import json
import shutil

import pytest

from tests import REPO_ROOT
from tests.runner import run_cli

pytestmark = pytest.mark.slow  # trains

NAME = "reuters_lstm"


def test_a_rebuild_verifies_against_the_expectations_of_a_quick_build(tmp_path, small_data):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copyfile(REPO_ROOT / "report.toml", project / "report.toml")
    shutil.copytree(REPO_ROOT / "experiments", project / "experiments", ignore=shutil.ignore_patterns("expected"))
    where = ["--project", str(project), "--data-dir", str(small_data), "--build-dir", str(tmp_path / "build")]
    train = ["train", NAME, "--quick", "--quiet", "--seeds", "2", *where]

    run_cli(*train)
    run_cli("expect", NAME, *where)
    written = json.loads((project / "experiments" / "expected" / f"{NAME}.json").read_text())
    assert [s["seed"] for s in written["seeds"]] == [42, 43]
    assert all(s["stages"]["vectors"] and s["stages"]["epoch1"] for s in written["seeds"])

    run_cli(*train, "--force")  # the same build again, from scratch
    out = run_cli("verify", NAME, *where).output
    assert out.splitlines()[:3] == [f"{NAME}: reproduced", "  seed 42: reproduced", "  seed 43: reproduced"]

    written["seeds"][1]["stages"]["epoch1"] = "0" * 16  # as if seed 43 had trained differently
    written["seeds"][1]["stages"]["predictions"] = "0" * 16
    (project / "experiments" / "expected" / f"{NAME}.json").write_text(json.dumps(written), encoding="utf-8")
    out = run_cli("verify", NAME, *where, expect=1).output
    assert "seed 43: differs" in out and "first stage that diverged: weights after epoch 1" in out
