"""Incremental builds: `make-report all` trains and renders only what changed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from report.commands.build import build_all
from report.paths import BuildPaths
from report.pipeline import verdicts
from tests import REPO_ROOT
from report.pipeline.freshness import TrainOptions

pytestmark = pytest.mark.slow  # every test builds with training


QUICK = TrainOptions(quick=True, quiet=True)


@pytest.fixture
def built(small_data, tmp_path) -> BuildPaths:
    """A quick, core, HTML-only build with its own copy of the templates."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO_ROOT / "templates", templates)
    paths = BuildPaths(data=small_data, build=tmp_path / "build", templates=templates)
    build_all(paths, QUICK, pdf=False, core=True)
    return paths


def _mtimes(paths: BuildPaths) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in paths.results.glob("*/results.json")}


def test_nothing_changed_trains_nothing_renders_nothing_and_never_imports_tensorflow(built):
    index = built.site / "index.html"
    before = (_mtimes(built), index.stat().st_mtime_ns)
    code = (
        "import sys\n"
        "from report.commands.build import build_all\nfrom report.paths import BuildPaths\n"
        "from report.pipeline.freshness import TrainOptions\nfrom pathlib import Path\n"
        f"paths = BuildPaths(data=Path({str(built.data)!r}), build=Path({str(built.build)!r}), "
        f"templates=Path({str(built.templates)!r}))\n"
        "build_all(paths, TrainOptions(quick=True), pdf=False, core=True)\n"
        "print('tensorflow imported:', 'tensorflow' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    assert "tensorflow imported: False" in proc.stdout
    assert "trained 0 experiment(s), nothing to render" in proc.stderr
    assert (_mtimes(built), index.stat().st_mtime_ns) == before


def test_editing_an_answer_re_renders_without_training(built):
    before = _mtimes(built)
    answer = built.templates / "answers" / "ex1_q1.md"
    answer.write_text(answer.read_text(encoding="utf-8") + "\nA sentence added by the test.\n", encoding="utf-8")
    build_all(built, QUICK, pdf=False, core=True)
    assert _mtimes(built) == before
    assert "A sentence added by the test." in (built.site / "index.html").read_text(encoding="utf-8")


def test_changing_one_experiments_config_retrains_only_that_one(built, monkeypatch):
    import experiments.reuters_lstm as reuters

    before = _mtimes(built)
    quick = reuters.quick_overrides()
    monkeypatch.setattr(reuters, "quick_overrides", lambda: {**quick, "units": 4})
    # the change is made in memory, where the remembered verdicts (a fingerprint of the files) cannot see it
    (built.cache / verdicts.MEMO_FILE).unlink()
    build_all(built, QUICK, pdf=False, core=True)
    after = _mtimes(built)
    assert after["imdb_simplernn"] == before["imdb_simplernn"]
    assert after["reuters_lstm"] != before["reuters_lstm"]
    res = json.loads((built.results / "reuters_lstm" / "results.json").read_text())
    assert res["config"]["units"] == 4


def test_force_retrains_fresh_results(built):
    before = _mtimes(built)
    assert set(before) == {"imdb_simplernn", "reuters_lstm"}  # else the check below would hold vacuously
    build_all(built, TrainOptions(quick=True, quiet=True, force=True), pdf=False, core=True)
    after = _mtimes(built)
    assert all(after[name] != before[name] for name in before)


def test_a_truncated_results_file_is_reported_and_rebuilt(built, capsys):
    path = built.results / "imdb_simplernn" / "results.json"
    path.write_text(path.read_text()[:200])
    build_all(built, TrainOptions(quick=True), pdf=False, core=True)
    err = capsys.readouterr().err
    assert "is not valid JSON" in err and "training again" in err
    json.loads(path.read_text())  # whole again
