"""Cache keys: four parts, the code part read from whole packages (not from a hand-kept list of files)."""

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


def test_source_files_cover_the_training_and_data_packages_and_nothing_from_tests():
    labels = [label for label, _ in keys.source_files("experiments.imdb_simplernn")]
    assert labels[0] == "experiments/imdb_simplernn.py"
    for package in keys.TRAINING_PACKAGES:
        on_disk = sorted(_package_folder(package).rglob("*.py"))
        assert on_disk and all(f"{package.replace('.', '/')}/{p.relative_to(_package_folder(package)).as_posix()}"
                               in labels for p in on_disk), package
    files = {path.resolve() for _, path in keys.source_files("experiments.imdb_simplernn")}
    assert (REPO_ROOT / "tests" / "corpora.py").resolve() not in files
    assert not any(label.startswith("tests/") or label.startswith("report/render/") for label in labels)
    assert len(labels) == len(set(labels))


def test_a_module_added_to_report_train_changes_every_experiments_code_digest(throwaway):
    names = _names()
    before = {name: keys.code_digest(name) for name in names}
    added = throwaway(_package_folder("report.train"))
    assert f"report/train/{added.name}" in [label for label, _ in keys.source_files(names[0])]
    after = {name: keys.code_digest(name) for name in names}
    assert all(after[name] != before[name] for name in names), (before, after)
    added.unlink()
    assert {name: keys.code_digest(name) for name in names} == before  # and back once it is gone


def test_a_new_file_under_tests_leaves_every_code_digest_unchanged(throwaway):
    names = _names()
    before = {name: keys.code_digest(name) for name in names}
    throwaway(REPO_ROOT / "tests")
    throwaway(REPO_ROOT / "tests" / "train")
    assert {name: keys.code_digest(name) for name in names} == before


def test_a_studys_key_includes_its_packages_private_helpers(throwaway):
    labels = [label for label, _ in keys.source_files("studies.architectures")]
    assert "studies/_rnn.py" in labels and "studies/architectures.py" in labels
    assert "studies/baselines.py" not in labels  # other studies are not helpers
    assert "studies/__init__.py" not in labels

    before = keys.code_digest("studies.architectures")
    experiment_before = keys.code_digest("experiments.imdb_simplernn")
    throwaway(_package_folder("studies"))
    assert keys.code_digest("studies.architectures") != before
    assert keys.code_digest("experiments.imdb_simplernn") == experiment_before  # another package's helper


def test_unknown_modules_and_non_packages_are_refused():
    with pytest.raises(LookupError):
        keys.code_digest("experiments.no_such_experiment")
    with pytest.raises(LookupError):
        keys.package_files("report.atomic")
