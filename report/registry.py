"""Find experiments by entry point, so ``report`` never imports ``experiments`` by name.

An experiment is a module registered under the ``make_report.experiments``
entry-point group (see pyproject.toml) that defines:

- ``NAME``, ``TITLE``, ``DESCRIPTION``: str; ``DATASET``: ``"imdb"`` or ``"reuters"``
- ``Config``: a frozen dataclass whose defaults are the published settings
  (it satisfies :class:`report.train.experiment_runner.TextClassifierConfig`)
- ``quick_overrides()``: a dict of field overrides for a fast smoke run
- ``build_model(config, n_classes)``: the compiled Keras model

:func:`report.train.experiment_runner.run_experiment` runs it.

Importing an experiment module may import TensorFlow, so ``list`` and
rendering only read names and titles through :func:`experiment_names` and
never load a module unless asked to.

*Studies* (evidence for the theory answers: baselines, measured gradient
decay, ...) register the same way under ``make_report.studies``. They define
``NAME``, ``TITLE``, ``Config``, ``quick_overrides()`` and ``run(config, context)``,
plus optionally ``DATASETS`` (the raw datasets they read) and ``DEPENDS``
(experiments whose results they read); their ``run`` returns a
:class:`report.results.study.StudyResults`. The report needs only the experiments
(``make-report all --core``); studies add evidence where they have results.
"""

from __future__ import annotations

import functools
import importlib
from importlib.metadata import entry_points
from types import ModuleType

import click

GROUP = "make_report.experiments"
STUDY_GROUP = "make_report.studies"


@functools.lru_cache(maxsize=None)
def _entry_points(group: str = GROUP) -> dict:
    # read once per process: each read scans every installed distribution (~17 ms), and a build asks
    # dozens of times; what is installed does not change while it runs. Callers never modify the dict.
    return {ep.name: ep for ep in entry_points(group=group)}


def experiment_names() -> list[str]:
    """Registered experiment names, in a stable order (the report's order)."""
    return sorted(_entry_points())


def study_names() -> list[str]:
    """Registered study names, sorted."""
    return sorted(_entry_points(STUDY_GROUP))


def all_names() -> list[str]:
    """Experiments first (studies may read their results), then studies."""
    return experiment_names() + study_names()


def is_study(name: str) -> bool:
    return name in _entry_points(STUDY_GROUP)


def load(name: str) -> ModuleType:
    eps = {**_entry_points(), **_entry_points(STUDY_GROUP)}
    if name not in eps:
        known = ", ".join(sorted(eps)) or "none"
        raise click.ClickException(f"unknown experiment {name!r}; known experiments: {known}")
    return importlib.import_module(eps[name].value)
