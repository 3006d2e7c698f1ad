"""What results.json lets a sentence state: every quantity derivable from one experiment's results (and the
studies' evidence), each rendered at the precisions the report uses. The numbers check
(:mod:`report.commands.check.numbers`) says why and how it is used."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from report.paths import BuildPaths

if TYPE_CHECKING:
    from report.outline import EvidenceSpec
    from report.render.reference import Reference

# Numbers the prose may state that are not measurements, each with its reason.
PROSE_CONSTANTS: tuple[float, ...] = (
    0.5,  # the decision threshold of a binary classifier
    0.7, 0.8, 0.9,  # the AUC rule of thumb (fair, good, excellent)
    0.0, 1.0,  # ends of the ROC axes and of every score's range
    0.95,  # the confidence of every interval ("95% confidence interval")
    0.05,  # the level of every paired test ("at the 5% level", "p < 0.05")
    0.001,  # the smallest p-value the report prints ("p < 0.001")
)


@dataclass
class Derivable:
    """Renderings of the quantities a sentence may state, global and per class."""

    general: set[str] = field(default_factory=set)
    per_class: dict[str, set[str]] = field(default_factory=dict)

    def add(self, value: float | int, cls: str | None = None, *, share: bool = False) -> None:
        target = self.general if cls is None else self.per_class.setdefault(cls, set())
        target.update(renderings(value, share=share))

    def allowed(self, text: str) -> set[str]:
        out = set(self.general)
        for cls, values in self.per_class.items():
            if re.search(rf"(?<![\w-]){re.escape(cls)}(?![\w-])", text):
                out |= values
        return out


def renderings(value: float | int, *, share: bool = False) -> set[str]:
    """The forms the report may print ``value`` in (without sign and thousands separators).

    A share (a count over a count that the report only states as a percentage) renders as a
    percentage only; anything else as an integer when it is one (or is 10 or more, e.g. a median
    length), with one to three decimals, or as a percentage when it lies in [0, 1].
    """
    x = abs(float(value))
    out = {f"{100 * x:.{d}f}%" for d in (0, 1, 2)} if (share or x <= 1) else set()
    if share:
        return out
    if x.is_integer() or x >= 10:
        out.add(str(int(round(x))))
    out.update(f"{x:.{d}f}" for d in (1, 2, 3))
    out.add(f"{x:g}")
    return out


def _numeric_leaves(obj, skip: tuple[str, ...] = ("roc",), path: str = "") -> Iterator[tuple[str, float | int]]:
    if isinstance(obj, bool):
        return
    if isinstance(obj, (int, float)):
        yield path, obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if key not in skip:
                yield from _numeric_leaves(value, skip, f"{path}.{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _numeric_leaves(value, skip, f"{path}[{i}]")


def string_leaves(obj) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield key
            yield from string_leaves(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from string_leaves(value)


def derivable(raw: dict, references: Mapping[str, Reference] | None = None) -> Derivable:
    """Every quantity the experiment's prose may state, computed from results.json alone (and the
    earlier version's figures the report compares with: report.toml's [reference], as the render read it)."""
    d = Derivable()
    names: list[str] = raw["data"]["class_names"]
    test = raw["test"]
    report = test["classification_report"]
    for _, value in _numeric_leaves({k: v for k, v in raw.items() if k not in ("test", "provenance")}):
        d.add(value)
    for key in ("accuracy", "loss", "roc_auc"):
        d.add(test[key])
    for row in ("macro_avg", "weighted_avg"):
        for value in report[row].values():
            d.add(value)
    for avg in ("micro", "macro"):
        if test["roc"].get(avg):
            d.add(test["roc"][avg]["auc"])
    n, size = len(names), raw["data"]["test_size"]
    history = raw["history"]
    for k in range(0, max(n, len(history), int(raw["config"].get("epochs", 0) or 0)) + 1):
        d.add(k)  # counts of classes or epochs
        d.add(k / n, share=True)

    # per class: its report row, its AUC, its counts and shares
    cm = test["confusion_matrix"]
    rows = [sum(r) for r in cm]
    cols = [sum(c) for c in zip(*cm)]
    for i, name in enumerate(names):
        for value in report["classes"].get(name, {}).values():
            d.add(value, name)
        if name in test["roc"]["per_class"]:
            d.add(test["roc"]["per_class"][name]["auc"], name)
        for j, cell in enumerate(cm[i]):
            d.add(cell, None if n == 2 else name)
            if rows[i]:
                d.add(cell / rows[i], name, share=True)
            d.add(cell / size if size else 0, name, share=True)
        for count in (rows[i], cols[i], rows[i] - cm[i][i]):
            d.add(count, name)
            d.add(count / size if size else 0, name, share=True)
        support = raw["data"]["test_counts"].get(name, rows[i])
        d.add(support / size if size else 0, name, share=True)
    trace = sum(cm[i][i] for i in range(n))
    for count in (trace, size - trace, size):
        d.add(count)
        d.add(count / size if size else 0, share=True)
    if n == 2:
        for count in rows + cols:
            d.add(count)

    # derived scores
    baseline = max(raw["data"]["test_counts"].values()) / size if size else 0
    d.add(baseline)
    d.add(test["accuracy"] - baseline)
    macro_f1, weighted_f1 = report["macro_avg"]["f1_score"], report["weighted_avg"]["f1_score"]
    d.add(weighted_f1 - macro_f1)
    if weighted_f1:
        d.add(macro_f1 / weighted_f1)  # "a ratio of 0.52" or "52%"
    if macro_f1:
        d.add(weighted_f1 / macro_f1)
    if test["roc"].get("micro") and test["roc"].get("macro"):
        d.add(test["roc"]["micro"]["auc"] - test["roc"]["macro"]["auc"])
    best = history[raw["best_epoch"] - 1]
    for rec in history:
        d.add(rec["accuracy"] - rec["val_accuracy"])
        d.add(rec["val_loss"] - rec["loss"])
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        for a, b in ((history[0], history[-1]), (best, history[-1]), (history[0], best)):
            d.add(b[key] - a[key])
            if a[key]:
                d.add((b[key] - a[key]) / a[key], share=True)
    _add_seed_summary(d, raw.get("seeds") or [])
    _add_uncertainty(d, raw)
    _add_selection(d, raw)
    data = raw["data"]
    if data.get("vector_texts"):  # "... and 10,349 more that have no topic": the unlabelled texts
        d.add(data["vector_texts"] - data["train_size"])
    for value in PROSE_CONSTANTS:
        d.add(value)
    _add_reference(d, raw, (references or {}).get(raw["experiment"]))
    return d


def _add_seed_summary(d: Derivable, seeds: list[dict]) -> None:
    """With several seeds, the mean and the sample standard deviation of each headline metric
    (as ``Results.seed_summary`` computes them for the "mean ± sd" sentence)."""
    if len(seeds) < 2:
        return
    from statistics import mean, stdev

    for metric in ("accuracy", "roc_auc", "macro_f1", "weighted_f1"):
        values = [s[metric] for s in seeds]
        d.add(mean(values))
        d.add(stdev(values))


def _add_mcnemar(d: Derivable, test) -> None:
    """What a sentence about a paired test may state: its discordant counts, their sum, the examples it
    covers, its p-value and the accuracy difference it implies."""
    for value in (test.a_only, test.b_only, test.discordant, test.n, test.p_value, test.difference):
        d.add(value)


def _add_selection(d: Derivable, raw: dict) -> None:
    """Each candidate against the one it changed on the validation split (McNemar's exact test), as
    ``report.stats.selection`` computes it from the selection record."""
    if not raw.get("selection"):
        return
    from report.stats.selection import selection
    from report.results.experiment_results import Results

    chosen = selection(Results.model_validate(raw))
    if chosen:  # "chosen on the validation split among N settings", each with its seeds
        d.add(chosen.n_settings)
        d.add(len(chosen.seeds))
    for comparison in chosen.comparisons if chosen else ():
        _add_mcnemar(d, comparison.test)
        d.add(comparison.difference)


def _add_uncertainty(d: Derivable, raw: dict) -> None:
    """The 95% Wilson interval of the test accuracy (from the confusion matrix) and McNemar's exact test of
    the model against always answering each most frequent class (as ``report.render.interpret`` computes them)."""
    from report.stats.significance import McNemar, exact_p_value, wilson_interval

    cm = raw["test"]["confusion_matrix"]
    size = sum(map(sum, cm))
    if not size:
        return
    trace = sum(cm[i][i] for i in range(len(cm)))
    for bound in wilson_interval(trace, size, 0.95):
        d.add(bound)
    counts = raw["data"]["test_counts"]
    names = raw["data"]["class_names"]
    top = max(counts.get(n, 0) for n in names) if names else 0
    for k, name in enumerate(names):
        if counts.get(name, 0) == top and k < len(cm):
            a_only, b_only = trace - cm[k][k], sum(cm[k]) - cm[k][k]
            _add_mcnemar(d, McNemar(a_only, b_only, size, exact_p_value(a_only, b_only)))


def add_paired(d: Derivable, paths: BuildPaths, raw: dict, evidence: Sequence[EvidenceSpec]) -> None:
    """The experiment's network against each model a study of its section scored on the same test examples
    (McNemar's exact test, from both prediction files; the study's ``dataset`` option names which), and
    those models' 95% Wilson intervals, as the evidence states them."""
    from report.stats.paired import against_study

    for spec in evidence:
        if "dataset" not in spec.options:
            continue
        ev = against_study(paths.results, raw["experiment"], spec.study, spec.options["dataset"])
        if ev is None:
            continue
        for test in ev.tests.values():
            _add_mcnemar(d, test)
        for low, high in ev.intervals.values():
            d.add(low)
            d.add(high)


def add_studies(d: Derivable, paths: BuildPaths, raw: dict, evidence: Sequence[EvidenceSpec] = ()) -> list[str]:
    """What the evidence inside a results section may state: every number in the studies' tables and
    headlines, and each headline metric's difference from this experiment's ("beats it by 0.013").

    Returns the studies' strings (quoted reviews and wires), whose digits are text, not measurements.
    """
    measured = _measures(raw)
    strings: list[str] = []
    for path in sorted(paths.results.glob("*/study.json")):
        try:
            study = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for _, value in _numeric_leaves(study, skip=("series", "provenance", "config", "timings")):
            d.add(value)
        for key, value in (study.get("headline") or {}).items():
            metric = key.rsplit(".", 1)[-1]
            if isinstance(value, (int, float)) and metric in measured:
                d.add(value - measured[metric])
        strings.extend(string_leaves(study.get("tables", [])))
        strings.extend(string_leaves(study.get("headline", {})))
    add_paired(d, paths, raw, evidence)
    return strings


def _add_reference(d: Derivable, raw: dict, ref: Reference | None) -> None:
    """An earlier version's figures (report.toml's [reference]), and this run's differences from them."""
    if ref is None:
        return
    d.add(ref.test_size)
    from report.render.reference import reference_correct
    from report.stats.significance import wilson_interval

    correct = reference_correct(ref)
    if correct is not None and ref.test_size:
        for bound in wilson_interval(correct, ref.test_size, 0.95):  # the earlier version's 95% interval
            d.add(bound)
    for k in range(len(ref.figures) + 1):
        d.add(k)  # "better on 1 of the 4 comparable figures"
    measured = _measures(raw)
    for fig in ref.figures:
        d.add(fig.value)
        value = measured.get(fig.key)
        if value is not None:
            d.add(value - fig.value)
            if fig.kind == "score":
                d.add(round(value, ref.decimals) - fig.value)


def _measures(raw: dict) -> dict[str, float]:
    test, report = raw["test"], raw["test"]["classification_report"]
    out = {"accuracy": test["accuracy"], "roc_auc": test["roc_auc"],
           "macro_f1": report["macro_avg"]["f1_score"], "weighted_f1": report["weighted_avg"]["f1_score"]}
    for avg in ("micro", "macro"):
        if test["roc"].get(avg):
            out[f"{avg}_auc"] = test["roc"][avg]["auc"]
    for name, row in report["classes"].items():
        out[f"f1:{name}"] = row["f1_score"]
    if len(raw["data"]["class_names"]) == 2:
        (tn, fp), (fn, tp) = raw["test"]["confusion_matrix"]
        out.update(tn=tn, fp=fp, fn=fn, tp=tp)
    return out
