"""The project's outline (report.toml's [[section]] entries): read by rendering and by check, every mistake named
with the file and the fix, and a study removed by deleting its module and its outline entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from report.outline import OutlineError, load_outline
from tests import REPO_ROOT
from tests.conftest import copy_project, render_meta, seed_render_cache

LONG_RANGE_ENTRY = 'evidence = [{ study = "long_range" }, { study = "architectures" }]'
FORGET_GATE_ENTRY = 'evidence = [{ study = "gradient_decay", view = "lstm" }, { study = "long_range", view = "forget" }]'


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


def edit_toml(project: Path, old: str, new: str) -> Path:
    toml = project / "report.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text, old
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")
    return toml


def problems(project: Path) -> str:
    with pytest.raises(OutlineError) as info:
        load_outline(project / "report.toml")
    return info.value.format_message()


def test_the_projects_outline_in_order():
    outline = load_outline(REPO_ROOT / "report.toml")
    assert [s.label for s in outline.sections][:3] == ["1 Exercise 1: Recurrent neural networks",
                                                       "1.1 RNNs vs feedforward networks",
                                                       "1.2 The vanishing gradient problem"]
    assert [p.section.number for p in outline.parts] == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3"]
    assert outline.experiments == ("imdb_simplernn", "reuters_lstm")
    assert outline.answers == ("ex1_q1", "ex1_q2", "ex1_q3", "ex2_q1", "ex2_q2")
    assert outline.studies == ("gradient_decay", "baselines", "examples", "long_range", "architectures")
    second = next(p for p in outline.parts if p.section.number == "2.1").evidence[0]
    assert (second.study, second.view, second.template) == ("gradient_decay", "lstm",
                                                            "studies/gradient_decay-lstm.html")
    baselines = next(p for p in outline.parts if p.section.number == "1.4").evidence[0]
    assert dict(baselines.options) == {"dataset": "imdb", "network": "SimpleRNN"}


@pytest.mark.parametrize(("old", "new", "message"), [
    ('experiment = "reuters_lstm"', 'experiment = "reuters_gru"',
     "experiment 'reuters_gru' is not in experiments/ (known: imdb_simplernn, reuters_lstm); add "
     "experiments/reuters_gru.py or correct the name"),
    ('{ study = "long_range" }', '{ study = "long_ranges" }',
     "study 'long_ranges' is not in studies/"),
    ('answer = "ex1_q3"', 'answer = "ex1_q9"', "answer 'ex1_q9' has no file: write "),
    ('id = "ex1-q3"', 'id = "ex1-q2"', "id 'ex1-q2' appears in more than one [[section]]"),
    ('{ study = "gradient_decay", view = "lstm" }', '{ study = "gradient_decay", view = "gru" }',
     "evidence of 'gradient_decay' (view 'gru') has no template: write "),
    ('id = "ex1-q3"', 'id = "ex1-q3"\ncolour = "red"', "unknown key(s) colour"),
    ('number = "1.3"', 'number = "3.3"', "part 3.3 does not follow its exercise"),
    ('title = "Two application areas of RNNs"\n', '', "(add title = \"...\")"),
])
def test_a_bad_entry_is_named_with_the_file_and_the_fix(project, old, new, message):
    toml = edit_toml(project, old, new)
    text = problems(project)
    assert str(toml) in text and message in text, text


def test_the_projects_appendices_follow_the_exercises():
    outline = load_outline(REPO_ROOT / "report.toml")
    assert [(a.section.label, a.holds) for a in outline.appendices] == [
        ("A Appendix A: How each study was measured", "methods"),
        ("B Appendix B: How the settings were chosen", "settings"),
        ("C Appendix C: Provenance", "provenance"), ("D Appendix D: Examples", "illustrations")]
    sent = [(p.section.number, e.study, e.appendix) for p in outline.parts for e in p.evidence if e.appendix]
    assert sent == [("1.4", "examples", "D"), ("2.3", "examples", "D")]


@pytest.mark.parametrize(("old", "new", "message"), [
    ('holds = "settings"', 'holds = "selection"', "holds = 'selection' is not known; use one of methods, settings, "
                                                   "illustrations, provenance"),
    ('holds = "illustrations"', 'holds = "methods"', "section 1.4: evidence of 'examples' is sent to appendix 'D', "
                                                      "which is not an [[appendix]] that holds \"illustrations\" "
                                                      "(known: none)"),
    ('letter = "B"', 'letter = "A"', "letter 'A' appears in more than one [[appendix]]"),
    ('id = "settings"', 'id = "ex1-q3"', "id 'ex1-q3' appears in more than one [[section]]"),
    ('letter = "C"\n', '', "[[appendix]] #3 (Provenance): no letter"),
])
def test_a_bad_appendix_is_named_with_the_file_and_the_fix(project, old, new, message):
    toml = edit_toml(project, old, new)
    text = problems(project)
    assert str(toml) in text and message in text, text


def test_without_appendices_the_provenance_closes_the_report(project):
    toml = project / "report.toml"
    text = toml.read_text(encoding="utf-8")
    text = text[:text.index("[[appendix]]")] + text[text.index("# Optional: the figures"):]
    toml.write_text(text.replace(', appendix = "D"', ""), encoding="utf-8")
    assert [(a.section.title, a.holds) for a in load_outline(toml).appendices] == [
        ("Appendix A: Provenance", "provenance")]


def test_every_problem_is_reported_at_once(project):
    edit_toml(project, 'experiment = "reuters_lstm"', 'experiment = "reuters_gru"')
    edit_toml(project, 'answer = "ex1_q3"', 'answer = "ex1_q9"')
    text = problems(project)
    assert "'reuters_gru'" in text and "'ex1_q9'" in text


def test_a_project_without_an_outline_is_told_how_to_write_one(project):
    toml = project / "report.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text[:text.index("[[section]]")] + text[text.index("[reference."):], encoding="utf-8")
    assert "no outline: add a [[section]] entry" in problems(project)


def test_deleting_a_study_and_its_outline_entry_removes_it_cleanly(tmp_path, render_seed):
    """studies/long_range.py deleted and its entry taken out of 2.2: the report builds, without its evidence,
    figure or table, and `check` passes; its template and old results may stay behind, unused."""
    from report.commands.check import run_checks
    from report.paths import BuildPaths
    from report.render import build
    from tests.factories import write_both
    from tests.render.test_evidence import _write_studies

    project = copy_project(tmp_path / "project", without=("studies/long_range.py",))
    assert "study 'long_range' is not in studies/" in problems(project)  # until its entry goes too
    edit_toml(project, LONG_RANGE_ENTRY, 'evidence = [{ study = "architectures" }]')
    edit_toml(project, FORGET_GATE_ENTRY, 'evidence = [{ study = "gradient_decay", view = "lstm" }]')
    paths = BuildPaths(data=tmp_path / "data", project=project)
    both = write_both(paths.results)
    seed_render_cache(paths, render_seed)  # the experiments' figures; the studies' are drawn
    _write_studies(paths.results, lr_accuracy=both["imdb_simplernn"].test.accuracy - 0.05)  # long_range's too
    _headline_as_the_study_writes_it(paths.results / "baselines")
    build(paths, quiet=True, meta=render_meta())
    html = (paths.site / "index.html").read_text(encoding="utf-8")
    assert "evidence-architectures" in html and "evidence-baselines" in html
    assert "evidence-long-range" not in html and "synthetic task" not in html
    assert not (paths.site / "figures" / "long_range-long_range.svg").exists()
    report = run_checks(paths, validator=False)
    assert report.failures == [], report.format(colour=False)


def _headline_as_the_study_writes_it(folder: Path) -> None:
    """The baselines' accuracies in the headline, where the real study keeps them (the check derives the
    network's margin over each from there)."""
    from report.results import study as studies

    s = studies.load(folder)
    headline = {f"{t.id}.{key}.accuracy": float(row[1]) for t in s.tables
                for key, row in zip(("majority", "tfidf_lr"), t.rows)}
    studies.save(folder, s.model_copy(update={"headline": headline}))
