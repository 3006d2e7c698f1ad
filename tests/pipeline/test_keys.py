"""Cache keys: four parts, the code part what the experiment and the job runners import (not a hand-kept list)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from report import registry
from report.pipeline import keys
from tests import REPO_ROOT


@dataclasses.dataclass(frozen=True)
class _Config:
    units: int = 8
    seed: int = 42


def _names() -> list[str]:
    return [registry.load(name).__name__ for name in registry.all_names()]


@pytest.fixture
def throwaway() -> Iterator[callable]:
    """``throwaway(folder)`` writes a new module file in ``folder``; every file written is removed afterwards."""
    written: list[Path] = []

    def write(folder: Path) -> Path:
        path = folder / f"_throwaway_{uuid.uuid4().hex[:8]}.py"
        path.write_text("VALUE = 1  # written by tests/pipeline/test_keys.py, removed at once\n", encoding="utf-8")
        written.append(path)
        return path

    try:
        yield write
    finally:
        for path in written:
            path.unlink(missing_ok=True)


def _package_folder(package: str) -> Path:
    import importlib

    return Path(importlib.import_module(package).__file__).parent


def test_key_has_the_four_parts_and_only_the_config_part_follows_the_config():
    checksums = {"aclImdb_v1.tar.gz": "abc"}
    a = keys.key_parts("experiments.imdb_simplernn", _Config(), checksums)
    assert set(a) == set(keys.PARTS) == {"config", "code", "data", "versions"}
    assert a == keys.key_parts("experiments.imdb_simplernn", _Config(), dict(checksums))  # deterministic
    b = keys.key_parts("experiments.imdb_simplernn", _Config(units=9), checksums)
    assert keys.changed_parts(a, b) == ["config"]
    c = keys.key_parts("experiments.imdb_simplernn", _Config(), {"aclImdb_v1.tar.gz": "abd"})
    assert keys.changed_parts(a, c) == ["data"]
    assert keys.combine(a) != keys.combine(b) != keys.combine(c)


def test_absent_dataset_makes_the_data_part_unverifiable_but_absent_upstream_results_do_not():
    absent = keys.key_parts("experiments.imdb_simplernn", _Config(), {"aclImdb_v1.tar.gz": "absent"})
    assert absent["data"] == keys.UNVERIFIABLE
    upstream = keys.key_parts("studies.examples", _Config(), {"results/imdb_simplernn": "absent"})
    assert upstream["data"] != keys.UNVERIFIABLE


def test_changed_parts_names_what_differs_in_order():
    old = {"config": "1", "code": "2", "data": "3", "versions": "4"}
    assert keys.changed_parts(old, dict(old)) == []
    assert keys.changed_parts(old, {**old, "versions": "x", "config": "y"}) == ["config", "versions"]
    assert keys.changed_parts({}, old) == list(keys.PARTS)  # no previous key: everything changed
    assert keys.changed_parts(old, {k: v for k, v in old.items() if k != "code"}) == ["code"]


def test_combine_ignores_extra_entries_and_depends_on_every_part():
    parts = {"config": "1", "code": "2", "data": "3", "versions": "4"}
    assert keys.combine({**parts, "note": "ignored"}) == keys.combine(parts)
    for name in keys.PARTS:
        assert keys.combine({**parts, name: "other"}) != keys.combine(parts), name


def test_source_files_follow_the_imports_from_the_experiment_and_the_job_runners():
    labels = [label for label, _ in keys.source_files("experiments.imdb_simplernn")]
    assert "experiments/imdb_simplernn.py" in labels
    # what trains and what writes model.npz, wherever it sits; the numerics every job runs under
    for shaping in ("report/train/loop.py", "report/train/keras_export.py", "report/results/model_export.py",
                    "report/pipeline/plan.py", "report/train/numerics.py", "report/data/imdb.py"):
        assert shaping in labels, shaping
    files = {path.resolve() for _, path in keys.source_files("experiments.imdb_simplernn")}
    assert (REPO_ROOT / "tests" / "corpora.py").resolve() not in files
    assert not any(label.startswith(("tests/", "report/render/", "report/commands/")) for label in labels)
    assert "report/cli.py" not in labels and len(labels) == len(set(labels))


def test_a_new_file_under_tests_leaves_every_code_digest_unchanged(throwaway):
    names = _names()
    before = {name: keys.code_digest(name) for name in names}
    throwaway(REPO_ROOT / "tests")
    throwaway(REPO_ROOT / "tests" / "train")
    assert {name: keys.code_digest(name) for name in names} == before


def test_a_studys_key_holds_the_helpers_it_imports_and_not_another_studys(throwaway):
    labels = [label for label, _ in keys.source_files("studies.architectures")]
    assert "studies/_rnn.py" in labels and "studies/architectures.py" in labels
    assert "studies/baselines.py" not in labels  # other studies are not what it runs
    assert "experiments/imdb_simplernn.py" not in labels

    before = keys.code_digest("studies.architectures")
    throwaway(_package_folder("studies"))  # a module nothing imports shapes nothing
    assert keys.code_digest("studies.architectures") == before


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A throwaway top-level package on sys.path: an experiment module whose model file is written by a
    module in a folder of any name, and a renderer that reads it."""
    import importlib

    name = f"keyed_{uuid.uuid4().hex[:8]}"
    root = tmp_path / name
    for folder, files in {"": {"exp.py": f"from {name}.export import writer\n"},
                          "export": {"writer.py": "SCALE = 1\n"},
                          "render": {"page.py": f"from {name}.export import writer\n"}}.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "__init__.py").write_text("")
        for filename, text in files.items():
            (root / folder / filename).write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    return name, root


def test_a_module_that_shapes_the_model_file_is_in_the_key_in_whatever_folder_it_sits(project):
    name, root = project
    experiment = f"{name}.exp"
    start = keys.code_digest(experiment)
    (root / "export" / "writer.py").write_text("SCALE = 2\n")
    changed = keys.code_digest(experiment)
    assert changed != start

    # a new module that the writer imports (quantisation, say) is in the key from the moment it is imported
    (root / "export" / "quantise.py").write_text("BITS = 8\n")
    assert keys.code_digest(experiment) == changed
    (root / "export" / "writer.py").write_text(f"from {name}.export import quantise\nSCALE = 2\n")
    added = keys.code_digest(experiment)
    assert added != changed and f"{name}/export/quantise.py" in [label for label, _ in keys.source_files(experiment)]

    # moved to another folder, it stays in the key (under its new path)
    (root / "live").mkdir()
    (root / "live" / "__init__.py").write_text("")
    (root / "export" / "quantise.py").rename(root / "live" / "quantise.py")
    (root / "export" / "writer.py").write_text(f"from {name}.live import quantise\nSCALE = 2\n")
    labels = [label for label, _ in keys.source_files(experiment)]
    assert f"{name}/live/quantise.py" in labels and f"{name}/export/quantise.py" not in labels
    moved = keys.code_digest(experiment)
    assert moved != added
    (root / "live" / "quantise.py").write_text("BITS = 4\n")
    assert keys.code_digest(experiment) != moved


def test_a_module_that_only_renders_leaves_the_key_alone(project):
    name, root = project
    experiment = f"{name}.exp"
    start = keys.code_digest(experiment)
    (root / "render" / "page.py").write_text(f"from {name}.export import writer\nTITLE = 'changed'\n")
    (root / "render" / "table.py").write_text(f"from {name}.render import page\n")
    assert keys.code_digest(experiment) == start
    assert not any("/render/" in label for label, _ in keys.source_files(experiment))


def test_unknown_modules_and_non_packages_are_refused():
    with pytest.raises(LookupError):
        keys.code_digest("experiments.no_such_experiment")
    with pytest.raises(LookupError):
        keys.package_files("report.atomic")
