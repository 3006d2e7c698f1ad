"""Figures as a reader would notice them: valid SVGs with real text, the right labels and numbers, stable bytes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from report.render import figures
from report.render.figures import (
    ConfusionMatrixDisplay,
    F1SupportDisplay,
    RocDisplay,
    TrainingCurvesDisplay,
    WrittenFigure,
)
from report.render.format import metric
from tests.factories import make_results

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def imdb():
    return make_results("imdb_simplernn", n_test=400, skill=1.2, epochs=5, best_epoch=3)[0]


@pytest.fixture(scope="module")
def reuters():
    return make_results("reuters_lstm", n_test=600, skill=2.0, skew=0.12, epochs=8, best_epoch=6)[0]


@pytest.fixture(scope="module")
def written_list(tmp_path_factory, imdb, reuters) -> list[WrittenFigure]:
    out = tmp_path_factory.mktemp("figures")
    return figures.write_figures({"imdb_simplernn": imdb, "reuters_lstm": reuters}, out)


@pytest.fixture(scope="module")
def written(written_list) -> dict[tuple[str, str], WrittenFigure]:
    return {(f.experiment, f.kind): f for f in written_list}


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def tick_count(path: Path, axis: str) -> int:
    """Tick labels on the first (main) axes of a matplotlib SVG."""
    root = ET.parse(path).getroot()
    main = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "axes_1")
    # only the axes' own axis groups: the colour bar is an inset axes nested inside axes_1
    axis_groups = [g for g in main.findall(f"{SVG}g") if (g.get("id") or "").startswith("matplotlib.axis")]
    return sum(1 for a in axis_groups for g in a.findall(f"{SVG}g") if (g.get("id") or "").startswith(f"{axis}tick_"))


# --- the API --------------------------------------------------------------------


def test_figure_kinds_depend_on_the_task(imdb, reuters):
    assert figures.figure_kinds(imdb) == ["training", "confusion", "roc"]
    assert figures.figure_kinds(reuters) == ["training", "confusion", "roc", "f1_support"]


def test_write_figures_returns_one_svg_per_kind_in_a_stable_order(written_list):
    result = written_list
    out_dir = result[0].path.parent
    assert [(f.experiment, f.kind) for f in result] == [
        ("imdb_simplernn", "training"), ("imdb_simplernn", "confusion"), ("imdb_simplernn", "roc"),
        ("reuters_lstm", "training"), ("reuters_lstm", "confusion"), ("reuters_lstm", "roc"),
        ("reuters_lstm", "f1_support"),
    ]
    for f in result:
        assert f.path == out_dir / f"{f.experiment}-{f.kind}.svg"
        assert f.path.is_file()
        assert f.title and not re.search(r"\b\d", f.title), f.title  # "F1" is a name, not a number
        assert f.alt.endswith(".")
    # atomic writes leave no temporary files behind
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(f.path.name for f in result)


def test_every_svg_is_valid_and_keeps_text_as_text(written):
    for f in written.values():
        root = ET.parse(f.path).getroot()
        assert root.tag == f"{SVG}svg"
        assert svg_texts(f.path), f"{f.path.name} has no <text> elements"
        raw = f.path.read_text(encoding="utf-8")
        assert "font-family: 'DejaVu Sans', sans-serif" in raw
        assert "<dc:date>" not in raw  # no timestamp


def test_output_is_byte_identical_for_the_same_results(tmp_path, written_list, reuters, imdb):
    # a second run, in another folder and with the experiments in the other order
    again = figures.write_figures({"reuters_lstm": reuters, "imdb_simplernn": imdb}, tmp_path)
    assert len(again) == len(written_list)
    by_name = {f.path.name: f for f in again}
    for a in written_list:
        b = by_name[a.path.name]
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name
        assert a.alt == b.alt


# --- training curves ----------------------------------------------------------------


def test_training_curves_mark_the_best_epoch(written, imdb, reuters):
    for results in (imdb, reuters):
        f = written[(results.experiment, "training")]
        texts = svg_texts(f.path)
        assert texts.count(f"best epoch {results.best_epoch}") == 2  # one label per panel
        assert {"Accuracy", "Loss", "Epoch", "training", "validation"} <= set(texts)
    display = TrainingCurvesDisplay.from_results(reuters).plot()
    assert_legend_hides_no_line(display.figure_, display.axes_)
    for ax in display.axes_:
        vertical = [ln for ln in ax.lines if np.all(np.asarray(ln.get_xdata()) == reuters.best_epoch)]
        assert vertical, "no vertical line at the best epoch"


def test_training_alt_text_states_epochs_and_best_epoch(written, reuters):
    alt = written[("reuters_lstm", "training")].alt
    assert "over 8 epochs" in alt
    assert "epoch 6" in alt
    assert f"{reuters.best.val_loss:.3f}" in alt


# --- confusion matrices --------------------------------------------------------------


def test_binary_confusion_matrix_shows_counts_and_row_percentages(written, imdb):
    f = written[("imdb_simplernn", "confusion")]
    texts = svg_texts(f.path)
    cm = np.array(imdb.test.confusion_matrix)
    for i in range(2):
        for j in range(2):
            assert f"{cm[i, j]:,}" in texts
            assert f"{100 * cm[i, j] / cm[i].sum():.1f}%" in texts
    assert {"neg", "pos", "True class", "Predicted class"} <= set(texts)
    assert f"{cm[0, 0]:,}" in f.alt and f"{cm[1, 1]:,}" in f.alt


def test_multiclass_confusion_matrix_groups_the_rare_topics(written, reuters):
    f = written[("reuters_lstm", "confusion")]
    top_n = ConfusionMatrixDisplay.TOP_N
    assert tick_count(f.path, "x") == tick_count(f.path, "y") == top_n + 1  # 46 topics, N + "other" shown
    texts = svg_texts(f.path)
    assert "earn" in texts  # column label
    assert any(t.startswith("earn (") for t in texts)  # row label with its support
    rare = len(reuters.data.class_names) - top_n
    assert f"other ({rare} topics)" in texts


def test_multiclass_confusion_matrix_is_ordered_by_frequency_and_loses_no_example(reuters):
    display = ConfusionMatrixDisplay.from_results(reuters)
    counts = reuters.data.test_counts
    shown = [counts[name] for name in display.labels[:-1]]
    assert shown == sorted(shown, reverse=True)
    assert display.matrix.sum() == reuters.data.test_size
    assert display.matrix.sum(axis=1)[:-1].tolist() == shown
    np.testing.assert_allclose(display.row_share.sum(axis=1), 1.0)
    assert "the 20 most frequent of 46 topics" in display.alt_text()


def test_confusion_matrix_tick_labels_do_not_overlap(reuters):
    display = ConfusionMatrixDisplay.from_results(reuters).plot()
    fig = display.figure_
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for labels in (display.ax_.get_xticklabels(), display.ax_.get_yticklabels()):
        boxes = [t.get_window_extent(renderer) for t in labels if t.get_text()]
        for a, b in zip(boxes, boxes[1:]):
            assert not a.overlaps(b)


# --- ROC --------------------------------------------------------------------------------


def test_binary_roc_has_auc_in_legend_and_chance_diagonal(written, imdb):
    f = written[("imdb_simplernn", "roc")]
    texts = svg_texts(f.path)
    auc = metric(imdb.test.roc_auc)
    assert any("AUC" in t and auc in t for t in texts), texts
    assert "chance (AUC 0.50)" in texts
    assert f"AUC {auc}" in f.alt


def test_multiclass_roc_has_top_topics_and_averages(written, reuters):
    f = written[("reuters_lstm", "roc")]
    texts = svg_texts(f.path)
    roc = reuters.test.roc
    assert f"micro-average (AUC {metric(roc.micro.auc)})" in texts
    assert f"macro-average (AUC {metric(roc.macro.auc)})" in texts
    top = figures.classes_by_frequency(reuters)[: RocDisplay.TOP_K]
    for topic in top:
        assert f"{topic} (AUC {metric(roc.per_class[topic].auc)})" in texts
    assert sum("(AUC" in t for t in texts) == RocDisplay.TOP_K + 3  # topics, micro, macro, chance
    assert f"micro-average AUC {metric(roc.micro.auc)}" in f.alt


def assert_legend_hides_no_line(fig, axes):
    fig.canvas.draw()
    legends = fig.legends + [ax.get_legend() for ax in axes if ax.get_legend()]
    assert len(legends) == 1
    box = legends[0].get_window_extent(fig.canvas.get_renderer())
    for ax in axes:
        for line in ax.lines:
            xy = line.get_transform().transform(line.get_xydata())
            b = ax.bbox  # only what is visible in the panel
            xy = xy[(b.x0 <= xy[:, 0]) & (xy[:, 0] <= b.x1) & (b.y0 <= xy[:, 1]) & (xy[:, 1] <= b.y1)]
            inside = (box.x0 < xy[:, 0]) & (xy[:, 0] < box.x1) & (box.y0 < xy[:, 1]) & (xy[:, 1] < box.y1)
            assert not inside.any(), f"legend hides part of {line.get_label()}"


@pytest.mark.parametrize("which", ["imdb", "reuters"])
def test_roc_legend_covers_no_curve(which, request):
    display = RocDisplay.from_results(request.getfixturevalue(which)).plot()
    assert_legend_hides_no_line(display.figure_, display.axes_)


def test_multiclass_roc_zooms_into_the_top_left_corner(reuters):
    display = RocDisplay.from_results(reuters).plot()
    full, zoom = display.axes_
    assert full.get_xlim() == pytest.approx((-0.01, 1.01))
    assert zoom.get_xlim() == pytest.approx((0, RocDisplay.ZOOM_FPR))
    assert 0 <= zoom.get_ylim()[0] < 1


def test_a_perfect_multiclass_model_still_gets_its_zoomed_corner():
    """Every curve at a true positive rate of 1 from the start (a tiny or very easy test set): the zoom starts
    at 0.9 instead of dividing by a zero-height corner."""
    perfect, _ = make_results("reuters_lstm", n_test=300, skill=60.0)
    assert perfect.test.accuracy == 1.0
    display = RocDisplay.from_results(perfect).plot()
    assert display.axes_[1].get_ylim()[0] == pytest.approx(0.9)


# --- F1 against support ------------------------------------------------------------


def test_f1_support_labels_notable_topics_without_overlap(written, reuters):
    f = written[("reuters_lstm", "f1_support")]
    texts = svg_texts(f.path)
    for topic in figures.classes_by_frequency(reuters)[: F1SupportDisplay.N_FREQUENT]:
        assert topic in texts
    report = reuters.test.classification_report
    assert f"macro-average F1 {metric(report.macro_avg.f1_score)}" in texts
    assert f"weighted-average F1 {metric(report.weighted_avg.f1_score)}" in texts
    assert f"macro-average F1 {metric(report.macro_avg.f1_score)}" in f.alt

    display = F1SupportDisplay.from_results(reuters).plot()
    fig = display.figure_
    renderer = fig.canvas.get_renderer()
    names = [t for t in display.ax_.texts if t.get_text() in display.labelled]
    assert len(names) == len(display.labelled)
    boxes = [t.get_window_extent(renderer) for t in display.ax_.texts]  # names and "×k" marks
    for i, a in enumerate(boxes):
        assert all(not a.overlaps(b) for b in boxes[i + 1:]), display.ax_.texts[i].get_text()
        assert display.ax_.bbox.contains(a.x0, a.y0) and display.ax_.bbox.contains(a.x1, a.y1)


def test_f1_support_uses_a_log_axis(reuters):
    display = F1SupportDisplay.from_results(reuters).plot()
    assert display.ax_.get_xscale() == "log"


# --- names are plain text ------------------------------------------------------------


def test_class_names_with_markup_characters_stay_literal(tmp_path):
    names = ["cost $5 & up", "<b>pos</b>"]
    res, _ = make_results("odd_names", class_names=names, n_test=60)
    written = figures.write_figures({"odd_names": res}, tmp_path)
    confusion = next(f for f in written if f.kind == "confusion")
    texts = svg_texts(confusion.path)  # parses, so & and < were escaped
    assert set(names) <= set(texts)
    assert names[0] in confusion.alt


def test_training_alt_text_tells_when_best_epoch_is_not_the_lowest_validation_loss():
    display = TrainingCurvesDisplay([1, 2, 3, 4], [0.6, 0.7, 0.8, 0.9], [0.6, 0.7, 0.8, 0.7],
                                    [0.9, 0.6, 0.4, 0.3], [0.8, 0.6, 0.5, 0.45], best_epoch=3)
    alt = display.alt_text()
    assert "the marked best epoch 3 has validation loss 0.500 and validation accuracy 0.80" in alt
    assert "lowest at epoch 4" in alt


def test_few_classes_are_shown_without_grouping(tmp_path):
    res, _ = make_results("small_topics", class_names=["a", "b", "c", "d", "e"], n_test=100)
    display = ConfusionMatrixDisplay.from_results(res)
    assert display.grouped == 0 and sorted(display.labels) == ["a", "b", "c", "d", "e"]
    written = figures.write_figures({"small_topics": res}, tmp_path)
    assert [f.kind for f in written] == ["training", "confusion", "roc", "f1_support"]
    assert "all 5 topics" in written[1].alt
