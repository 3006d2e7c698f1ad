"""Uncertainty in the report (issue 10): the Wilson interval of each headline accuracy, and McNemar's exact
test behind every network-vs-baseline sentence, whose wording the test's verdict chooses. Each rule from
every side: the network significantly better, significantly worse, and no significant difference."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from report.paths import BuildPaths
from report.render import interpret
from report.results import experiment_results as results
from report.results import study as studies
from report.results.study import Table
from report.stats import paired
from report.stats.significance import McNemar, exact_p_value
from studies import baselines
from studies.baselines import COLUMNS
from tests.conftest import seed_render_cache
from tests.factories import make_results, write_both
from tests.render.test_evidence import baseline_study, interval, study


def _flip(y_pred: np.ndarray, rows: np.ndarray, n_classes: int) -> np.ndarray:
    """Change the predicted class of ``rows`` to another class."""
    out = y_pred.copy()
    out[rows] = (out[rows] + 1) % n_classes
    return out


def tfidf_predictions(pred: results.Predictions, case: str) -> np.ndarray:
    """A baseline's predicted classes on the network's test examples, making ``case`` true."""
    y_true, y_net = pred.y_true, pred.y_pred
    n_classes = pred.y_prob.shape[1]
    right, wrong = np.flatnonzero(y_net == y_true), np.flatnonzero(y_net != y_true)
    assert len(right) > 40 and len(wrong) > 40, "the fixture network needs right and wrong answers"
    if case == "network_better":  # the baseline misses 40 examples the network gets right, and no more
        return _flip(y_net, right[:40], n_classes)
    if case == "network_worse":  # the baseline gets 40 of the network's errors right
        out = y_net.copy()
        out[wrong[:40]] = y_true[wrong[:40]]
        return out
    # no significant difference: 3 discordant pairs one way, 2 the other (p = 1)
    out = _flip(y_net, right[:3], n_classes)
    out[wrong[:2]] = y_true[wrong[:2]]
    return out


def write_baselines(results_root: Path, case: str) -> studies.StudyResults:
    """The baselines study with its per-example predictions, for both experiments, in ``case``; its tables
    state the accuracies those predictions have."""
    arrays, tables = {}, []
    for experiment, dataset in (("imdb_simplernn", "imdb"), ("reuters_lstm", "reuters")):
        pred = results.load_predictions(results_root / experiment)
        counts = np.bincount(pred.y_true, minlength=pred.y_prob.shape[1])
        models = {"tfidf_lr": tfidf_predictions(pred, case), "majority": np.full(len(pred.y_true), counts.argmax())}
        arrays.update({f"{dataset}.ids": pred.ids, f"{dataset}.y_true": pred.y_true})
        arrays.update({f"{dataset}.{m}": y for m, y in models.items()})
        acc = {m: float(np.mean(y == pred.y_true)) for m, y in models.items()}
        tables.append(Table(id=dataset, caption=dataset, columns=COLUMNS,
                            rows=[["Majority class", acc["majority"], 0.33, 0.33, 0.5, 0.0],
                                  ["TF-IDF + logistic regression", acc["tfidf_lr"], 0.7, 0.8, 0.9, 3.2]]))
    s = study("baselines", tables=tables).model_copy(update={"arrays": arrays, "key": "k1"})
    studies.save(results_root / "baselines", s)
    return s


# --- the rules ---------------------------------------------------------------------------------------------


@pytest.fixture
def built(tmp_path, render_seed) -> BuildPaths:
    paths = BuildPaths.resolve(tmp_path / "data", tmp_path / "build")
    write_both(paths.results)
    seed_render_cache(paths, render_seed)  # the experiments' figures; the baselines' are drawn
    return paths


@pytest.mark.parametrize(("case", "verdict"), [("network_better", "better"), ("network_worse", "worse"),
                                               ("tie", "no significant difference")])
def test_tfidf_verdict_follows_the_paired_test(built, case, verdict):
    study = write_baselines(built.results, case)
    ev = paired.against_study(built.results, "imdb_simplernn", "baselines", "imdb")
    assert ev is not None
    t = ev.tests["tfidf_lr"]
    expected = {"network_better": (40, 0), "network_worse": (0, 40), "tie": (3, 2)}[case]
    assert (t.a_only, t.b_only) == expected
    imdb = results.load(built.results / "imdb_simplernn")
    finding = baselines.compare_baseline(imdb, study, "imdb", "SimpleRNN", interval(imdb), ev)
    assert finding.tfidf_verdict == verdict
    assert finding.majority_test is not None and finding.majority_verdict == "better"
    assert finding.intervals[2] == pytest.approx((interpret.accuracy_interval(imdb).low,
                                                  interpret.accuracy_interval(imdb).high))


def test_the_test_uses_only_the_examples_both_scored(built):
    study = write_baselines(built.results, "network_better")
    arrays = dict(study.arrays)
    keep = slice(100, None)  # the baseline saw a different subset: 100 of the network's examples missing
    for k in ("imdb.ids", "imdb.y_true", "imdb.tfidf_lr", "imdb.majority"):
        arrays[k] = arrays[k][keep][::-1]  # and in another order
    studies.save(built.results / "baselines", study.model_copy(update={"arrays": arrays}))
    ev = paired.against_study(built.results, "imdb_simplernn", "baselines", "imdb")
    full = paired.against_study(built.results, "reuters_lstm", "baselines", "reuters")
    assert ev.tests["tfidf_lr"].n == 300 and full.tests["tfidf_lr"].n == 600
    pred = results.load_predictions(built.results / "imdb_simplernn")
    right = np.flatnonzero(pred.y_pred == pred.y_true)[:40]
    assert ev.tests["tfidf_lr"].a_only == int(np.sum(right >= 100))  # only the shared examples count


def test_arrays_of_another_run_are_not_used(built):
    study = write_baselines(built.results, "network_better")
    assert paired.against_study(built.results, "imdb_simplernn", "baselines", "imdb") is not None
    # study.json rewritten by a later run whose arrays were not kept: the old arrays.npz is not trusted
    newer = study.model_copy(update={"key": "k2", "arrays": {}})
    folder = built.results / "baselines"
    studies.save(folder, newer)
    assert not (folder / studies.ARRAYS_FILE).exists()
    studies.save(folder, study)  # arrays of run k1 ...
    (folder / studies.STUDY_FILE).write_text(newer.model_dump_json())  # ... beside the study.json of run k2
    assert studies.load_arrays(folder, studies.load(folder)) == {}
    assert paired.against_study(built.results, "imdb_simplernn", "baselines", "imdb") is None


def test_without_predictions_the_margin_decides_and_no_test_is_claimed(built):
    imdb = results.load(built.results / "imdb_simplernn")
    f = baselines.compare_baseline(imdb, baseline_study(imdb.test.accuracy + 0.07), "imdb", "SimpleRNN", interval(imdb))
    assert f.tfidf_test is None and f.tfidf_verdict == "worse" and f.majority_verdict is None


def test_majority_rule_both_ways():
    good, _ = make_results("imdb_simplernn", n_test=400, skill=2.0)
    better = interpret.majority_baseline(good)
    assert better.test.a_only > better.test.b_only and better.test_verdict == "better"
    assert better.test.difference == pytest.approx(better.lift)
    # a Reuters model without skill: far below always answering the most frequent topic
    poor, _ = make_results("reuters_lstm", n_test=600, skill=0.0, skew=0.3)
    worse = interpret.majority_baseline(poor)
    assert worse.test_verdict == "worse" and worse.test.difference == pytest.approx(worse.lift)
    # 12 against 8 discordant pairs: p = 0.50, no significant difference whatever the margin's sign
    tie = interpret.BaselineFinding("earn", 0.5, 0.51, test=McNemar(12, 8, 400, exact_p_value(12, 8)))
    assert tie.test_verdict == "no significant difference"
    # without a test: the printed margin, as before
    assert interpret.BaselineFinding("earn", 0.33, 0.5).test_verdict == "better"


def test_majority_test_with_tied_classes_takes_the_larger_p_value():
    from tests.render.test_interpret import binary

    res = binary(tn=40, fp=10, fn=30, tp=20)  # 50 of each class
    base = interpret.majority_baseline(res)
    assert base.n_majority == 2
    # against always "neg": the model alone is right on the 20 true positives, the constant on the 10 false
    # positives (p = 0.099); against always "pos": 40 true negatives against 30 false negatives (p = 0.28)
    assert (interpret.majority_test(res, 0).a_only, interpret.majority_test(res, 0).b_only) == (20, 10)
    assert (base.test.a_only, base.test.b_only) == (40, 30)
    assert base.test_class == res.data.class_names[1]
    assert base.test.p_value == pytest.approx(exact_p_value(40, 30)) and base.test.p_value > 0.2
    assert base.test_verdict == "no significant difference"


def test_accuracy_interval_is_wilson_on_the_test_set():
    res, _ = make_results("reuters_lstm", n_test=600, skill=2.0)
    ci = interpret.accuracy_interval(res)
    assert ci.n == 600 and ci.correct == round(res.test.accuracy * 600)
    assert ci.low < res.test.accuracy < ci.high and 0.03 < ci.high - ci.low < 0.09


# --- the wording, rendered ---------------------------------------------------------------------------------


def _render(paths: BuildPaths) -> str:
    from report.render import build

    build(paths, pdf=False, quiet=True)
    return " ".join((paths.site / "index.html").read_text(encoding="utf-8").split())


def _numbers_check(paths: BuildPaths):
    from report.commands.check.artefacts import parse_html
    from report.commands.check.numbers import check_numbers

    return check_numbers(paths, parse_html(paths.site / "index.html"))


@pytest.mark.parametrize(("case", "sentence", "absent"), [
    ("network_better", "The SimpleRNN is significantly better than a TF-IDF bag-of-words model with a logistic "
                       "regression (p &lt; 0.001).",
     ("significantly worse than a TF-IDF", "no significant difference at the 5% level (")),
    ("network_worse", "The SimpleRNN is significantly worse than a TF-IDF bag-of-words model with a logistic "
                      "regression (p &lt; 0.001).",
     ("significantly better than a TF-IDF", "no significant difference at the 5% level (")),
    ("tie", "The SimpleRNN and a TF-IDF bag-of-words model with a logistic regression show no significant "
            "difference at the 5% level (p = 1.00).",
     ("significantly better than a TF-IDF", "significantly worse than a TF-IDF")),
])
def test_rendered_baseline_sentence_follows_the_test_and_its_numbers_are_derivable(built, case, sentence, absent):
    write_baselines(built.results, case)
    html = _render(built).replace("\u00a0", " ")
    assert sentence in html
    for wrong in absent:
        assert wrong not in html
    # the counts behind the verdict are in the table: only the baseline right / only the SimpleRNN right, and p
    counts = {"network_better": "0 / 40", "network_worse": "40 / 0", "tie": "2 / 3"}[case]
    assert "Only this / only the SimpleRNN" in html
    assert re.search(r"<th scope=\"row\">TF-IDF \+ logistic regression</th>.*?<td class=\"num\">" + counts
                     + r"</td><td class=\"num\">p " + ("= 1.00" if case == "tie" else "&lt; 0.001"), html)
    # the network against the majority class, and the intervals, in both sections
    assert "The SimpleRNN is significantly better than always answering the most frequent class (p &lt; 0.001)" in html
    assert "The LSTM is significantly" in html or "The LSTM and always answering the most frequent class show" in html
    assert "95% confidence interval" in html and "95% interval</th>" in html
    item = _numbers_check(built)
    assert item.ok, item.problems


def test_rendered_majority_sentence_both_ways(tmp_path):
    from tests.factories import write_results

    paths = BuildPaths.resolve(tmp_path / "data", tmp_path / "build")
    write_results(paths.results, "imdb_simplernn", n_test=400, skill=2.0)
    write_results(paths.results, "reuters_lstm", n_test=600, skill=0.0, skew=0.3)  # worse than the constant
    html = _render(paths).replace("\u00a0", " ")
    assert re.search(r"The model is significantly better than that constant answer \(p [<=&lt;]+ [0-9.]+\), by", html)  # IMDB
    assert re.search(r"The model is significantly worse than that constant answer \(p [<=&lt;]+ [0-9.]+\), by", html)  # Reuters
    # the counts behind each verdict, in the note under the classification report
    assert re.search(r'<p class="table-note">Against the constant answer: of the [0-9,]+ test reviews on which exactly '
                     r"one of them is right, the model gets", html)
    assert "test wires on which exactly one of them is right, the model gets" in html
    assert "confidence interval" in html and "Wilson score" in html
    item = _numbers_check(paths)
    assert item.ok, item.problems


def test_the_verdict_phrases_each_way():
    from report.render.html import environment

    env = environment(Path(__file__).resolve().parents[2] / "templates")
    macros = env.get_template("_significance_macros.html").module
    phrase = lambda v: " ".join(str(macros.compared(v, "A", "B", 0.05)).split())  # noqa: E731
    assert phrase("better") == "A is significantly better than B"
    assert phrase("worse") == "A is significantly worse than B"
    assert phrase("no significant difference") == "A and B show no significant difference at the 5% level"
    t = McNemar(9, 1, 100, exact_p_value(9, 1))
    text = " ".join(str(macros.mcnemar(t, "A", "B", "review", 100)).split())
    assert text == ("of the 10 test reviews on which exactly one of them is right, A gets 9 and B 1 "
                    "(McNemar's exact test, p = 0.021)")  # 2 * 11 / 1024
    subset = " ".join(str(macros.mcnemar(t, "A", "B", "wire", 120)).split())
    assert "(among the 100 both were scored on)" in subset  # A was tested on 120, the pair on 100
    none = " ".join(str(macros.mcnemar(McNemar(0, 0, 5, 1.0), "A", "B", "wire", 5)).split())
    assert none == "on every one of the 5 test wires the two are right or wrong together (McNemar's exact test, p = 1.00)"


def test_pvalue_format():
    from report.render.format import pvalue

    shown = lambda p: pvalue(p).replace("\u00a0", " ")  # noqa: E731
    assert shown(0.0004) == "p < 0.001"
    assert shown(0.0215) == "p = 0.021"
    assert shown(0.0499) == "p < 0.05"  # never "p = 0.050" beside "significant"
    assert shown(0.109375) == "p = 0.11"
    assert shown(1.0) == "p = 1.00"
    assert " " not in pvalue(0.38)  # no-break spaces: a line never ends in "p ="
