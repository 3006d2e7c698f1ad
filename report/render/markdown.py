"""The theory answers: Markdown with TeX math -> HTML, equations as SVG made at build time.

Markdown is parsed by markdown-it-py (CommonMark plus tables and typographic
quotes and dashes) with raw HTML off, so anything that looks like a tag in an
answer is shown as text, never run. ``$...$`` (inline) and ``$$...$$``
(display, on its own lines) are found by mdit-py-plugins' dollarmath and
drawn by :mod:`report.render.mathsvg`.

Each equation becomes ``<img src="data:image/svg+xml;base64,..." alt="TeX">``
inside ``<span class="math inline">`` or ``<div class="math display">``.
An ``<img>`` rather than inline ``<svg>`` because:

- each equation is its own SVG document, so matplotlib's glyph and clip-path
  ids can never clash between equations on one page (inline SVGs share the
  page's id space);
- SVG in ``<img>`` is the path both Chromium and WeasyPrint handle most
  fully (WeasyPrint draws it as vectors into the PDF), and CSS ``width``,
  ``height`` and ``vertical-align`` apply to it as to any replaced element;
- ``alt`` is the standard accessible text: screen readers read the TeX, and
  it shows in place of the picture if the image cannot be drawn.

Sizes are in ``ex``, so equations match the x-height of the text around them
and follow its size on screen and in print (see :mod:`report.render.mathsvg`).
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Sequence
from pathlib import Path

import click
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

from report.render.mathsvg import MathError, MathSVG, css_size, render_tex

# The five theory answers the report template includes, by file stem.
ANSWER_STEMS: tuple[str, ...] = ("ex1_q1", "ex1_q2", "ex1_q3", "ex2_q1", "ex2_q2")


def _img(math: MathSVG, inline: bool) -> str:
    data = base64.b64encode(math.svg.encode("utf-8")).decode("ascii")
    style = css_size(math, inline)
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{escapeHtml(math.tex)}" style="{style}">'


def _math(tokens, idx, env) -> MathSVG:
    tex = str(tokens[idx].content).strip()
    try:
        return render_tex(tex)
    except MathError as err:
        raise click.ClickException(
            f"{env.get('source', '<markdown>')}: cannot render equation ${tex}$ "
            f"with matplotlib mathtext ({err.reason}). Fix the TeX; mathtext supports a subset of LaTeX."
        ) from None


def _render_inline(self, tokens, idx, options, env) -> str:
    return f'<span class="math inline">{_img(_math(tokens, idx, env), inline=True)}</span>'


def _render_block(self, tokens, idx, options, env) -> str:
    anchor = ""
    if tokens[idx].type == "math_block_label":  # $$ ... $$ (label) -> linkable as #label
        anchor = f' id="{escapeHtml(tokens[idx].info)}"'
    # inline style so that display math is centred even where no stylesheet is loaded
    return (
        f'<div class="math display"{anchor} style="text-align:center;margin:0.6em 0">'
        f"{_img(_math(tokens, idx, env), inline=False)}</div>\n"
    )


@functools.lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(dollarmath_plugin, allow_digits=False, double_inline=False)
    for name in ("math_inline", "math_inline_double"):
        md.add_render_rule(name, _render_inline)
    for name in ("math_block", "math_block_label"):
        md.add_render_rule(name, _render_block)
    return md


def render_markdown(text: str, *, source: str = "<markdown>") -> Markup:
    """Markdown (with ``$`` and ``$$`` math) -> safe HTML.

    ``source`` names the text in errors; a malformed equation raises
    :class:`click.ClickException` naming it and the TeX.
    """
    return Markup(_parser().render(text, {"source": source}))


def render_answer_file(path: Path) -> Markup:
    """Read one answer (UTF-8) and render it; errors name the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise click.ClickException(f"theory answer {path} is missing: write it as Markdown") from None
    except UnicodeDecodeError as err:
        raise click.ClickException(f"theory answer {path} is not valid UTF-8 ({err.reason})") from None
    return render_markdown(text, source=str(path))


def load_answers(answers_dir: Path, stems: Sequence[str] = ANSWER_STEMS) -> dict[str, Markup]:
    """Render every required answer in ``answers_dir``, keyed by file stem (``ex1_q1`` ...)."""
    answers_dir = Path(answers_dir)
    missing = [f"{stem}.md" for stem in stems if not (answers_dir / f"{stem}.md").is_file()]
    if missing:
        raise click.ClickException(
            f"theory answers missing in {answers_dir}: {', '.join(missing)} "
            f"(the report needs {', '.join(f'{s}.md' for s in stems)})"
        )
    return {stem: render_answer_file(answers_dir / f"{stem}.md") for stem in stems}
