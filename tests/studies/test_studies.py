"""The studies on tiny data: schema, cache keys, and the property each one exists to show."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from report.results import experiment_results as results
from report.results import study as studies
from studies import architectures
from studies import examples
from studies import gradient_decay
from studies import long_range
from tests.runner import run_cli

STUDIES = ("architectures", "baselines", "examples", "gradient_decay", "long_range")


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    """Everything trained once in quick mode on the small corpora: (data dir, build dir)."""
    from tests.conftest import small_imdb_reviews, small_reuters_files
    from tests.corpora import write_imdb, write_reuters

    root = tmp_path_factory.mktemp("studies")
    data = root / "data"
    data.mkdir()
    write_imdb(data, small_imdb_reviews(), archive=True)
    write_reuters(data, small_reuters_files())
    build = root / "build"
    run_cli("train", "--data-dir", str(data), "--build-dir", str(build), "--quick", "--quiet")
    return data, build


def _study(build: Path, name: str) -> studies.StudyResults:
    return studies.load(build / "results" / name)


@pytest.mark.slow
def test_every_study_writes_a_valid_versioned_file_with_a_key(trained):
    _, build = trained
    for name in STUDIES:
        raw = json.loads((build / "results" / name / studies.STUDY_FILE).read_text())
        assert raw["schema_version"] == studies.SCHEMA_VERSION
        s = _study(build, name)
        assert s.experiment == name and s.key and set(s.key_parts) == {"config", "code", "data", "versions"}
        assert s.provenance.finished_at >= s.provenance.started_at


@pytest.mark.slow
def test_status_and_train_treat_studies_like_experiments(trained):
    data, build = trained
    args = ("--data-dir", str(data), "--build-dir", str(build), "--quick")
    out = run_cli("status", *args).output
    for name in ("imdb_simplernn", *STUDIES):
        assert f"{name} " in out and "missing" not in out
    assert out.count("fresh") == 7
    out = run_cli("train", "baselines", *args).output
    assert "baselines: results are fresh" in out
    out = run_cli("status", "baselines", *args, "--set", "C=1.0").output
    assert "baselines   stale  config" in out


@pytest.mark.slow
def test_a_study_reading_an_experiment_goes_stale_when_the_experiment_is_retrained(trained, tmp_path):
    data, build = trained
    from report.paths import BuildPaths
    from report.pipeline.freshness import TrainOptions, freshness

    paths = BuildPaths.resolve(data, build)
    options = TrainOptions(quick=True)
    assert freshness("examples", paths, options).fresh
    folder = build / "results" / "imdb_simplernn"
    res = results.load(folder)
    original = (folder / results.RESULTS_FILE).read_text()
    try:
        (folder / results.RESULTS_FILE).write_text(res.model_copy(update={"key": "0" * 16}).model_dump_json())
        f = freshness("examples", paths, options)
        assert f.state == "stale" and f.reasons == ("data",)
    finally:
        (folder / results.RESULTS_FILE).write_text(original)


@pytest.mark.slow
def test_baseline_beats_the_majority_class_on_the_small_corpora(trained):
    s = _study(trained[1], "baselines")
    for ds in ("imdb", "reuters"):
        assert s.headline[f"{ds}.tfidf_lr.accuracy"] > s.headline[f"{ds}.majority.accuracy"]
        table = s.table(ds)
        assert table.column("model") == ["Majority class", "TF-IDF + logistic regression"]
    assert s.headline["imdb.majority.roc_auc"] == pytest.approx(0.5)


@pytest.mark.slow
def test_baselines_keep_their_test_predictions_matched_to_the_experiments(trained):
    """arrays.npz: each baseline's predicted class per test example, in test-set order, with the ids of the
    experiment's predictions.npz, giving back the table's accuracy; the paired tests read it."""
    from report.stats import paired

    build = trained[1]
    s = _study(build, "baselines")
    arrays = studies.load_arrays(build / "results" / "baselines", s)
    for experiment, ds in (("imdb_simplernn", "imdb"), ("reuters_lstm", "reuters")):
        y_true = arrays[f"{ds}.y_true"]
        for key, name in (("majority", "Majority class"), ("tfidf_lr", "TF-IDF + logistic regression")):
            accuracy = dict(zip(s.table(ds).column("model"), s.table(ds).column("accuracy")))[name]
            assert np.mean(arrays[f"{ds}.{key}"] == y_true) == pytest.approx(accuracy)
        network = results.load_predictions(build / "results" / experiment)
        shared = set(network.ids.tolist()) & set(arrays[f"{ds}.ids"].tolist())
        assert shared, f"{ds}: no test example shared with {experiment}"
        ev = paired.against_study(build / "results", experiment, "baselines", ds)
        assert ev is not None and ev.tests["tfidf_lr"].n == len(shared)


@pytest.fixture(scope="module")
def mixed_examples(trained, tmp_path_factory) -> tuple[results.Predictions, studies.StudyResults]:
    """The examples study run again on IMDB predictions made to hold both right and wrong answers at
    distinct confidences (a model trained on the small corpora may get every review right):
    (those predictions, the study)."""
    import shutil

    data, build = trained
    copy = tmp_path_factory.mktemp("examples") / "build"
    shutil.copytree(build, copy)
    folder = copy / "results" / "imdb_simplernn"
    preds = results.load_predictions(folder)
    n = len(preds.y_true)
    conf = 0.55 + 0.4 * np.random.default_rng(0).permutation(n) / n  # all distinct, in (0.5, 1)
    predicted = np.where(np.arange(n) % 3 == 0, 1 - preds.y_true, preds.y_true)  # every third one wrong
    y_prob = np.empty((n, 2), dtype=np.float32)
    y_prob[np.arange(n), predicted] = conf
    y_prob[np.arange(n), 1 - predicted] = 1 - conf
    mixed = results.Predictions(y_true=preds.y_true, y_prob=y_prob, ids=preds.ids)
    results.save(folder, results.load(folder), mixed)
    run_cli("train", "examples", "--force", "--data-dir", str(data), "--build-dir", str(copy), "--quick", "--quiet")
    return results.load_predictions(folder), _study(copy, "examples")


@pytest.mark.slow
def test_examples_are_the_most_confident_predictions(mixed_examples):
    preds, s = mixed_examples
    conf = preds.y_prob.max(axis=1)
    ok = preds.y_pred == preds.y_true
    assert ok.sum() >= 2 and (~ok).sum() >= 2  # the case the study exists for: both kinds to choose from
    rows = s.table("imdb").records()
    by_id = {str(i): k for k, i in enumerate(preds.ids)}
    per_kind = examples.Config().per_kind
    for kind, mask in (("right", ok), ("wrong", ~ok)):
        shown = [by_id[r["id"]] for r in rows if r["kind"] == kind]
        expected = np.flatnonzero(mask)[np.argsort(-conf[mask], kind="stable")][:per_kind]
        assert shown == expected.tolist(), kind  # the most confident of their kind, most confident first
        assert all(ok[i] == (kind == "right") for i in shown)
    for r in rows:
        assert len(r["excerpt"]) <= 300
        assert r["P(positive)"] == pytest.approx(float(preds.y_prob[by_id[r["id"]], 1]), abs=1e-6)


def test_most_confused_is_the_largest_off_diagonal_cell():
    y_true = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 2, 2, 0, 0, 0])
    assert examples.most_confused(y_true, y_pred, 3) == (2, 0, 3)


def test_confident_picks_argmax_right_and_wrong():
    y_true = np.array([1, 0, 1, 0])
    y_prob = np.array([[0.1, 0.9], [0.2, 0.8], [0.4, 0.6], [0.99, 0.01]])
    right, wrong = examples.confident(y_true, y_prob, 1)
    assert right.tolist() == [3] and wrong.tolist() == [1]


def test_excerpt_is_short_and_cut_at_a_word():
    text = "word " * 100
    cut = examples.excerpt(text, 30)
    assert len(cut) <= 30 and cut.endswith("word…")
    assert examples.excerpt("short <b>text</b>", 30) == "short <b>text</b>"  # escaping is the template's job


def test_decay_length_from_a_hand_made_series():
    assert gradient_decay.decay_length([1.0, 0.5, 0.2, 0.1, 0.05]) == 3
    assert gradient_decay.decay_length([2.0, 1.0, 0.3, 0.21]) is None  # never below 0.2
    assert gradient_decay.decay_length(0.8 ** np.arange(50)) == 11  # 0.8^11 = 0.086 <= 0.1 < 0.8^10


@pytest.mark.slow
def test_gradient_series_start_at_one_and_cover_the_window(trained):
    s = _study(trained[1], "gradient_decay")
    window = s.config["window"]
    assert len(s.figure_series("decay")) == 4
    for series in s.figure_series("decay"):
        assert series.y[0] == pytest.approx(1.0) and len(series.y) == window
        cell, stage = series.label.split(", ")
        assert s.headline[f"decay_length.{cell}.{stage}"] == gradient_decay.decay_length(series.y)


def test_long_windows_hold_no_padding():
    x = np.array([[0, 0, 5, 6], [3, 4, 5, 6], [0, 7, 8, 9]])
    w = gradient_decay.long_windows(x, np.array([2, 4, 3]), 3)
    assert w.tolist() == [[4, 5, 6], [7, 8, 9]]


@pytest.mark.slow
def test_long_range_reports_every_cell_at_every_length_it_trained(trained):
    s = _study(trained[1], "long_range")
    lengths = sorted(s.config["lengths"])
    seeds = s.config["seeds"]
    # the plain cells, then the LSTM initialised for long memory chosen on validation among the candidates
    tried = s.table("gate_init").records()
    assert [r["initialisation"] for r in tried] == ["LSTM, chrono init"] + [
        f"LSTM, forget bias {b:g}" for b in s.config["forget_biases"]]
    chosen = [r["initialisation"] for r in tried if r["chosen"]]
    assert len(chosen) == 1
    models = ["SimpleRNN", "LSTM", "GRU", chosen[0]]
    assert [x.label for x in s.figure_series("accuracy")] == models
    assert len(s.figure_series("accuracy_seed")) == len(models) * seeds and s.headline["seeds"] == seeds
    rows = s.table("accuracy").records()
    for series in s.figure_series("accuracy"):
        cell = series.label
        assert series.x == [float(t) for t in lengths[: len(series.x)]]  # from the shortest on, none skipped
        mine = [r for r in rows if r["cell"] == cell]
        assert [r["mean"] for r in mine] == pytest.approx(series.y)
        assert all(r["min"] <= r["mean"] <= r["max"] and r["sd"] >= 0 for r in mine)
        means = [r["mean"] for r in mine] + [None] * (len(lengths) - len(mine))  # None: not trained there
        assert s.headline[f"chance_length.{cell}"] == long_range.chance_length(lengths, means)
    # the sanity row holds every cell at the shortest length, and the verdict on the budget follows it
    sanity = s.table("sanity").records()
    assert [r["cell"] for r in sanity] == models
    assert s.headline["under_budgeted"] == ("yes" if not all(r["solved"] for r in sanity) else "no")
    # the cells against each other on the same test sequences, every seed paired with the same seed
    for r in s.table("pairs").records():
        assert r["A only right"] + r["B only right"] <= r["n"] == seeds * s.config["n_test"]
    # the gradient at initialisation of every model at every planned length, trained there or not
    gradient = s.table("gradient_init").records()
    assert sorted((r["cell"], r["length"]) for r in gradient) == sorted((m, t) for m in models for t in lengths)
    assert all(0 < r["lowest seed"] <= r["first / last"] <= r["highest seed"] for r in gradient)


@pytest.mark.slow
def test_length_buckets_recompute_from_the_stored_predictions(trained):
    data, build = trained
    s = _study(build, "architectures")
    table = s.table("imdb_length")
    preds = results.load_predictions(build / "results" / "imdb_simplernn")
    from report.data import TextSettings, load_imdb

    ds = load_imdb(data, build / "cache", TextSettings(10_000, 400), quiet=True)
    index = {str(i): k for k, i in enumerate(ds.ids_test)}
    lengths = ds.lengths_test[[index[str(i)] for i in preds.ids]]
    edges = tuple(s.config["length_edges"])
    expected = architectures.accuracy_by_length(preds.y_true, preds.y_pred, lengths, edges)
    assert table.column("SimpleRNN (section 1.4)") == expected
    comparison = s.table("comparison")
    assert comparison.column("model") == ["SimpleRNN", "LSTM", "GRU"] * 2


def test_accuracy_by_length_buckets():
    y = np.array([1, 1, 0, 0, 1])
    p = np.array([1, 0, 0, 1, 1])
    lengths = np.array([5, 50, 150, 150, 500])
    assert architectures.accuracy_by_length(y, p, lengths, (100, 200, 400)) == [0.5, 0.5, None, 1.0]
    assert architectures.bucket_labels((100, 200, 400)) == ["0-99", "100-199", "200-399", "400+"]


def test_core_builds_only_the_assignment(small_data, tmp_path, monkeypatch):
    import report.commands.build as build_mod

    trained_names = []
    monkeypatch.setattr(build_mod, "train", lambda names, paths, options: trained_names.extend(names) or [])
    rendered = {}
    monkeypatch.setattr("report.render.build", lambda paths, **kw: rendered.update(kw))
    run_cli("all", "--core", "--no-pdf", "--data-dir", str(small_data), "--build-dir", str(tmp_path), "--quiet")
    assert trained_names == ["imdb_simplernn", "reuters_lstm"] and rendered["studies"] is False
    trained_names.clear()
    run_cli("all", "--no-pdf", "--data-dir", str(small_data), "--build-dir", str(tmp_path), "--quiet")
    assert trained_names[:2] == ["imdb_simplernn", "reuters_lstm"] and set(trained_names[2:]) == set(STUDIES)


@pytest.mark.slow
def test_architectures_keep_the_median_seeds_answers_and_the_pairs_follow_from_them(trained):
    """arrays.npz: each cell's per-example test correctness (median seed); McNemar's test recomputed from them
    gives the pairs table, and the accuracies lie within the seeds' range around the mean."""
    from report.stats.significance import mcnemar, verdict

    build = trained[1]
    s = _study(build, "architectures")
    arrays = studies.load_arrays(build / "results" / "architectures", s)
    for r in s.table("pairs").records():
        key = r["dataset"].lower()
        t = mcnemar(arrays[f"{key}.{r['A']}.correct"], arrays[f"{key}.{r['B']}.correct"])
        assert (t.a_only, t.b_only, t.n) == (r["A only right"], r["B only right"], r["n"])
        assert verdict(t) == r["verdict"] and len(arrays[f"{key}.ids"]) == t.n
    for r in s.table("comparison").records():
        assert r["accuracy sd"] >= 0 and 1 <= r["epochs to best"] <= r["epochs"] <= s.config["max_epochs"]


@pytest.mark.slow
def test_architectures_choose_each_cells_rate_on_validation_and_flag_the_seeds_near_chance(trained):
    """Every rate of the grid tried once per cell and dataset, the best on validation chosen and used by every seed;
    a cell is trained exactly when no seed's best validation accuracy (its curve's highest) is under the level."""
    s = _study(trained[1], "architectures")
    rates, grid, first = s.table("learning_rate").records(), s.config["learning_rates"], s.config["seed"]
    curves: dict[tuple, list[float]] = {}
    for r in s.table("validation_curves").records():
        curves.setdefault((r["dataset"], r["cell"], r["learning rate"], r["seed"]), []).append(r["validation accuracy"])
    for r in s.table("comparison").records():
        mine = [x for x in rates if (x["dataset"], x["cell"]) == (r["dataset"], r["model"])]
        assert sorted(x["learning rate"] for x in mine) == sorted(grid)
        chosen = [x for x in mine if x["chosen"]]
        assert [x["learning rate"] for x in chosen] == [r["learning rate"]]
        assert chosen[0]["validation accuracy"] == max(x["validation accuracy"] for x in mine)
        searched = curves[(r["dataset"], r["model"], r["learning rate"], first)][: s.config["search_epochs"]]
        assert chosen[0]["validation accuracy"] == max(searched)  # the chosen run went on from there
        best = [max(curves[(r["dataset"], r["model"], r["learning rate"], seed)])
                for seed in range(first, first + s.config["seeds"])]
        level = s.headline[f"{r['dataset'].lower()}.chance_level"]
        assert r["validation accuracy"] == pytest.approx(sum(best) / len(best))
        assert r["seeds near chance"] == sum(b < level for b in best)
        assert bool(r["trained"]) == (r["seeds near chance"] == 0)


@pytest.mark.slow
def test_a_run_stopped_at_the_rate_searchs_cap_goes_on_as_if_never_stopped():
    """The chosen rate's run is cut at search_epochs and continued after another rate's run on the same compiled
    model: its curve, and its weights and optimizer state after the last epoch, are those of one uncut run."""
    from studies._rnn import ModelPool

    rng = np.random.default_rng(0)
    x, y = rng.integers(1, 50, size=(300, 6)).astype("int32"), rng.integers(0, 2, size=300)
    data = (x[:200], y[:200], x[200:], y[200:], x[200:], y[200:], ["neg", "pos"])
    # a cap of 6 with runs to 4: each run keeps its state after epoch 4 (paused) to compare
    config = architectures.Config(max_epochs=6, patience=10, batch_size=64, units=4, embedding_dim=4)
    pool = ModelPool(dict(vocab_size=50, embedding_dim=4, units=4, n_classes=2, maxlen=6, jit_compile=True))
    whole = architectures.fit_to_convergence(pool.fresh("GRU", 42, 0.01, cell="GRU"), data, config, 42, 0.01,
                                             max_epochs=4)
    model = pool.fresh("GRU", 42, 0.01, cell="GRU")
    cut = architectures.fit_to_convergence(model, data, config, 42, 0.01, max_epochs=2)
    assert len(cut.curve) == 2 and cut.paused is not None
    architectures.fit_to_convergence(pool.fresh("GRU", 42, 0.003, cell="GRU"), data, config, 42, 0.003,
                                     max_epochs=1)  # the search's next rate, on the same compiled model
    went_on = architectures.fit_to_convergence(model, data, config, 42, 0.01, max_epochs=4, resume=cut)
    assert went_on.curve == whole.curve and len(whole.curve) == 4
    for mine, uncut in ((went_on.paused.weights, whole.paused.weights),
                        (went_on.paused.optimizer, whole.paused.optimizer)):
        assert len(mine) == len(uncut) > 0 and all(np.array_equal(a, b) for a, b in zip(mine, uncut))
