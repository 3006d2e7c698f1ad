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

Sizes are returned in ``ex`` of the surrounding text, the way MathJax
matches fonts: the SVG is scaled so that its x-height (Computer Modern's,
0.43 em) equals the x-height of whatever font the page uses. Computer Modern
has a small x-height, so sizing in ``em`` would make math look a size too
small next to most text faces; in ``ex`` it matches them and still scales
with the text in the browser and in print alike.

Output is deterministic: a fixed ``svg.hashsalt`` (matplotlib's clip-path
ids) and no ``Date`` metadata. :func:`render_tex` is cached, so a build
renders each distinct equation once.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.mathtext import MathTextParser

FONT_SIZE_PT = 10.0  # nominal size mathtext lays out at; everything is rescaled to ex
CM_X_HEIGHT_EM = 0.430554  # x-height of cmr10/cmmi10 (TFM xheight / design size)
PAD_X_PT = 0.5  # the box is from font metrics; italic overhangs poke out a little sideways,
PAD_Y_PT = 1.0  # and accents, primes and big operators a little above and below
_METRICS_DPI = 7200  # mathtext rounds its box up to whole pixels: 1/100 pt is precise enough
PAD_X_EX = PAD_X_PT / (FONT_SIZE_PT * CM_X_HEIGHT_EM)
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
    """One rendered equation: the SVG document and its box, in ex of the surrounding text."""

    tex: str
    svg: str  # a standalone <svg> element, no XML prolog
    width_ex: float
    height_ex: float
    depth_ex: float  # distance from the SVG's bottom edge up to the math baseline

    @property
    def vertical_align_ex(self) -> float:
        """CSS ``vertical-align`` that puts the math baseline on the text baseline."""
        return -self.depth_ex


def _to_ex(pt: float) -> float:
    return float(pt / (FONT_SIZE_PT * CM_X_HEIGHT_EM))


def fmt_number(x: float) -> str:
    """A CSS number: three decimals (1/1000 ex), no trailing zeros."""
    return f"{x:.3f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=1024)
def render_tex(tex: str) -> MathSVG:
    """Render one TeX expression (without the dollars) to a :class:`MathSVG`.

    Display and inline math are drawn alike (mathtext has no display style;
    write ``\\dfrac`` for a full-size fraction); only their HTML differs.
    Raises :class:`MathError` if mathtext cannot parse it.
    """
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
        width_ex=_to_ex(w_pt),
        height_ex=_to_ex(h_pt),
        depth_ex=_to_ex(depth + PAD_Y_PT),
    )


def css_size(math: MathSVG, inline: bool) -> str:
    """The ``style`` value that sizes an equation in ex.

    Inline math gets an exact height and sits on the baseline; display math
    keeps its aspect ratio (``height:auto``) so ``max-width:100%`` can shrink
    a long equation to the column without distorting it.
    """
    width = f"width:{fmt_number(math.width_ex)}ex"
    if inline:
        return f"{width};height:{fmt_number(math.height_ex)}ex;vertical-align:{fmt_number(math.vertical_align_ex)}ex"
    return f"{width};height:auto;max-width:100%"
