"""make-report check on a good fixture build, and on copies broken on purpose; accessibility in Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from report.cli import cli
from report.commands import check
from report.commands.check import validator
from report.commands.check.artefacts import (
    load_raw_results,
    parse_html,
    pdf_body_text,
    pdf_text,
)
from report.commands.check.checklist import CheckReport, Item
from report.commands.check.derivable import add_studies, derivable, renderings
from report.commands.check.headline import check_key_figures, key_figures
from report.commands.check.numbers import number_tokens
from report.commands.check.pdf_file import check_pdf_fonts
from report.commands.check.sections import check_sections_pdf
from report.outline import load_outline
from report.paths import BuildPaths
from report.render.reference import load_references


@pytest.fixture(scope="module")
def good(rendered) -> BuildPaths:
    paths, _, _ = rendered
    return paths


@pytest.fixture
def broken(good: BuildPaths, tmp_path: Path) -> BuildPaths:
    """A copy of the good build to break."""
    shutil.copytree(good.build, tmp_path / "build", ignore=shutil.ignore_patterns("cache", "checkpoints"))
    return BuildPaths(data=good.data, build=tmp_path / "build", templates=good.templates)


def failed(paths: BuildPaths) -> dict[str, Item]:
    report = check.run_checks(paths, validator=False)
    return {item.title: item for item in report.failures}


def edit_html(paths: BuildPaths, old: str, new: str, count: int = 1) -> None:
    index = paths.site / "index.html"
    html = index.read_text(encoding="utf-8")
    assert old in html, old
    index.write_text(html.replace(old, new, count), encoding="utf-8")


def test_good_build_passes_every_check(good):
    result = CliRunner().invoke(cli, ["check", "--build-dir", str(good.build)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == "all checks passed"
    assert all(line.startswith(("\u2713", "    ")) for line in lines[:-1]), result.output
    for title in ("sections in the HTML: 7 of 7", "sections in the PDF: 7 of 7", "fonts embedded in the PDF",
                  "PDF title and author", "numbers in the prose agree with results.json",
                  "HTML passes the Nu HTML Checker"):
        assert any(title in line for line in lines), title


def test_deleted_figure_is_named(broken):
    (broken.site / "figures" / "imdb_simplernn-roc.svg").unlink()
    problems = failed(broken)["figures present and referenced"].problems
    assert any("figures/imdb_simplernn-roc.svg: file missing" in p for p in problems)


def test_unused_figure_is_named(broken):
    shutil.copy(broken.site / "figures" / "imdb_simplernn-roc.svg", broken.site / "figures" / "extra.svg")
    assert "figures/extra.svg: not used by the page" in failed(broken)["figures present and referenced"].problems


def wrong_number(paths: BuildPaths, experiment: str, near: str) -> str:
    """A three-decimal score that no quantity of ``experiment`` renders as, to type into a sentence."""
    raw = load_raw_results(paths, experiment)
    allowed = derivable(raw, load_references(paths.meta)).allowed(near)
    return next(f"0.{k:03d}" for k in range(999, 100, -7) if f"0.{k:03d}" not in allowed)


def test_changed_number_in_the_prose_is_named(broken, rendered):
    _, _, all_results = rendered
    accuracy = f"{all_results['imdb_simplernn'].test.accuracy:.3f}"
    sentence = f"Accuracy is {accuracy} on the"
    wrong = wrong_number(broken, "imdb_simplernn", sentence)
    edit_html(broken, sentence, f"Accuracy is {wrong} on the")
    problems = failed(broken)["numbers in the prose agree with results.json"].problems
    assert any(p.startswith(f"1.4 (imdb_simplernn): {wrong} is not derivable") for p in problems), problems


def test_a_support_typed_wrong_is_named(broken, rendered):
    _, _, all_results = rendered
    support = all_results["imdb_simplernn"].test.classification_report.classes["pos"].support
    edit_html(broken, f'<td class="num">{support}</td>', f'<td class="num">{support}0</td>')
    problems = failed(broken)["numbers in the prose agree with results.json"].problems
    assert any(f"{support}0 is not derivable" in p for p in problems), problems


def test_another_topics_score_is_not_accepted(broken, rendered):
    """A per-class F1 is accepted only next to its own class's name."""
    _, _, all_results = rendered
    classes = all_results["reuters_lstm"].test.classification_report.classes
    raw = load_raw_results(broken, "reuters_lstm")
    d = derivable(raw, load_references(broken.meta))
    names = list(classes)
    for a in names:  # a pair of topics whose F1 nothing else in the section explains
        for b in names:
            fa, fb = f"{classes[a].f1_score:.3f}", f"{classes[b].f1_score:.3f}"
            if a != b and fa != fb and fb not in d.allowed(a) and fa != "0.000":
                html = (broken.site / "index.html").read_text(encoding="utf-8")
                row = re.search(rf'<tr><th scope="row">{re.escape(a)}</th>.*?</tr>', html)
                if row and f'<td class="num">{fa}</td>' in row.group(0):
                    new_row = row.group(0).replace(f'<td class="num">{fa}</td>', f'<td class="num">{fb}</td>')
                    edit_html(broken, row.group(0), new_row)
                    problems = failed(broken)["numbers in the prose agree with results.json"].problems
                    assert any(f"{fb} is not derivable" in p and a in p for p in problems), problems
                    return
    pytest.skip("no suitable pair of topics in the fixture")


@pytest.mark.parametrize(
    "injected",
    [
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter">',
        "<style>@import url(https://fonts.example.org/inter.css);</style>",
    ],
)
def test_external_resources_are_named(broken, injected):
    edit_html(broken, "</head>", injected + "\n</head>")
    problems = failed(broken)["links and resources are local and resolve"].problems
    assert any("from another host" in p and "https://fonts." in p for p in problems), problems


def test_broken_and_root_absolute_links_are_named(broken):
    edit_html(broken, "</main>", '<p><a href="missing.html">x</a> <a href="/css/site.css">y</a> '
                                 '<a href="#nowhere">z</a></p>\n</main>')
    problems = failed(broken)["links and resources are local and resolve"].problems
    assert "index.html <a>: missing.html does not exist" in problems
    assert any("root-absolute /css/site.css" in p for p in problems)
    assert "index.html <a>: #nowhere names no element" in problems


def test_missing_section_is_named(broken):
    edit_html(broken, "The vanishing gradient problem</h3>", "Vanishing gradients</h3>")
    assert failed(broken)["sections in the HTML"].problems == ("1.2 The vanishing gradient problem: no heading",)


def test_pdf_without_metadata_fails(broken):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(broken.pdf)))
    writer.metadata = None
    writer._info = None  # noqa: SLF001 - drop the Info dictionary altogether
    with open(broken.pdf, "wb") as f:
        writer.write(f)
    shutil.copy(broken.pdf, broken.site / "report.pdf")
    problems = failed(broken)["PDF title and author"].problems
    assert any(p.startswith("no title") for p in problems) and any(p.startswith("no author") for p in problems)


def test_stale_pdf_copy_in_the_site_fails(broken):
    (broken.site / "report.pdf").write_bytes(b"%PDF-1.7 old")
    assert "the site's PDF is the built PDF" in failed(broken)


def test_invalid_html_fails_the_validator(broken):
    edit_html(broken, "</main>", '<p id="dup"><div>block in a paragraph</div></p><p id="dup"></p>\n</main>')
    item = validator.check_html_validator(broken.site / "index.html")
    assert item.ok is False and item.problems


def test_missing_validator_is_a_failure(broken, monkeypatch):
    monkeypatch.setattr(validator, "vnu_command", lambda: None)
    item = validator.check_html_validator(broken.site / "index.html")
    assert item.ok is False
    assert "NOT validated" in item.problems[0]


def test_cli_exits_1_and_prints_a_cross(broken):
    (broken.site / "figures" / "imdb_simplernn-roc.svg").unlink()
    result = CliRunner().invoke(cli, ["check", "--no-validator", "--build-dir", str(broken.build)])
    assert result.exit_code == 1
    assert "\u2717 figures present and referenced" in result.output
    assert result.output.splitlines()[-1].endswith("check(s) failed")


def test_a_missing_nojekyll_is_named(broken):
    (broken.site / ".nojekyll").unlink()
    assert failed(broken)[".nojekyll in the site"].problems == (f"{broken.site / '.nojekyll'} is missing",)


def test_a_section_missing_from_the_pdf_text_or_bookmarks_is_named(good):
    body = pdf_body_text(pdf_text(good.pdf))
    outline = load_outline(good.meta, good.templates)
    assert check_sections_pdf(good.pdf, body, outline).ok
    cut = body.replace("1.2 The vanishing gradient problem", "1.2 Vanishing gradients")
    assert check_sections_pdf(good.pdf, cut, outline).problems == (
        "1.2 The vanishing gradient problem: not in the PDF's text (outside the contents)",)


def test_the_contents_do_not_count_as_the_pdf_text():
    text = "Contents\n1.2 The vanishing gradient problem . . . . . . 3\n1.1 RNNs vs feedforward networks\nSome text"
    assert pdf_body_text(text) == "Contents 1.1 RNNs vs feedforward networks Some text"


def test_a_headline_metric_missing_from_the_pdf_is_named(good):
    raw = load_raw_results(good, "imdb_simplernn")
    root = parse_html(good.site / "index.html")
    body = pdf_body_text(pdf_text(good.pdf))
    assert check_key_figures(good, root, body).ok
    accuracy = key_figures(raw)["accuracy"]
    problems = check_key_figures(good, root, body.replace(accuracy, "")).problems
    assert f"1.4 (imdb_simplernn): accuracy {accuracy} is not in the PDF" in problems


def test_a_font_not_embedded_is_named(tmp_path):
    """A hand-made PDF that uses Helvetica without embedding it."""
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) not installed")
    content = b"BT /F1 12 Tf 20 100 Td (x) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(pdf)
    pdf += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    (tmp_path / "t.pdf").write_bytes(pdf)
    assert check_pdf_fonts(tmp_path / "t.pdf").problems == ("Helvetica is not embedded",)


def test_renderings_are_the_report_s_formats():
    assert {"0.815", "0.82", "81.5%", "82%"} <= renderings(0.8154)
    assert renderings(0.8154, share=True) == {"82%", "81.5%", "81.54%"}
    assert "12500" in renderings(12500) and "0.816" not in renderings(0.8154)


def test_number_tokens_skip_identifiers_and_separators():
    text = "Figure 3 and section 1.4 show 12,500 reviews, 81.5% right, \u22120.013 in epoch 7 of 10."
    assert number_tokens(text) == ["12500", "81.5%", "0.013", "10"]


def test_a_skipped_item_does_not_fail_the_checklist():
    report = CheckReport([Item("a", True), Item("b", None, (), "skipped"), Item("c", False, tuple(map(str, range(25))))])
    assert report.failures == [report.items[2]]
    lines = report.format().splitlines()
    assert lines[:2] == ["\u2713 a", "- b: skipped"]
    assert lines[-2:] == ["    ... and 5 more", "1 check(s) failed"]


# --- accessibility, in headless Chromium ---------------------------------------------------------------------

CONTRAST_JS = """
() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let base = [255, 255, 255];
    for (const c of layers.reverse()) base = base.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
    return base; };
  const out = [];
  for (const el of document.querySelectorAll('main p, main li, main td, main th, main figcaption, main caption, header p, footer p, footer td')) {
    if (!el.textContent.trim() || el.offsetParent === null) continue;
    const fg = parse(getComputedStyle(el).color), bg = background(el);
    const a = lum(fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]))), b = lum(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    out.push({tag: el.tagName, text: el.textContent.trim().slice(0, 40), ratio});
  }
  return out;
}
"""


def open_page(browser, good: BuildPaths, scheme: str = "light"):
    page = browser.new_page(color_scheme=scheme)
    page.goto((good.site / "index.html").resolve().as_uri())
    return page


@pytest.mark.browser
def test_lang_alt_and_heading_order(browser, good):
    page = open_page(browser, good)
    assert page.evaluate("document.documentElement.lang") == "en"
    missing_alt = page.evaluate("[...document.querySelectorAll('img')].filter(i => !i.alt.trim()).map(i => i.src.slice(0, 60))")
    assert missing_alt == []
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert levels[0] == 1
    skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert skips == [], f"heading levels skip: {skips}"
    page.close()


@pytest.mark.browser
def test_keyboard_focus_is_visible(browser, good):
    page = open_page(browser, good)
    for _ in range(30):
        page.keyboard.press("Tab")
        tag = page.evaluate("document.activeElement.tagName")
        if tag == "A":
            break
    else:
        pytest.fail("Tab never reached a link")
    style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                          " return {outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow}; })()")
    visible = (style["outline"] != "none" and style["width"] not in ("0px", "")) or style["shadow"] != "none"
    assert visible, f"focused link shows no outline or box-shadow: {style}"
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_body_text_contrast(browser, good, scheme):
    page = open_page(browser, good, scheme)
    measured = page.evaluate(CONTRAST_JS)
    assert measured
    low = [m for m in measured if m["ratio"] < 4.5]
    assert low == [], f"{scheme}: text below 4.5:1: {low[:5]}"
    page.close()


def test_numbers_from_the_studies_and_differences_from_them_are_derivable(tmp_path):
    import json

    from tests.factories import write_results

    paths = BuildPaths(data=tmp_path / "data", build=tmp_path / "build")
    res = write_results(paths.results, "imdb_simplernn")
    raw = json.loads((paths.results / "imdb_simplernn" / "results.json").read_text())
    study = {"tables": [{"rows": [["TF-IDF", 0.8802, "review 270 mln"]]}],
             "headline": {"imdb.tfidf_lr.accuracy": res.test.accuracy + 0.0131}, "series": [{"y": [0.123456]}]}
    (paths.results / "baselines").mkdir()
    (paths.results / "baselines" / "study.json").write_text(json.dumps(study))
    d = derivable(raw)
    quoted = add_studies(d, paths, raw)
    allowed = d.allowed("")
    assert "0.880" in allowed and "0.013" in allowed  # the baseline, and how far it is ahead
    assert "0.123" not in allowed  # figure series are drawn, not quoted
    assert "review 270 mln" in quoted


# --- warnings: placeholder metadata ---------------------------------------------------------------------------

def set_pdf_author(paths: BuildPaths, author: str) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(paths.pdf)))
    writer.add_metadata({"/Author": author})
    with open(paths.pdf, "wb") as f:
        writer.write(f)
    shutil.copy(paths.pdf, paths.site / "report.pdf")


def placeholder_author(paths: BuildPaths) -> None:
    """The build as rendered from the shipped report.toml: author "Student Name"."""
    edit_html(paths, '<meta name="author" content="Ada Student">', '<meta name="author" content="Student Name">')
    set_pdf_author(paths, "Student Name")


def test_the_good_build_has_no_warnings(good):
    report = check.run_checks(good, validator=False)
    assert report.warnings == []
    meta = next(i for i in report.items if i.title == "report metadata filled in")
    assert meta.ok is True and meta.lines() == ["\u2713 report metadata filled in: 'Ada Student', 'Deep Learning'"]


def test_the_placeholder_author_is_a_warning_not_a_failure(broken):
    placeholder_author(broken)
    result = CliRunner().invoke(cli, ["check", "--no-validator", "--build-dir", str(broken.build)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "! report metadata filled in: 'Student Name', 'Deep Learning'" in lines
    assert "    the page names the placeholder author 'Student Name': set [report] author in report.toml and " \
           "render again" in lines
    assert any("the PDF names the placeholder author 'Student Name'" in line for line in lines)
    assert lines[-1] == "all checks passed, 1 warning"
    assert "\x1b[" not in result.output  # not a terminal: no colour


def test_strict_fails_on_warnings_and_passes_without(broken, good):
    assert CliRunner().invoke(cli, ["check", "--strict", "--no-validator", "--build-dir", str(good.build)]).exit_code == 0
    placeholder_author(broken)
    result = CliRunner().invoke(cli, ["check", "--strict", "--no-validator", "--build-dir", str(broken.build)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "1 warning: --strict fails on warnings"


def test_no_author_on_the_page_and_no_course_are_warnings(broken):
    edit_html(broken, '<meta name="author" content="Ada Student">', "")
    edit_html(broken, '<p class="course">Deep Learning</p>', "", count=-1)
    report = check.run_checks(broken, validator=False)
    assert report.ok and [i.title for i in report.warnings] == ["report metadata filled in"]
    assert report.warnings[0].warnings == (
        "the page names no author: set [report] author in report.toml and render again",
        "no course on the title page: set [report] course in report.toml and render again",
    )


def test_a_pdf_without_author_fails_once_and_is_not_also_warned(broken):
    set_pdf_author(broken, "")
    report = check.run_checks(broken, validator=False)
    assert [i.title for i in report.failures] == ["PDF title and author"]
    assert report.warnings == []


def test_warning_marks_and_colour(monkeypatch):
    report = CheckReport([Item("a", True), Item("w", True, (), "", ("fix me",)), Item("f", False, ("broken",))])
    assert [i.title for i in report.warnings] == ["w"] and report.ok is False
    plain = report.format().splitlines()
    assert plain == ["\u2713 a", "! w", "    fix me", "\u2717 f", "    broken", "1 check(s) failed, 1 warning"]
    coloured = report.format(colour=True)
    assert "\x1b[33m" in coloured and "\x1b[32m" in coloured and "\x1b[31m" in coloured  # yellow !, green, red
    warned = CheckReport([Item("a", True), Item("w", True, (), "", ("x", "y")), Item("v", True, (), "", ("z",))])
    assert warned.passes() and not warned.passes(strict=True)
    assert warned.format().splitlines()[-1] == "all checks passed, 2 warnings"
    assert CheckReport([Item("a", True)]).passes(strict=True)


class _Tty:
    def isatty(self):
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    from report.commands.check.checklist import use_colour

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(_Tty()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_colour(_Tty()) is False
    monkeypatch.delenv("NO_COLOR")
    import io

    assert use_colour(io.StringIO()) is False


def test_make_report_all_shows_warnings_and_does_not_fail(broken, monkeypatch, capsys):
    from functools import partial

    from report.commands import build as build_command
    from report.pipeline.freshness import TrainOptions
    from report.render import stamp

    placeholder_author(broken)
    monkeypatch.setattr(build_command, "train", lambda names, paths, options: [])
    monkeypatch.setattr(stamp, "inputs_digest", lambda *a, **k: "digest")
    monkeypatch.setattr(check, "run_checks", partial(check.run_checks, validator=False))
    stamp.record(broken, "digest")  # rendered, not yet checked
    build_command.build_all(broken, TrainOptions(quiet=True))  # no exception: warnings do not fail the build
    out = capsys.readouterr().out.splitlines()
    assert "! report metadata filled in: 'Student Name', 'Deep Learning'" in out
    assert out[-1] == "all checks passed, 1 warning"
    assert stamp.checked(broken, "digest")
    build_command.build_all(broken, TrainOptions(quiet=True))  # checked before: the warnings are shown again
    again = capsys.readouterr().out.splitlines()
    assert again[0] == "! report metadata filled in: 'Student Name', 'Deep Learning'"
