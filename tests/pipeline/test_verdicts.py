"""Remembered freshness verdicts (report.pipeline.verdicts): reused while nothing a key reads changed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from report.pipeline import verdicts
from report.pipeline.freshness import TrainOptions
from tests.conftest import render_paths
from tests.factories import write_both

NAMES = ("imdb_simplernn", "reuters_lstm")


@pytest.fixture
def paths(tmp_path):
    paths = render_paths(tmp_path)
    write_both(paths.results)
    paths.data.mkdir()
    (paths.data / "aclImdb_v1.tar.gz").write_bytes(b"not really an archive")
    return paths


@pytest.fixture
def asked(monkeypatch) -> list[str]:
    """The names whose freshness was worked out; each is stale ("code changed") as far as the test goes."""
    names: list[str] = []

    def freshness(name, paths, options):
        names.append(name)
        return SimpleNamespace(state="stale", why="code")

    monkeypatch.setattr("report.pipeline.freshness.freshness", freshness)
    return names


def test_the_verdicts_are_remembered_while_nothing_changed(paths, asked):
    first = verdicts.stale_results(paths, TrainOptions(), NAMES)
    again = verdicts.stale_results(paths, TrainOptions(), NAMES)
    assert first == again == {"imdb_simplernn": "code", "reuters_lstm": "code"}
    assert asked == list(NAMES)  # worked out once


@pytest.mark.parametrize("change", ["results", "data", "options"])
def test_a_changed_input_works_them_out_again(paths, asked, change):
    verdicts.stale_results(paths, TrainOptions(), NAMES)
    options = TrainOptions()
    if change == "results":
        path = paths.results / "imdb_simplernn" / "results.json"
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "data":
        (paths.data / "aclImdb_v1.tar.gz").write_bytes(b"another archive")
    else:
        options = TrainOptions(seeds=5)
    verdicts.stale_results(paths, options, NAMES)
    assert asked == list(NAMES) * 2


def test_all_is_fresh_only_when_recorded_so_for_these_inputs(paths, asked):
    assert not verdicts.remembered_fresh(paths, TrainOptions(), NAMES)  # nothing remembered yet
    verdicts.stale_results(paths, TrainOptions(), NAMES)
    assert not verdicts.remembered_fresh(paths, TrainOptions(), NAMES)  # remembered, but stale
    verdicts.record_fresh(paths, TrainOptions(), NAMES, verdicts.sources(paths, TrainOptions(), NAMES))
    assert verdicts.remembered_fresh(paths, TrainOptions(), NAMES)
    assert not verdicts.remembered_fresh(paths, TrainOptions(quick=True), NAMES)
    assert asked == list(NAMES)  # remembered_fresh never works anything out


def test_a_file_changed_while_training_ran_is_not_remembered_as_trained(paths, asked):
    """A build that began before an edit trained the old code: the next build must work the verdicts out
    again instead of calling the edited experiment fresh."""
    before = verdicts.sources(paths, TrainOptions(), NAMES)
    (paths.data / "aclImdb_v1.tar.gz").write_bytes(b"an archive replaced while the build ran")
    verdicts.record_fresh(paths, TrainOptions(), NAMES, before)
    assert not verdicts.remembered_fresh(paths, TrainOptions(), NAMES)
    assert verdicts.stale_results(paths, TrainOptions(), NAMES) == {"imdb_simplernn": "code", "reuters_lstm": "code"}
