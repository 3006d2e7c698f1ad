"""The HTML site as a reader (or a link checker) sees it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from report.cli import cli
from report.render import build
from report.render import format as fmt
from tests.conftest import render_meta, render_paths
from tests.factories import REUTERS_CLASSES, write_both, write_results

SECTIONS = [
    "1.1 RNNs vs feedforward networks",
    "1.2 The vanishing gradient problem",
    "1.3 Two application areas of RNNs",
    "1.4 Experiment: a simple RNN for IMDB sentiment",
    "2.1 How LSTMs address vanishing gradients",
    "2.2 Where LSTMs beat plain RNNs",
    "2.3 Experiment: an LSTM for Reuters newswire topics",
]
EVIL = "<script>alert(1)</script>"


class Page(HTMLParser):
    """Headings, images, figures with captions, tables with captions, links and ids."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.imgs: list[dict] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.figcaptions: list[str] = []  # "Figure N: ..." under images
        self.captions: list[str] = []  # "Table N: ..." above tables
        self.figures = 0  # <figure> holding an image
        self.tables = 0
        self.scripts = 0
        self._text_into: tuple[list, str] | None = None
        self._buf: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "img":
            self.imgs.append(a)
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "link" and "href" in a:
            self.links.append(a["href"])
        elif tag == "figure":
            if "table-figure" in a.get("class", ""):
                self.tables += 1
            else:
                self.figures += 1
        elif tag == "script":
            self.scripts += 1
        if tag in ("h1", "h2", "h3", "h4", "figcaption"):
            self._text_into, self._buf = (tag, a), []

    def handle_endtag(self, tag):
        if self._text_into and tag == self._text_into[0]:
            text = " ".join("".join(self._buf).split())
            if tag == "figcaption":
                (self.captions if text.startswith("Table") else self.figcaptions).append(text)
            else:
                self.headings.append((tag, text))
            self._text_into = None

    def handle_data(self, data):
        if self._text_into:
            self._buf.append(data)


@pytest.fixture(scope="module")
def site(rendered):
    paths, output, all_results = rendered
    text = (paths.site / "index.html").read_text(encoding="utf-8")
    return paths, output, all_results, text, Page(text)


def test_every_assignment_section_is_a_heading(site):
    *_, page = site
    texts = [t for _, t in page.headings]
    for title in SECTIONS:
        assert title in texts
    assert "Exercise 1: Recurrent neural networks" in texts and "Exercise 2: Long short-term memory" in texts
    assert [t for t in texts if t in SECTIONS] == SECTIONS  # in the assignment's order


def test_the_page_has_the_outlines_sections_as_headings(site):
    """report.toml's outline, which the check reads too, is what the page shows: each section a heading of its
    level with its anchor, in the outline's order, the experiments where it puts them."""
    from report.outline import load_outline

    paths, *_, page = site
    outline = load_outline(paths.meta, paths.templates)
    parts = outline.parts
    assert [p.section.label for p in parts] == SECTIONS
    assert {p.section.number: p.experiment for p in parts if p.experiment} == {"1.4": "imdb_simplernn",
                                                                              "2.3": "reuters_lstm"}
    for exercise in outline.exercises:  # "Exercise 1: ...": the title carries the number
        assert ("h2", exercise.section.title) in page.headings and exercise.section.id in page.ids, exercise
    for section in [p.section for p in parts]:
        assert (f"h{section.level}", section.label) in page.headings and section.id in page.ids, section


def test_title_toc_and_pdf_link(site):
    paths, output, _, text, page = site
    assert ("h1", "Assignment 3: Recurrent Neural Networks") in page.headings
    assert "<title>Assignment 3: Recurrent Neural Networks</title>" in text
    assert '<meta name="author" content="Ada Student">' in text
    assert ("h2", "Contents") in page.headings
    for anchor in ("ex1-q1", "ex1-q4", "ex2-q3", "provenance"):
        assert f"#{anchor}" in page.links and anchor in page.ids
    assert "report.pdf" in page.links and (paths.site / "report.pdf").is_file()
    assert (paths.site / ".nojekyll").is_file()


def test_figures_numbered_with_alt_text(site):
    paths, output, _, _, page = site
    assert page.figures == len(output.figures) == len(page.figcaptions) == 7
    numbers = [int(re.match(r"Figure (\d+): \S", c).group(1)) for c in page.figcaptions]
    assert numbers == list(range(1, len(numbers) + 1))
    figure_imgs = [i for i in page.imgs if i["src"].startswith("figures/")]
    assert len(figure_imgs) == len(output.figures)
    for img in page.imgs:  # equations too
        assert img.get("alt", "").strip(), img["src"][:60]
    for img in figure_imgs:
        assert (paths.site / img["src"]).is_file()


def test_tables_numbered(site):
    *_, page = site
    numbers = [int(re.match(r"Table (\d+): \S", c).group(1)) for c in page.captions]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) == page.tables == 7  # 2 x (layers, report, reference) + IMDB confusion counts


def test_cross_references_resolve_and_links_are_relative(site):
    *_, page = site
    for href in page.links:
        assert not href.startswith(("http:", "https:", "//", "/")), href
        if href.startswith("#"):
            assert href[1:] in page.ids, href
    assert page.scripts == 1  # only the contents' current-section marker (templates/js/toc.js), inline
    assert "Figure 1" in " ".join(page.figcaptions) and 'href="#fig-1"' in site[3]


def test_numbers_in_prose_come_from_results(site):
    _, _, all_results, text, _ = site
    imdb, reuters = all_results["imdb_simplernn"], all_results["reuters_lstm"]
    assert f"Accuracy is {fmt.metric(imdb.test.accuracy)} on the {fmt.count(imdb.data.test_size)} test reviews" in text
    cm = imdb.test.confusion_matrix
    assert f"{fmt.count(cm[1][0])} false negatives" in text or f"{fmt.count(cm[1][0])} <q>pos</q>" in text
    assert f"macro-average F1 ({fmt.metric(reuters.test.macro_f1)}) is well below" in text
    zero = sum(1 for r in reuters.test.classification_report.classes.values() if r.f1_score == 0)
    assert f"{zero} of the 46 topics {fmt.word(zero, 'has', 'have')} an F1 of 0" in text
    assert "overfits after epoch 6" in text and "weights of epoch 6 were restored" in text
    assert f"The model overfits after epoch {imdb.best_epoch}" in text


def test_reuters_report_lists_every_topic_by_support(site):
    _, _, all_results, text, _ = site
    reuters = all_results["reuters_lstm"]
    table = text.split('class="class-report"')[-1].split("</table>")[0]  # Reuters comes last
    names = re.findall(r'<th scope="row">([^<]+)</th>', table)
    rows = reuters.test.classification_report.classes
    topics = names[: len(rows)]
    assert sorted(topics) == sorted(REUTERS_CLASSES)
    assert [rows[n].support for n in topics] == sorted((r.support for r in rows.values()), reverse=True)
    assert names[len(rows):] == ["accuracy", "macro avg", "weighted avg"]


def test_reference_comparison_states_sign(site):
    """The table against the earlier version gives each difference with its sign and the verdict that goes
    with it (a lower accuracy is "worse", a lower count of errors "better")."""
    _, _, all_results, text, _ = site
    prose = " ".join(text.split())
    for name, key, label, ref in (("imdb_simplernn", "accuracy", "Accuracy", 0.83),
                                  ("reuters_lstm", "macro_f1", "Macro-average F1", 0.22)):
        res = all_results[name]
        value = res.test.accuracy if key == "accuracy" else res.test.macro_f1
        delta = round(value - ref, 2)
        verdict = "same" if delta == 0 else ("better" if delta > 0 else "worse")
        expected = (f'<th scope="row">{label}</th> <td class="num">{fmt.metric(value)}</td> <td class="num">{ref:.2f}'
                    f'</td> <td class="num">{fmt.signed(delta)}</td> <td>{verdict}</td>')
        assert expected in prose


def test_provenance_appendix(site):
    """Provenance is the last appendix, after the body, and holds each result's code, packages, data and time."""
    _, _, all_results, text, _ = site
    footer = text.split('<section class="appendix appendix-provenance"')[1]
    assert '<h2 id="provenance">Appendix C: Provenance</h2>' in footer
    imdb = all_results["imdb_simplernn"]
    assert imdb.provenance.git_commit[:10] in footer
    assert "3c7d06d2" in footer  # data checksum
    assert "tensorflow 2.21.0" in footer and "weasyprint" in footer
    assert fmt.duration(imdb.timings.train_seconds) in footer


def test_class_and_topic_names_are_escaped(tmp_path):
    paths = render_paths(tmp_path)
    write_results(paths.results, "imdb_simplernn", class_names=["neg", EVIL])
    write_results(paths.results, "reuters_lstm", class_names=[EVIL] + REUTERS_CLASSES[1:], skew=0.12, n_test=300)
    build(paths, pdf=False, quiet=True, meta=render_meta())
    text = (paths.site / "index.html").read_text(encoding="utf-8")
    assert EVIL not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert Page(text).scripts == 1  # the contents' own (templates/js/toc.js); none from the data


def test_missing_results_name_the_command(tmp_path):
    paths = render_paths(tmp_path)
    write_results(paths.results, "imdb_simplernn")
    with pytest.raises(click.ClickException) as err:
        build(paths, quiet=True, meta=render_meta())
    assert "make-report train reuters_lstm" in err.value.message
    assert not (paths.site / "index.html").exists()  # nothing written before all inputs are valid


def test_cli_render_no_pdf(tmp_path, render_seed):
    paths = render_paths(tmp_path, render_seed)
    write_both(paths.results)
    # fixture results carry no cache key, so they are stale: --allow-stale renders them, marked
    result = CliRunner().invoke(cli, ["render", "--no-pdf", "--allow-stale", "--build-dir", str(paths.build)])
    # the CLI uses the project's templates; this build only checks the wiring
    assert result.exit_code == 0, result.output
    assert (paths.site / "index.html").is_file() and not paths.pdf.exists()
    assert "wrote" in result.output and "index.html" in result.output
    assert 'href="report.pdf"' not in (paths.site / "index.html").read_text(encoding="utf-8")


def test_cli_render_missing_results(tmp_path):
    write_results(tmp_path / "results", "imdb_simplernn")
    result = CliRunner().invoke(cli, ["render", "--build-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "make-report train reuters_lstm" in result.output


def test_cli_render_help_has_example():
    result = CliRunner().invoke(cli, ["render", "--help"])
    assert "Example: make-report render --no-pdf" in result.output


def test_a_whole_render_imports_neither_tensorflow_nor_pyplot(fresh_render):
    """The one test of this: HTML and PDF of the fixture results rendered in a fresh interpreter with a cold
    render cache, so every figure and equation is drawn (``make-report all`` on a warm build is tested in
    tests/pipeline/test_incremental.py)."""
    root, record = fresh_render
    assert (root / "build" / "site" / "index.html").is_file() and Path(record["pdf"]).is_file()
    assert len(record["figures"]) >= 7, "the render should have drawn the experiments' figures"
    assert "weasyprint" in record["modules"] and "matplotlib.figure" in record["modules"]
    bad = [m for m in record["modules"] if m.split(".")[0] in ("tensorflow", "keras") or m == "matplotlib.pyplot"]
    assert not bad, bad
