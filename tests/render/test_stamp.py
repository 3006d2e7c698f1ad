"""The render stamp: the digest of every input of a render, and what the last render (and check) left."""

from __future__ import annotations

import importlib
import shutil
import uuid
from pathlib import Path

import pytest

from report.paths import BuildPaths
from report.render import stamp
from tests.conftest import render_paths
from tests.factories import write_both, write_results


@pytest.fixture
def paths(tmp_path) -> BuildPaths:
    """A project folder with templates, report.toml and both fixture results (nothing rendered)."""
    paths = render_paths(tmp_path / "project")
    write_both(paths.results)
    return paths


def _digest(paths: BuildPaths, **kwargs) -> str:
    return stamp.inputs_digest(paths, html=kwargs.pop("html", True), pdf=kwargs.pop("pdf", False), **kwargs)


def _outputs(paths: BuildPaths, html: bool = True, pdf: bool = False) -> None:
    if html:
        (paths.site).mkdir(parents=True, exist_ok=True)
        (paths.site / "index.html").write_text("<!doctype html>", encoding="utf-8")
    if pdf:
        paths.pdf.parent.mkdir(parents=True, exist_ok=True)
        paths.pdf.write_bytes(b"%PDF-1.7")


def test_digest_is_stable_and_follows_the_output_choices(paths):
    assert _digest(paths) == _digest(paths)
    assert len({_digest(paths), _digest(paths, pdf=True), _digest(paths, html=False, pdf=True),
                _digest(paths, studies=False)}) == 4


def test_digest_changes_when_a_results_file_changes(paths):
    before = _digest(paths)
    write_results(paths.results, "imdb_simplernn", skill=0.5)
    assert _digest(paths) != before


def test_digest_changes_when_a_results_file_appears_and_study_files_count_unless_core(paths):
    before, core = _digest(paths), _digest(paths, studies=False)
    study = paths.results / "baselines" / "study.json"
    study.parent.mkdir(parents=True)
    study.write_text("{}", encoding="utf-8")
    assert _digest(paths) != before
    assert _digest(paths, studies=False) == core  # a --core build does not show the studies


def test_digest_changes_when_a_template_changes(paths):
    before = _digest(paths)
    answer = paths.templates / "answers" / "ex1_q1.md"
    answer.write_text(answer.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    assert _digest(paths) != before
    again = _digest(paths)
    (paths.templates / "extra.css").write_text("p { margin: 0 }\n", encoding="utf-8")  # a new file counts too
    assert _digest(paths) != again


def test_digest_changes_when_report_toml_changes(paths):
    before = _digest(paths)
    with paths.meta.open("a", encoding="utf-8") as fh:
        fh.write("\n# edited by the test\n")
    assert _digest(paths) != before


def test_digest_changes_when_a_render_module_changes(paths):
    before = _digest(paths)
    folder = Path(importlib.import_module("report.render").__file__).parent
    added = folder / f"_throwaway_{uuid.uuid4().hex[:8]}.py"
    try:
        added.write_text("VALUE = 1  # written by tests/render/test_stamp.py, removed at once\n", encoding="utf-8")
        assert _digest(paths) != before
    finally:
        added.unlink(missing_ok=True)
    assert _digest(paths) == before


def test_digest_ignores_the_build_outputs_and_where_the_project_lives(paths, tmp_path):
    before = _digest(paths)
    _outputs(paths, html=True, pdf=True)
    stamp.record(paths, before)
    (paths.build / "figures").mkdir(parents=True, exist_ok=True)
    (paths.build / "figures" / "a.svg").write_text("<svg/>", encoding="utf-8")
    assert _digest(paths) == before
    copy = tmp_path / "elsewhere"
    shutil.copytree(paths.project, copy)
    assert _digest(BuildPaths(data=copy / "data", project=copy)) == before  # paths enter relative


def test_up_to_date_needs_the_recorded_digest_and_the_outputs(paths):
    digest = _digest(paths)
    assert not stamp.up_to_date(paths, digest, html=True, pdf=False)  # no stamp yet
    stamp.record(paths, digest)
    assert not stamp.up_to_date(paths, digest, html=True, pdf=False)  # no index.html yet
    _outputs(paths, html=True)
    assert stamp.up_to_date(paths, digest, html=True, pdf=False)
    assert not stamp.up_to_date(paths, digest, html=True, pdf=True)  # the PDF is missing
    assert not stamp.up_to_date(paths, "another digest", html=True, pdf=False)
    _outputs(paths, html=False, pdf=True)
    assert stamp.up_to_date(paths, digest, html=True, pdf=True)


def test_checked_only_for_the_digest_that_was_checked(paths):
    digest = _digest(paths)
    stamp.record(paths, digest)
    assert not stamp.checked(paths, digest)
    stamp.record(paths, digest, checked=True)
    assert stamp.checked(paths, digest) and not stamp.checked(paths, "another digest")
    stamp.record(paths, "another digest")  # a new render forgets the check
    assert not stamp.checked(paths, digest) and not stamp.checked(paths, "another digest")


@pytest.mark.parametrize("content", ["", "{", "[1, 2]", '"digest"'])
def test_an_unreadable_stamp_counts_as_none(paths, content):
    digest = _digest(paths)
    _outputs(paths)
    (paths.build / stamp.STAMP_FILE).write_text(content, encoding="utf-8")
    assert not stamp.up_to_date(paths, digest, html=True, pdf=False)
    assert not stamp.checked(paths, digest)
