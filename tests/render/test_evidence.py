"""The studies' evidence in the report: each rule from both sides, the figures, and the rendered page."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from report.results import study as studies
from report.results.study import Series, StudyResults, StudyTimings, Table
from studies import baselines, gradient_decay, long_range
from tests.conftest import seed_render_cache
from tests.factories import make_results, write_both

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _provenance():
    from report.results.experiment_results import Provenance

    return Provenance(git_commit=None, git_dirty=None, packages={}, python="3.11", platform="x", seed=42,
                      data_checksums={}, cpu_count=2, gpu=None, started_at=NOW, finished_at=NOW)


def study(name: str, **kw) -> StudyResults:
    return StudyResults(experiment=name, title=name, config=kw.pop("config", {}), provenance=_provenance(),
                        timings=StudyTimings(load_seconds=0, run_seconds=1), **kw)


def gradient_study(rnn: int | None, lstm: int | None, rnn_tail=0.001, lstm_tail=0.3) -> StudyResults:
    h = {"window": 200, "factor": 10.0}
    for cell, n, tail in (("SimpleRNN", rnn, rnn_tail), ("LSTM", lstm, lstm_tail)):
        for stage in ("initialisation", "trained"):
            h[f"decay_length.{cell}.{stage}"] = n
            h[f"relative_at_window.{cell}.{stage}"] = tail
    series = [Series(figure="decay", label=f"{c}, {s}", x=[0.0, 1.0, 2.0], y=[1.0, 0.5, 0.05])
              for c in ("SimpleRNN", "LSTM") for s in ("initialisation", "trained")]
    return study("gradient_decay", headline=h, series=series, config={"units": 32, "measure_examples": 256})


def long_range_study(acc: dict[str, list[float]], lengths=(10, 100, 500)) -> StudyResults:
    """The long-range study with the same accuracy for each of three seeds (see test_study_evidence)."""
    from tests.render.test_study_evidence import long_range_study as built

    return built({c: {t: [a, a, a] for t, a in zip(lengths, accs)} for c, accs in acc.items()})


def architectures_study(pairs):
    from tests.render.test_study_evidence import architectures_study as built

    return built(pairs)


def baseline_study(lr_accuracy: float) -> StudyResults:
    cols = ["model", "accuracy", "macro F1", "weighted F1", "ROC AUC", "fit seconds"]
    tables = [Table(id=ds, caption=ds, columns=cols, rows=[["Majority class", 0.5, 0.33, 0.33, 0.5, 0.0],
                                                           ["TF-IDF + logistic regression", lr_accuracy, 0.7, 0.8,
                                                            0.9, 3.2]])
              for ds in ("imdb", "reuters")]
    return study("baselines", tables=tables)


# --- rules, both ways ----------------------------------------------------------------------------------


def test_gradient_rule_says_which_fades_sooner():
    assert gradient_decay.finding(gradient_study(31, None)).verdict == "rnn_faster"
    assert gradient_decay.finding(gradient_study(None, 12)).verdict == "lstm_faster"
    assert gradient_decay.finding(gradient_study(40, 90)).verdict == "rnn_faster"
    # neither falls tenfold: the share left at the window's start decides, or they are alike
    assert gradient_decay.finding(gradient_study(None, None, 0.2, 0.5)).verdict == "rnn_faster"
    assert gradient_decay.finding(gradient_study(None, None, 0.5, 0.5)).verdict == "same"


def test_gradient_rule_says_whether_training_lengthened_the_lstms_reach():
    g = gradient_study(31, None)
    h = dict(g.headline, **{"decay_length.LSTM.initialisation": 10})
    assert gradient_decay.finding(g.model_copy(update={"headline": h})).lstm_reach_learned
    h = dict(g.headline, **{"decay_length.LSTM.initialisation": None, "decay_length.LSTM.trained": 50})
    assert not gradient_decay.finding(g.model_copy(update={"headline": h})).lstm_reach_learned


def test_long_range_chance_lengths_from_the_means():
    f = long_range.finding(long_range_study({"SimpleRNN": [1.0, 0.55, 0.5], "LSTM": [1.0, 1.0, 0.9],
                                              "GRU": [1.0, 0.95, 0.5]}))
    assert f.chance_lengths == {"SimpleRNN": 100, "LSTM": None, "GRU": 500} and f.rnn_chance_length == 100
    # the verdicts each way: tests/render/test_study_evidence.py


def interval(results) -> tuple[float, float]:
    from report.render.interpret import accuracy_interval

    found = accuracy_interval(results)
    return found.low, found.high


def test_baseline_rule_names_the_winner_and_the_margin():
    imdb, _ = make_results("imdb_simplernn")
    acc = imdb.test.accuracy
    won = baselines.compare_baseline(imdb, baseline_study(acc - 0.05), "imdb", "SimpleRNN", interval(imdb))
    assert won.verdict == "network" and won.margin == pytest.approx(0.05)
    lost = baselines.compare_baseline(imdb, baseline_study(min(acc + 0.07, 1.0)), "imdb", "SimpleRNN", interval(imdb))
    assert lost.verdict == "baseline"
    tie = baselines.compare_baseline(imdb, baseline_study(acc + 0.001), "imdb", "SimpleRNN", interval(imdb))
    assert tie.verdict == "tie"
    assert [r[0] for r in won.rows] == ["Majority class", "TF-IDF + logistic regression", "SimpleRNN (this report)"]


# --- figures ---------------------------------------------------------------------------------------------


def test_study_figures_are_written_as_svg_with_text_and_alt(tmp_path):
    from report.render.study_figures import write_study_figures

    acc = {"SimpleRNN": [1.0, 0.55, 0.5], "LSTM": [1.0, 1.0, 0.9], "GRU": [1.0, 0.95, 0.5]}
    written = write_study_figures({"gradient_decay": gradient_study(31, None), "long_range": long_range_study(acc)},
                                  {"gradient_decay": gradient_decay, "long_range": long_range}, tmp_path)
    assert [w.kind for w in written] == ["decay", "long_range"]
    for w in written:
        svg = w.path.read_text()
        assert svg.startswith("<?xml") and "<text" in svg
    assert "SimpleRNN, trained: falls tenfold after 31 steps" in written[0].alt
    assert "LSTM, trained: does not fall tenfold" in written[0].alt and "0.550 ± 0.000 at 100" in written[1].alt


def test_long_range_figure_draws_the_initialised_lstm_and_the_gradient_at_initialisation_below():
    from report.render.study_figures import KIT
    from tests.render.test_study_evidence import long_range_study as built

    acc = {c: {10: [1.0, 1.0, 1.0], 30: [0.5, 0.5, 0.5]} for c in ("SimpleRNN", "LSTM", "GRU")}
    acc["LSTM, chrono init"] = {10: [1.0, 1.0, 1.0], 30: [0.9, 0.8, 0.7]}
    gradient = {"SimpleRNN": {10: 0.9, 30: 0.7}, "LSTM": {10: 0.04, 30: 1e-4}, "GRU": {10: 0.01, 30: 1e-6},
                "LSTM, chrono init": {10: 0.5, 30: 0.31}}
    display = long_range.LongRangeDisplay.from_study(built(acc, gradient=gradient)).plot(KIT)
    # each seed's dots belong to its own model, the initialised LSTM's too
    assert [list(run) for run in display.seeds["LSTM, chrono init"]] == [[1.0, 0.9], [1.0, 0.8], [1.0, 0.7]]
    accuracy, below = display.figure_.axes
    assert below.get_yscale() == "log"
    assert [list(line.get_ydata()) for line in below.get_lines()][1] == [0.04, 1e-4]
    alt = display.alt_text(KIT)
    assert "LSTM, chrono init: 1.000 ± 0.000 at 10, 0.800 ± 0.100 at 30" in alt
    assert "the gradient reaching the first word at initialisation" in alt and "GRU: 0.01 at 10, 1e-06 at 30" in alt
    assert "below, at initialisation, the gradient" in display.title


# --- the rendered page -----------------------------------------------------------------------------------


def _write_studies(results_root: Path, lr_accuracy: float) -> None:
    acc = {"SimpleRNN": [1.0, 0.55, 0.5], "LSTM": [1.0, 1.0, 0.9], "GRU": [1.0, 0.95, 0.5]}
    examples_imdb = Table(id="imdb", caption="c", columns=["kind", "id", "stars", "true class", "P(positive)",
                                                           "excerpt"],
                          rows=[["wrong", "test/neg/1_2", 2, "neg", 0.97, "<script>alert(1)</script> great film"]])
    examples_reuters = Table(id="reuters", caption="c", columns=["kind", "id", "true topic", "predicted topic",
                                                                 "probability", "excerpt"],
                             rows=[["confused", "17", "grain", "wheat", 0.8, "WHEAT & grain"]])
    for s in (
        gradient_study(31, None),
        long_range_study(acc),
        baseline_study(lr_accuracy),
        study("examples", tables=[examples_imdb, examples_reuters],
              headline={"reuters.true_topic": "grain", "reuters.predicted_topic": "wheat", "reuters.count": 7,
                        "reuters.support": 12}),
        architectures_study([]),
    ):
        studies.save(results_root / s.experiment, s)


def test_the_report_shows_the_evidence_where_it_belongs(tmp_path, render_seed):
    from report.paths import BuildPaths
    from report.render import build

    paths = BuildPaths.resolve(tmp_path / "data", tmp_path / "build")
    both = write_both(paths.results)
    seed_render_cache(paths, render_seed)  # the experiments' figures; the studies' are drawn
    _write_studies(paths.results, lr_accuracy=min(both["imdb_simplernn"].test.accuracy + 0.05, 1.0))
    build(paths, pdf=False, quiet=True)
    html = (paths.site / "index.html").read_text()
    assert (paths.site / "figures" / "gradient_decay-decay.svg").exists()
    assert (paths.site / "figures" / "long_range-long_range.svg").exists()
    # each piece sits in its part: 1.2 < gradient < 1.3, 1.4 < baselines < 2.1, 2.2 < long range < 2.3
    pos = {k: html.index(f'id="{k}"') for k in ("ex1-q2", "ex1-q3", "ex1-q4", "ex2-q1", "ex2-q2", "ex2-q3")}
    assert pos["ex1-q2"] < html.index("evidence-gradient") < pos["ex1-q3"]
    assert pos["ex1-q4"] < html.index("evidence-baselines") < pos["ex2-q1"]
    assert pos["ex2-q2"] < html.index("evidence-long-range") < pos["ex2-q3"]
    assert "beats the SimpleRNN by" in html  # the baseline won in this hand-made case
    assert "the SimpleRNN is at chance from T = 100, the LSTM stays above chance up to T = 500" in " ".join(html.split())
    assert "every model solves the shortest length, T = 10" in " ".join(html.split())
    # review text is escaped, never markup
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "WHEAT &amp; grain" in html


def test_the_core_report_has_no_evidence(tmp_path, render_seed):
    from report.paths import BuildPaths
    from report.render import build

    paths = BuildPaths.resolve(tmp_path / "data", tmp_path / "build")
    write_both(paths.results)
    seed_render_cache(paths, render_seed)
    _write_studies(paths.results, lr_accuracy=0.5)
    build(paths, pdf=False, quiet=True, studies=False)
    html = (paths.site / "index.html").read_text()
    assert "evidence-" not in html and not (paths.site / "figures" / "gradient_decay-decay.svg").exists()
