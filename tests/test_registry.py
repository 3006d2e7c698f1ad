"""The registry: experiments and studies found by entry point, loaded only when asked for."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from report import registry
from tests import REPO_ROOT

EXPERIMENTS = ["imdb_simplernn", "reuters_lstm"]
STUDIES = ["architectures", "baselines", "examples", "gradient_decay", "long_range"]


def test_names_come_from_the_entry_points_in_a_stable_order():
    assert registry.experiment_names() == EXPERIMENTS
    assert registry.study_names() == STUDIES
    assert registry.all_names() == EXPERIMENTS + STUDIES  # experiments first: studies read their results


def test_is_study_tells_studies_from_experiments():
    assert all(registry.is_study(name) for name in STUDIES)
    assert not any(registry.is_study(name) for name in EXPERIMENTS)
    assert not registry.is_study("no_such_thing")


@pytest.mark.parametrize("name", EXPERIMENTS + STUDIES)
def test_load_returns_the_registered_module(name):
    module = registry.load(name)
    package = "studies" if name in STUDIES else "experiments"
    assert module.__name__ == f"{package}.{name}"
    assert module.NAME == name and module.TITLE and callable(module.quick_overrides)


def test_an_unknown_name_is_one_clear_error_listing_the_known_ones():
    with pytest.raises(click.ClickException) as info:
        registry.load("imdb_lstm")
    message = info.value.format_message()
    assert "unknown experiment 'imdb_lstm'" in message
    for name in EXPERIMENTS + STUDIES:
        assert name in message


def test_listing_names_imports_no_experiment_and_no_tensorflow():
    code = (
        "import sys\n"
        "from report import registry\n"
        "registry.all_names(); registry.is_study('baselines')\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('experiments', 'studies', 'tensorflow', 'keras')]\n"
        "print(loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert out.stdout.strip() == "[]"
