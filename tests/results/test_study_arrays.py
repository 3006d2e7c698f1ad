"""A study's per-example arrays (arrays.npz beside study.json): written with it, stamped with its key, never in
study.json, and carried through pickling (a cluster worker) and model_copy (the pipeline's key_parts)."""

from __future__ import annotations

import json
import pickle
from datetime import datetime, timezone

import numpy as np
import pytest

from report.results import study as studies
from report.results.experiment_results import Provenance

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _study(key: str = "k1", arrays=None) -> studies.StudyResults:
    prov = Provenance(git_commit=None, git_dirty=None, packages={}, python="3.11", platform="x", seed=42,
                      data_checksums={}, cpu_count=2, gpu=None, started_at=NOW, finished_at=NOW)
    return studies.StudyResults(experiment="baselines", title="t", key=key, config={}, provenance=prov,
                                timings=studies.StudyTimings(load_seconds=0, run_seconds=0), arrays=arrays or {})


ARRAYS = {"imdb.ids": np.array(["test/pos/1_9", "test/neg/2_1"], dtype=object), "imdb.y_true": np.array([1, 0]),
          "imdb.tfidf_lr": np.array([1, 1], dtype=np.int32)}


def test_arrays_round_trip_without_pickle_and_stay_out_of_study_json(tmp_path):
    s = _study(arrays=ARRAYS)
    studies.save(tmp_path, s)
    assert "arrays" not in json.loads((tmp_path / studies.STUDY_FILE).read_text())
    loaded = studies.load_arrays(tmp_path, studies.load(tmp_path))
    assert set(loaded) == set(ARRAYS)
    assert loaded["imdb.ids"].tolist() == ["test/pos/1_9", "test/neg/2_1"] and loaded["imdb.ids"].dtype.kind == "U"
    assert loaded["imdb.tfidf_lr"].tolist() == [1, 1]


def test_arrays_travel_with_the_results():
    s = _study(arrays=ARRAYS)
    for copy in (pickle.loads(pickle.dumps(s)), s.model_copy(update={"key_parts": {"config": "x"}})):
        assert copy.arrays["imdb.y_true"].tolist() == [1, 0]


def test_arrays_of_another_run_or_none_are_not_read(tmp_path):
    studies.save(tmp_path, _study("k1", ARRAYS))
    assert studies.load_arrays(tmp_path, _study("k2")) == {}  # study.json of another run
    studies.save(tmp_path, _study("k2"))  # a run without arrays removes the old file
    assert not (tmp_path / studies.ARRAYS_FILE).exists()
    assert studies.load_arrays(tmp_path, studies.load(tmp_path)) == {}
    (tmp_path / studies.ARRAYS_FILE).write_bytes(b"not a zip")
    assert studies.load_arrays(tmp_path, studies.load(tmp_path)) == {}


def test_the_key_name_is_reserved(tmp_path):
    with pytest.raises(ValueError):
        studies.save(tmp_path, _study(arrays={studies.KEY_ARRAY: np.array([1])}))
