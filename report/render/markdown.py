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

Sizes are in ``em``, so equations follow the size of the text around them on
screen and in print (see :mod:`report.render.mathsvg`).
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import click
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

from report.render.source_error import SourceError
from report.render.mathsvg import (
    PAD_X_EM,
    MathError,
    MathSVG,
    css_size,
    fmt_number,
    render_tex,
)

# Draws one equation; the build passes one that reuses equations drawn before (report.render.output_cache).
TexRenderer = Callable[[str], MathSVG]

# The five theory answers the report template includes, by file stem.
ANSWER_STEMS: tuple[str, ...] = ("ex1_q1", "ex1_q2", "ex1_q3", "ex2_q1", "ex2_q2")


def _img(math: MathSVG, inline: bool = True, extra_style: str = "") -> str:
    data = base64.b64encode(math.svg.encode("utf-8")).decode("ascii")
    style = css_size(math, inline) + extra_style
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{escapeHtml(math.tex)}" style="{style}">'


def _math(tex: str, env, line: int | None = None) -> MathSVG:
    try:
        return env.get("tex", render_tex)(tex)
    except MathError as err:
        source = env.get("source", "<markdown>")
        raise SourceError(
            f"cannot render equation ${tex}$ with matplotlib mathtext ({err.reason}). "
            "Fix the TeX; mathtext supports a subset of LaTeX.",
            path=source, line=line,
        ) from None


def _render_inline(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    html = f'<span class="math inline">{_img(_math(token.content.strip(), env, token.meta.get("line")))}</span>'
    lead, trail = token.meta.get("lead", ""), token.meta.get("trail", "")
    if lead or trail:  # keep "($x$)," together: no line break between math and its punctuation
        html = f'<span style="white-space:nowrap">{escapeHtml(lead)}{html}{escapeHtml(trail)}</span>'
    return html


_ROW = '<span style="display:block;padding:0.15em 0;white-space:nowrap">'


def _display_rows(tex: str, env, line: int | None) -> str:
    """``a \\\\ b`` stacks lines; ``&`` in them aligns the lines at that point (as TeX's align).

    mathtext has neither, so each side is drawn separately; the left sides are
    right-aligned in a box as wide as the widest, the right sides follow.
    """
    lines = [line.strip() for line in tex.split("\\\\") if line.strip()]
    if not any("&" in line for line in lines):
        rows = [f"{_ROW}{_img(_math(row, env, line))}</span>" for row in lines]
        return "".join(rows)
    split = [[part.strip() for part in line.split("&", 1)] if "&" in line else ["", line] for line in lines]
    lefts = [_math(lhs, env, line) if lhs else None for lhs, _ in split]
    width = max((m.width_em for m in lefts if m), default=0.0)
    # each side carries its own side padding: pull the right side back so the join is tight
    tuck = f";margin-left:-{fmt_number(2 * PAD_X_EM)}em"
    rows = []
    for left, (_, rhs) in zip(lefts, split):
        lhs_html = _img(left) if left else ""
        rows.append(
            f'{_ROW}<span style="display:inline-block;width:{fmt_number(width)}em;text-align:right">{lhs_html}</span>'
            f"{_img(_math(rhs, env, line), extra_style=tuck if left else '')}</span>"
        )
    return '<span style="display:inline-block;text-align:left">' + "".join(rows) + "</span>"


def _render_block(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    tex = token.content.strip()
    line = token.map[0] + 1 if token.map else None
    anchor = ""
    if token.type == "math_block_label":  # $$ ... $$ (label) -> linkable as #label
        anchor = f' id="{escapeHtml(token.info)}"'
    # inline style so that display math is centred even where no stylesheet is loaded
    attrs = f'class="math display"{anchor} style="text-align:center;margin:0.6em 0"'
    if "\\\\" in tex:
        return f'<div {attrs} role="img" aria-label="{escapeHtml(tex)}">{_display_rows(tex, env, line)}</div>\n'
    return f"<div {attrs}>{_img(_math(tex, env, line), inline=False)}</div>\n"


_OPENING = "([‘“"  # punctuation that should not end a line just before math
_CLOSING = re.compile(r"[.,;:!?)\]’”]+")  # ... nor start one just after it


def _glue_punctuation(state) -> None:
    """Core rule: note punctuation touching inline math, so the renderer can keep them on one line;
    and each equation's line in the file, for errors."""
    for block in state.tokens:
        children = block.children or []
        line = block.map[0] + 1 if block.map else None
        for i, token in enumerate(children):
            if token.type in ("softbreak", "hardbreak") and line is not None:
                line += 1
            if token.type != "math_inline":
                continue
            token.meta["line"] = line
            after = children[i + 1] if i + 1 < len(children) else None
            if after is not None and after.type == "text" and (m := _CLOSING.match(after.content)):
                token.meta["trail"], after.content = m.group(), after.content[m.end() :]
            before = children[i - 1] if i > 0 else None
            if before is not None and before.type == "text" and before.content[-1:] in _OPENING:
                token.meta["lead"], before.content = before.content[-1], before.content[:-1]


@functools.lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(dollarmath_plugin, allow_digits=False, double_inline=False)
    md.core.ruler.push("math_punctuation", _glue_punctuation)
    for name in ("math_inline", "math_inline_double"):
        md.add_render_rule(name, _render_inline)
    for name in ("math_block", "math_block_label"):
        md.add_render_rule(name, _render_block)
    return md


def render_markdown(text: str, *, source: str = "<markdown>", tex: TexRenderer = render_tex) -> Markup:
    """Markdown (with ``$`` and ``$$`` math) -> safe HTML.

    ``source`` names the text in errors; a malformed equation raises
    :class:`~report.render.source_error.SourceError` naming it, the line and the TeX.
    """
    return Markup(_parser().render(text, {"source": source, "tex": tex}))


def render_answer_file(path: Path, tex: TexRenderer = render_tex) -> Markup:
    """Read one answer (UTF-8) and render it; errors name the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise click.ClickException(f"theory answer {path} is missing: write it as Markdown") from None
    except UnicodeDecodeError as err:
        raise click.ClickException(f"theory answer {path} is not valid UTF-8 ({err.reason})") from None
    return render_markdown(text, source=str(path), tex=tex)


def load_answers(answers_dir: Path, stems: Sequence[str] = ANSWER_STEMS,
                 tex: TexRenderer = render_tex) -> dict[str, Markup]:
    """Render every required answer in ``answers_dir``, keyed by file stem (``ex1_q1`` ...)."""
    answers_dir = Path(answers_dir)
    missing = [f"{stem}.md" for stem in stems if not (answers_dir / f"{stem}.md").is_file()]
    if missing:
        raise click.ClickException(
            f"theory answers missing in {answers_dir}: {', '.join(missing)} "
            f"(the report needs {', '.join(f'{s}.md' for s in stems)})"
        )
    return {stem: render_answer_file(answers_dir / f"{stem}.md", tex) for stem in stems}
