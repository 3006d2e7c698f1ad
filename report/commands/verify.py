"""``make-report verify`` and ``make-report expect``: the rebuilt numbers against the committed ones.

:func:`compare` checks, for each experiment and each seed of its committed expectations
(``experiments/expected/<name>.json``), whether this build computed the same test predictions (their hash).
When it did not, it names the first stage whose hash differs (report.results.stages: tokenised data, word
vectors, weights after epoch 1, test predictions) and puts each headline difference beside the spread of
the committed seeds, so that a grader sees both where a rebuild left the published numbers and whether
the difference matters. The arithmetic of both machines (CPU, pins) is shown when it is not at the
baseline: that is the usual cause.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import click

from report.paths import BuildPaths
from report.results import expectations as expected_numbers
from report.results import stages as stage_hashes
from report.results.experiment_results import (
    Arithmetic,
    Results,
    ResultsError,
    Stages,
    load,
    load_predictions,
    results_dir,
)

METRICS = (("accuracy", "accuracy"), ("macro_f1", "macro F1"), ("roc_auc", "ROC AUC"))


@dataclass(frozen=True)
class SeedVerdict:
    seed: int
    reproduced: bool
    lines: tuple[str, ...] = ()  # the differences, when not reproduced


@dataclass(frozen=True)
class Verdict:
    """One experiment: comparable (same key) or why not, each seed's verdict, and notes."""

    name: str
    comparable: bool
    seeds: tuple[SeedVerdict, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def reproduced(self) -> bool:
        return self.comparable and bool(self.seeds) and all(s.reproduced for s in self.seeds)

    def lines(self) -> list[str]:
        out = [f"{self.name}: {'reproduced' if self.reproduced else 'NOT reproduced'}"]
        for s in self.seeds:
            out.append(f"  seed {s.seed}: {'reproduced' if s.reproduced else 'differs'}")
            out += [f"    {line}" for line in s.lines]
        out += [f"  {note}" for note in self.notes]
        return out


def first_divergence(expected: Stages, found: Stages) -> str | None:
    """The label of the first stage whose hash differs, or None when all agree."""
    for stage in stage_hashes.STAGES:
        if getattr(expected, stage) != getattr(found, stage):
            return stage_hashes.LABELS[stage]
    return None


def spread(exp: expected_numbers.Expectations, metric: str) -> float | None:
    """The committed seeds' sample standard deviation of ``metric`` (None with one seed)."""
    values = [getattr(s, metric) for s in exp.seeds]
    return statistics.stdev(values) if len(values) > 1 else None


def metric_lines(exp: expected_numbers.Expectations, want: expected_numbers.ExpectedSeed,
                 got: expected_numbers.ExpectedSeed) -> list[str]:
    out = []
    for metric, label in METRICS:
        a, b = getattr(want, metric), getattr(got, metric)
        if a == b:
            continue
        sd = spread(exp, metric)
        against = f", {abs(b - a) / sd:.1f} x the seeds' sd {sd:.4f}" if sd else ""
        out.append(f"{label} {b:.4f}, committed {a:.4f} ({b - a:+.4f}{against})")
    return out


def compare_seed(exp: expected_numbers.Expectations, want: expected_numbers.ExpectedSeed,
                 got: expected_numbers.ExpectedSeed | None) -> SeedVerdict:
    if got is None:
        return SeedVerdict(want.seed, False, ("not in this build: train with the committed seeds",))
    if got.stages.predictions == want.stages.predictions:
        return SeedVerdict(want.seed, True)
    stage = first_divergence(want.stages, got.stages)
    lines = [f"first stage that diverged: {stage}", *metric_lines(exp, want, got)]
    return SeedVerdict(want.seed, False, tuple(lines))


def describe(arithmetic: Arithmetic | None) -> str:
    if arithmetic is None:
        return "unrecorded (results older than the pins)"
    pins = ", ".join(f"{k}={v}" for k, v in arithmetic.pins.items())
    cores = ", ".join(sorted({b.core_type or b.api for b in arithmetic.blas})) or "no BLAS loaded"
    return f"{arithmetic.cpu} ({arithmetic.cpu_isa}); {pins}; BLAS {cores}"


def arithmetic_notes(exp: expected_numbers.Expectations, results: Results) -> list[str]:
    here, there = results.provenance.arithmetic, exp.arithmetic
    notes = []
    if here is None or not here.at_baseline:
        notes.append(f"this build's arithmetic is not at the pinned baseline: {describe(here)}")
        notes += [f"  {d}" for d in (here.deviations if here else [])]
    if there is not None and not there.at_baseline:
        notes.append(f"the expectations were written off the pinned baseline: {describe(there)}")
    if notes or (here and there and here.cpu != there.cpu):
        notes.append(f"built on {describe(here)}; expectations from {describe(there)}")
    return notes


def changed_parts(exp: expected_numbers.Expectations, results: Results) -> list[str]:
    parts = sorted(set(exp.key_parts) | set(results.key_parts))
    return [p for p in parts if exp.key_parts.get(p) != results.key_parts.get(p)] or ["key"]


def integrity_notes(paths: BuildPaths, results: Results) -> list[str]:
    """predictions.npz must be the file whose hash results.json recorded (the run of median accuracy)."""
    if results.stages is None:
        return []
    try:
        found = stage_hashes.predictions_digest(load_predictions(results_dir(paths.results, results.experiment)).y_prob)
    except ResultsError as exc:
        return [str(exc)]
    if found != results.stages.predictions:
        return [f"predictions.npz does not hold the predictions results.json recorded: retrain {results.experiment}"]
    return []


def compare(name: str, paths: BuildPaths) -> Verdict:
    """The verdict for one experiment's build/results against its committed expectations."""
    exp = expected_numbers.load(paths.project, name)
    if exp is None:
        return Verdict(name, False, notes=(
            f"no committed expectations ({expected_numbers.path(paths.project, name)}): "
            "write them with `make-report expect` after a cold build",))
    try:
        results = load(results_dir(paths.results, name))
        found = {s.seed: s for s in expected_numbers.seed_runs(results)}
    except ResultsError as exc:
        return Verdict(name, False, notes=(str(exc),))
    if results.key != exp.key:
        parts = ", ".join(changed_parts(exp, results))
        return Verdict(name, False, notes=(
            f"these results are of another build than the expectations (changed: {parts}); "
            f"rebuild with the committed code and config (`make-report train {name}`) to compare",))
    seeds = tuple(compare_seed(exp, want, found.get(want.seed)) for want in exp.seeds)
    return Verdict(name, True, seeds, tuple(arithmetic_notes(exp, results) + integrity_notes(paths, results)))


def verify(names: Sequence[str], paths: BuildPaths, echo: Callable[[str], None] = click.echo) -> bool:
    """Print each experiment's verdict; True when every seed of every experiment was reproduced."""
    verdicts = [compare(name, paths) for name in names]
    for verdict in verdicts:
        echo("\n".join(verdict.lines()))
    return all(v.reproduced for v in verdicts)


def warn_after_build(names: Sequence[str], paths: BuildPaths, echo: Callable[[str], None]) -> None:
    """The end of ``make-report all``: the comparison, for the experiments whose results have the key of
    their committed expectations (a build of the committed code and config); a warning, never a failure."""
    for name in names:
        verdict = compare(name, paths)
        if not verdict.comparable:
            continue
        if verdict.reproduced:
            echo(f"verify: {name} reproduced the committed numbers for every seed")
        else:
            echo("\n".join(f"! {line}" for line in verdict.lines()))


def write_expectations(names: Sequence[str], paths: BuildPaths, echo: Callable[[str], None] = click.echo) -> None:
    """experiments/expected/<name>.json from build/results, for each experiment (after a cold build)."""
    for name in names:
        results = load(results_dir(paths.results, name))
        if results.provenance.arithmetic is None or not results.provenance.arithmetic.at_baseline:
            echo(f"! {name}: written off the pinned baseline: {describe(results.provenance.arithmetic)}")
        target = expected_numbers.save(paths.project, expected_numbers.from_results(results))
        seeds = ", ".join(str(s.seed) for s in expected_numbers.seed_runs(results))
        echo(f"{name}: wrote {target} (seeds {seeds}; key {results.key[:12]})")
