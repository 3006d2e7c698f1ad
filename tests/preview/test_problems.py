"""A failed render becomes the file, line and message the page shows (report.preview.problems)."""

from __future__ import annotations

import pytest

from report.preview.problems import from_exception
from report.render.html import environment
from report.render.markdown import render_answer_file
from report.results.experiment_results import ResultsError


def _problem(call, project, templates):
    with pytest.raises(Exception) as caught:
        call()
    return from_exception(caught.value, project, templates)


def test_an_unknown_figure_in_a_macro_names_the_macro_and_the_template_that_called_it(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "_macros.html").write_text("{% macro ref(f) %}\n<a href='#{{ f.id }}'>x</a>\n{% endmacro %}\n")
    (templates / "page.html").write_text("{% import '_macros.html' as m %}\n<p>\n{{ m.ref(figures.rocc) }}\n</p>\n")
    env = environment(templates)

    problem = _problem(lambda: env.get_template("page.html").render(figures={"roc": {"id": "fig-1"}}),
                       tmp_path, templates)

    assert problem.where == "templates/_macros.html:2"
    assert "rocc" in problem.message and "called from templates/page.html:3" in problem.message


def test_a_template_syntax_error_names_its_line(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<p>one</p>\n<p>two</p>\n{% if %}\n")

    problem = _problem(lambda: environment(templates).get_template("page.html"), tmp_path, templates)

    assert problem.where == "templates/page.html:3"
    assert problem.message.startswith("template syntax error")


def test_an_equation_mathtext_cannot_draw_names_the_answer_and_its_line(tmp_path):
    answer = tmp_path / "templates" / "answers" / "ex1_q1.md"
    answer.parent.mkdir(parents=True)
    answer.write_text("# Answer\n\nFirst $x$ is fine,\nthen $\\frac{1}{$ is not.\n", encoding="utf-8")

    problem = _problem(lambda: render_answer_file(answer), tmp_path, tmp_path / "templates")

    assert problem.where == "templates/answers/ex1_q1.md:4"
    assert "\\frac{1}{" in problem.message


def test_results_that_fail_to_load_keep_their_message(tmp_path):
    message = "build/results/imdb_simplernn/results.json is not valid JSON; run `make-report train imdb_simplernn`"

    def fail():
        raise ResultsError(message)

    problem = _problem(fail, tmp_path, tmp_path / "templates")

    assert problem.message == message and problem.where == ""
