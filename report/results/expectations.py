"""The committed expected numbers: ``experiments/expected/<name>.json``, like a lock file.

Written by ``make-report expect`` from a cold build's results and committed with the change that moved them;
``make-report verify`` compares a rebuild with them. Per seed of the build they hold the headline metrics
and the stage hashes (report.results.stages); the key (config, code, data, versions) says which build they
belong to, and the arithmetic which machine and pins wrote them. No TensorFlow import here.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from report import atomic
from report.results.experiment_results import Arithmetic, Results, ResultsError, Stages
from report.results.validated import read_validated

SCHEMA_VERSION = 1
FOLDER = Path("experiments") / "expected"  # inside the project folder, beside the experiments


class ExpectedSeed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int
    accuracy: float
    macro_f1: float
    roc_auc: float
    stages: Stages


class Expectations(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = SCHEMA_VERSION
    experiment: str
    key: str = Field(description="the results' key: config, code, data and versions")
    key_parts: dict[str, str]
    packages: dict[str, str] = Field(description="the versions of the build that wrote them")
    arithmetic: Arithmetic | None = Field(description="the machine and pins that wrote them")
    seeds: list[ExpectedSeed] = Field(min_length=1)

    def seed(self, seed: int) -> ExpectedSeed | None:
        return next((s for s in self.seeds if s.seed == seed), None)


def path(project: Path, name: str) -> Path:
    return Path(project) / FOLDER / f"{name}.json"


def seed_runs(results: Results) -> list[ExpectedSeed]:
    """Every seed of a results file, with its headline and stage hashes. Results written before the stage
    hashes existed are refused: they cannot say where a rebuild diverged."""
    fix = f"retrain it (`make-report train {results.experiment} --force`)"
    if results.seeds:
        runs = [(s.seed, s.accuracy, s.macro_f1, s.roc_auc, s.stages) for s in results.seeds]
    else:
        t = results.test
        runs = [(results.provenance.seed, t.accuracy, t.macro_f1, t.roc_auc, results.stages)]
    if any(stages is None for *_, stages in runs):
        raise ResultsError(f"the results of {results.experiment} record no stage hashes (older results): {fix}")
    return [ExpectedSeed(seed=seed, accuracy=acc, macro_f1=f1, roc_auc=auc, stages=stages)
            for seed, acc, f1, auc, stages in runs]


def from_results(results: Results) -> Expectations:
    return Expectations(
        experiment=results.experiment, key=results.key, key_parts=dict(results.key_parts),
        packages=dict(results.provenance.packages), arithmetic=results.provenance.arithmetic,
        seeds=seed_runs(results),
    )


def save(project: Path, expectations: Expectations) -> Path:
    target = path(project, expectations.experiment)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(target, expectations.model_dump_json(indent=1) + "\n")
    return target


def load(project: Path, name: str) -> Expectations | None:
    """The committed expectations of ``name``, None when there are none; a damaged file is an error
    that names it and says how to write it again."""
    file = path(project, name)
    if not file.is_file():
        return None
    return read_validated(file, Expectations, what="expectations", version=SCHEMA_VERSION,
                          fix="write it again with `make-report expect` after a cold build, or restore it from git")
