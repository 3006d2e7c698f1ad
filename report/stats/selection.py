"""How an experiment's settings were chosen, from the selection record its results carry.

``bench/selection.py`` trains candidate settings and records what the validation split said (and each
candidate's predicted class per validation example); ``results.json`` carries that record. Here it becomes
the report's selection table and its with/without comparisons: each candidate is compared with the recorded
candidate it changed (same seed, differing only in fields it set) on the same validation examples by
McNemar's exact test, so "the max readout helps" carries its p-value. Validation data only: the test set plays no
part in any of this.
"""

from __future__ import annotations

from dataclasses import dataclass

from report.results.experiment_results import Candidate, Results
from report.stats.significance import McNemar, mcnemar, verdict

# Fields whose difference is not a setting of the model (the run's seed; --quick subsets)
NOT_SETTINGS = frozenset({"seed", "subset_train", "subset_test"})


@dataclass(frozen=True)
class Comparison:
    """One candidate against the recorded one it changed (same seed, differing only in fields it set), on the
    same validation examples: McNemar's exact test with A = ``this``, B = ``base``."""

    this: Candidate
    base: Candidate
    fields: tuple[str, ...]  # where the two differ
    test: McNemar

    @property
    def verdict(self) -> str:
        return verdict(self.test)

    @property
    def difference(self) -> float:
        return self.this.val_accuracy - self.base.val_accuracy


@dataclass(frozen=True)
class SelectionRow:
    candidate: Candidate
    chosen: bool  # the configuration the results were trained with (seed aside)
    # field -> this candidate's value, where it differs from the chosen configuration
    differs: tuple[tuple[str, object], ...] = ()
    comparison: Comparison | None = None  # against the candidate it changed, when that one is recorded


@dataclass(frozen=True)
class Selection:
    rows: tuple[SelectionRow, ...]  # in the order they were tried

    @property
    def n_settings(self) -> int:
        """Distinct settings tried (a setting tried with several seeds counts once)."""
        return len({_frozen(r.candidate.config) for r in self.rows})

    @property
    def seeds(self) -> tuple[int, ...]:
        return tuple(sorted({r.candidate.seed for r in self.rows}))

    @property
    def chosen(self) -> tuple[Candidate, ...]:
        return tuple(r.candidate for r in self.rows if r.chosen)

    @property
    def comparisons(self) -> tuple[Comparison, ...]:
        return tuple(r.comparison for r in self.rows if r.comparison is not None)

    def about(self, *fields: str) -> tuple[Comparison, ...]:
        """The comparisons in which exactly ``fields`` differ (``about("readout")``: the readout alone)."""
        return tuple(c for c in self.comparisons if set(c.fields) == set(fields))

    @property
    def highlighted(self) -> tuple[Comparison, ...]:
        """What the prose spells out: the chosen setting against the one it changed, then the readout and
        the word vectors, each alone (the two changes the assignment's plain model does not have)."""
        out = [r.comparison for r in self.rows if r.chosen and r.comparison is not None]
        pairs = {frozenset((id(c.this), id(c.base))) for c in out}
        for field in ("readout", "word_vectors"):
            for c in self.about(field):
                if frozenset((id(c.this), id(c.base))) not in pairs:  # a pair once, whichever way round
                    out.append(c)
                    pairs.add(frozenset((id(c.this), id(c.base))))
        return tuple(out)

    @property
    def macro_f1(self) -> bool:
        """Whether the table has a macro F1 column (multi-class experiments)."""
        return any(r.candidate.val_macro_f1 is not None for r in self.rows)


def _frozen(config: dict) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in config.items() if k not in NOT_SETTINGS))


def differences(a: dict, b: dict) -> list[str]:
    """Fields set differently in two configs (fields only one of them has do not count)."""
    return sorted(k for k in a.keys() & b.keys() if k not in NOT_SETTINGS and a[k] != b[k])


def _paired(this: Candidate, base: Candidate) -> McNemar | None:
    if not this.val_predicted or not base.val_predicted or this.val_true != base.val_true:
        return None
    if len(this.val_predicted) != len(this.val_true) or len(base.val_predicted) != len(base.val_true):
        return None
    truth = this.val_true
    return mcnemar([p == t for p, t in zip(this.val_predicted, truth)],
                   [p == t for p, t in zip(base.val_predicted, truth)])


def _comparison(this: Candidate, record: list[Candidate], chosen: dict) -> Comparison | None:
    """``this`` against the recorded candidate of the same seed and arithmetic that differs from it in the fewest fields,
    all of them fields ``this`` set (its ``changes``); among equals, the one that has the chosen values there
    (so "no word vectors" is set against the chosen vectors, not against another change). None when there is
    no such candidate or no predictions."""
    changed = set(this.changes)
    best, rank = None, None
    for base in record:
        # the same seed under other arithmetic is another run (report.train.numerics): not a pair
        if base is this or base.seed != this.seed or base.arithmetic != this.arithmetic:
            continue
        diff = differences(this.config, base.config)
        if not diff or not set(diff) <= changed:
            continue
        mine = (len(diff), sum(base.config[k] != chosen.get(k, base.config[k]) for k in diff))
        if rank is None or mine < rank:
            best, rank = (base, diff), mine
    if best is None:
        return None
    test = _paired(this, best[0])
    return None if test is None else Comparison(this, best[0], tuple(best[1]), test)


def selection(results: Results) -> Selection | None:
    """The selection record of ``results`` as the report shows it, or None when it has none."""
    if not results.selection:
        return None
    record = list(results.selection)
    rows = tuple(
        SelectionRow(c, not differences(c.config, results.config),
                     tuple((k, c.config[k]) for k in differences(c.config, results.config)),
                     _comparison(c, record, results.config))
        for c in record
    )
    return Selection(rows)
