"""The theory answers: present, covering what ASSIGNMENT.md asks, and rendered safely with SVG math."""

from __future__ import annotations

import base64
import re

import click
import pytest
from markupsafe import Markup

from tests import REPO_ROOT
from report.render.markdown import ANSWER_STEMS, load_answers, render_answer_file, render_markdown
from report.render.mathsvg import MathError, render_tex

ANSWERS = REPO_ROOT / "templates" / "answers"

# Per question, the points ASSIGNMENT.md lists (plus what the brief asks a strong answer to add).
REQUIRED_TERMS: dict[str, list[str]] = {
    "ex1_q1": [
        "feedforward", "hidden state", "time step", "single pass", "memory", "loop",
        "text", "audio", "time series", "image", "backpropagation through time",
    ],
    "ex1_q2": [
        "backpropagation through time", "Jacobian", "exponentially", "long-range dependencies",
        "recent inputs", "convergence is slow", "singular value", "spectral radius",
        "exploding", "clipping",
    ],
    "ex1_q3": [
        "natural language processing", "language modelling", "text generation", "machine translation",
        "speech recognition", "time-series prediction", "finance", "weather",
    ],
    "ex2_q1": [
        "memory cell", "cell state", "forget gate", "input gate", "output gate",
        "additive", "constant error carousel", "learned control", "GRU", "clipping",
    ],
    "ex2_q2": [
        "machine translation", "summarisation", "language modelling", "text generation",
        "speech recognition", "forecasting", "markets", "weather", "video", "action recognition",
        "captioning",
    ],
}

# Display equations the brief requires, as TeX fragments in the Markdown.
REQUIRED_TEX: dict[str, list[str]] = {
    "ex1_q2": [r"\prod_{j=k+1}^{t}", r"\partial h_j}{\partial h_{j-1}}", r"\mathbf{g} \leftarrow"],
    "ex2_q1": [
        r"f_t &= \sigma(", r"i_t &= \sigma(", r"\tilde{c}_t &= \tanh(",
        r"c_t &= f_t \odot c_{t-1} + i_t \odot \tilde{c}_t", r"o_t &= \sigma(", r"h_t &= o_t \odot \tanh(c_t)",
        r"\dfrac{\partial c_t}{\partial c_{t-1}} = \mathrm{diag}(f_t)",
    ],
}

# Reference figures from ASSIGNMENT.md: measured numbers belong in the results sections, not here.
MEASURED_NUMBERS = ["0.83", "0.90", "0.66", "0.96", "0.22", "0.64", "11,320", "9,311", "3,189", "1,180"]
AMERICAN = ["modeling", "summarization", "initialization", "initialized", "behavior", "recognize", "normalize"]


def _text(stem: str) -> str:
    return (ANSWERS / f"{stem}.md").read_text(encoding="utf-8")


def _prose(markdown: str) -> str:
    """The answer without its math, for word counts."""
    return re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", markdown, flags=re.S)


def _svgs(html: str) -> list[str]:
    return [base64.b64decode(b).decode("utf-8") for b in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)]


# --- the answers themselves ------------------------------------------------------------------


@pytest.mark.parametrize("stem", ANSWER_STEMS)
def test_answer_exists_and_is_substantial(stem):
    text = _text(stem)
    words = len(_prose(text).split())
    assert 180 <= words <= 520, f"{stem}.md has {words} words of prose; aim for about 200-500"
    assert not re.search(r"^#{1,2} ", text, flags=re.M), "the template gives the heading: use ### at most"


@pytest.mark.parametrize("stem", ANSWER_STEMS)
def test_answer_covers_required_points(stem):
    text = _text(stem).lower()
    missing = [term for term in REQUIRED_TERMS[stem] if term.lower() not in text]
    assert not missing, f"{stem}.md does not mention {missing}"


@pytest.mark.parametrize("stem", sorted(REQUIRED_TEX))
def test_answer_has_required_equations(stem):
    text = _text(stem)
    missing = [tex for tex in REQUIRED_TEX[stem] if tex not in text]
    assert not missing, f"{stem}.md lacks the equations {missing}"


@pytest.mark.parametrize("stem", ANSWER_STEMS)
def test_answer_states_no_measured_numbers_and_spells_consistently(stem):
    text = _text(stem)
    assert not [n for n in MEASURED_NUMBERS if n in text], "measured numbers come from results, not from answers"
    assert not [w for w in AMERICAN if w in text.lower()], "the answers use British spelling"


def test_all_answers_render_with_svg_math():
    answers = load_answers(ANSWERS)
    assert list(answers) == list(ANSWER_STEMS)
    for stem, html in answers.items():
        assert isinstance(html, Markup)
        assert "$" not in re.sub(r'(alt|aria-label)="[^"]*"', "", html), f"unrendered math left in {stem}"
        if "$" in _text(stem):
            assert _svgs(html), f"{stem}'s equations did not become SVG"
    assert 'role="img" aria-label="f_t &amp;= \\sigma(' in answers["ex2_q1"]


# --- rendering -----------------------------------------------------------------------------


def test_raw_html_is_escaped():
    html = render_markdown('<script>alert("x")</script>\n\nText with <b onclick="x()">tags</b>.')
    assert "<script" not in html and "<b " not in html
    assert "&lt;script&gt;" in html and "&lt;b onclick=" in html


def test_tables_render():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<table>" in html and "<td>2</td>" in html


def test_inline_math_is_svg_on_the_baseline_with_tex_as_alt():
    html = render_markdown("Let $h_t < 1$ be")
    assert '<span class="math inline"><img src="data:image/svg+xml;base64,' in html
    assert 'alt="h_t &lt; 1"' in html
    (svg,) = _svgs(html)
    assert svg.startswith("<svg") and "viewBox=" in svg and "<?xml" not in svg and "DOCTYPE" not in svg
    style = re.search(r'style="([^"]*)"', html).group(1)
    assert re.fullmatch(r"width:[\d.]+em;height:[\d.]+em;vertical-align:-[\d.]+em", style)


def test_display_math_is_a_centred_block():
    html = render_markdown("Before\n\n$$\n\\dfrac{\\partial L}{\\partial h}\n$$\n\nAfter")
    assert '<div class="math display"' in html and 'alt="\\dfrac{\\partial L}{\\partial h}"' in html
    assert "max-width:100%" in html and "height:auto" in html


def test_aligned_display_rows_keep_whole_source():
    html = render_markdown("$$\na &= b + c \\\\\nd &= e\n$$\n")
    assert 'role="img" aria-label="a &amp;= b + c \\\\\nd &amp;= e"' in html
    assert len(_svgs(html)) == 4  # two left sides, two right sides


def test_punctuation_stays_with_inline_math():
    html = render_markdown("the output $h_t$, which ($x$).")
    assert re.search(r'<span style="white-space:nowrap"><span class="math inline">.*?</span>,</span>', html)
    assert re.search(r'<span style="white-space:nowrap">\(<span class="math inline">.*?</span>\)\.</span>', html)


def test_math_box_follows_mathtext_metrics():
    x, y, frac = render_tex("x"), render_tex("y"), render_tex(r"\dfrac{a}{b}")
    assert y.depth_em > x.depth_em  # a descender sits lower
    assert frac.height_em > 2 * x.height_em
    for math in (x, y, frac):
        assert 0 < math.depth_em < math.height_em and math.width_em > 0


def test_bad_equation_names_file_and_tex(tmp_path):
    bad = tmp_path / "ex1_q2.md"
    bad.write_text("Fine text.\n\n$$\n\\frac{a\n$$\n", encoding="utf-8")
    with pytest.raises(click.ClickException) as err:
        render_answer_file(bad)
    assert str(bad) in err.value.message and "\\frac{a" in err.value.message


def test_bad_inline_equation_raises_math_error_underneath():
    with pytest.raises(MathError):
        render_tex(r"\notacommand{x}")
    with pytest.raises(click.ClickException, match="<markdown>"):
        render_markdown(r"a $\notacommand{x}$ b")


def test_missing_answer_is_named(tmp_path):
    for stem in ANSWER_STEMS[:-1]:
        (tmp_path / f"{stem}.md").write_text("Some text.", encoding="utf-8")
    with pytest.raises(click.ClickException, match="ex2_q2.md"):
        load_answers(tmp_path)


def test_rendering_is_deterministic():
    first = load_answers(ANSWERS)
    render_tex.cache_clear()
    second = load_answers(ANSWERS)
    assert first == second
    svg = _svgs(first["ex2_q1"])[0]
    assert "dc:date" not in svg and "<metadata" not in svg
