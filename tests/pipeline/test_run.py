"""The pipeline through the CLI: freshness and cache keys, overrides, several seeds, stale results at render time."""

from __future__ import annotations

import re

import numpy as np
import pytest

from report.results import experiment_results as results
from tests.runner import run_cli, train


@pytest.mark.slow
def test_fresh_results_are_not_retrained_until_the_config_changes(small_data, tmp_path):
    build = tmp_path / "build"
    train(small_data, build)
    path = build / "results" / "imdb_simplernn" / "results.json"
    first = path.stat().st_mtime_ns
    out = run_cli("train", "imdb_simplernn", "--data-dir", str(small_data), "--build-dir", str(build), "--quick")
    assert "results are fresh" in out.output and path.stat().st_mtime_ns == first

    status = run_cli("status", "--data-dir", str(small_data), "--build-dir", str(build), "--quick").output
    assert re.search(r"imdb_simplernn\s+fresh", status) and re.search(r"reuters_lstm\s+missing", status)
    status = run_cli("status", "--data-dir", str(small_data), "--build-dir", str(build), "--quick",
                     "--set", "epochs=3").output
    assert re.search(r"imdb_simplernn\s+stale\s+config ", status)

    train(small_data, build, "--force")
    assert path.stat().st_mtime_ns != first


def test_bad_override_fails_before_any_training(small_data, tmp_path):
    out = run_cli("train", "--data-dir", str(small_data), "--build-dir", str(tmp_path), "--set", "epoch=3", expect=2)
    assert "no field epoch" in out.output and "epochs" in out.output
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_results_stay_fresh_when_the_data_is_not_on_this_machine(small_data, tmp_path):
    build = tmp_path / "build"
    train(small_data, build)
    elsewhere = tmp_path / "no-data"
    elsewhere.mkdir()
    status = run_cli("status", "imdb_simplernn", "--data-dir", str(elsewhere), "--build-dir", str(build),
                     "--quick").output
    assert re.search(r"imdb_simplernn\s+fresh", status)


@pytest.mark.slow
def test_several_seeds_report_the_median_run_and_the_spread(small_data, tmp_path):
    build = tmp_path / "build"
    train(small_data, build, "--seeds", "3", "--set", "epochs=3")
    train(small_data, build, names=("reuters_lstm",))  # the report needs both
    res = results.load(build / "results" / "imdb_simplernn")
    assert [s.seed for s in res.seeds] == [42, 43, 44]
    accuracies = [s.accuracy for s in res.seeds]
    assert res.test.accuracy == sorted(accuracies)[1]  # the run shown is the one of median accuracy
    shown = next(s for s in res.seeds if s.seed == res.provenance.seed)
    assert shown.accuracy == res.test.accuracy and shown.macro_f1 == pytest.approx(res.test.macro_f1)
    # the spread is the sample standard deviation (n - 1) of the seeds' own records, for every metric shown
    for metric in ("accuracy", "roc_auc", "macro_f1"):
        values = np.array([getattr(s, metric) for s in res.seeds])
        mean, sd = res.seed_summary[metric]
        assert mean == pytest.approx(values.mean()) and sd == pytest.approx(values.std(ddof=1)), metric
    # a different number of seeds is a different build: the single-seed results are stale against it
    status = run_cli("status", "imdb_simplernn", "--data-dir", str(small_data), "--build-dir", str(build),
                     "--quick", "--set", "epochs=3").output
    assert re.search(r"imdb_simplernn\s+stale\s+config", status)

    run_cli("render", "--no-pdf", "--quiet", "--allow-stale", "--data-dir", str(small_data), "--build-dir", str(build))
    html = (build / "site" / "index.html").read_text()
    assert "Trained with 3 seeds (42, 43, 44)" in html and f"seed {res.provenance.seed}, the run of median" in html
    mean, sd = res.seed_summary["accuracy"]
    assert f"test accuracy {mean:.3f} &plusmn; {sd:.3f}" in html


@pytest.mark.slow
def test_render_refuses_stale_results_and_marks_them_with_allow_stale(small_data, tmp_path):
    build = tmp_path / "build"
    train(small_data, build, names=("imdb_simplernn", "reuters_lstm"))  # quick: stale against the defaults
    base = ["render", "--no-pdf", "--quiet", "--data-dir", str(small_data), "--build-dir", str(build)]
    out = run_cli(*base, expect=1).output
    assert "stale results (imdb_simplernn: config changed; reuters_lstm: config changed)" in out
    assert "make-report train imdb_simplernn reuters_lstm" in out and "--allow-stale" in out
    assert not (build / "site" / "index.html").exists()

    run_cli(*base, "--allow-stale")
    html = (build / "site" / "index.html").read_text()
    assert "Stale results." in html and "imdb_simplernn (config changed)" in html
    assert html.count('class="stale-mark"') == 2
