"""The rules of the long-range, architectures and gradient-decay evidence, each way, with hand-made study
results, and the sentences the templates choose from them."""

from __future__ import annotations

import re
from statistics import mean, stdev

import numpy as np
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
                     at_cap: dict[tuple[str, int], int] | None = None, max_length: int = 1000,
                     gradient: dict[str, dict[int, float]] | None = None,
                     init_choice: list[tuple[str, float, int]] = ()) -> StudyResults:
    """``acc``: model -> length -> the seeds' test accuracies (a length left out: not trained there); the plain
    cells first, then any initialised LSTM ("LSTM, chrono init"). ``gradient``: model -> length -> the first word's
    gradient relative to the last word's at initialisation."""
    from studies.long_range import CHANCE_LEVEL, SANITY_LEVEL, chance_length

    lengths = sorted({t for by_length in acc.values() for t in by_length})
    seeds = len(next(iter(next(iter(acc.values())).values())))
    at_cap = at_cap or {}
    h = {"chance_level": CHANCE_LEVEL, "sanity_level": SANITY_LEVEL, "seeds": seeds, "n_test": 1024, "units": 16,
         "vocab_words": 8, "max_epochs": 60, "sequences_per_epoch": 1024, "max_sequences": 61440,
         "max_length": max_length, "cpu_seconds": 120.0}
    rows, sanity, series = [], [], []
    for cell in acc:
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
              rows=[[c, 0.01, 1.0, 3] for c in acc]),
        Table(id="pairs", caption="c", columns=PAIR_COLUMNS, rows=list(pairs)),
    ]
    if init_choice:
        tables.append(Table(id="gate_init", caption="c", columns=["initialisation", "learning rate", "length",
                                                                 "validation accuracy", "best epoch", "chosen"],
                            rows=[[c, 0.01, 100, a, e, c in acc] for c, a, e in init_choice]))
    if gradient:
        tables.append(Table(id="gradient_init", caption="c", columns=["length", "cell", "first / last", "lowest seed",
                                                                     "highest seed"],
                            rows=[[t, c, g, g, g] for c, by_length in gradient.items() for t, g in by_length.items()]))
        series += [Series(figure="gradient_init", label=c, x=[float(t) for t in by_length], y=list(by_length.values()))
                   for c, by_length in gradient.items()]
    return study("long_range", headline=h, series=series, tables=tables)


SOLVED = [1.0, 1.0, 0.99]
CHANCE = [0.5, 0.51, 0.49]


@pytest.fixture(scope="module")
def env():
    from report.render.html import environment

    return environment(REPO_ROOT / "templates")


def study_text(env, template: str, item) -> str:
    """The study's text in its section and, when it has one, its method in the appendix (method_template)."""
    from report.outline import method_template

    html = env.get_template(f"studies/{template}.html").render(ev=item, medium="print")
    if (REPO_ROOT / "templates" / method_template(template)).is_file():
        html += env.get_template(method_template(template)).render(ev=item, medium="print")
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def sentence(env, template: str, finding) -> str:
    return study_text(env, template, evidence.EvidenceItem(template, finding))


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
    assert "every model solves the shortest length, T = 10" in text


def test_long_range_no_difference_when_the_longer_reach_is_not_significant(env):
    s = long_range_study({"SimpleRNN": {10: SOLVED, 100: CHANCE}, "LSTM": {10: SOLVED, 100: [0.62, 0.6, 0.61]},
                          "GRU": {10: SOLVED, 100: CHANCE}},
                         pairs=[pair_row(100, "SimpleRNN", "LSTM", 60, 70, 0.43)])  # stored the other way round
    f = long_range.finding(s)
    assert f.verdict == "no_difference"
    assert (f.decisive[0].a, f.decisive[0].b, f.decisive[0].a_only) == ("LSTM", "SimpleRNN", 70)
    text = sentence(env, "long_range", f)
    assert "No difference in how long the plain cells keep the first word" in text
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
    assert "the study stops at T = 100, where every model is at chance" in text
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
    assert "No consistent difference in how long the plain cells keep the first word" in text
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


# the plain gated cells at chance from T = 30, the SimpleRNN from T = 1000
PLAIN_OPPOSITE = {"SimpleRNN": {10: SOLVED, 30: SOLVED, 100: SOLVED, 1000: CHANCE},
                  "LSTM": {10: SOLVED, 30: CHANCE}, "GRU": {10: SOLVED, 30: CHANCE}}
PLAIN_PAIRS = [pair_row(30, "LSTM", "SimpleRNN", 5, 500, 1e-90), pair_row(30, "GRU", "SimpleRNN", 4, 498, 1e-90)]


def test_long_range_initialised_lstm_keeps_the_first_word_longer_with_its_test(env):
    acc = dict(PLAIN_OPPOSITE, **{"LSTM, chrono init": {10: SOLVED, 30: SOLVED, 100: SOLVED, 1000: SOLVED}})
    pairs = PLAIN_PAIRS + [pair_row(1000, "LSTM, chrono init", "SimpleRNN", 480, 20, 1e-100),
                           pair_row(100, "LSTM, chrono init", "SimpleRNN", 3, 2, 1.0)]
    gradient = {"SimpleRNN": {30: 0.8}, "LSTM": {30: 1e-4}, "GRU": {30: 1e-6}, "LSTM, chrono init": {30: 0.31}}
    tried = [("LSTM, chrono init", 1.0, 12), ("LSTM, forget bias 3", 1.0, 20), ("LSTM, forget bias 5", 0.55, 3)]
    f = long_range.finding(long_range_study(acc, pairs, at_cap={("LSTM", 30): 3, ("GRU", 30): 3}, gradient=gradient,
                                            init_choice=tried))
    assert f.verdict == "opposite" and f.initialised == ("LSTM, chrono init",)
    assert f.init_choice == tuple(tried) and f.init_choice_length == 100
    assert f.init_verdict == "expected" and [(t.a, t.where) for t in f.init_decisive] == [("LSTM, chrono init", 1000)]
    text = sentence(env, "long_range", f)
    assert ("With its gate biases initialised for long memory, the LSTM keeps the first word longer than the "
            "SimpleRNN, as the textbook says. At T = 1000, where the SimpleRNN is first at chance, the "
            "chrono-initialised LSTM is significantly better than the SimpleRNN (p &lt; 0.001).") in text
    # the plain cells still lose, but the textbook's claim held once the forget gate started open
    assert "As Keras initialises them, both gated cells keep the first word for less time than the SimpleRNN." in text
    assert "Opposite to the textbook" not in text
    assert ("At initialisation, the gradient reaching the first word at T = 30 is 0.8 times the last word's in the "
            "SimpleRNN, 0.0001 in the LSTM and 1e-06 in the GRU (lower panel). It is 0.31 in the chrono-initialised "
            "LSTM.") in text
    assert "The chrono-initialised LSTM stays above chance up to T = 1000." in text
    assert ("The candidates: the chrono initialisation (Tallec &amp; Ollivier 2018), a forget bias of log u with u "
            "uniform in [1, T − 1] and the input bias its negative, and constant forget biases of 3 and 5.") in text
    assert ("The chrono-initialised LSTM was chosen by validation accuracy at T = 100, first seed (chrono-initialised "
            "LSTM 1.000; LSTM with forget bias 3 1.000; LSTM with forget bias 5 0.550; ties go to the fewer epochs).") in text


def test_long_range_seen_from_the_forget_gate_states_the_initialised_outcome_in_short_sentences(env):
    from tests.render.test_sentences import MAX_WORDS, sentences

    acc = dict(PLAIN_OPPOSITE, **{"LSTM, chrono init": {10: SOLVED, 30: SOLVED, 100: SOLVED, 1000: SOLVED},
                                  "LSTM, forget bias 5": {10: SOLVED, 30: SOLVED, 100: CHANCE}})
    pairs = PLAIN_PAIRS + [pair_row(1000, "LSTM, chrono init", "SimpleRNN", 480, 20, 1e-100)]
    gradient = {"SimpleRNN": {30: 0.8}, "LSTM": {30: 1e-4}, "GRU": {30: 1e-6}, "LSTM, chrono init": {30: 0.31},
                "LSTM, forget bias 5": {30: 0.5}}
    f = long_range.finding(long_range_study(acc, pairs, at_cap={("LSTM", 30): 3, ("GRU", 30): 3}, gradient=gradient))
    text = sentence(env, "long_range-forget", f)
    assert ("At initialisation, the gradient reaching the first word at T = 30 is 0.0001 times the last word's in the "
            "plain LSTM, 0.31 in the chrono-initialised LSTM and 0.5 in the LSTM with forget bias 5.") in text
    assert "At T = 1000, where the SimpleRNN is first at chance, the chrono-initialised LSTM is significantly better" in text
    # both views, with two initialised LSTMs: no sentence a reader cannot take in one breath
    said = sentences([text, sentence(env, "long_range", f)])
    assert len(said) > 20 and [s for s in said if len(s.split()) > MAX_WORDS] == []
    # no initialised LSTM trained: section 2.1 shows nothing of the study
    plain = long_range.finding(long_range_study(PLAIN_OPPOSITE, PLAIN_PAIRS))
    assert plain.init_verdict is None


def test_long_range_initialised_lstm_no_better_keeps_opposite_to_the_textbook(env):
    # the chrono LSTM outlives the plain ones but fails before the SimpleRNN, significantly
    acc = dict(PLAIN_OPPOSITE, **{"LSTM, forget bias 5": {10: SOLVED, 30: SOLVED, 100: CHANCE}})
    pairs = PLAIN_PAIRS + [pair_row(100, "LSTM, forget bias 5", "SimpleRNN", 10, 490, 1e-90)]
    f = long_range.finding(long_range_study(acc, pairs))
    assert f.init_verdict == "opposite"
    text = sentence(env, "long_range", f)
    assert "Opposite to the textbook, within this budget the SimpleRNN keeps the first word longer" in text
    assert ("Even with its gate biases initialised for long memory, the LSTM keeps the first word for less time than "
            "the SimpleRNN. At T = 100, the LSTM with forget bias 5 is significantly worse than the SimpleRNN") in text
    # longer than the SimpleRNN but not significantly: no difference, and the test is named
    acc["LSTM, forget bias 5"] = {10: SOLVED, 30: SOLVED, 100: SOLVED, 1000: SOLVED}
    pairs = PLAIN_PAIRS + [pair_row(1000, "LSTM, forget bias 5", "SimpleRNN", 60, 50, 0.39)]
    f = long_range.finding(long_range_study(acc, pairs))
    assert f.init_verdict == "no_difference" and f.init_decisive[0].where == 1000
    text = sentence(env, "long_range", f)
    assert ("the LSTM keeps the first word neither longer nor shorter than the SimpleRNN. At T = 1000, the LSTM with "
            "forget bias 5 and the SimpleRNN show no significant difference at the 5% level (p = 0.39).") in text
    assert "Opposite to the textbook" in text


def test_long_range_an_initialised_lstm_failing_the_sanity_row_leaves_the_plain_verdict(env):
    acc = dict(PLAIN_OPPOSITE, **{"LSTM, chrono init": {10: [0.7, 0.8, 0.75], 30: SOLVED}})
    f = long_range.finding(long_range_study(acc, PLAIN_PAIRS))
    assert f.verdict == "opposite" and f.init_verdict == "under_budgeted"
    text = sentence(env, "long_range", f)
    assert "every plain cell solves the shortest length, T = 10" in text
    assert ("The chrono-initialised LSTM (0.750) stayed below it: it is under-budgeted, and the study draws no "
            "conclusion about it.") in text
    assert ("The chrono-initialised LSTM did not solve the shortest length within the budget, so the study draws no "
            "conclusion about it.") in sentence(env, "long_range-forget", f)
    assert "initialised for long memory, the LSTM keeps" not in text


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


GRID = (0.001, 0.003, 0.01)


def architectures_study(pairs: list[list], at_cap: int = 0, not_trained: tuple[str, ...] = (),
                        curve: tuple[float, ...] = (0.51, 0.53, 0.52, 0.5),
                        first: tuple[float, ...] = (0.6, 0.75, 0.7)) -> StudyResults:
    """IMDB only, seeds 42, 43, 44; each cell chose 0.003 of ``GRID`` on validation, except the ``not_trained``
    ones: they chose 0.001, and at it seed 42's validation accuracy followed ``first``, seeds 43 and 44 ``curve``
    (the near-chance level is 0.553)."""
    rows, rates, curves = [], [], []
    for k, c in enumerate(CELLS):
        out = c in not_trained
        lr = 0.001 if out else 0.003
        runs = {42: first, 43: curve, 44: curve} if out else {s: (0.7, 0.80 + 0.01 * k) for s in (42, 43, 44)}
        val = mean(max(v) for v in runs.values())
        rows.append(["IMDB", c, lr, val, sum(max(v) < 0.553 for v in runs.values()), not out, 0.80 + 0.01 * k, 0.004, 0.79 + 0.01 * k, 0.005,
                     3.0, 6, 1000 * (k + 1), 1.2])
        rates += [["IMDB", c, r, max(runs[42]) if r == lr else 0.6, 3, 6, r == lr] for r in GRID]
        curves += [["IMDB", c, lr, seed, epoch, acc] for seed, run in runs.items()
                   for epoch, acc in enumerate(run, start=1)]
    lengths = Table(id="imdb_length", caption="c",
                    columns=["length", "reviews (this study)", "SimpleRNN (this study)", "LSTM (this study)"],
                    rows=[["0-99", 10, 0.52, 0.9], ["100+", 5, 0.5, 0.7]])
    pair_table = Table(id="pairs", caption="c", columns=["dataset", "A", "B", "A only right", "B only right", "n",
                                                         "difference", "p", "verdict"], rows=pairs)
    h = {"units": 32, "embedding_dim": 32, "seeds": 3, "max_epochs": 20, "patience": 3, "imdb.maxlen": 100,
         "reuters.maxlen": 60, "imdb.train": 5000, "imdb.validation": 1000, "imdb.test_size": 5000,
         "cpu_seconds": 150.0, "imdb.LSTM.at_cap": at_cap, "imdb.majority": 0.5, "imdb.chance_level": 0.553,
         "imdb.validation_size": 800, "chance_standard_errors": 3, "search_epochs": 8}
    return study("architectures", headline=h, config={"seed": 42, "learning_rates": list(GRID)},
                 tables=[Table(id="comparison", caption="c", columns=architectures.COLUMNS, rows=rows),
                         Table(id="learning_rate", caption="c", columns=architectures.RATE_COLUMNS, rows=rates),
                         Table(id="validation_curves", caption="c", columns=architectures.CURVE_COLUMNS, rows=curves),
                         pair_table, lengths])


def _arch_pairs(*tests) -> list[list]:
    return [pair_row("IMDB", a, b, ao, bo, p, 5000) for a, b, ao, bo, p in tests]


ALL_PAIRS = (("LSTM", "SimpleRNN", 300, 200, 1e-5), ("GRU", "SimpleRNN", 150, 260, 1e-7),
             ("GRU", "LSTM", 100, 110, 0.53))


def test_architecture_claims_follow_the_paired_test_both_ways(env):
    f = architectures.finding(architectures_study(_arch_pairs(*ALL_PAIRS)))
    assert [p.verdict for p in f.tests("IMDB")] == ["better", "worse", "no significant difference"]
    assert f.best == {"IMDB": "GRU"} and f.at_cap == 0 and f.not_trained == ()
    assert f.long_reviews_worst == {"SimpleRNN (this study)": True, "LSTM (this study)": True}
    text = _arch_text(env, f)
    assert "The LSTM is significantly better than the SimpleRNN (p &lt; 0.001)." in text
    assert "The GRU is significantly worse than the SimpleRNN (p &lt; 0.001)." in text
    assert "The GRU and the LSTM show no significant difference at the 5% level (p = 0.53)." in text
    # the counts behind each verdict, in the note under the table
    assert "IMDB, LSTM against SimpleRNN: of the 500 test examples on which exactly one of them is right" in text
    assert "Every run stopped early, before the cap: each cell converged." in text
    assert "from the same grid (0.001, 0.003, 0.01)" in text and "not trained" not in text
    assert ("reached the best validation accuracy within 8 epochs (Table 1). That run then went on to the cap as the "
            "first seed's run.") in text
    assert f.at_edge("IMDB", "smallest") == f.at_edge("IMDB", "largest") == () and "beyond the grid" not in text
    capped = architectures.finding(architectures_study(_arch_pairs(("LSTM", "SimpleRNN", 10, 12, 0.8)), at_cap=2))
    assert capped.at_cap == 2 and "2 runs still improved at the cap" in _arch_text(env, capped)


def test_a_cell_with_a_seed_near_chance_is_named_not_trained_and_left_out_of_the_comparison(env):
    """The SimpleRNN's first seed trained, its other two stayed near chance on validation: though its test accuracy
    is the best, it is neither the best cell nor in a paired test, and the text says why, with those seeds' curves."""
    f = architectures.finding(architectures_study(_arch_pairs(*ALL_PAIRS), not_trained=("SimpleRNN",)))
    assert [(n.dataset, n.cell, n.learning_rate, n.near_chance, n.seeds) for n in f.not_trained] == \
        [("IMDB", "SimpleRNN", 0.001, 2, 3)]
    assert f.not_trained[0].curves == ((43, (0.51, 0.53, 0.52, 0.5)), (44, (0.51, 0.53, 0.52, 0.5)))
    assert [(p.a, p.b) for p in f.tests("IMDB")] == [("GRU", "LSTM")]
    assert f.best == {"IMDB": "GRU"} and f.spread["IMDB"] == pytest.approx(0.01)
    assert not f.trained("IMDB", "SimpleRNN") and f.trained("IMDB", "LSTM")
    text = _arch_text(env, f)
    assert ("On IMDB the SimpleRNN did not train: at its best learning rate (0.001), 2 of its 3 seeds stayed below "
            "the near-chance level of 0.553 on validation.") in text
    assert "That level is the majority class's share of the 800 validation examples (0.500) plus 3 standard" in text
    assert "The SimpleRNN is left out of the comparison and the paired tests; the validation curves are in" in text
    assert ("Validation accuracy epoch by epoch of the SimpleRNN on IMDB (not trained; learning rate 0.001), each "
            "seed that stayed near chance: seed 43, 0.510, 0.530, 0.520, 0.500; seed 44, 0.510, 0.530") in text
    assert "SimpleRNN (not trained)" in text and "LSTM (not trained)" not in text
    # its accuracy by review length is shown, marked, and not read
    assert f.long_reviews_worst == {"LSTM (this study)": True} and "SimpleRNN (this study) (not trained)" in text
    assert "Every trained model scores lowest on the longest reviews (100+ words)." in text
    assert "than the SimpleRNN" not in text and "The GRU and the LSTM show no significant difference" in text
    # 0.001, the grid's smallest rate, was the SimpleRNN's choice
    assert f.at_edge("IMDB", "smallest") == ("SimpleRNN",) and f.at_edge("IMDB", "largest") == ()
    assert "On IMDB the SimpleRNN chose the grid's smallest rate (0.001): a rate beyond the grid might suit it" in text
    every = architectures.finding(architectures_study(_arch_pairs(*ALL_PAIRS), not_trained=("SimpleRNN",),
                                                      first=(0.5, 0.52)))
    assert [s for s, _ in every.not_trained[0].curves] == [42, 43, 44]
    assert "at its best learning rate (0.001), each of its 3 seeds stayed below" in _arch_text(env, every)


def test_with_one_trained_cell_or_none_there_is_nothing_to_compare(env):
    one = architectures.finding(architectures_study(_arch_pairs(*ALL_PAIRS), not_trained=("SimpleRNN", "LSTM")))
    assert one.best == {"IMDB": "GRU"} and one.tests("IMDB") == ()
    text = _arch_text(env, one)
    assert "On IMDB only the GRU trained, so there is nothing to compare it with." in text
    assert "The SimpleRNN is left out" in text and "The LSTM is left out" in text
    none = architectures.finding(architectures_study(_arch_pairs(*ALL_PAIRS), not_trained=CELLS))
    assert none.best == {} and none.pairs == ()
    assert "On IMDB no cell trained, so there is no comparison." in _arch_text(env, none)


def test_a_rate_at_the_grids_edge_is_named(env):
    s = architectures_study(_arch_pairs(*ALL_PAIRS))
    comparison = s.table("comparison")
    rows = [r if r[1] == "SimpleRNN" else [*r[:2], 0.01, *r[3:]] for r in comparison.rows]
    s = s.model_copy(update={"tables": [comparison.model_copy(update={"rows": rows}), *s.tables[1:]]})
    f = architectures.finding(s)
    assert f.at_edge("IMDB", "largest") == ("LSTM", "GRU") and f.at_edge("IMDB", "smallest") == ()
    assert ("On IMDB the LSTM and GRU chose the grid's largest rate (0.01): a rate beyond the grid might suit them "
            "better.") in _arch_text(env, f)


def test_near_chance_is_the_majority_share_plus_three_standard_errors():
    share, level = architectures.chance_level(np.array([0] * 50 + [1] * 50))
    assert (share, level) == (0.5, pytest.approx(0.5 + 3 * 0.05))
    share, level = architectures.chance_level(np.array([2] * 90 + [0] * 6 + [1] * 4))
    assert (share, level) == (0.9, pytest.approx(0.9 + 3 * 0.03))


def test_the_learning_rate_is_chosen_on_validation_then_fewer_epochs_then_the_smaller_rate():
    def fit(lr: float, curve: list[float]) -> architectures.Fit:
        return architectures.Fit(42, lr, curve, curve.index(max(curve)) + 1, 1.0, [])

    assert architectures.choose([fit(0.001, [0.6, 0.7]), fit(0.003, [0.8, 0.7]), fit(0.01, [0.5])]).learning_rate \
        == 0.003
    assert architectures.choose([fit(0.001, [0.6, 0.8]), fit(0.003, [0.5, 0.6, 0.8]), fit(0.01, [0.8])]) \
        .learning_rate == 0.01
    assert architectures.choose([fit(0.01, [0.8]), fit(0.001, [0.8])]).learning_rate == 0.001


def _arch_text(env, f) -> str:
    class Ref:  # what m.ref and m.table need of a numbered table
        id, label, title, kind = "tab-1", "Table 1", "t", "table"

    return study_text(env, "architectures", evidence.EvidenceItem("architectures", f, (), (Ref(), Ref(), Ref())))


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
