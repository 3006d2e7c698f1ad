"""Remembered freshness verdicts (report.pipeline.verdicts): reused while nothing a key reads changed."""

from __future__ import annotations

import pytest

from report.pipeline import verdicts
from report.pipeline.run import TrainOptions
from tests.conftest import render_paths
from tests.factories import write_both

NAMES = ("imdb_simplernn", "reuters_lstm")


@pytest.fixture
def paths(tmp_path):
    paths = render_paths(tmp_path)
    write_both(paths.results)  # synthetic results: their keys match no code, so both are stale
    paths.data.mkdir()
    (paths.data / "aclImdb_v1.tar.gz").write_bytes(b"not really an archive")
    return paths


def _refuse(*_args, **_kwargs):
    raise AssertionError("worked out again although nothing it reads changed")


def test_the_verdicts_are_remembered_while_nothing_changed(paths, monkeypatch):
    first = verdicts.stale_results(paths, TrainOptions(), NAMES)
    assert set(first) == set(NAMES)
    monkeypatch.setattr("report.pipeline.run.freshness", _refuse)
    assert verdicts.stale_results(paths, TrainOptions(), NAMES) == first


@pytest.mark.parametrize("change", ["results", "data", "options"])
def test_a_changed_input_works_them_out_again(paths, monkeypatch, change):
    verdicts.stale_results(paths, TrainOptions(), NAMES)
    options = TrainOptions()
    if change == "results":
        path = paths.results / "imdb_simplernn" / "results.json"
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "data":
        (paths.data / "aclImdb_v1.tar.gz").write_bytes(b"another archive")
    else:
        options = TrainOptions(seeds=5)
    monkeypatch.setattr("report.pipeline.run.freshness", _refuse)
    with pytest.raises(AssertionError, match="worked out again"):
        verdicts.stale_results(paths, options, NAMES)


def test_all_is_fresh_only_when_recorded_so_for_these_inputs(paths):
    assert not verdicts.remembered_fresh(paths, TrainOptions(), NAMES)  # nothing remembered yet
    verdicts.stale_results(paths, TrainOptions(), NAMES)
    assert not verdicts.remembered_fresh(paths, TrainOptions(), NAMES)  # remembered, but stale
    verdicts.record_fresh(paths, TrainOptions(), NAMES)
    assert verdicts.remembered_fresh(paths, TrainOptions(), NAMES)
    assert not verdicts.remembered_fresh(paths, TrainOptions(quick=True), NAMES)
