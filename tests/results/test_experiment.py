"""The results contract: validated on write and read, atomic, clear errors."""

import json

import numpy as np
import pytest

from report.results import experiment_results as results
from tests.factories import make_results, write_results


def test_round_trip_keeps_every_number(tmp_path):
    res, preds = make_results("reuters_lstm", n_test=300, skew=0.1)
    results.save(tmp_path / "reuters_lstm", res, preds)
    back = results.load(tmp_path / "reuters_lstm")
    assert back == res
    p = results.load_predictions(tmp_path / "reuters_lstm")
    np.testing.assert_array_equal(p.y_true, preds.y_true)
    np.testing.assert_allclose(p.y_prob, preds.y_prob, rtol=1e-6)
    assert list(p.ids) == list(preds.ids)


def test_classification_report_rows_are_keyed_by_class_name(tmp_path):
    res = write_results(tmp_path, "reuters_lstm", n_test=300, skew=0.1)
    raw = json.loads((tmp_path / "reuters_lstm" / "results.json").read_text())
    assert raw["schema_version"] == results.SCHEMA_VERSION
    assert set(raw["test"]["classification_report"]["classes"]) == set(res.data.class_names)
    assert "earn" in raw["test"]["roc"]["per_class"]


def test_missing_results_names_the_command_to_run(tmp_path):
    with pytest.raises(results.ResultsError, match="make-report train reuters_lstm"):
        results.load(tmp_path / "reuters_lstm")


@pytest.mark.parametrize(
    "content, expected",
    [
        ('{"schema_version": 1, "experi', "not valid JSON"),
        ('{"schema_version": 0}', "schema_version 0"),
        ("[1, 2]", "does not hold a results object"),
    ],
)
def test_bad_results_file_is_one_clear_line(tmp_path, content, expected):
    folder = tmp_path / "imdb_simplernn"
    folder.mkdir()
    (folder / "results.json").write_text(content)
    with pytest.raises(results.ResultsError) as info:
        results.load(folder)
    message = info.value.format_message()
    assert expected in message and "results.json" in message and "\n" not in message


def test_schema_mismatch_names_the_field(tmp_path):
    write_results(tmp_path, "imdb_simplernn")
    path = tmp_path / "imdb_simplernn" / "results.json"
    raw = json.loads(path.read_text())
    del raw["test"]["accuracy"]
    path.write_text(json.dumps(raw))
    with pytest.raises(results.ResultsError, match=r"test\.accuracy"):
        results.load(tmp_path / "imdb_simplernn")


def test_inconsistent_results_are_refused_when_written(tmp_path):
    res, preds = make_results()
    bad = res.model_copy(update={"best_epoch": 99})
    with pytest.raises(ValueError, match="best_epoch"):
        results.save(tmp_path / "x", bad, preds)
    assert not (tmp_path / "x" / "results.json").exists()


def test_interrupted_write_leaves_previous_results_untouched(tmp_path, monkeypatch):
    write_results(tmp_path, "imdb_simplernn", seed=1)
    before = (tmp_path / "imdb_simplernn" / "results.json").read_bytes()
    res, preds = make_results(seed=2)

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(results.Results, "model_dump_json", boom)
    with pytest.raises(KeyboardInterrupt):
        results.save(tmp_path / "imdb_simplernn", res, preds)
    assert (tmp_path / "imdb_simplernn" / "results.json").read_bytes() == before
    leftovers = [p.name for p in (tmp_path / "imdb_simplernn").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_written_files_have_the_usual_permissions(tmp_path):
    import os
    import stat

    write_results(tmp_path, "imdb_simplernn")
    mode = stat.S_IMODE((tmp_path / "imdb_simplernn" / "results.json").stat().st_mode)
    mask = os.umask(0)
    os.umask(mask)
    assert mode == 0o666 & ~mask  # readable by a web server or a colleague, not 0600 as mkstemp leaves it
