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

    def __init__(self, curves: Mapping[str, Sequence[float]], factor: float, lengths: Mapping[str, int | None],
                 bands: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None, seeds: int = 1):
        self.curves = {label: np.asarray(y, dtype=float) for label, y in curves.items()}  # "LSTM, trained" -> y
        self.factor = factor
        self.lengths = dict(lengths)
        # label -> (lowest, highest) over the seeds at each step
        self.bands = {label: (np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
                      for label, (lo, hi) in (bands or {}).items()}
        self.seeds = seeds
        if self.bands:
            self.title = (f"{type(self).title}: the geometric mean of {seeds} seeds, shaded from the lowest "
                          "to the highest seed")

    @classmethod
    def from_study(cls, study: StudyResults) -> "GradientDecayDisplay":
        series = study.figure_series("decay")
        lengths = {}
        for s in series:
            cell, stage = s.label.split(", ")
            lengths[s.label] = study.headline.get(f"decay_length.{cell}.{stage}")
        low = {s.label: s.y for s in study.figure_series("decay_low")}
        high = {s.label: s.y for s in study.figure_series("decay_high")}
        bands = {label: (low[label], high[label]) for label in low if label in high}
        return cls({s.label: s.y for s in series}, float(study.headline.get("factor", 10.0)), lengths, bands,
                   int(study.headline.get("seeds", 1) or 1))

    def plot(self, ax: Axes | None = None) -> "GradientDecayDisplay":
        with style():
            if ax is None:
                _, ax = new_figure(TEXT_WIDTH_IN, 3.2)
            for label, y in self.curves.items():
                cell, stage = label.split(", ")
                colour = CELL_COLOURS.get(cell, GREY)
                ax.plot(np.arange(len(y)), np.clip(y, 1e-12, None), color=colour,
                        linestyle="-" if stage == "trained" else "--", label=label)
                if label in self.bands:
                    lo, hi = self.bands[label]
                    ax.fill_between(np.arange(len(lo)), np.clip(lo, 1e-12, None), np.clip(hi, 1e-12, None),
                                    color=colour, alpha=0.18 if stage == "trained" else 0.08, linewidth=0)
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
        seeds = f" (geometric mean of {self.seeds} seeds, shaded between the lowest and highest seed)" if self.bands else ""
        return ("Line chart, log scale, of the gradient norm by distance from the last word" + seeds + "; "
                + "; ".join(parts) + ".")


class LongRangeDisplay:
    """Mean test accuracy over the seeds against sequence length for each cell, the seeds' spread as error bars
    (± one sd) and each seed as a dot; chance and the 'at chance' threshold marked."""

    study: ClassVar[str] = "long_range"
    kind: ClassVar[str] = "long_range"
    title: ClassVar[str] = ("Test accuracy on the synthetic task against sequence length: the mean over the seeds "
                            "± one standard deviation, and each seed as a dot")

    def __init__(self, lengths: Mapping[str, Sequence[float]], accuracy: Mapping[str, Sequence[float]],
                 chance_level: float, sd: Mapping[str, Sequence[float]] | None = None,
                 seeds: Mapping[str, Sequence[Sequence[float]]] | None = None):
        self.lengths = {cell: np.asarray(x, dtype=float) for cell, x in lengths.items()}
        self.accuracy = {cell: np.asarray(a, dtype=float) for cell, a in accuracy.items()}
        self.sd = {cell: np.asarray(v, dtype=float) for cell, v in (sd or {}).items()}
        self.seeds = {cell: [np.asarray(v, dtype=float) for v in runs] for cell, runs in (seeds or {}).items()}
        self.chance_level = chance_level

    @classmethod
    def from_study(cls, study: StudyResults) -> "LongRangeDisplay":
        series = study.figure_series("accuracy")
        seeds: dict[str, list] = {}
        for s in study.figure_series("accuracy_seed"):
            seeds.setdefault(s.label.split(", ")[0], []).append(s.y)
        return cls({s.label: s.x for s in series}, {s.label: s.y for s in series},
                   float(study.headline["chance_level"]), {s.label: s.y for s in study.figure_series("accuracy_sd")},
                   seeds)

    @property
    def all_lengths(self) -> np.ndarray:
        return np.unique(np.concatenate([x for x in self.lengths.values()] or [np.zeros(0)]))

    def plot(self, ax: Axes | None = None) -> "LongRangeDisplay":
        with style():
            if ax is None:
                _, ax = new_figure(TEXT_WIDTH_IN, 3.0)
            cells = list(self.accuracy)
            for k, (cell, acc) in enumerate(self.accuracy.items()):
                x = self.lengths[cell]
                shift = 1.06 ** (k - (len(cells) - 1) / 2)  # side by side on the log axis, so the bars do not hide
                colour = CELL_COLOURS.get(cell, GREY)
                sd = self.sd.get(cell)
                ax.errorbar(x * shift, acc, yerr=sd if sd is not None and len(sd) == len(acc) else None,
                            color=colour, marker=CELL_MARKERS.get(cell, "o"), markersize=4, capsize=2.5,
                            linewidth=1.2, elinewidth=1, label=cell)
                for run in self.seeds.get(cell, []):
                    ax.plot(x[: len(run)] * shift, run, linestyle="none", marker="o", markersize=2.5, color=colour,
                            alpha=0.6)
            ax.axhline(0.5, color=GREY, linewidth=1, linestyle=":", zorder=0)
            ax.axhspan(0.4, self.chance_level, color="#EEEEEE", zorder=-1, linewidth=0)
            ax.annotate(f"at chance (below {metric(self.chance_level)})", xy=(0, 0.41),
                        xycoords=("axes fraction", "data"), xytext=(3, 0), textcoords="offset points",
                        ha="left", va="bottom", fontsize=SMALL_PT, color="#444444")
            ax.set_xscale("log")
            ticks = self.all_lengths
            ax.set_xticks(ticks, [f"{int(t)}" for t in ticks])
            ax.minorticks_off()
            ax.set_ylim(0.4, 1.05)
            ax.set_xlabel("Sequence length T (log scale)")
            ax.set_ylabel("test accuracy")
            ax.grid(True, axis="y")
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3)
            self.ax_, self.figure_ = ax, ax.figure
        return self

    def alt_text(self) -> str:
        parts = []
        for cell, acc in self.accuracy.items():
            sd = self.sd.get(cell)
            parts.append(f"{cell}: " + ", ".join(
                f"{metric(a)}{f' ± {metric(sd[i])}' if sd is not None and len(sd) == len(acc) else ''} at {int(t)}"
                for i, (t, a) in enumerate(zip(self.lengths[cell], acc))))
        return ("Line chart of mean test accuracy over the seeds against sequence length, with ± one standard "
                "deviation as error bars; " + "; ".join(parts) + ".")


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
