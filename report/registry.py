"""Find the project's experiments and studies in its ``experiments/`` and ``studies/`` folders.

Adding ``experiments/<name>.py`` (or ``studies/<name>.py``) is all it takes: nothing to register and
no package to reinstall, and ``report`` never imports either package by name. Files starting with
``_`` are helpers, not experiments. The project is the folder holding ``report.toml`` (see
:func:`report.paths.find_project`); :func:`use_project` points the registry at another one.

An experiment module defines:

- ``NAME``, ``TITLE``, ``DESCRIPTION``: str; ``DATASET``: ``"imdb"`` or ``"reuters"``
- ``Config``: a frozen dataclass whose defaults are the published settings
  (it satisfies :class:`report.train.experiment_runner.TextClassifierConfig`)
- ``quick_overrides()``: a dict of field overrides for a fast smoke run
- ``build_model(config, n_classes)``: the compiled Keras model

:func:`report.train.experiment_runner.run_experiment` runs it.

Importing an experiment module may import TensorFlow, so ``list`` and
rendering only read names through :func:`experiment_names` and
never load a module unless asked to.

*Studies* (evidence for the theory answers) define ``NAME``, ``TITLE``, ``Config``,
``quick_overrides()`` and ``run(config, context)``, plus optionally ``DATASETS`` (the raw datasets
they read) and ``DEPENDS`` (experiments whose results they read); their ``run`` returns a
:class:`report.results.study.StudyResults`. A study the outline shows also defines
``evidence(ask)`` (see :mod:`report.render.evidence`) and, when it draws figures, ``FIGURES``
(see :mod:`report.render.study_figures`). The report needs only the experiments
(``make-report all --core``); studies add evidence where they have results.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

import click

from report.paths import PROJECT_ENV, find_project

EXPERIMENTS = "experiments"
STUDIES = "studies"


def use_project(project: Path) -> None:
    """Read experiments and studies from ``project`` from now on, here and in the processes started from
    here (Dask workers find the project through the same environment variable)."""
    os.environ[PROJECT_ENV] = str(Path(project).resolve())


def _project(project: Path | None) -> Path:
    return Path(project).resolve() if project is not None else find_project()


def _modules(package: str, project: Path | None) -> list[str]:
    folder = _project(project) / package
    return sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))


def experiment_names(project: Path | None = None) -> list[str]:
    """The project's experiments, sorted (the report's order is the outline's)."""
    return _modules(EXPERIMENTS, project)


def study_names(project: Path | None = None) -> list[str]:
    """The project's studies, sorted."""
    return _modules(STUDIES, project)


def all_names(project: Path | None = None) -> list[str]:
    """Experiments first (studies may read their results), then studies."""
    return experiment_names(project) + study_names(project)


def is_study(name: str, project: Path | None = None) -> bool:
    return name in study_names(project)


def load(name: str, project: Path | None = None) -> ModuleType:
    """The module of an experiment or study, imported from the project's folder."""
    root = _project(project)
    package = STUDIES if name in study_names(root) else EXPERIMENTS if name in experiment_names(root) else None
    if package is None:
        known = ", ".join(all_names(root)) or "none"
        raise click.ClickException(
            f"unknown experiment {name!r}; known experiments: {known} (each is a file in {root / EXPERIMENTS}/ "
            f"or {root / STUDIES}/)"
        )
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))  # the project's packages before any installed copy of them
    module = importlib.import_module(f"{package}.{name}")
    expected = root / package / f"{name}.py"
    found = Path(module.__file__ or "").resolve()
    # One process holds one ``studies`` package: a copy of the same module from another folder (a project copied
    # whole) behaves the same, anything else would run code the project does not have.
    if found != expected and (not found.is_file() or found.read_bytes() != expected.read_bytes()):
        raise click.ClickException(
            f"{package}.{name} was imported from {module.__file__}, not from the project ({expected}); "
            f"run make-report from the project folder (or set PYTHONPATH={root})"
        )
    return module
