"""Uncertainty for the comparisons the report makes, without TensorFlow.

- ``wilson_interval``: a 95% (by default) Wilson score interval for an
  accuracy measured on ``n`` test examples;
- ``mcnemar``: McNemar's exact test for two classifiers scored on the *same*
  test examples (paired): only the discordant pairs count, and under the null
  hypothesis each of them is equally likely to go either way, so the number
  where A alone is right is Binomial(b + c, 1/2);
- ``verdict``: the word the report uses for A relative to B, chosen by the test;
- ``seed_spread``: mean and sample standard deviation over seeds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist, mean, stdev
from typing import Iterable, Literal

import numpy as np

Verdict = Literal["better", "worse", "no significant difference"]


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for the proportion ``successes / n``.

    Unlike the normal (Wald) interval it stays inside [0, 1] and keeps its
    coverage near 0 and 1, where test accuracies of easy baselines can sit.
    """
    successes, n = int(successes), int(n)
    if n <= 0:
        raise ValueError(f"wilson_interval needs at least one trial, got n={n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in [0, n={n}], got {successes}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class McNemar:
    """McNemar's exact test of classifier A against B on the same ``n`` examples.

    ``a_only`` (b in the usual table): A right, B wrong; ``b_only`` (c): B
    right, A wrong. ``p_value`` is the exact two-sided binomial test of
    b ~ Binomial(b + c, 1/2) (1 when there is no discordant pair).
    """

    a_only: int
    b_only: int
    n: int
    p_value: float

    @property
    def discordant(self) -> int:
        return self.a_only + self.b_only

    @property
    def difference(self) -> float:
        """Accuracy of A minus accuracy of B: the concordant pairs cancel."""
        return (self.a_only - self.b_only) / self.n if self.n else 0.0


def mcnemar(correct_a: Iterable[bool], correct_b: Iterable[bool]) -> McNemar:
    """McNemar's exact test from per-example correctness of A and B (same examples, same order)."""
    a = np.asarray(correct_a, dtype=bool).ravel()
    b = np.asarray(correct_b, dtype=bool).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired test needs the same examples: {a.size} against {b.size}")
    a_only = int(np.count_nonzero(a & ~b))
    b_only = int(np.count_nonzero(b & ~a))
    return McNemar(a_only=a_only, b_only=b_only, n=int(a.size), p_value=exact_p_value(a_only, b_only))


def exact_p_value(a_only: int, b_only: int) -> float:
    """Two-sided exact binomial p-value of ``a_only`` out of ``a_only + b_only`` at 1/2."""
    if a_only + b_only == 0:
        return 1.0
    from scipy.stats import binomtest  # scipy imports slowly; only where a test is computed

    return float(min(1.0, binomtest(a_only, a_only + b_only, 0.5).pvalue))


def verdict(test: McNemar, alpha: float = 0.05) -> Verdict:
    """A relative to B: "better" or "worse" when the test rejects at ``alpha``, else no difference."""
    if test.p_value < alpha and test.a_only != test.b_only:
        return "better" if test.a_only > test.b_only else "worse"
    return "no significant difference"


def seed_spread(values: Iterable[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (n - 1) over seeds; sd 0 for a single seed."""
    v = [float(x) for x in values]
    if not v:
        raise ValueError("seed_spread needs at least one value")
    return mean(v), (stdev(v) if len(v) > 1 else 0.0)
