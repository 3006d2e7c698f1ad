"""The paired tests a study records in a "pairs" table (McNemar's exact test of cell A against cell B on the
same test examples), read back for the rules that phrase them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from report.results.study import Table


def steps(n: int | None) -> float:
    """A length in steps where None ("never within the window") counts as longer than any."""
    return float("inf") if n is None else float(n)


@dataclass(frozen=True)
class PairTest:
    """McNemar's exact test of cell A against cell B (their median seeds) on the same test examples."""

    where: str | int  # the length (long range) or the dataset (architectures)
    a: str
    b: str
    a_only: int
    b_only: int
    difference: float
    p_value: float
    verdict: str  # "better" | "worse" | "no significant difference": A relative to B
    n: int = 0

    @property
    def discordant(self) -> int:
        return self.a_only + self.b_only

    def turned(self) -> "PairTest":
        """The same test read as B against A."""
        flip = {"better": "worse", "worse": "better"}.get(self.verdict, self.verdict)
        return PairTest(self.where, self.b, self.a, self.b_only, self.a_only, -self.difference, self.p_value, flip,
                        self.n)


def pair_tests(table: Table) -> tuple[PairTest, ...]:
    """A study's "pairs" table (columns A, B, A only right, B only right, difference, p, verdict, n and the
    length or the dataset) as tests."""
    out = []
    for r in table.records():
        where = r.get("length", r.get("dataset"))
        out.append(PairTest(where, r["A"], r["B"], int(r["A only right"]), int(r["B only right"]),
                            float(r["difference"]), float(r["p"]), str(r["verdict"]), int(r.get("n") or 0)))
    return tuple(out)


def find_pair(pairs: Sequence[PairTest], where: str | int, a: str, b: str) -> PairTest | None:
    """The test of ``a`` against ``b`` at ``where``, turned round when the table holds ``b`` against ``a``."""
    for p in pairs:
        if p.where == where and (p.a, p.b) == (a, b):
            return p
        if p.where == where and (p.a, p.b) == (b, a):
            return p.turned()
    return None
