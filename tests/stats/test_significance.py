"""report.stats.significance: Wilson intervals, McNemar's exact test, the verdict."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from report.stats.significance import McNemar, mcnemar, seed_spread, verdict, wilson_interval


def _pairs(both: int, a_only: int, b_only: int, neither: int) -> tuple[np.ndarray, np.ndarray]:
    """Correctness arrays of A and B with the given 2x2 table, shuffled (order must not matter)."""
    a = [True] * both + [True] * a_only + [False] * b_only + [False] * neither
    b = [True] * both + [False] * a_only + [True] * b_only + [False] * neither
    order = np.random.default_rng(0).permutation(len(a))
    return np.array(a)[order], np.array(b)[order]


# ---- Wilson ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (50, 100, 0.4038, 0.5962),  # p = 1/2: symmetric, centre 0.5, half-width 1.96/1.0384 * 0.05095
        (95, 100, 0.8883, 0.9785),  # asymmetric near 1 (Newcombe 1998, table I)
        (0, 10, 0.0, 0.2775),  # z^2/(n + z^2) = 3.8415/13.8415; the Wald interval would be [0, 0]
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_known_values(successes, n, low, high):
    lo, hi = wilson_interval(successes, n)
    assert lo == pytest.approx(low, abs=1e-4)
    assert hi == pytest.approx(high, abs=1e-4)


def test_wilson_narrows_with_n_and_widens_with_confidence():
    w = lambda k, n, c=0.95: (lambda iv: iv[1] - iv[0])(wilson_interval(k, n, c))  # noqa: E731
    assert w(8000, 10000) < w(80, 100)
    assert w(80, 100, 0.99) > w(80, 100, 0.95) > w(80, 100, 0.90)
    lo, hi = wilson_interval(767, 1000)
    assert lo < 0.767 < hi


@pytest.mark.parametrize(("k", "n"), [(1, 0), (-1, 10), (11, 10)])
def test_wilson_rejects_impossible_counts(k, n):
    with pytest.raises(ValueError):
        wilson_interval(k, n)


# ---- McNemar --------------------------------------------------------------------------------


def test_mcnemar_significant_by_hand():
    # 9 discordant pairs go A's way, 1 B's: p = 2 * P(X <= 1 | 10, 1/2) = 2 * 11/1024
    a, b = _pairs(both=70, a_only=9, b_only=1, neither=20)
    test = mcnemar(a, b)
    assert (test.a_only, test.b_only, test.n) == (9, 1, 100)
    assert test.p_value == pytest.approx(22 / 1024)
    assert test.p_value < 0.05
    assert test.difference == pytest.approx(0.08)  # (79 - 71) / 100
    assert test.difference == pytest.approx(a.mean() - b.mean())


def test_mcnemar_not_significant_by_hand():
    # 8 against 2: p = 2 * (1 + 10 + 45) / 1024 = 0.109375; a 6-point lead that the test does not support
    a, b = _pairs(both=50, a_only=8, b_only=2, neither=40)
    test = mcnemar(a, b)
    assert test.p_value == pytest.approx(112 / 1024)
    assert test.p_value > 0.05
    assert test.difference == pytest.approx(0.06)


def test_mcnemar_concordant_pairs_do_not_count():
    small = mcnemar(*_pairs(both=0, a_only=9, b_only=1, neither=0))
    large = mcnemar(*_pairs(both=5000, a_only=9, b_only=1, neither=5000))
    assert small.p_value == large.p_value


def test_mcnemar_no_discordant_pairs_is_p_one():
    test = mcnemar([True, False, True], [True, False, True])
    assert (test.a_only, test.b_only, test.p_value, test.difference) == (0, 0, 1.0, 0.0)


def test_mcnemar_is_symmetric():
    a, b = _pairs(both=30, a_only=12, b_only=3, neither=5)
    ab, ba = mcnemar(a, b), mcnemar(b, a)
    assert (ab.a_only, ab.b_only) == (ba.b_only, ba.a_only)
    assert ab.p_value == pytest.approx(ba.p_value)
    assert ab.difference == pytest.approx(-ba.difference)


def test_mcnemar_needs_the_same_examples():
    with pytest.raises(ValueError):
        mcnemar([True, True], [True])


def test_mcnemar_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        mcnemar([True], [False]).p_value = 0.0  # type: ignore[misc]


# ---- verdict --------------------------------------------------------------------------------


def test_verdict_better_worse_and_tie():
    better = mcnemar(*_pairs(both=70, a_only=9, b_only=1, neither=20))
    worse = mcnemar(*_pairs(both=70, a_only=1, b_only=9, neither=20))
    tie = mcnemar(*_pairs(both=50, a_only=8, b_only=2, neither=40))
    assert verdict(better) == "better"
    assert verdict(worse) == "worse"
    assert verdict(tie) == "no significant difference"
    assert verdict(McNemar(a_only=0, b_only=0, n=10, p_value=1.0)) == "no significant difference"


def test_verdict_follows_alpha():
    test = mcnemar(*_pairs(both=70, a_only=9, b_only=1, neither=20))  # p = 0.0215
    assert verdict(test, alpha=0.05) == "better"
    assert verdict(test, alpha=0.01) == "no significant difference"


# ---- seeds ----------------------------------------------------------------------------------


def test_seed_spread_is_mean_and_sample_sd():
    m, sd = seed_spread([0.80, 0.82, 0.84])
    assert m == pytest.approx(0.82)
    assert sd == pytest.approx(0.02)  # n - 1 in the denominator; the population sd would be 0.0163
    assert seed_spread([0.7]) == (0.7, 0.0)
    with pytest.raises(ValueError):
        seed_spread([])
