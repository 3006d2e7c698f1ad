"""The registry: experiments and studies found in the project's folders, loaded only when asked for."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from report import registry
from tests import REPO_ROOT

EXPERIMENTS = ["imdb_simplernn", "reuters_lstm"]
STUDIES = ["architectures", "baselines", "examples", "gradient_decay", "long_range"]


def test_names_come_from_the_project_folders_in_a_stable_order():
    assert registry.experiment_names(REPO_ROOT) == EXPERIMENTS
    assert registry.study_names(REPO_ROOT) == STUDIES
    assert registry.all_names(REPO_ROOT) == EXPERIMENTS + STUDIES  # experiments first: studies read their results


def test_is_study_tells_studies_from_experiments():
    assert all(registry.is_study(name, REPO_ROOT) for name in STUDIES)
    assert not any(registry.is_study(name, REPO_ROOT) for name in EXPERIMENTS)
    assert not registry.is_study("no_such_thing", REPO_ROOT)


@pytest.mark.parametrize("name", EXPERIMENTS + STUDIES)
def test_load_returns_the_projects_module(name):
    module = registry.load(name, REPO_ROOT)
    package = "studies" if name in STUDIES else "experiments"
    assert module.__name__ == f"{package}.{name}"
    assert module.NAME == name and module.TITLE and callable(module.quick_overrides)


def test_an_unknown_name_is_one_clear_error_listing_the_known_ones():
    with pytest.raises(click.ClickException) as info:
        registry.load("imdb_lstm", REPO_ROOT)
    message = info.value.format_message()
    assert "unknown experiment 'imdb_lstm'" in message and str(REPO_ROOT / "experiments") in message
    for name in EXPERIMENTS + STUDIES:
        assert name in message


def test_a_new_file_is_an_experiment_without_reinstalling(tmp_path):
    """A student adds experiments/<name>.py to a project: it is listed and loaded, nothing registered."""
    from tests.conftest import copy_project

    project = copy_project(tmp_path / "project")
    source = (project / "experiments" / "imdb_simplernn.py").read_text()
    (project / "experiments" / "imdb_copy.py").write_text(source.replace('NAME = "imdb_simplernn"',
                                                                         'NAME = "imdb_copy"'))
    (project / "experiments" / "_helpers.py").write_text("")  # a leading underscore: a helper, not an experiment
    code = ("from report import registry\n"
            "print(registry.experiment_names())\n"
            "m = registry.load('imdb_copy')\n"
            "print(m.NAME, m.__file__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=project,
                         env=_env(project))
    names, loaded = out.stdout.strip().splitlines()
    assert names == "['imdb_copy', 'imdb_simplernn', 'reuters_lstm']"
    assert loaded == f"imdb_copy {project / 'experiments' / 'imdb_copy.py'}"


def _env(project) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "MAKE_REPORT_PROJECT"}
    env["PYTHONPATH"] = str(REPO_ROOT)  # the engine of this checkout; the project's own packages come first
    return env


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
