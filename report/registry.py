"""Find experiments by entry point, so ``report`` never imports ``experiments`` by name.

An experiment is a module registered under the ``make_report.experiments``
entry-point group (see pyproject.toml) that defines:

- ``NAME``: str, ``TITLE``: str
- ``Config``: a frozen dataclass whose defaults are the published settings
- ``quick_overrides()``: a dict of field overrides for a fast smoke run
- ``run(config, context) -> (Results, Predictions)``

Importing an experiment module may import TensorFlow, so ``list`` and
rendering only read names and titles through :func:`experiment_names` and
never load a module unless asked to.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from types import ModuleType

import click

GROUP = "make_report.experiments"


def _entry_points() -> dict:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def experiment_names() -> list[str]:
    """Registered experiment names, in a stable order (the report's order)."""
    return sorted(_entry_points())


def load(name: str) -> ModuleType:
    eps = _entry_points()
    if name not in eps:
        known = ", ".join(sorted(eps)) or "none"
        raise click.ClickException(f"unknown experiment {name!r}; known experiments: {known}")
    return importlib.import_module(eps[name].value)
