"""How an experiment's settings were chosen, from the selection record its results carry.

``bench/selection.py`` trains candidate settings and records what the validation split said (and each
candidate's predicted class per validation example); ``results.json`` carries that record. Here it becomes
the report's selection table and its with/without comparisons: each candidate that differs from the chosen
setting in one field, with the same seed, is compared with it on the same validation examples by McNemar's
exact test, so "the max readout helps" carries its p-value. Validation data only: the test set plays no
part in any of this.
"""

from __future__ import annotations

from dataclasses import dataclass

from report.results.experiment import Candidate, Results
from report.results.significance import McNemar, mcnemar, verdict

# Fields whose difference is not a setting of the model (the run's seed; --quick subsets)
NOT_SETTINGS = frozenset({"seed", "subset_train", "subset_test"})


@dataclass(frozen=True)
class SelectionRow:
    candidate: Candidate
    chosen: bool  # the configuration the results were trained with (seed aside)
    # field -> this candidate's value, where it differs from the chosen configuration
    differs: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Ablation:
    """The chosen setting against one that differs in a single field, same seed, on validation."""

    field: str
    chosen_value: object
    other: Candidate
    chosen: Candidate
    test: McNemar  # A = the chosen setting, B = the other one

    @property
    def verdict(self) -> str:
        return verdict(self.test)


@dataclass(frozen=True)
class Selection:
    rows: tuple[SelectionRow, ...]  # in the order they were tried
    ablations: tuple[Ablation, ...]

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
    def macro_f1(self) -> bool:
        """Whether the table has a macro F1 column (multi-class experiments)."""
        return any(r.candidate.val_macro_f1 is not None for r in self.rows)


def _frozen(config: dict) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in config.items() if k not in NOT_SETTINGS))


def differences(a: dict, b: dict) -> list[str]:
    """Fields set differently in two configs (fields only one of them has do not count)."""
    return sorted(k for k in a.keys() & b.keys() if k not in NOT_SETTINGS and a[k] != b[k])


def _paired(chosen: Candidate, other: Candidate) -> McNemar | None:
    if not chosen.val_predicted or not other.val_predicted or chosen.val_true != other.val_true:
        return None
    if len(chosen.val_predicted) != len(chosen.val_true) or len(other.val_predicted) != len(other.val_true):
        return None
    truth = chosen.val_true
    return mcnemar([p == t for p, t in zip(chosen.val_predicted, truth)],
                   [p == t for p, t in zip(other.val_predicted, truth)])


def selection(results: Results) -> Selection | None:
    """The selection record of ``results`` as the report shows it, or None when it has none."""
    if not results.selection:
        return None
    rows = tuple(
        SelectionRow(c, not differences(c.config, results.config),
                     tuple((k, c.config[k]) for k in differences(c.config, results.config)))
        for c in results.selection
    )
    ablations = []
    for chosen in (r.candidate for r in rows if r.chosen):
        for other in results.selection:
            diff = differences(chosen.config, other.config)
            test = _paired(chosen, other) if len(diff) == 1 and other.seed == chosen.seed else None
            if test is not None:
                ablations.append(Ablation(diff[0], chosen.config[diff[0]], other, chosen, test))
    return Selection(rows, tuple(ablations))
