"""The report's figures: plot objects that compute once and draw on given axes.

Each figure kind is a *display* in the manner of scikit-learn's Display
classes: the constructor stores plain data, ``from_results`` computes that data
from a :class:`~report.results.experiment_results.Results`, ``plot(ax=None)`` draws on the axes it
is given (or on a new figure) and returns the display itself, and
``alt_text()`` describes the data for readers who cannot see the image.

:func:`write_figures` is the only entry point the renderer needs: it draws
every applicable kind for every experiment inside one shared style and saves
each as an SVG through one function, :func:`save_figure`. The SVGs keep text as
text (``svg.fonttype = 'none'``) so the HTML and WeasyPrint's PDF show real,
searchable type, and they are deterministic: the same results give
byte-identical files.

Figures are built on ``matplotlib.figure.Figure`` with an Agg canvas rather
than through ``pyplot``: no global figure registry, nothing to leak, nothing
ever shown. This module never imports TensorFlow.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter
from matplotlib.transforms import Bbox

from report import atomic
from report.render.format import count, metric, number, pct, plural, word
from report.render.written import WrittenFigure  # noqa: F401 - drawn here, and imported from here
from report.results.experiment_results import Results

log = logging.getLogger(__name__)

# --- style -----------------------------------------------------------------

# Okabe & Ito's palette, distinguishable with the common colour-vision
# deficiencies; ordered so the first two (training / validation, or the first
# two topics) differ most, also in greyscale.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
GREY = "#7F7F7F"
SEQUENTIAL_CMAP = "Blues"  # one hue, light to dark: readable in greyscale and with any colour vision

# One type scale for every figure. Every figure is drawn TEXT_WIDTH_IN wide and
# saved at (at least) that width (see save_figure), so one scale factor maps all
# of them onto the page: the PDF prints them at their drawn size (the text block
# is about 16 cm wide), where FONT_PT is the body's 10 pt; the site shows them
# at a fixed width (--figure in site.css) where FONT_PT comes out at the body's
# 17 px. A figure drawn narrow and scaled up would have larger type than the rest.
TEXT_WIDTH_IN = 16 / 2.54
FONT_PT = 10  # axis labels and titles: the PDF's body size
SMALL_PT = 9  # tick labels, legends, annotations, values in cells

STYLE: dict[str, object] = {
    "svg.fonttype": "none",  # text stays <text>: searchable, selectable, styled by the viewer
    "svg.hashsalt": "make-report",  # fixed ids for clip paths etc.: same data, same bytes
    "font.family": ["DejaVu Sans", "sans-serif"],  # DejaVu ships with matplotlib; the rest is a fallback
    "font.sans-serif": ["DejaVu Sans"],  # so the SVG says font-family: 'DejaVu Sans', sans-serif
    "font.size": FONT_PT,
    "axes.titlesize": FONT_PT,
    "axes.labelsize": FONT_PT,
    "xtick.labelsize": SMALL_PT,
    "ytick.labelsize": SMALL_PT,
    "legend.fontsize": SMALL_PT,
    "legend.frameon": False,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.6,
    "text.parse_math": False,  # topic names are plain strings: "$" must never start mathtext
    "figure.dpi": 100,
    "savefig.dpi": 100,
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """The one look of every figure in the report."""
    with mpl.rc_context(STYLE):
        yield


def new_figure(width_in: float, height_in: float, **subplot_kw) -> tuple[Figure, np.ndarray | Axes]:
    """A pyplot-free figure on an Agg canvas with constrained layout (no clipped labels)."""
    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(**subplot_kw)


def _full_width_bbox(fig: Figure, pad: float = 0.04) -> Bbox:
    """The tight box's height with (at least) the figure's whole width, in inches.

    A tight crop would make a figure with side margins (a square matrix) narrower
    than TEXT_WIDTH_IN, and scaled to the column its type would grow: every SVG
    keeps the drawn width so all share one type scale.
    """
    fig.draw_without_rendering()  # settle the constrained layout first
    tight = fig.get_tightbbox()
    width = fig.get_figwidth()
    return Bbox.from_extents(min(0.0, tight.x0) - pad, tight.y0 - pad, max(width, tight.x1) + pad, tight.y1 + pad)


def save_figure(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a deterministic SVG, atomically, and release it.

    The only place that saves a figure. ``Date: None`` drops the timestamp;
    together with ``svg.hashsalt`` the bytes depend on the data alone.
    """
    path = Path(path)
    with style(), atomic.atomic_path(path) as tmp:
        fig.savefig(tmp, format="svg", metadata={"Date": None}, bbox_inches=_full_width_bbox(fig))
    fig.clear()
    log.info("wrote %s", path)
    return path


def is_multiclass(results: Results) -> bool:
    return len(results.data.class_names) > 2


def classes_by_frequency(results: Results) -> list[str]:
    """Class names, most frequent in the test set first; ties keep the data's order."""
    names = results.data.class_names
    counts = results.data.test_counts
    return sorted(names, key=lambda n: (-counts.get(n, 0), names.index(n)))


# --- the displays -----------------------------------------------------------


class Display(Protocol):
    kind: ClassVar[str]
    title: str  # caption title, no numbers; may depend on the data (binary or multi-class)

    @classmethod
    def applies(cls, results: Results) -> bool: ...

    @classmethod
    def from_results(cls, results: Results) -> "Display": ...

    def plot(self, ax=None) -> "Display": ...

    def alt_text(self) -> str: ...


class TrainingCurvesDisplay:
    """Training and validation accuracy (left) and loss (right) per epoch, the kept epoch marked."""

    kind: ClassVar[str] = "training"
    title: ClassVar[str] = "Training and validation curves"

    def __init__(
        self,
        epochs: Sequence[int],
        accuracy: Sequence[float],
        val_accuracy: Sequence[float],
        loss: Sequence[float],
        val_loss: Sequence[float],
        best_epoch: int,
    ) -> None:
        self.epochs = np.asarray(epochs, dtype=int)
        self.accuracy = np.asarray(accuracy, dtype=float)
        self.val_accuracy = np.asarray(val_accuracy, dtype=float)
        self.loss = np.asarray(loss, dtype=float)
        self.val_loss = np.asarray(val_loss, dtype=float)
        self.best_epoch = int(best_epoch)

    @classmethod
    def applies(cls, results: Results) -> bool:
        return True

    @classmethod
    def from_results(cls, results: Results) -> "TrainingCurvesDisplay":
        h = results.history
        return cls(
            epochs=[r.epoch for r in h],
            accuracy=[r.accuracy for r in h],
            val_accuracy=[r.val_accuracy for r in h],
            loss=[r.loss for r in h],
            val_loss=[r.val_loss for r in h],
            best_epoch=results.best_epoch,
        )

    def plot(self, ax: Sequence[Axes] | None = None) -> "TrainingCurvesDisplay":
        """Draw on a pair of axes (accuracy, loss), or on a new two-panel figure."""
        with style():
            if ax is None:
                _, ax = new_figure(TEXT_WIDTH_IN, 3.0, ncols=2)
            acc_ax, loss_ax = ax
            panels = (
                (acc_ax, "Accuracy", self.accuracy, self.val_accuracy),
                (loss_ax, "Loss", self.loss, self.val_loss),
            )
            for a, name, train, val in panels:
                a.plot(self.epochs, train, color=PALETTE[0], marker="o", markersize=3.5, label="training")
                a.plot(self.epochs, val, color=PALETTE[1], marker="s", markersize=3.5, linestyle="--",
                       label="validation")
                a.axvline(self.best_epoch, color=GREY, linewidth=1, linestyle=":", zorder=0)
                # The label sits just above the axes, so it never hides a curve.
                a.annotate(f"best epoch {self.best_epoch}", xy=(self.best_epoch, 1), xycoords=("data", "axes fraction"),
                           xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                           fontsize=SMALL_PT, color="#444444")
                a.set_title(name, loc="left", pad=14)
                a.set_xlabel("Epoch")
                a.set_ylabel(name.lower())
                a.xaxis.set_major_locator(MaxNLocator(integer=True))
                a.set_xlim(self.epochs.min() - 0.3, self.epochs.max() + 0.3)
                a.grid(True, axis="y")
            fig = acc_ax.figure
            if fig.get_layout_engine() is not None:  # below the panels, where it cannot hide a curve
                fig.legend(*acc_ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
            else:
                acc_ax.legend(loc="best")
            self.axes_ = (acc_ax, loss_ax)
            self.figure_ = fig
        return self

    def alt_text(self) -> str:
        n = len(self.epochs)
        i = self.best_epoch - 1
        lowest = int(self.epochs[int(np.argmin(self.val_loss))])
        val_loss, val_acc = metric(self.val_loss[i]), metric(self.val_accuracy[i])
        if lowest == self.best_epoch:
            best = (f"validation loss is lowest at epoch {self.best_epoch} ({val_loss}), the marked best epoch, "
                    f"where validation accuracy is {val_acc}")
        else:
            best = (f"the marked best epoch {self.best_epoch} has validation loss {val_loss} and validation "
                    f"accuracy {val_acc}, while validation loss is lowest at epoch {lowest}")
        return (
            f"Line chart of training and validation accuracy and loss over {plural(n, 'epoch')}; {best}; "
            f"in the last epoch training accuracy is {metric(self.accuracy[-1])} and validation accuracy "
            f"{metric(self.val_accuracy[-1])}."
        )


class ConfusionMatrixDisplay:
    """Confusion matrix with rows = true class, coloured by the share of each true class.

    With ``counts_in_cells`` (the binary case) every cell shows the count and
    its row percentage; otherwise cells show rounded row percentages only and a
    colour bar carries the scale.
    """

    kind: ClassVar[str] = "confusion"

    TOP_N: ClassVar[int] = 20  # topics shown individually; beyond ~20 rows the labels get too small at 16 cm

    def __init__(
        self,
        matrix: np.ndarray,
        labels: Sequence[str],
        *,
        counts_in_cells: bool,
        n_classes: int | None = None,
        grouped: int = 0,
    ) -> None:
        self.matrix = np.asarray(matrix, dtype=int)
        self.labels = list(labels)
        self.counts_in_cells = counts_in_cells
        self.n_classes = n_classes or len(self.labels)
        self.grouped = grouped  # how many rare classes were merged into the last row/column
        self.title = "Confusion matrix" if counts_in_cells else "Row-normalised confusion matrix, topics by frequency"
        support = self.matrix.sum(axis=1, keepdims=True)
        self.row_share = np.divide(self.matrix, support, out=np.zeros(self.matrix.shape), where=support > 0)

    @classmethod
    def applies(cls, results: Results) -> bool:
        return True

    @classmethod
    def from_results(cls, results: Results, top_n: int | None = None) -> "ConfusionMatrixDisplay":
        names = results.data.class_names
        cm = np.asarray(results.test.confusion_matrix, dtype=int)
        if not is_multiclass(results):
            return cls(cm, names, counts_in_cells=True)
        top_n = cls.TOP_N if top_n is None else top_n
        order = [names.index(n) for n in classes_by_frequency(results)]
        keep, rest = order[:top_n], order[top_n:]
        if len(rest) <= 1:  # grouping one topic into "other" would only rename it
            keep, rest = order, []
        # Merge the rare topics on both axes, so every test wire still counts once.
        groups = [[k] for k in keep] + ([rest] if rest else [])
        merged = np.array([[cm[np.ix_(r, c)].sum() for c in groups] for r in groups], dtype=int)
        labels = [names[k] for k in keep] + ([f"other ({len(rest)} topics)"] if rest else [])
        return cls(merged, labels, counts_in_cells=False, n_classes=len(names), grouped=len(rest))

    def plot(self, ax: Axes | None = None) -> "ConfusionMatrixDisplay":
        n = len(self.labels)
        with style():
            if ax is None:
                size = (TEXT_WIDTH_IN, 3.5) if n <= 3 else (TEXT_WIDTH_IN, TEXT_WIDTH_IN * 0.85)
                _, ax = new_figure(*size)
            cmap = mpl.colormaps[SEQUENTIAL_CMAP]
            # Vector cells (not an embedded bitmap) stay sharp at any zoom in the HTML and the PDF.
            edges = np.arange(n + 1) - 0.5
            image = ax.pcolormesh(edges, edges, self.row_share, cmap=cmap, vmin=0, vmax=1,
                                  edgecolors="white", linewidth=0.5 if n > 3 else 1.5)
            ax.set_xlim(edges[0], edges[-1])
            ax.set_ylim(edges[-1], edges[0])  # first class on top, as in a table
            ax.set_aspect("equal")
            cell_font = min(FONT_PT, max(6.5, 130 / n))  # FONT_PT for 2 classes, 6.5 pt from 20 rows on
            for i in range(n):
                for j in range(n):
                    share = self.row_share[i, j]
                    if self.counts_in_cells:
                        text = f"{count(self.matrix[i, j])}\n{pct(share)}"
                    elif round(100 * share) >= 1:
                        text = pct(share, 0).removesuffix("%")  # the colour bar carries the %
                    else:
                        continue
                    colour = "white" if share > 0.55 else "#222222"
                    ax.text(j, i, text, ha="center", va="center", fontsize=cell_font, color=colour)
            ticks = np.arange(n)
            ax.set_xticks(ticks, self.labels, rotation=0 if n <= 3 else 90)
            # Without counts in the cells, the row labels say how many examples each percentage is of.
            row_labels = self.labels if self.counts_in_cells else [
                f"{name} ({count(total)})" for name, total in zip(self.labels, self.matrix.sum(axis=1))]
            ax.set_yticks(ticks, row_labels)
            ax.tick_params(length=0)
            for spine in ax.spines.values():
                spine.set_visible(False)
            ax.set_xlabel("Predicted class" if n <= 3 else "Predicted topic")
            ax.set_ylabel("True class" if n <= 3 else "True topic (test examples), most frequent first")
            # An inset follows the square matrix exactly (a layout colour bar would span the taller axes box).
            cax = ax.inset_axes([1.03, 0.0, 0.04 if n <= 3 else 0.03, 1.0])
            colorbar = ax.figure.colorbar(image, cax=cax)
            colorbar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
            colorbar.set_label("share of the true class's test examples")
            colorbar.outline.set_visible(False)
            self.ax_, self.figure_, self.image_, self.colorbar_ = ax, ax.figure, image, colorbar
        return self

    def alt_text(self) -> str:
        total = int(self.matrix.sum())
        if self.counts_in_cells:
            parts = []
            for i, true in enumerate(self.labels):
                row = ", ".join(
                    f"{count(self.matrix[i, j])} predicted {pred} ({pct(self.row_share[i, j])})"
                    for j, pred in enumerate(self.labels)
                )
                parts.append(f"of {count(self.matrix[i].sum())} true {true}, {row}")
            return f"Confusion matrix of {count(total)} test examples: " + "; ".join(parts) + "."
        diag = np.diag(self.row_share)
        shown = len(self.labels) - (1 if self.grouped else 0)
        best, worst = int(np.argmax(diag[:shown])), int(np.argmin(diag[:shown]))
        scope = (
            f"the {shown} most frequent of {self.n_classes} topics, the other {self.grouped} grouped as one"
            if self.grouped else f"all {self.n_classes} topics"
        )
        return (
            f"Heat map of the row-normalised confusion matrix of {count(total)} test examples for {scope}, "
            f"most frequent first. The share of each true topic predicted correctly ranges from "
            f"{pct(diag[worst], 0)} ({self.labels[worst]}) to {pct(diag[best], 0)} ({self.labels[best]}); "
            f"{self.labels[0]}, the most frequent topic, is predicted correctly for {pct(diag[0], 0)} of its examples."
        )


@dataclass(frozen=True)
class RocLine:
    label: str
    fpr: np.ndarray
    tpr: np.ndarray
    auc: float
    color: str
    linestyle: str = "-"
    linewidth: float = 1.6


class RocDisplay:
    """ROC curves with their AUCs in the legend and the chance diagonal."""

    kind: ClassVar[str] = "roc"

    TOP_K: ClassVar[int] = 5  # one-vs-rest curves for this many most frequent topics; more become spaghetti

    def __init__(self, lines: Sequence[RocLine], *, description: str, title: str = "ROC curves") -> None:
        self.lines = list(lines)
        self.description = description  # what the curves are, for the alt text
        self.title = title

    @classmethod
    def applies(cls, results: Results) -> bool:
        return True

    @classmethod
    def from_results(cls, results: Results, top_k: int | None = None) -> "RocDisplay":
        roc = results.test.roc

        def line(label: str, curve, color: str, **kw) -> RocLine:
            return RocLine(f"{label} (AUC {metric(curve.auc)})", np.asarray(curve.fpr), np.asarray(curve.tpr),
                           curve.auc, color, **kw)

        if not is_multiclass(results):
            (positive, curve), = roc.per_class.items()
            negative = next(n for n in results.data.class_names if n != positive)
            return cls([line(f"{positive} vs {negative}", curve, PALETTE[0], linewidth=2)],
                       description=f"ROC curve of {positive} against {negative}", title="ROC curve")
        top_k = cls.TOP_K if top_k is None else top_k
        topics = [n for n in classes_by_frequency(results) if n in roc.per_class][:top_k]
        lines = [line(t, roc.per_class[t], PALETTE[i % (len(PALETTE) - 1)]) for i, t in enumerate(topics)]
        if roc.micro is not None:
            lines.append(line("micro-average", roc.micro, "#000000", linestyle="--", linewidth=2))
        if roc.macro is not None:
            lines.append(line("macro-average", roc.macro, GREY, linestyle="-.", linewidth=2))
        return cls(lines, description=f"One-vs-rest ROC curves of the {len(topics)} most frequent topics",
                   title="One-vs-rest ROC curves with micro and macro averages")

    ZOOM_FPR: ClassVar[float] = 0.2  # good classifiers differ only near the top-left corner

    def plot(self, ax: Axes | Sequence[Axes] | None = None) -> "RocDisplay":
        """Draw on one axes, or on (full, zoom) axes; a new figure gets the zoom panel for many curves."""
        many = len(self.lines) > 2
        with style():
            if ax is None:
                if many:
                    _, ax = new_figure(TEXT_WIDTH_IN, 4.2, ncols=2)
                else:
                    _, ax = new_figure(TEXT_WIDTH_IN, 3.4)
            axes = [ax] if isinstance(ax, Axes) else list(ax)
            for a in axes:
                self._draw(a)
            if len(axes) > 1:
                self._zoom(axes[0], axes[1])
            handles, labels = axes[0].get_legend_handles_labels()
            order = list(range(1, len(handles))) + [0]  # curves first, chance last
            handles, labels = [handles[i] for i in order], [labels[i] for i in order]
            fig = axes[0].figure
            if len(axes) > 1 and fig.get_layout_engine() is not None:
                # Below both panels, where it cannot hide a curve.
                fig.legend(handles, labels, loc="outside lower center", ncols=2)  # 3 at 9 pt are wider than the page
            else:  # curves above the diagonal leave the lower right empty
                axes[0].legend(handles, labels, loc="lower right")
            self.axes_, self.ax_, self.figure_ = tuple(axes), axes[0], fig
        return self

    def _draw(self, ax: Axes) -> None:
        ax.plot([0, 1], [0, 1], color=GREY, linewidth=1, linestyle=":", label="chance (AUC 0.50)")
        for ln in self.lines:
            ax.plot(ln.fpr, ln.tpr, color=ln.color, linestyle=ln.linestyle, linewidth=ln.linewidth, label=ln.label)
        ax.set_xlim(-0.01, 1.01)
        ax.set_ylim(-0.01, 1.01)
        ax.set_aspect("equal")
        ax.set_xlabel("False positive rate")
        ax.set_ylabel("True positive rate")
        ax.grid(True)

    def _zoom(self, full: Axes, zoom: Axes) -> None:
        """Show the top-left corner, from the lowest true positive rate any curve has at a 1% false positive rate."""
        at_1pct = min(float(np.interp(0.01, ln.fpr, ln.tpr)) for ln in self.lines)
        # at most 0.9: a perfect model (every curve at 1.0 already) still gets a corner to show
        y0 = min(max(0.0, np.floor(at_1pct * 10) / 10), 0.9)
        x1 = self.ZOOM_FPR
        zoom.set_xlim(0, x1)
        zoom.set_ylim(y0, 1.0 + (1 - y0) * 0.01)
        zoom.set_aspect(x1 / (1 - y0))
        zoom.set_ylabel("")
        full.set_title("All thresholds", loc="left")
        zoom.set_title(f"Zoom: false positive rate up to {number(x1)}", loc="left")
        full.add_patch(Rectangle((0, y0), x1, 1 - y0, fill=False, edgecolor="#444444",
                                             linewidth=0.8, linestyle="--", zorder=5))

    def alt_text(self) -> str:
        aucs = ", ".join(ln.label.replace(" (AUC ", " AUC ").rstrip(")") for ln in self.lines)
        return f"{self.description}, with the chance diagonal: {aucs}."


class F1SupportDisplay:
    """Per-topic F1 against test support (log scale): shows which topics the model has learned."""

    kind: ClassVar[str] = "f1_support"
    title: ClassVar[str] = "Per-topic F1 against support"

    N_FREQUENT: ClassVar[int] = 5  # the most frequent topics are always labelled
    N_EXTREME: ClassVar[int] = 3  # plus the best and worst of the rest with at least MIN_SUPPORT examples
    MIN_SUPPORT: ClassVar[int] = 10

    def __init__(
        self, names: Sequence[str], support: Sequence[int], f1: Sequence[float], *,
        macro_f1: float, weighted_f1: float, labelled: Sequence[str] = (),
    ) -> None:
        self.names = list(names)
        self.support = np.asarray(support, dtype=int)
        self.f1 = np.asarray(f1, dtype=float)
        self.macro_f1 = float(macro_f1)
        self.weighted_f1 = float(weighted_f1)
        self.labelled = list(labelled)

    @classmethod
    def applies(cls, results: Results) -> bool:
        return is_multiclass(results)

    @classmethod
    def from_results(cls, results: Results) -> "F1SupportDisplay":
        report = results.test.classification_report
        names = classes_by_frequency(results)
        rows = [report.classes[n] for n in names]
        labelled = names[: cls.N_FREQUENT]
        rest = [n for n in names[cls.N_FREQUENT:] if report.classes[n].support >= cls.MIN_SUPPORT]
        by_f1 = sorted(rest, key=lambda n: report.classes[n].f1_score)
        extremes = by_f1[-cls.N_EXTREME:] + by_f1[: cls.N_EXTREME]
        labelled += [n for n in dict.fromkeys(extremes) if n not in labelled]
        return cls(
            names, [r.support for r in rows], [r.f1_score for r in rows],
            macro_f1=report.macro_avg.f1_score, weighted_f1=report.weighted_avg.f1_score, labelled=labelled,
        )

    def plot(self, ax: Axes | None = None) -> "F1SupportDisplay":
        with style():
            if ax is None:
                _, ax = new_figure(TEXT_WIDTH_IN, 3.8)
            x = np.maximum(self.support, 1)  # a topic absent from the test set would sit at log(0)
            ax.scatter(x, self.f1, s=22, color=PALETTE[0], alpha=0.75, edgecolors="white", linewidths=0.5,
                       zorder=3, label="topic")
            ax.axhline(self.weighted_f1, color=PALETTE[1], linestyle="--", linewidth=1.2,
                       label=f"weighted-average F1 {metric(self.weighted_f1)}")
            ax.axhline(self.macro_f1, color=PALETTE[2], linestyle="-.", linewidth=1.2,
                       label=f"macro-average F1 {metric(self.macro_f1)}")
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: count(v) if v >= 1 else ""))
            ax.set_ylim(-0.04, 1.04)
            ax.set_xlim(x.min() / 1.6, x.max() * 1.6)
            ax.set_xlabel("Test examples of the topic (support, log scale)")
            ax.set_ylabel("F1 score")
            ax.grid(True)
            # Below the plot, where it cannot hide a topic whatever the results.
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=3)
            self._label_points(ax, x)
            self.ax_, self.figure_ = ax, ax.figure
        return self

    def _label_points(self, ax: Axes, x: np.ndarray) -> None:
        """Name the notable topics, each at the nearby spot that hides the least.

        Candidates ring each point at two distances; a spot's cost is the area
        it shares with points and earlier labels, plus a large penalty for
        leaving the axes. Distant labels get a thin leader line to their dot.
        """
        fig = ax.figure
        fig.canvas.draw()  # settle the layout (legend included) so positions are final ...
        fig.set_layout_engine("none")  # ... and keep them: labels placed now must not move later
        renderer = fig.canvas.get_renderer()
        # Points are obstacles too: a label must not hide another topic's dot.
        centres = ax.transData.transform(np.column_stack([x, self.f1]))
        r = 3.0 * fig.dpi / 72
        taken = [Bbox.from_extents(cx - r, cy - r, cx + r, cy + r) for cx, cy in centres]
        # Rare topics often share a spot (say support 1, F1 0): say how many dots one dot stands for.
        spots, counts = np.unique(np.column_stack([x, self.f1]), axis=0, return_counts=True)
        for (sx, sy), k in zip(spots, counts):
            if k > 1:
                text = ax.annotate(f"×{k}", (sx, sy), xytext=(4, 0), textcoords="offset points", ha="left",
                                   va="center", fontsize=SMALL_PT - 1, color="#444444", zorder=4)
                taken.append(text.get_window_extent(renderer))

        def cost(box: Bbox) -> float:
            shared = sum(max(0.0, min(box.x1, t.x1) - max(box.x0, t.x0)) * max(0.0, min(box.y1, t.y1) - max(box.y0, t.y0))
                         for t in taken)
            inside = Bbox.intersection(box, ax.bbox)
            outside = box.width * box.height - (inside.width * inside.height if inside else 0.0)
            return shared + 100 * outside

        index = {n: i for i, n in enumerate(self.names)}
        for name in self.labelled:
            i = index[name]
            best = None
            for dist in (5, 14):
                for dx, dy in ((1, 0.6), (1, -0.6), (-1, 0.6), (-1, -0.6), (0, 1), (0, -1), (1, 0), (-1, 0)):
                    ha = "left" if dx > 0 else "right" if dx < 0 else "center"
                    va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
                    leader = {"arrowstyle": "-", "color": "#555555", "linewidth": 0.6, "shrinkA": 0, "shrinkB": 2.5}
                    text = ax.annotate(name, (x[i], self.f1[i]), xytext=(dist * dx, dist * dy),
                                       textcoords="offset points", ha=ha, va=va, fontsize=SMALL_PT - 1, color="#222222",
                                       zorder=4, arrowprops=leader if dist > 5 else None)
                    box = text.get_window_extent(renderer)
                    c = cost(box)
                    if best is None or c < best[0]:
                        if best is not None:
                            best[1].remove()
                        best = (c, text, box)
                    else:
                        text.remove()
                    if c == 0:
                        break
                if best[0] == 0:
                    break
            taken.append(best[2])

    def alt_text(self) -> str:
        zero = int((self.f1 == 0).sum())
        top = ", ".join(f"{n} {metric(self.f1[self.names.index(n)])}" for n in self.labelled[: self.N_FREQUENT])
        return (
            f"Scatter plot of F1 score against test support (log scale) for {len(self.names)} topics; "
            f"macro-average F1 {metric(self.macro_f1)} against weighted-average F1 {metric(self.weighted_f1)}; "
            f"{plural(zero, 'topic')} {word(zero, 'has', 'have')} F1 0; the most frequent topics score {top}."
        )


# Every figure kind, in the order the report shows them.
DISPLAYS: tuple[type[Display], ...] = (TrainingCurvesDisplay, ConfusionMatrixDisplay, RocDisplay, F1SupportDisplay)


# --- public API ---------------------------------------------------------------


def figure_kinds(results: Results) -> list[str]:
    """The figure kinds that apply to an experiment, in report order."""
    return [d.kind for d in DISPLAYS if d.applies(results)]


def write_figures(all_results: Mapping[str, Results], out_dir: Path) -> list[WrittenFigure]:
    """Draw and save every figure of every experiment; experiments in mapping order, kinds in report order."""
    out_dir = Path(out_dir)
    written = []
    for experiment, results in all_results.items():
        for display_cls in DISPLAYS:
            if not display_cls.applies(results):
                continue
            display = display_cls.from_results(results).plot()
            path = save_figure(display.figure_, out_dir / f"{experiment}-{display_cls.kind}.svg")
            written.append(WrittenFigure(experiment, display_cls.kind, path, display.alt_text(), display.title))
    return written
