"""The rules of the long-range, architectures and gradient-decay evidence, each way, with hand-made study
results, and the sentences the templates choose from them."""

from __future__ import annotations

import re
from statistics import mean, stdev

import pytest

from report.render import evidence
from report.results.study import CELLS, Series, StudyResults, Table
from report.stats.significance import McNemar, verdict
from studies import architectures, long_range
from tests import REPO_ROOT
from tests.render.test_evidence import study

PAIR_COLUMNS = ["length", "A", "B", "A only right", "B only right", "n", "difference", "p", "verdict"]


def pair_row(where, a: str, b: str, a_only: int, b_only: int, p: float, n: int = 1024) -> list:
    return [where, a, b, a_only, b_only, n, (a_only - b_only) / n, p, verdict(McNemar(a_only, b_only, n, p))]


def long_range_study(acc: dict[str, dict[int, list[float]]], pairs: list[list] = (),
                     at_cap: dict[tuple[str, int], int] | None = None, max_length: int = 1000) -> StudyResults:
    """``acc``: cell -> length -> the seeds' test accuracies (a length left out: not trained there)."""
    from studies.long_range import CHANCE_LEVEL, SANITY_LEVEL, chance_length

    lengths = sorted({t for by_length in acc.values() for t in by_length})
    seeds = len(next(iter(next(iter(acc.values())).values())))
    at_cap = at_cap or {}
    h = {"chance_level": CHANCE_LEVEL, "sanity_level": SANITY_LEVEL, "seeds": seeds, "n_test": 1024, "units": 16,
         "vocab_words": 8, "max_epochs": 60, "sequences_per_epoch": 1024, "max_sequences": 61440,
         "max_length": max_length, "cpu_seconds": 120.0}
    rows, sanity, series = [], [], []
    for cell in CELLS:
        means = []
        for t in lengths:
            a = acc[cell].get(t)
            if a is None:
                means.append(None)
                continue
            m, sd = mean(a), stdev(a)
            means.append(m)
            rows.append([t, cell, m, sd, min(a), max(a), 10.0, 60, at_cap.get((cell, t), 0)])
        h[f"chance_length.{cell}"] = chance_length(lengths, means)
        h[f"learning_rate.{cell}"] = 0.01
        short = acc[cell][lengths[0]]
        sanity.append([cell, 0.01, mean(short), min(short), mean(short) >= SANITY_LEVEL])
        xs = [float(t) for t, m in zip(lengths, means) if m is not None]
        series.append(Series(figure="accuracy", label=cell, x=xs, y=[m for m in means if m is not None]))
        series.append(Series(figure="accuracy_sd", label=cell, x=xs,
                             y=[stdev(acc[cell][t]) for t in lengths if t in acc[cell]]))
        for k in range(seeds):
            series.append(Series(figure="accuracy_seed", label=f"{cell}, seed {42 + k}", x=xs,
                                 y=[acc[cell][t][k] for t in lengths if t in acc[cell]]))
    tables = [
        Table(id="accuracy", caption="c", columns=["length", "cell", "mean", "sd", "min", "max", "mean epochs",
                                                   "max epochs", "runs at cap"], rows=rows),
        Table(id="sanity", caption="c", columns=["cell", "learning rate", "mean accuracy", "lowest seed", "solved"],
              rows=sanity),
        Table(id="learning_rate", caption="c", columns=["cell", "learning rate", "validation accuracy", "best epoch"],
              rows=[[c, 0.01, 1.0, 3] for c in CELLS]),
        Table(id="pairs", caption="c", columns=PAIR_COLUMNS, rows=list(pairs)),
    ]
    return study("long_range", headline=h, series=series, tables=tables)


SOLVED = [1.0, 1.0, 0.99]
CHANCE = [0.5, 0.51, 0.49]


@pytest.fixture(scope="module")
def env():
    from report.render.html import environment

    return environment(REPO_ROOT / "templates")


def sentence(env, template: str, finding) -> str:
    item = evidence.EvidenceItem(template, finding)
    html = env.get_template(f"studies/{template}.html").render(ev=item, medium="print")
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


# --- long range -----------------------------------------------------------------------------------------


def test_long_range_expected_when_a_gated_cell_is_significantly_longer(env):
    s = long_range_study({"SimpleRNN": {10: SOLVED, 100: CHANCE}, "LSTM": {10: SOLVED, 100: SOLVED},
                          "GRU": {10: SOLVED, 100: CHANCE}},
                         pairs=[pair_row(100, "LSTM", "SimpleRNN", 500, 10, 1e-100)])
    f = long_range.finding(s)
    assert f.verdict == "expected" and f.chance_lengths == {"SimpleRNN": 100, "LSTM": None, "GRU": 100}
    assert f.decisive[0].a == "LSTM" and f.reach("LSTM") == 100 and f.reach("SimpleRNN") == 10
    text = sentence(env, "long_range", f)
    assert "As the hypothesis predicts, the LSTM keeps the first word longer than the SimpleRNN" in text
    assert "the LSTM is significantly better than the SimpleRNN" in text
    assert "every cell solves the shortest length, T = 10" in text


def test_long_range_no_difference_when_the_longer_reach_is_not_significant(env):
    s = long_range_study({"SimpleRNN": {10: SOLVED, 100: CHANCE}, "LSTM": {10: SOLVED, 100: [0.62, 0.6, 0.61]},
                          "GRU": {10: SOLVED, 100: CHANCE}},
                         pairs=[pair_row(100, "SimpleRNN", "LSTM", 60, 70, 0.43)])  # stored the other way round
    f = long_range.finding(s)
    assert f.verdict == "no_difference"
    assert (f.decisive[0].a, f.decisive[0].b, f.decisive[0].a_only) == ("LSTM", "SimpleRNN", 70)
    text = sentence(env, "long_range", f)
    assert "No difference in how long the cells keep the first word" in text
    assert "show no significant difference at the 5% level" in text and "As the hypothesis" not in text


def test_long_range_opposite_to_the_textbook_with_the_plateau_as_reason(env):
    acc = {"SimpleRNN": {10: SOLVED, 30: SOLVED, 100: CHANCE}, "LSTM": {10: SOLVED, 30: CHANCE},
           "GRU": {10: SOLVED, 30: CHANCE}}
    pairs = [pair_row(30, "LSTM", "SimpleRNN", 5, 500, 1e-90), pair_row(30, "GRU", "SimpleRNN", 4, 498, 1e-90)]
    f = long_range.finding(long_range_study(acc, pairs, at_cap={("LSTM", 30): 3, ("GRU", 30): 3}))
    assert f.verdict == "opposite" and f.plateau == ("LSTM", "GRU") and f.longest == 100
    text = sentence(env, "long_range", f)
    assert "Opposite to the textbook, within this budget the SimpleRNN keeps the first word longer" in text
    assert "At T = 30, the LSTM is significantly worse than the SimpleRNN (p &lt; 0.001)" in text
    assert "every run of the LSTM at T = 30 and every run of the GRU at T = 30 ended at the cap still at chance" in text
    assert "The SimpleRNN, whose recurrent weights start orthogonal, reached 0.997 at T = 30" in text
    assert "61,440 training sequences" in text
    assert "the study stops at T = 100, where every cell is at chance" in text
    # the same numbers, but the gated runs stopped before the cap: no plateau to blame
    f = long_range.finding(long_range_study(acc, pairs))
    assert f.verdict == "opposite" and not f.plateau
    assert "ended at the cap" not in sentence(env, "long_range", f)


def test_long_range_opposite_needs_every_gated_cell_significantly_worse(env):
    acc = {"SimpleRNN": {10: SOLVED, 30: SOLVED, 100: CHANCE}, "LSTM": {10: SOLVED, 30: CHANCE},
           "GRU": {10: SOLVED, 30: CHANCE}}
    pairs = [pair_row(30, "LSTM", "SimpleRNN", 5, 500, 1e-90), pair_row(30, "GRU", "SimpleRNN", 40, 50, 0.34)]
    f = long_range.finding(long_range_study(acc, pairs))
    assert f.verdict == "no_difference"
    text = sentence(env, "long_range", f)
    assert "No consistent difference in how long the cells keep the first word" in text
    assert "the LSTM is significantly worse than the SimpleRNN" in text
    assert "the GRU and the SimpleRNN show no significant difference at the 5% level" in text


def test_long_range_no_difference_when_all_fail_together_or_never(env):
    same = long_range.finding(long_range_study({c: {10: SOLVED, 100: CHANCE} for c in CELLS}))
    assert same.verdict == "no_difference" and not same.decisive
    assert "they fall to chance at the same length" in sentence(env, "long_range", same)
    never = long_range.finding(long_range_study({c: {10: SOLVED, 1000: SOLVED} for c in CELLS}))
    assert never.verdict == "no_difference" and never.rnn_chance_length is None
    text = sentence(env, "long_range", never)
    assert "every cell stays above chance up to T = 1000" in text and "the study stops" not in text


def test_long_range_under_budgeted_when_a_cell_misses_the_shortest_length(env):
    # the LSTM would look better at T = 100, but it does not solve T = 10: no conclusion
    s = long_range_study({"SimpleRNN": {10: SOLVED, 100: CHANCE}, "LSTM": {10: [0.9, 0.95, 0.92], 100: SOLVED},
                          "GRU": {10: SOLVED, 100: CHANCE}},
                         pairs=[pair_row(100, "LSTM", "SimpleRNN", 500, 10, 1e-100)])
    f = long_range.finding(s)
    assert f.verdict == "under_budgeted" and f.failed_sanity == ("LSTM",)
    text = sentence(env, "long_range", f)
    assert "under-budgeted" in text and "stayed below 0.95" in text
    assert "As the hypothesis" not in text and "Opposite" not in text and "No difference" not in text


# --- architectures --------------------------------------------------------------------------------------


def architectures_study(pairs: list[list], at_cap: int = 0) -> StudyResults:
    cols = ["dataset", "model", "accuracy", "accuracy sd", "macro F1", "macro F1 sd", "epochs to best", "epochs",
            "parameters", "CPU seconds per epoch"]
    rows = [["IMDB", c, 0.80 + 0.01 * k, 0.004, 0.79 + 0.01 * k, 0.005, 3.0, 6, 1000 * (k + 1), 1.2]
            for k, c in enumerate(CELLS)]
    lengths = Table(id="imdb_length", caption="c", columns=["length", "reviews (this study)", "LSTM (this study)"],
                    rows=[["0-99", 10, 0.9], ["100+", 5, 0.7]])
    pair_table = Table(id="pairs", caption="c", columns=["dataset", "A", "B", "A only right", "B only right", "n",
                                                         "difference", "p", "verdict"], rows=pairs)
    h = {"units": 32, "embedding_dim": 32, "seeds": 3, "max_epochs": 20, "patience": 3, "imdb.maxlen": 100,
         "reuters.maxlen": 60, "imdb.train": 5000, "imdb.validation": 1000, "imdb.test_size": 5000,
         "cpu_seconds": 150.0, "imdb.LSTM.at_cap": at_cap, "imdb.learning_rate": 0.003, "reuters.learning_rate": 0.01}
    return study("architectures", headline=h,
                 tables=[Table(id="comparison", caption="c", columns=cols, rows=rows), pair_table, lengths])


def _arch_pairs(*tests) -> list[list]:
    return [pair_row("IMDB", a, b, ao, bo, p, 5000) for a, b, ao, bo, p in tests]


def test_architecture_claims_follow_the_paired_test_both_ways(env):
    f = architectures.finding(architectures_study(_arch_pairs(("LSTM", "SimpleRNN", 300, 200, 1e-5),
                                                               ("GRU", "SimpleRNN", 150, 260, 1e-7),
                                                               ("GRU", "LSTM", 100, 110, 0.53))))
    assert [p.verdict for p in f.tests("IMDB")] == ["better", "worse", "no significant difference"]
    assert f.best == {"IMDB": "GRU"} and f.at_cap == 0
    text = _arch_text(env, f)
    assert "The LSTM is significantly better than the SimpleRNN (p &lt; 0.001)." in text
    assert "The GRU is significantly worse than the SimpleRNN (p &lt; 0.001)." in text
    assert "The GRU and the LSTM show no significant difference at the 5% level (p = 0.53)." in text
    # the counts behind each verdict, in the note under the table
    assert "IMDB, LSTM against SimpleRNN: of the 500 test examples on which exactly one of them is right" in text
    assert "Every run stopped early, before the cap: each cell converged." in text
    assert "(Adam with a learning rate of 0.003 on IMDB and 0.01 on Reuters)" in text
    capped = architectures.finding(architectures_study(_arch_pairs(("LSTM", "SimpleRNN", 10, 12, 0.8)), at_cap=2))
    assert capped.at_cap == 2 and "2 runs still improved at the cap" in _arch_text(env, capped)


def _arch_text(env, f) -> str:
    class Ref:  # what m.ref and m.table need of a numbered table
        id, label, title, kind = "tab-1", "Table 1", "t", "table"

    item = evidence.EvidenceItem("architectures", f, (), (Ref(), Ref()))
    html = env.get_template("studies/architectures.html").render(ev=item, medium="print")
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


# --- gradient decay -------------------------------------------------------------------------------------


def test_gradient_figure_draws_the_seeds_band_and_says_so(tmp_path):
    from report.render.study_figures import KIT
    from studies.gradient_decay import GradientDecayDisplay

    h = {"window": 3, "factor": 10.0, "seeds": 3}
    series = []
    for c in ("SimpleRNN", "LSTM"):
        for st in ("initialisation", "trained"):
            h[f"decay_length.{c}.{st}"] = 2
            h[f"relative_at_window.{c}.{st}"] = 0.05
            series += [Series(figure="decay", label=f"{c}, {st}", x=[0.0, 1.0, 2.0], y=[1.0, 0.5, 0.05]),
                       Series(figure="decay_low", label=f"{c}, {st}", x=[0.0, 1.0, 2.0], y=[1.0, 0.3, 0.01]),
                       Series(figure="decay_high", label=f"{c}, {st}", x=[0.0, 1.0, 2.0], y=[1.0, 0.7, 0.2])]
    d = GradientDecayDisplay.from_study(study("gradient_decay", headline=h, series=series)).plot(KIT)
    assert len(d.bands) == 4 and len(d.ax_.collections) == 4  # one shaded band per curve
    assert "geometric mean of 3 seeds" in d.alt_text(KIT)
