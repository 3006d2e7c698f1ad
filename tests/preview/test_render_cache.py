"""The render reuses figures, live-model files and equations whose inputs did not change (report.render.output_cache)."""

from __future__ import annotations

import json
import shutil

import pytest

from report.paths import BuildPaths
from report.render import RenderCache, build
from tests.conftest import render_meta, render_paths
from tests.factories import write_both, write_results
from tests.live_factories import write_exports


@pytest.fixture(scope="module")
def rendered_once(tmp_path_factory):
    """The fixture project with model exports, rendered with an empty cache: the cache as a render leaves it."""
    paths = render_paths(tmp_path_factory.mktemp("cached") / "project")
    write_exports(paths.results, write_both(paths.results))
    build(paths, pdf=False, quiet=True, meta=render_meta())
    return paths


@pytest.fixture
def project(rendered_once, tmp_path):
    """A copy of that project, build folder and cache included, for a test to change: the cache is keyed by
    content, so the copy reuses it as the original would."""
    shutil.copytree(rendered_once.project, tmp_path / "project")
    return BuildPaths(data=tmp_path / "project" / "data", project=tmp_path / "project")


def _site(paths):
    return {p.relative_to(paths.site).as_posix(): p.read_bytes()
            for p in sorted(paths.site.rglob("*")) if p.is_file()}


def _refuse(*_args, **_kwargs):
    raise AssertionError("drawn again although its inputs did not change")


def test_an_answer_edit_reuses_every_figure_model_file_and_equation(project, monkeypatch):
    before = _site(project)
    answer = project.templates / "answers" / "ex1_q1.md"
    answer.write_text(answer.read_text(encoding="utf-8") + "\nA sentence added while previewing.\n", encoding="utf-8")
    for target in ("report.render.figures.write_figures", "report.render.study_figures.write_study_figures",
                   "report.render.live_figures.write_trace_figures", "report.render.live.model_script",
                   "report.render.live.tokeniser_classes", "report.render.mathsvg.render_tex",
                   "report.render.output_cache.render_tex"):
        monkeypatch.setattr(target, _refuse)

    build(project, pdf=False, quiet=True, meta=render_meta(), cache=RenderCache(project.cache / "render"))

    after = _site(project)
    assert "A sentence added while previewing." in after["index.html"].decode()
    assert {k: v for k, v in after.items() if k != "index.html"} == {k: v for k, v in before.items() if k != "index.html"}


def test_changed_results_draw_the_figures_again(project, monkeypatch):
    from report.render import figures

    old = (project.site / "figures" / "imdb_simplernn-roc.svg").read_bytes()
    reuters = (project.site / "figures" / "reuters_lstm-roc.svg").read_bytes()
    write_results(project.results, "imdb_simplernn", seed=7, skill=0.5)  # other predictions: another ROC curve
    drawn = []
    draw = figures.write_figures
    monkeypatch.setattr(figures, "write_figures", lambda results, out: drawn.extend(results) or draw(results, out))

    build(project, pdf=False, quiet=True, meta=render_meta())

    assert (project.site / "figures" / "imdb_simplernn-roc.svg").read_bytes() != old
    assert drawn == ["imdb_simplernn"], "only the experiment whose results changed is drawn again"
    assert (project.site / "figures" / "reuters_lstm-roc.svg").read_bytes() == reuters


def test_a_damaged_cache_entry_is_drawn_again(project):
    figure = project.site / "figures" / "imdb_simplernn-roc.svg"
    good = figure.read_bytes()
    (manifest,) = (project.cache / "render").glob("figures-imdb_simplernn-*/manifest.json")
    manifest.write_text("{not json", encoding="utf-8")
    figure.unlink()

    build(project, pdf=False, quiet=True, meta=render_meta())

    assert figure.read_bytes() == good
    assert isinstance(json.loads(manifest.read_text(encoding="utf-8")), list)


def test_a_render_with_nothing_new_to_draw_does_not_load_matplotlib(fresh_render, tmp_path):
    """What keeps an edit's render short: every figure and equation comes from the cache, so the drawing
    modules are not even imported (the fixture render filled the cache; a copy keeps it)."""
    import subprocess
    import sys

    from tests import REPO_ROOT

    root, _ = fresh_render
    shutil.copytree(root, tmp_path / "project")
    code = ("import sys; from pathlib import Path; from report.paths import BuildPaths; "
            "from report.render import build; from tests.conftest import render_meta; p = Path(sys.argv[1]); "
            "build(BuildPaths(data=p / 'data', project=p), pdf=False, quiet=True, meta=render_meta()); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "project")], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
