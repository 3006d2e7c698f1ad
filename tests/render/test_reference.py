"""The comparison with an earlier version of the report, made by hand: its figures come from report.toml's
optional [reference] table (validated), and without the table the comparison is left out of the HTML and
the PDF while `make-report check` still passes."""

from __future__ import annotations

import re

import click
import pytest

from report.render.meta import load_meta
from report.render.reference import load_references, parse_references
from tests import REPO_ROOT
from tests.conftest import render_meta, render_paths

WITHOUT_REFERENCE = """[report]
title = "Assignment 3: Recurrent Neural Networks"
author = "Ada Student"
course = "Deep Learning"
"""


def test_the_repository_s_report_toml_holds_the_earlier_figures():
    refs = load_references(REPO_ROOT / "report.toml")
    imdb, reuters = refs["imdb_simplernn"], refs["reuters_lstm"]
    assert [(f.key, f.label, f.value, f.kind) for f in imdb.figures] == [
        ("accuracy", "Accuracy", 0.83, "score"), ("roc_auc", "ROC AUC", 0.90, "score"),
        ("f1:neg", "F1 (neg)", 0.84, "score"), ("f1:pos", "F1 (pos)", 0.81, "score"),
        ("tn", "True negatives", 11320, "count"), ("tp", "True positives", 9311, "count"),
        ("fn", "False negatives", 3189, "count"), ("fp", "False positives", 1180, "count")]
    assert [f.higher_is_better for f in imdb.figures if f.kind == "count"] == [True, True, False, False]
    assert imdb.test_size == 25_000 and reuters.test_size == 2_246 and imdb.decimals == 2
    assert {f.key: f.value for f in reuters.figures} == {"accuracy": 0.66, "micro_auc": 0.96, "macro_f1": 0.22,
                                                        "weighted_f1": 0.64}


def test_no_table_no_references(tmp_path):
    assert load_references(tmp_path / "missing.toml") == {}
    (tmp_path / "report.toml").write_text(WITHOUT_REFERENCE)
    assert load_references(tmp_path / "report.toml") == {}
    assert load_meta(tmp_path / "report.toml").author == "Ada Student"


def test_report_meta_ignores_the_reference_table(tmp_path):
    (tmp_path / "report.toml").write_text('author = "A"\n[reference.reuters_lstm]\naccuracy = 0.5\n')
    assert load_meta(tmp_path / "report.toml").author == "A"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[reference.imdb_simplernn]\naccuracy = "high"\n',
         "report.toml: [reference.imdb_simplernn] accuracy must be a number, not 'high'"),
        ("[reference.imdb_simplernn]\naccuracy = true\n",
         "report.toml: [reference.imdb_simplernn] accuracy must be a number, not True"),
        ('[reference.imdb_simplernn]\nf1 = { neg = "x" }\n',
         "report.toml: [reference.imdb_simplernn] f1.neg must be a number, not 'x'"),
        ("[reference.imdb_simplernn]\nf1 = 0.8\n", "report.toml: [reference.imdb_simplernn] f1 must be a table"),
        ("[reference.imdb_simplernn]\nacuracy = 0.8\n", "report.toml: unknown key [reference.imdb_simplernn] acuracy;"),
        ("[reference.imdb_simplenn]\naccuracy = 0.8\n", "report.toml: unknown experiment [reference.imdb_simplenn];"),
        ("[reference.imdb_simplernn]\ntn = 11320\n",
         "report.toml: [reference.imdb_simplernn] has confusion counts but no test_size"),
        ("[reference.imdb_simplernn]\ntest_size = 2.5\n", "report.toml: [reference.imdb_simplernn] test_size must be"),
        ("[reference]\nimdb_simplernn = 0.8\n", "report.toml: reference.imdb_simplernn must be a table"),
    ],
)
def test_a_bad_reference_is_a_one_line_error_naming_the_file_and_key(tmp_path, table, message):
    path = tmp_path / "report.toml"
    path.write_text(WITHOUT_REFERENCE + table)
    (tmp_path / "experiments").mkdir()  # the names a [reference] may use are the project's experiments
    for name in ("imdb_simplernn", "reuters_lstm"):
        (tmp_path / "experiments" / f"{name}.py").touch()
    with pytest.raises(click.ClickException) as exc:
        load_references(path)
    text = exc.value.message
    assert "\n" not in text and text.startswith(str(tmp_path)) and message in text, text


def test_valid_references_parse_in_order():
    refs = parse_references({"reference": {"reuters_lstm": {"weighted_f1": 0.6, "accuracy": 0.7}}}, "report.toml")
    assert [f.key for f in refs["reuters_lstm"].figures] == ["weighted_f1", "accuracy"]
    assert refs["reuters_lstm"].test_size == 0


# --- the whole report, with and without the table -----------------------------------------------------------


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture(scope="module")
def without_reference(tmp_path_factory, render_seed):
    from report.render import build
    from tests.factories import write_both

    root = tmp_path_factory.mktemp("noref")
    (root / "report.toml").write_text(WITHOUT_REFERENCE, encoding="utf-8")
    paths = render_paths(root, render_seed)  # with this project's sections
    write_both(paths.results)
    build(paths, quiet=True, meta=render_meta())
    return paths


def test_with_the_table_the_comparison_names_the_earlier_version_for_a_reader(rendered):
    paths, _, _ = rendered
    html = (paths.site / "index.html").read_text(encoding="utf-8")
    text = _text(html)
    assert "An earlier version of this report, made by hand, stated the figures in" in text
    assert "This report against an earlier version of this report, made by hand" in text
    assert 'id="imdb_simplernn-reference"' in html and 'id="reuters_lstm-reference"' in html
    assert "ASSIGNMENT.md" not in html and "hand-made" not in text.lower()


def test_without_the_table_the_comparison_is_left_out_of_html_and_pdf(without_reference):
    from report.commands.check.artefacts import pdf_text

    paths = without_reference
    html = (paths.site / "index.html").read_text(encoding="utf-8")
    assert "-reference" not in re.findall(r'id="[^"]*"', html).__str__()
    assert "made by hand" not in html and "Earlier version" not in html
    assert len(re.findall(r'<span class="label">Table \d+:', html)) == 5  # layers and report twice, IMDB counts
    pdf = " ".join(pdf_text(paths.pdf).split())
    assert "made by hand" not in pdf and "earlier version" not in pdf.lower()


def test_without_the_table_make_report_check_passes(without_reference):
    from report.commands.check import run_checks

    report = run_checks(without_reference, validator=False)
    assert report.ok, report.format()
    numbers = next(i for i in report.items if i.title == "numbers in the prose agree with results.json")
    assert numbers.ok


@pytest.mark.parametrize(("accuracy", "overlap"), [(None, True), (0.60, False)])
def test_accuracy_intervals_of_both_versions_and_whether_they_overlap(accuracy, overlap):
    """The earlier version's interval comes from its own test-set size; near this run's accuracy the two
    intervals overlap (the difference may be sampling error), far from it they do not."""
    from report.render.interpret import compare_with_reference
    from tests.factories import make_results

    res, _ = make_results("reuters_lstm", n_test=600, skill=2.0)
    theirs = round(res.test.accuracy, 2) if accuracy is None else accuracy
    ref = parse_references({"reference": {"reuters_lstm": {"accuracy": theirs, "test_size": 600}}},
                           "report.toml")["reuters_lstm"]
    cmp = compare_with_reference(res, ref)
    (a_low, a_high), (b_low, b_high) = cmp.intervals
    assert a_low < res.test.accuracy < a_high and b_low < theirs < b_high
    assert cmp.intervals_overlap is overlap
    no_size = parse_references({"reference": {"reuters_lstm": {"accuracy": theirs}}}, "report.toml")["reuters_lstm"]
    assert compare_with_reference(res, no_size).intervals is None  # no test size: no interval to give
