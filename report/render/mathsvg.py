"""TeX -> SVG at build time with matplotlib's mathtext (no JavaScript, no LaTeX install).

Each equation becomes a small, self-contained SVG whose glyphs are paths
(``svg.fonttype='path'``), so it looks the same in every browser, in
WeasyPrint and in any PDF viewer, with no fonts to embed or find.

The SVG is cut to the box mathtext reports (width, height, depth) plus a
small pad, rather than to ``bbox_inches='tight'``: matplotlib's text layout
gives every line at least the height of "lp", so a tight box around ``$x$``
is as tall as a capital with a descender and its baseline is unknown. With
our own box the baseline sits exactly ``depth + pad`` above the bottom edge,
which is what CSS ``vertical-align`` needs to put inline math on the text's
baseline.

Sizes are returned in ``em`` of the surrounding text, so equations scale
with it on screen and in print alike. Computer Modern is a small face (x-height
0.43 em, capitals 0.68 em), so math is drawn at :data:`MATH_SCALE` times the
text size: with the report's DejaVu faces (x-height 0.52-0.55 em, capitals
0.73 em) matching capitals would need 1.07 and matching x-heights 1.27, which
makes capitals and ascenders tower over the text (MathJax's ex-matching looks
like that); 1.15 splits the difference (KaTeX uses 1.21 for the same font).

Output is deterministic: a fixed ``svg.hashsalt`` (matplotlib's clip-path
ids) and no ``Date`` metadata. :func:`render_tex` is cached, so a build
renders each distinct equation once (and :mod:`report.render.output_cache` keeps them between builds).
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass

FONT_SIZE_PT = 10.0  # nominal size mathtext lays out at; everything is rescaled to em
MATH_SCALE = 1.15  # math size / text size: Computer Modern looks small at 1.0 (see above)
PAD_X_PT = 0.5  # the box is from font metrics; italic overhangs poke out a little sideways,
PAD_Y_PT = 1.0  # and accents, primes and big operators a little above and below
_METRICS_DPI = 7200  # mathtext rounds its box up to whole pixels: 1/100 pt is precise enough
PAD_X_EM = PAD_X_PT * MATH_SCALE / FONT_SIZE_PT
_RC = {
    "svg.fonttype": "path",  # glyphs as outlines: identical in every viewer and in the PDF
    "svg.hashsalt": "make-report",  # stable clip-path ids -> byte-identical output per build
    "mathtext.fontset": "cm",  # Computer Modern, the look readers expect of equations
    "text.usetex": False,  # mathtext only: no LaTeX installation needed
}
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)  # XML declaration, doctype, comments
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)  # RDF boilerplate, no content


class MathError(ValueError):
    """mathtext could not parse an equation; ``tex`` is the offending source."""

    def __init__(self, tex: str, reason: str) -> None:
        super().__init__(f"cannot render TeX {tex!r}: {reason}")
        self.tex = tex
        self.reason = reason


@dataclass(frozen=True)
class MathSVG:
    """One rendered equation: the SVG document and its box, in em of the surrounding text."""

    tex: str
    svg: str  # a standalone <svg> element, no XML prolog
    width_em: float
    height_em: float
    depth_em: float  # distance from the SVG's bottom edge up to the math baseline

    @property
    def vertical_align_em(self) -> float:
        """CSS ``vertical-align`` that puts the math baseline on the text baseline."""
        return -self.depth_em


def _to_em(pt: float) -> float:
    return float(pt * MATH_SCALE / FONT_SIZE_PT)


def fmt_number(x: float) -> str:
    """A CSS number: three decimals (1/1000 em), no trailing zeros."""
    return f"{x:.3f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=1024)
def render_tex(tex: str) -> MathSVG:
    """Render one TeX expression (without the dollars) to a :class:`MathSVG`.

    Display and inline math are drawn alike (mathtext has no display style;
    write ``\\dfrac`` for a full-size fraction); only their HTML differs.
    Raises :class:`MathError` if mathtext cannot parse it.
    """
    # matplotlib is imported here, not above: a render whose equations are all cached never needs it
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.mathtext import MathTextParser

    tex = tex.strip()
    if not tex:
        raise MathError(tex, "empty equation")
    size = FONT_SIZE_PT
    source = f"${tex}$"
    with matplotlib.rc_context(_RC):
        try:
            box = MathTextParser("path").parse(source, dpi=_METRICS_DPI, prop=FontProperties(size=size))
        except ValueError as err:  # pyparsing's message, with a caret under the problem
            lines = [line.strip() for line in str(err).splitlines() if line.strip()]
            reason = lines[-1] if lines else type(err).__name__
            raise MathError(tex, reason) from None
        scale = 72.0 / _METRICS_DPI
        width, total, depth = box.width * scale, box.height * scale, box.depth * scale
        w_pt, h_pt = width + 2 * PAD_X_PT, total + 2 * PAD_Y_PT
        fig = Figure(figsize=(w_pt / 72.0, h_pt / 72.0), dpi=72)
        fig.text(PAD_X_PT / w_pt, (depth + PAD_Y_PT) / h_pt, source, fontsize=size, ha="left", va="baseline")
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", transparent=True, metadata={"Date": None, "Creator": None})
    svg = _METADATA.sub("", _PROLOG.sub("", buf.getvalue().decode("utf-8"), count=1), count=1)
    return MathSVG(
        tex=tex,
        svg=svg,
        width_em=_to_em(w_pt),
        height_em=_to_em(h_pt),
        depth_em=_to_em(depth + PAD_Y_PT),
    )


def css_size(math: MathSVG, inline: bool) -> str:
    """The ``style`` value that sizes an equation in em.

    Inline math gets an exact height and sits on the baseline; display math
    keeps its aspect ratio (``height:auto``) so ``max-width:100%`` can shrink
    a long equation to the column without distorting it.
    """
    width = f"width:{fmt_number(math.width_em)}em"
    if inline:
        return f"{width};height:{fmt_number(math.height_em)}em;vertical-align:{fmt_number(math.vertical_align_em)}em"
    return f"{width};height:auto;max-width:100%"
