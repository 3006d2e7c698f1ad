"""Figures of the studies, in the report's one style (see ``report.render.figures``).

Same shape as the experiments' displays: the constructor stores plain data,
``from_study`` reads it from a :class:`~report.results.study.StudyResults`,
``plot(ax=None)`` draws and returns the display, ``alt_text()`` describes the
data. :func:`write_study_figures` saves each through ``save_figure``. No
TensorFlow here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from report.render.figures import (
    GREY,
    PALETTE,
    SMALL_PT,
    TEXT_WIDTH_IN,
    WrittenFigure,
    new_figure,
    save_figure,
    style,
)
from report.render.format import metric, number, plural, significant
from report.results.study import StudyResults

# One colour per cell across every study figure; the gated cells in the palette's calmer colours.
CELL_COLOURS = {"SimpleRNN": PALETTE[1], "LSTM": PALETTE[0], "GRU": PALETTE[2]}
CELL_MARKERS = {"SimpleRNN": "o", "LSTM": "s", "GRU": "^"}


class GradientDecayDisplay:
    """Gradient norm per step relative to the last step, against the distance from it (log scale)."""

    study: ClassVar[str] = "gradient_decay"
    kind: ClassVar[str] = "decay"
    title: ClassVar[str] = "Gradient norm with respect to each input word, relative to the last word"

    def __init__(self, curves: Mapping[str, Sequence[float]], factor: float, lengths: Mapping[str, int | None]):
        self.curves = {label: np.asarray(y, dtype=float) for label, y in curves.items()}  # "LSTM, trained" -> y
        self.factor = factor
        self.lengths = dict(lengths)

    @classmethod
    def from_study(cls, study: StudyResults) -> "GradientDecayDisplay":
        series = study.figure_series("decay")
        lengths = {}
        for s in series:
            cell, stage = s.label.split(", ")
            lengths[s.label] = study.headline.get(f"decay_length.{cell}.{stage}")
        return cls({s.label: s.y for s in series}, float(study.headline.get("factor", 10.0)), lengths)

    def plot(self, ax: Axes | None = None) -> "GradientDecayDisplay":
        with style():
            if ax is None:
                _, ax = new_figure(TEXT_WIDTH_IN, 3.2)
            for label, y in self.curves.items():
                cell, stage = label.split(", ")
                ax.plot(np.arange(len(y)), np.clip(y, 1e-12, None), color=CELL_COLOURS.get(cell, GREY),
                        linestyle="-" if stage == "trained" else "--", label=label)
            ax.axhline(1 / self.factor, color=GREY, linewidth=1, linestyle=":", zorder=0)
            ax.annotate(f"{number(self.factor)}× smaller", xy=(1, 1 / self.factor), xycoords=("axes fraction", "data"),
                        xytext=(-2, 3), textcoords="offset points", ha="right", va="bottom", fontsize=SMALL_PT,
                        color="#444444")
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v)))
            ax.set_xlabel("Steps before the last word")
            ax.set_ylabel("gradient norm / norm at last word")
            ax.grid(True, which="major")
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2)
            self.ax_, self.figure_ = ax, ax.figure
        return self

    def alt_text(self) -> str:
        parts = []
        for label, y in self.curves.items():
            n = self.lengths.get(label)
            falls = (f"falls tenfold after {plural(n, 'step')}" if n is not None
                     else f"does not fall tenfold within {plural(len(y), 'step')}")
            parts.append(f"{label}: {falls}, ending at {significant(y[-1])} of its last-step value")
        return "Line chart, log scale, of the gradient norm by distance from the last word; " + "; ".join(parts) + "."


class LongRangeDisplay:
    """Test accuracy against sequence length for each cell, chance and the 'at chance' threshold marked."""

    study: ClassVar[str] = "long_range"
    kind: ClassVar[str] = "long_range"
    title: ClassVar[str] = "Test accuracy on the synthetic task against sequence length"

    def __init__(self, lengths: Sequence[float], accuracy: Mapping[str, Sequence[float]], chance_level: float):
        self.lengths = np.asarray(lengths, dtype=float)
        self.accuracy = {cell: np.asarray(a, dtype=float) for cell, a in accuracy.items()}
        self.chance_level = chance_level

    @classmethod
    def from_study(cls, study: StudyResults) -> "LongRangeDisplay":
        series = study.figure_series("accuracy")
        return cls(series[0].x, {s.label: s.y for s in series}, float(study.headline["chance_level"]))

    def plot(self, ax: Axes | None = None) -> "LongRangeDisplay":
        with style():
            if ax is None:
                _, ax = new_figure(TEXT_WIDTH_IN, 3.0)
            for cell, acc in self.accuracy.items():
                ax.plot(self.lengths, acc, color=CELL_COLOURS.get(cell, GREY), marker=CELL_MARKERS.get(cell, "o"),
                        markersize=4, label=cell)
            ax.axhline(0.5, color=GREY, linewidth=1, linestyle=":", zorder=0)
            ax.axhspan(0.4, self.chance_level, color="#EEEEEE", zorder=-1, linewidth=0)
            ax.annotate(f"at chance (below {metric(self.chance_level)})", xy=(0, 0.41),
                        xycoords=("axes fraction", "data"), xytext=(3, 0), textcoords="offset points",
                        ha="left", va="bottom", fontsize=SMALL_PT, color="#444444")
            ax.set_xscale("log")
            ax.set_xticks(self.lengths, [f"{int(t)}" for t in self.lengths])
            ax.minorticks_off()
            ax.set_ylim(0.4, 1.03)
            ax.set_xlabel("Sequence length T (log scale)")
            ax.set_ylabel("test accuracy")
            ax.grid(True, axis="y")
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3)
            self.ax_, self.figure_ = ax, ax.figure
        return self

    def alt_text(self) -> str:
        parts = [f"{cell}: " + ", ".join(f"{metric(a)} at {int(t)}" for t, a in zip(self.lengths, acc))
                 for cell, acc in self.accuracy.items()]
        return "Line chart of test accuracy against sequence length; " + "; ".join(parts) + "."


STUDY_DISPLAYS = (GradientDecayDisplay, LongRangeDisplay)


def write_study_figures(studies: Mapping[str, StudyResults], out_dir: Path) -> list[WrittenFigure]:
    """Draw and save the figure of every study that has one and has results."""
    written = []
    for display_cls in STUDY_DISPLAYS:
        study = studies.get(display_cls.study)
        if study is None:
            continue
        display = display_cls.from_study(study).plot()
        path = save_figure(display.figure_, Path(out_dir) / f"{display_cls.study}-{display_cls.kind}.svg")
        written.append(WrittenFigure(display_cls.study, display_cls.kind, path, display.alt_text(), display.title))
    return written
