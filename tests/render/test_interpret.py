"""The interpretation rules, each pinned from both sides, and the number filters."""

from __future__ import annotations

import datetime as dt

import click
import numpy as np
import pytest

from report.train import metrics
from report.render import format as fmt
from report.render import interpret
from report.render.meta import DEFAULT_TITLE, load_meta
from report.render.reference import load_references
from report.results.experiment_results import EpochRecord
from tests import REPO_ROOT
from tests.factories import make_results

REFERENCES = load_references(REPO_ROOT / "report.toml")  # the repository's [reference]: the earlier version


def with_history(res, rows):
    """rows: (loss, val_loss) per epoch."""
    history = [
        EpochRecord(epoch=i + 1, loss=l, accuracy=0.8, val_loss=v, val_accuracy=0.8, seconds=1.0)
        for i, (l, v) in enumerate(rows)
    ]
    return res.model_copy(update={"history": history, "best_epoch": min(res.best_epoch, len(history))})


def with_predictions(res, y_true, y_pred):
    """Replace the test metrics by those of hard predictions (so report and matrix agree)."""
    names = res.data.class_names
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    prob = np.full((len(y_pred), len(names)), 0.1 / max(len(names) - 1, 1))
    prob[np.arange(len(y_pred)), y_pred] = 0.9
    test = metrics.compute(y_true, prob, names)
    counts = np.bincount(y_true, minlength=len(names))
    data = res.data.model_copy(update={
        "test_size": len(y_true), "test_counts": {n: int(c) for n, c in zip(names, counts)},
    })
    return res.model_copy(update={"test": test, "data": data})


def binary(tn, fp, fn, tp):
    res, _ = make_results("imdb_simplernn")
    y_true = [0] * (tn + fp) + [1] * (fn + tp)
    y_pred = [0] * tn + [1] * fp + [0] * fn + [1] * tp
    return with_predictions(res, y_true, y_pred)


# --- training dynamics --------------------------------------------------------------------------------------


def test_overfitting_when_val_loss_rises_while_training_loss_falls():
    res, _ = make_results("imdb_simplernn", epochs=5, best_epoch=3)
    fit = interpret.training_dynamics(res)
    assert fit.verdict == "overfitting"
    assert fit.onset == fit.min_val_epoch == 3
    assert fit.restored and fit.best_epoch == 3 and fit.epochs_run == 5
    assert fit.last_val_loss > fit.min_val_loss and fit.last_loss < fit.first_loss


def test_still_improving_when_val_loss_lowest_at_the_last_epoch():
    res, _ = make_results("imdb_simplernn", epochs=4, best_epoch=4)
    res = with_history(res, [(0.7, 0.6), (0.5, 0.5), (0.4, 0.45), (0.3, 0.4)])
    fit = interpret.training_dynamics(res)
    assert fit.verdict == "still_improving"
    assert not fit.restored


def test_plateau_when_val_loss_rises_but_training_loss_does_not_fall():
    res, _ = make_results("imdb_simplernn", epochs=4, best_epoch=2)
    res = with_history(res, [(0.7, 0.6), (0.5, 0.4), (0.5, 0.41), (0.52, 0.42)])
    assert interpret.training_dynamics(res).verdict == "plateau"


# --- macro against weighted F1 ----------------------------------------------------------------------------------


def test_rare_topics_poorly_learned_when_macro_f1_far_below_weighted():
    res, _ = make_results("reuters_lstm", n_test=600, skill=2.0, skew=0.12)
    b = interpret.class_balance(res)
    rows = res.test.classification_report.classes
    assert b.ratio < interpret.IMBALANCE_RATIO and b.rare_poorly_learned
    assert b.n_zero_f1 == sum(1 for r in rows.values() if r.f1_score == 0) > 0
    assert b.n_rare == sum(1 for r in rows.values() if r.support < interpret.RARE_SUPPORT)
    assert b.n_zero_f1_rare <= min(b.n_zero_f1, b.n_rare)
    supports = [rows[n].support for n in b.zero_f1_classes]
    assert supports == sorted(supports, reverse=True)


def test_balanced_when_macro_f1_close_to_weighted():
    res, _ = make_results("imdb_simplernn", n_test=400, skill=1.2)
    b = interpret.class_balance(res)
    assert b.ratio > 0.95 and not b.rare_poorly_learned and b.n_zero_f1 == 0


@pytest.mark.parametrize(("macro", "expected"), [(0.79 * 0.64, True), (0.81 * 0.64, False)])
def test_imbalance_threshold(macro, expected):
    b = interpret.BalanceFinding(macro_f1=macro, weighted_f1=0.64, n_classes=46, n_zero_f1=0, n_rare=0,
                                 n_zero_f1_rare=0, zero_f1_classes=())
    assert b.rare_poorly_learned is expected


def test_reference_case_macro_022_weighted_064_is_not_balanced():
    b = interpret.BalanceFinding(macro_f1=0.22, weighted_f1=0.64, n_classes=46, n_zero_f1=0, n_rare=0,
                                 n_zero_f1_rare=0, zero_f1_classes=())
    assert b.rare_poorly_learned


# --- binary error asymmetry -----------------------------------------------------------------------------------


def test_false_negatives_more_common():
    e = interpret.error_balance(binary(tn=11320, fp=1180, fn=3189, tp=9311))
    assert (e.tn, e.fp, e.fn, e.tp) == (11320, 1180, 3189, 9311)
    assert e.verdict == "fn"
    # what the sentence claims must follow: pos precision above pos recall, neg the reverse
    assert e.pos_precision > e.pos_recall and e.neg_recall > e.neg_precision


def test_false_positives_more_common():
    e = interpret.error_balance(binary(tn=80, fp=30, fn=10, tp=90))
    assert e.verdict == "fp"
    assert e.pos_recall > e.pos_precision and e.neg_precision > e.neg_recall


def test_errors_balanced():
    e = interpret.error_balance(binary(tn=90, fp=11, fn=10, tp=89))
    assert e.verdict == "balanced"


def test_error_balance_is_binary_only():
    res, _ = make_results("reuters_lstm")
    assert interpret.error_balance(res) is None


# --- multi-class confusion --------------------------------------------------------------------------------------


def test_top_confusion_and_never_predicted():
    res, _ = make_results("reuters_lstm")
    res = res.model_copy(update={"data": res.data.model_copy(update={"class_names": ["a", "b", "c"]})})
    # a: 5 right, 3 -> b; b: 4 right; c: 2 -> a (never predicted)
    res = with_predictions(res, [0] * 8 + [1] * 4 + [2] * 2, [0] * 5 + [1] * 3 + [1] * 4 + [0] * 2)
    c = interpret.top_confusion(res)
    assert (c.true_class, c.predicted_class, c.count, c.true_support) == ("a", "b", 3, 8)
    assert c.share == pytest.approx(3 / 8)
    assert c.never_predicted == ("c",)
    assert c.diagonal_share == pytest.approx(9 / 14)


def test_no_never_predicted_when_every_class_predicted():
    res, _ = make_results("reuters_lstm")
    res = res.model_copy(update={"data": res.data.model_copy(update={"class_names": ["a", "b"]})})
    res = with_predictions(res, [0, 0, 1, 1], [0, 1, 1, 1])
    assert interpret.top_confusion(res).never_predicted == ()


# --- ROC -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("auc", "band"), [(0.95, "excellent"), (0.9, "excellent"), (0.85, "good"),
                                           (0.75, "fair"), (0.6, "poor")])
def test_auc_bands(auc, band):
    assert interpret.auc_band(auc) == band


def test_micro_above_macro_and_ranking_better_than_decisions():
    r = interpret.RocFinding(auc=0.9, band="excellent", micro_auc=0.96, macro_auc=0.9, n_curves=46, macro_f1=0.22)
    assert r.frequent_separated_better and r.ranks_better_than_it_decides
    r = interpret.RocFinding(auc=0.9, band="excellent", micro_auc=0.905, macro_auc=0.9, n_curves=46, macro_f1=0.7)
    assert not r.frequent_separated_better and not r.ranks_better_than_it_decides


def test_binary_roc_has_no_averages():
    res, _ = make_results("imdb_simplernn")
    r = interpret.roc_summary(res)
    assert r.micro_auc is None and not r.frequent_separated_better
    assert r.auc == res.test.roc_auc


# --- accuracy against the majority class ----------------------------------------------------------------------


def test_beats_majority_baseline_or_not():
    res, _ = make_results("reuters_lstm", n_test=600, skill=2.0, skew=0.12)
    base = interpret.majority_baseline(res)
    counts = res.data.test_counts
    assert counts[base.majority_class] == max(counts.values())
    assert base.beats_baseline and base.lift == pytest.approx(res.test.accuracy - base.majority_share)
    res = with_predictions(res, [0] * 9 + [1], [1] * 10)  # all wrong but one
    assert not interpret.majority_baseline(res).beats_baseline


# --- the hand-made reference ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measured", "reference", "higher_is_better", "delta", "direction", "better"),
    [
        (0.871, 0.83, True, 0.04, "higher", True),
        (0.812, 0.83, True, -0.02, "lower", False),
        (0.834, 0.83, True, 0.0, "same", None),
        (0.8251, 0.83, True, 0.0, "same", None),  # -0.0049: rounds to zero, so not called "lower"
        (0.5, 0.64, True, -0.14, "lower", False),
    ],
)
def test_compare_scores_sign_and_direction_agree(measured, reference, higher_is_better, delta, direction, better):
    got = interpret.compare(measured, reference, kind="score", decimals=2, higher_is_better=higher_is_better)
    assert got == (pytest.approx(delta), direction, better)
    if direction != "same":
        assert fmt.signed(got[0]).startswith("+" if direction == "higher" else fmt.MINUS)


def test_compare_counts_lower_false_negatives_is_better():
    assert interpret.compare(2000, 3189, kind="count", decimals=2, higher_is_better=False) == (-1189, "lower", True)
    assert interpret.compare(4000, 3189, kind="count", decimals=2, higher_is_better=False) == (811, "higher", False)


def test_reference_comparison_skips_counts_on_a_different_test_set():
    res = binary(tn=80, fp=30, fn=10, tp=90)
    cmp = interpret.compare_with_reference(res, REFERENCES["imdb_simplernn"])
    assert not cmp.counts_comparable
    assert [c.key for c in cmp.rows] == ["accuracy", "roc_auc", "f1:neg", "f1:pos"]
    assert cmp.row("accuracy").measured == res.test.accuracy
    assert cmp.n_better + cmp.n_worse + cmp.n_same == len(cmp.rows)


def test_reference_comparison_compares_counts_on_25000_reviews():
    res = binary(tn=11320, fp=1180, fn=3189, tp=9311)
    cmp = interpret.compare_with_reference(res, REFERENCES["imdb_simplernn"])
    assert cmp.counts_comparable
    for key in ("tn", "tp", "fn", "fp"):
        assert cmp.row(key).direction == "same"
    assert cmp.row("accuracy").measured == pytest.approx((11320 + 9311) / 25000)


def test_reuters_reference_uses_micro_auc_and_both_f1_averages():
    res, _ = make_results("reuters_lstm", n_test=600, skill=2.0, skew=0.12)
    cmp = interpret.compare_with_reference(res, REFERENCES["reuters_lstm"])
    assert [c.key for c in cmp.rows] == ["accuracy", "micro_auc", "macro_f1", "weighted_f1"]
    assert cmp.row("micro_auc").measured == res.test.roc.micro.auc
    assert {r.value for r in REFERENCES["reuters_lstm"].figures} == {0.66, 0.96, 0.22, 0.64}


# --- formatting ---------------------------------------------------------------------------------------------


def test_filters():
    assert fmt.count(12500) == "12,500"
    assert fmt.count(25000.0) == "25,000"
    assert fmt.metric(0.81549) == "0.815"
    assert fmt.pct(0.8154) == "81.5%"
    assert fmt.signed(0.0412) == "+0.04"
    assert fmt.signed(-0.0312) == "\u22120.03"
    assert fmt.signed(0.001) == "\u00b10.00"
    assert fmt.signed_count(-1189) == "\u22121,189"
    assert fmt.number(5e-4) == "0.0005" and fmt.number(64) == "64" and fmt.number(10000) == "10,000"
    assert fmt.duration(3725) == "1 h 02 min" and fmt.duration(125) == "2 min 05 s" and fmt.duration(4.25) == "4.2 s"
    assert fmt.longdate(dt.date(2026, 11, 5)) == "5 November 2026"


# --- metadata ------------------------------------------------------------------------------------------------


def test_meta_defaults_when_missing(tmp_path):
    meta = load_meta(tmp_path / "report.toml")
    assert meta.title == DEFAULT_TITLE == "Assignment 3: Recurrent Neural Networks"
    assert meta.date == dt.date.today()


def test_meta_reads_report_table(tmp_path):
    path = tmp_path / "report.toml"
    path.write_text('[report]\nauthor = "A. Student"\ncourse = "DL"\ndate = 2026-01-31\n', encoding="utf-8")
    meta = load_meta(path)
    assert (meta.author, meta.course, meta.date) == ("A. Student", "DL", dt.date(2026, 1, 31))


def test_meta_rejects_unknown_keys(tmp_path):
    path = tmp_path / "report.toml"
    path.write_text('[report]\nauthr = "typo"\n', encoding="utf-8")
    with pytest.raises(click.ClickException, match="authr"):
        load_meta(path)


def test_project_report_toml_is_valid():
    """The checkout's own report.toml parses with known fields only and names a title (whatever it is)."""
    from tests import REPO_ROOT

    meta = load_meta(REPO_ROOT / "report.toml")
    assert meta.title.strip()
    assert meta.pdf_variant in ("", "pdf/ua-1", "pdf/a-3b")


@pytest.mark.parametrize(("accuracy", "verdict"), [(0.3304, "matches"), (0.33, "matches"), (0.36, "beats"), (0.2, "below")])
def test_baseline_verdict_at_printed_precision(accuracy, verdict):
    assert interpret.BaselineFinding("earn", 0.33, accuracy).verdict == verdict


def test_balanced_binary_majority_is_a_tie():
    res = binary(tn=40, fp=10, fn=10, tp=40)
    assert interpret.majority_baseline(res).n_majority == 2
