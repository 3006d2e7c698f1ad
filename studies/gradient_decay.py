"""Study: the vanishing gradient, measured.

For a SimpleRNN and an LSTM of the same size on IMDB, the norm of the gradient
of the loss with respect to the input at each time step (the embedded word),
as a function of the distance from the last step. Measured on a batch of long
test reviews (windows with no padding), at initialisation and after a short
training. Backpropagation through time multiplies one Jacobian per step, so a
plain RNN's gradient is expected to fall exponentially with distance.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import ClassVar, Literal

import numpy as np

from report.data import TextSettings, load_imdb
from report.results import provenance
from report.results.study import Series, StudyResults, StudyTimings, Table
from report.settings import Count, Positive, Seed, VocabSize
from report.stats.pairs import steps
from report.train.run_context import RunContext
from studies._rnn import CELLS, ModelPool, cpu_seconds, geometric_mean, input_gradient_norms

NAME = "gradient_decay"
TITLE = "Measured gradient decay through time"
DATASETS = ("imdb",)
DESCRIPTION = (
    "How strongly the loss still depends on a word k steps before the end of a review, "
    "for a SimpleRNN and an LSTM of the same size: the gradient norm at each step, relative to the last step."
)
MEASURED_CELLS = CELLS[:2]  # the plain and the gated cell of sections 1.2 and 2.1
DECAY_FACTOR = 10.0  # "falls tenfold"
LOAD_MAXLEN = 400  # tokens kept per review when loading: the IMDB experiment's maxlen (one shared cache entry)


@dataclass(frozen=True)
class Config:
    seed: Seed = 42  # seeds 42, 43, 44: the initial weights and the order of the training reviews
    seeds: Count = 3  # the figure shows the mean curve and the band between the lowest and highest seed
    window: Count = 200  # <= LOAD_MAXLEN; the last 200 words of reviews at least that long: ~45% of IMDB, no padding inside
    vocab_size: VocabSize = 10_000  # as the IMDB experiment
    embedding_dim: Count = 32  # small: the measurement, not the accuracy, is the point
    units: Count = 32  # the IMDB SimpleRNN's size; the LSTM gets the same
    learning_rate: Positive = 1e-3  # Adam's default
    train_examples: Count = 5000  # one epoch on 5,000 long reviews: ~80 updates, enough to leave initialisation
    epochs: Count = 1  # "after a short training"; more costs ~15 s per epoch and model on 2 cores
    batch_size: Count = 64
    measure_examples: Count = 256  # test reviews averaged per step; the curve is smooth from ~100 on


def quick_overrides() -> dict[str, object]:
    return {"window": 8, "train_examples": 60, "measure_examples": 20, "units": 8, "embedding_dim": 8, "seeds": 2}


def decay_length(relative: list[float] | np.ndarray, factor: float = DECAY_FACTOR) -> int | None:
    """Steps from the last one until the gradient norm first falls to 1/factor of its value there
    (``relative[k]`` is the norm at distance k from the last step); None if it never does."""
    g = np.asarray(relative, dtype=float)
    below = np.flatnonzero(g <= g[0] / factor)
    return int(below[0]) if below.size else None


def long_windows(x: np.ndarray, lengths: np.ndarray, window: int) -> np.ndarray:
    """The last ``window`` words of every example at least that long (pre-padded rows: no padding inside)."""
    keep = lengths >= window
    if x.shape[1] < window:
        raise ValueError(f"rows hold {x.shape[1]} tokens, fewer than the window of {window}")
    return x[keep, -window:]


def run(config: Config, ctx: RunContext) -> StudyResults:
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    # the IMDB experiment's settings, so its cached tokenisation is reused
    ds = load_imdb(ctx.paths.data, ctx.paths.cache, TextSettings(config.vocab_size, LOAD_MAXLEN), quiet=ctx.quiet)
    load_seconds = time.perf_counter() - t0
    rng = np.random.default_rng(config.seed)
    x_tr = long_windows(ds.x_train, ds.lengths_train, config.window)
    y_tr = ds.y_train[ds.lengths_train >= config.window]
    pick = rng.permutation(len(x_tr))[: config.train_examples]
    x_tr, y_tr = x_tr[pick], y_tr[pick]
    x_me = long_windows(ds.x_test, ds.lengths_test, config.window)
    y_me = ds.y_test[ds.lengths_test >= config.window]
    pick = rng.permutation(len(x_me))[: config.measure_examples]
    x_me, y_me = x_me[pick], y_me[pick]
    ctx.echo(f"{NAME}: {len(x_tr):,} training and {len(x_me):,} measured windows of {config.window} words")

    t1, c1 = time.perf_counter(), cpu_seconds()
    seeds = [config.seed + i for i in range(config.seeds)]
    series, rows, headline = [], [], {"window": config.window, "factor": DECAY_FACTOR, "seeds": len(seeds)}
    distance = [float(k) for k in range(config.window)]
    pool = ModelPool(dict(vocab_size=config.vocab_size, embedding_dim=config.embedding_dim, units=config.units,
                          n_classes=2, maxlen=config.window, jit_compile=True))
    for cell in MEASURED_CELLS:
        curves: dict[str, list[np.ndarray]] = {"initialisation": [], "trained": []}
        for seed in seeds:
            model = pool.fresh(cell, seed, config.learning_rate, cell=cell)
            for stage in ("initialisation", "trained"):
                if stage == "trained":
                    model.fit(x_tr, y_tr, epochs=config.epochs, batch_size=config.batch_size, verbose=0)
                norms = input_gradient_norms(model, x_me, y_me)[::-1]  # index k = k steps before the last
                curves[stage].append(norms / norms[0])
        for stage, runs in curves.items():
            relative = geometric_mean(runs)
            length = decay_length(relative)
            per_seed = [decay_length(r) for r in runs]
            label = f"{cell}, {stage}"
            series.append(Series(figure="decay", label=label, x=distance, y=[float(v) for v in relative]))
            series.append(Series(figure="decay_low", label=label, x=distance,
                                 y=[float(v) for v in np.min(runs, axis=0)]))
            series.append(Series(figure="decay_high", label=label, x=distance,
                                 y=[float(v) for v in np.max(runs, axis=0)]))
            known = [n for n in per_seed if n is not None]
            rows.append([cell, stage, length, min(known) if known else None,
                         None if len(known) < len(per_seed) else max(known), float(relative[-1]),
                         float(np.min([r[-1] for r in runs])), float(np.max([r[-1] for r in runs]))])
            headline[f"decay_length.{cell}.{stage}"] = length
            headline[f"relative_at_window.{cell}.{stage}"] = float(relative[-1])
            shown = f"after {length} steps" if length is not None else f"not within {config.window} steps"
            ctx.echo(f"{NAME}: {cell} at {stage}: gradient falls tenfold {shown} (seeds: {per_seed})")
    cpu = cpu_seconds() - c1
    headline["cpu_seconds"] = round(cpu, 1)
    ctx.echo(f"{NAME}: {cpu:.0f} CPU s, {time.perf_counter() - t0:.0f} s")
    return StudyResults(
        experiment=NAME, title=TITLE, description=DESCRIPTION, key=ctx.key, config=asdict(config),
        tables=[Table(id="decay", caption="Steps back from the last word until the gradient norm falls tenfold "
                      "(the seeds' geometric mean curve, and the range over the seeds; none: not within the window)",
                      columns=["model", "stage", "decay length", "shortest over seeds", "longest over seeds",
                               "relative norm at window start", "lowest seed at window start",
                               "highest seed at window start"], rows=rows)],
        series=series, headline=headline, provenance=provenance.record(ctx.paths.project, config.seed, ds.checksums, started),
        timings=StudyTimings(load_seconds=load_seconds, run_seconds=time.perf_counter() - t1),
    )


# --- the evidence in the report (sections 1.2 and 2.1) -----------------------------------------------------

@dataclass(frozen=True)
class GradientFinding:
    window: int
    factor: float
    rnn_init: int | None  # steps until the gradient falls tenfold; None: not within the window
    rnn_trained: int | None
    lstm_init: int | None
    lstm_trained: int | None
    rnn_at_window: float  # trained, relative norm at the window's first word
    lstm_at_window: float
    verdict: Literal["rnn_faster", "lstm_faster", "same"]  # after training: whose gradient fades sooner
    units: int = 0  # the two models' size, and what they were measured on
    measured: int = 0
    train_examples: int = 0
    seeds: int = 1  # the curves are the seeds' geometric mean
    # "SimpleRNN, trained" -> (shortest, longest) decay length over the seeds (None: not within the window)
    seed_range: Mapping[str, tuple[int | None, int | None]] | None = None

    def range_of(self, cell: str, stage: str) -> tuple[int | None, int | None] | None:
        return (self.seed_range or {}).get(f"{cell}, {stage}")

    @property
    def lstm_reach_learned(self) -> bool:
        """Training lengthened the LSTM's reach: its gradient falls tenfold later (or not at all) than at initialisation."""
        return steps(self.lstm_trained) > steps(self.lstm_init)

    @property
    def ratio_at_window(self) -> float:
        """How many times more of the gradient reaches the window's start in the LSTM."""
        return self.lstm_at_window / self.rnn_at_window if self.rnn_at_window > 0 else float("inf")


def finding(study: StudyResults) -> GradientFinding:
    h = study.headline
    rnn, lstm = h["decay_length.SimpleRNN.trained"], h["decay_length.LSTM.trained"]
    if steps(rnn) < steps(lstm):
        verdict = "rnn_faster"
    elif steps(lstm) < steps(rnn):
        verdict = "lstm_faster"
    else:  # both never fall tenfold, or after the same number of steps: the tail decides
        a, b = h["relative_at_window.SimpleRNN.trained"], h["relative_at_window.LSTM.trained"]
        verdict = "same" if abs(a - b) <= 0.05 * max(a, b) else ("rnn_faster" if a < b else "lstm_faster")
    return GradientFinding(
        window=int(h["window"]), factor=float(h["factor"]),
        rnn_init=h["decay_length.SimpleRNN.initialisation"], rnn_trained=rnn,
        lstm_init=h["decay_length.LSTM.initialisation"], lstm_trained=lstm,
        rnn_at_window=float(h["relative_at_window.SimpleRNN.trained"]),
        lstm_at_window=float(h["relative_at_window.LSTM.trained"]), verdict=verdict,
        units=int(study.config.get("units", 0)), measured=int(study.config.get("measure_examples", 0)),
        train_examples=int(study.config.get("train_examples", 0)), seeds=int(h.get("seeds", 1) or 1),
        seed_range=_decay_ranges(study),
    )


def _decay_ranges(study: StudyResults) -> dict[str, tuple[int | None, int | None]]:
    if "decay" not in [t.id for t in study.tables]:
        return {}
    table = study.table("decay")
    if "shortest over seeds" not in table.columns:
        return {}
    return {f"{r['model']}, {r['stage']}": (r["shortest over seeds"], r["longest over seeds"])
            for r in table.records()}


def evidence(ask):
    """The measurement with its figure where the outline first shows it; seen again (view "lstm", 2.1) it
    refers back to that figure."""
    figures = ask.shown("decay") if ask.view == "lstm" else ask.figure("decay")
    return ask.item(finding(ask.study), figures=figures)


class GradientDecayDisplay:
    """Gradient norm per step relative to the last step, against the distance from it (log scale)."""

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

    def plot(self, kit, ax=None) -> "GradientDecayDisplay":
        """``kit``: the report's style and formats (report.render.study_figures.KIT)."""
        from matplotlib.ticker import FuncFormatter

        with kit.style():
            if ax is None:
                _, ax = kit.new_figure(kit.text_width_in, 3.2)
            for label, y in self.curves.items():
                cell, stage = label.split(", ")
                colour = kit.cell_colour(cell)
                ax.plot(np.arange(len(y)), np.clip(y, 1e-12, None), color=colour,
                        linestyle="-" if stage == "trained" else "--", label=label)
                if label in self.bands:
                    lo, hi = self.bands[label]
                    ax.fill_between(np.arange(len(lo)), np.clip(lo, 1e-12, None), np.clip(hi, 1e-12, None),
                                    color=colour, alpha=0.18 if stage == "trained" else 0.08, linewidth=0)
            ax.axhline(1 / self.factor, color=kit.grey, linewidth=1, linestyle=":", zorder=0)
            ax.annotate(f"{kit.number(self.factor)}× smaller", xy=(1, 1 / self.factor),
                        xycoords=("axes fraction", "data"), xytext=(-2, 3), textcoords="offset points", ha="right",
                        va="bottom", fontsize=kit.small_pt, color="#444444")
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: kit.number(v)))
            ax.set_xlabel("Steps before the last word")
            ax.set_ylabel("gradient norm / norm at last word")
            ax.grid(True, which="major")
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2)
            self.ax_, self.figure_ = ax, ax.figure
        return self

    def alt_text(self, kit) -> str:
        parts = []
        for label, y in self.curves.items():
            n = self.lengths.get(label)
            falls = (f"falls tenfold after {kit.plural(n, 'step')}" if n is not None
                     else f"does not fall tenfold within {kit.plural(len(y), 'step')}")
            parts.append(f"{label}: {falls}, ending at {kit.significant(y[-1])} of its last-step value")
        seeds = f" (geometric mean of {self.seeds} seeds, shaded between the lowest and highest seed)" if self.bands else ""
        return ("Line chart, log scale, of the gradient norm by distance from the last word" + seeds + "; "
                + "; ".join(parts) + ".")


FIGURES = (GradientDecayDisplay,)  # drawn by report.render.study_figures when the outline shows this study
