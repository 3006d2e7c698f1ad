"""The answer first, the method in appendices (issue 23): each experiment section opens with what the network
reached and whether it beats a bag of words; the studies' designs (appendix A), the experiments' set-up and
selection records (B) and the provenance (C) follow the body, each linked from the sections that cite it and
back; check verifies the appendices' numbers as it does the sections'."""

from __future__ import annotations

import html as html_module
import re

import pytest

from tests.render.test_sentences import _build, running_text


@pytest.fixture(scope="module")
def built(tmp_path_factory, render_seed):
    paths = _build(tmp_path_factory.mktemp("appendices"), "network_worse", "opposite", seed=render_seed)
    html = " ".join((paths.site / "index.html").read_text(encoding="utf-8").split()).replace("\u00a0", " ")
    return paths, html


def _section(html: str, anchor: str, next_anchor: str) -> str:
    return html[html.index(f'id="{anchor}"'):html.index(f'id="{next_anchor}"')]


def test_the_experiment_section_opens_with_the_answer(built):
    paths, html = built
    body = _section(html, "ex1-q4", "ex2")
    first = html_module.unescape(re.sub(r"<[^>]+>", "", body[body.index("<p"):body.index("</p>")]))
    # what it reached, and whether it beats a bag of words (the fixture's baseline is better: 40 against 0)
    assert re.search(r"The SimpleRNN reaches a test accuracy of 0\.\d{3} \(95% confidence interval", first)
    assert "It does not beat a bag of words: a TF-IDF baseline with a logistic regression scores" in first
    assert "significantly more (p < 0.001, Table" in first
    assert "How its settings were chosen on validation: appendix B.1." in first


def test_appendices_follow_the_body_in_their_order(built):
    _, html = built
    where = [html.index(f'id="{a}"') for a in ("ex2-q3", "methods", "settings", "provenance")]
    assert where == sorted(where)
    assert '<h2 id="methods">Appendix A: How each study was measured</h2>' in html
    assert re.search(r'<h3 id="methods-long_range"><span class="secnum">A\.\d</span>', html)
    # the contents list the appendices after the exercises
    toc = html[html.index('<nav class="toc"'):html.index("</nav>")]
    assert toc.index('href="#ex2-q3"') < toc.index('href="#methods"') < toc.index('href="#provenance"')


def test_each_study_links_to_its_method_and_back(built):
    _, html = built
    section_22 = _section(html, "ex2-q2", "ex2-q3")
    method = _section(html, "methods-long_range", "methods-architectures")
    # the design is in the appendix, not in the section; the section links to it and the appendix back
    assert "patience counts only once the validation accuracy has left chance" in method
    assert "patience counts" not in section_22 and "Sanity row" not in section_22
    assert 'href="#methods-long_range"' in section_22
    assert 'Shown in section <a class="xref" href="#ex2-q2">2.2</a>.' in method
    # a study shown in two sections names both
    gradient = _section(html, "methods-gradient_decay", "methods-long_range")
    assert 'href="#ex1-q2">1.2</a> and section <a class="xref" href="#ex2-q1">2.1</a>.' in gradient


def test_the_selection_record_is_in_appendix_b_numbered_after_the_body(built):
    _, html = built
    section_14 = _section(html, "ex1-q4", "ex2")
    settings = _section(html, "settings-imdb_simplernn", "settings-reuters_lstm")
    assert "chosen on the validation split among 3 settings" in settings and 'class="selection"' not in section_14
    assert 'href="#settings-imdb_simplernn"' in section_14
    assert 'The experiment of section <a class="xref" href="#ex1-q4">1.4</a>.' in settings
    body_tables = [int(n) for n in re.findall(r'<span class="label">Table (\d+):', html[:html.index('id="methods"')])]
    selection = int(re.search(r'<span class="label">Table (\d+):</span> The settings compared', settings).group(1))
    assert body_tables and selection > max(body_tables)


def test_the_body_holds_no_method_walks(built):
    paths, _ = built
    prose = " ".join(running_text(paths)[:])
    body = prose[:prose.index("Shown in section")]  # the appendices start with their back-links
    assert "patience" not in body and "sequences per epoch" not in body and "chose its own learning rate" not in body


def test_check_verifies_the_numbers_of_an_experiments_appendix(built):
    from report.commands.check.artefacts import parse_html
    from report.commands.check.numbers import check_numbers

    paths, _ = built
    index = paths.site / "index.html"
    assert check_numbers(paths, parse_html(index)).ok
    page = index.read_text(encoding="utf-8")
    marker = "The test set played no part in the choice."
    assert marker in page
    index.write_text(page.replace(marker, "The test set played no part in 0.123 of the choice."), encoding="utf-8")
    try:
        item = check_numbers(paths, parse_html(index))
    finally:
        index.write_text(page, encoding="utf-8")
    assert not item.ok and any(p.startswith("1.4 (imdb_simplernn): 0.123 is not derivable") for p in item.problems)


def test_examples_move_to_their_appendix_and_link_back(built):
    _, html = built
    section_14 = _section(html, "ex1-q4", "ex2")
    examples = html[html.index('id="examples"'):]
    assert "evidence-examples" not in section_14 and "evidence-examples" in examples
    assert 'Examples, and the answer forming word by word: appendix <a class="xref" href="#examples-ex1-q4">D.1</a>.' \
        in section_14
    assert 'Examples of section <a class="xref" href="#ex1-q4">1.4</a>.' in examples
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in examples  # the review's text is still escaped there


def test_a_selection_record_says_the_test_set_played_no_part_unless_report_toml_says_otherwise(built):
    _, html = built  # this project's report.toml names Reuters only; the fixture's record is IMDB's
    settings = _section(html, "settings", "provenance")
    assert "The test set played no part in the choice." in settings
    assert "after a test number had been seen" not in html


def test_a_selection_started_with_a_test_number_in_view_says_so(tmp_path, render_seed):
    from report.render import build
    from tests.conftest import render_paths
    from tests.factories import write_both
    from tests.render.test_sentences import _with_selection

    (tmp_path / "report.toml").write_text('[report]\nauthor = "Ada Student"\n\n[test_in_view]\n'
                                          'imdb_simplernn = "accuracy"\n', encoding="utf-8")
    paths = render_paths(tmp_path, render_seed)
    write_both(paths.results)
    _with_selection(paths)
    build(paths, pdf=False, quiet=True)
    html = " ".join((paths.site / "index.html").read_text(encoding="utf-8").split())
    settings = _section(html, "settings", "provenance")
    assert ("Part of this search was started after a test number had been seen, an earlier build's test "
            "accuracy; the choice among the settings still used the validation split alone.") in settings
    assert "played no part" not in settings
