"""Figures of the studies, in the report's one style (see ``report.render.figures``).

A study draws figures by listing display classes in its module's ``FIGURES``. Each has the shape of
the experiments' displays: a ``kind`` and a ``title``, ``from_study`` reads its data from a
:class:`~report.results.study.StudyResults`, ``plot(kit, ax=None)`` draws and returns the display,
``alt_text(kit)`` describes the data. ``kit`` (:data:`KIT`) carries the report's style, sizes and
number formats, so a study's module imports nothing of the renderer and its results' key follows no
rendering code. :func:`write_study_figures` saves each as ``<study>-<kind>.svg``; the study's
``evidence()`` places it (``ask.figure(kind)``). No TensorFlow here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from report.render import format as fmt
from report.render.figures import GREY, PALETTE, SMALL_PT, TEXT_WIDTH_IN, new_figure, save_figure, style
from report.render.written import WrittenFigure
from report.results.study import StudyResults

# One colour and marker per recurrent cell across every study figure; the gated cells in the palette's calmer colours.
CELL_COLOURS = {"SimpleRNN": PALETTE[1], "LSTM": PALETTE[0], "GRU": PALETTE[2]}
CELL_MARKERS = {"SimpleRNN": "o", "LSTM": "s", "GRU": "^"}


def cell_colour(cell: str) -> str:
    return CELL_COLOURS.get(cell, GREY)


def cell_marker(cell: str) -> str:
    return CELL_MARKERS.get(cell, "o")


@dataclass(frozen=True)
class Kit:
    """What a study's display draws with: the report's style and sizes, its colours and its number formats."""

    style: Callable  # a context manager: the report's matplotlib style
    new_figure: Callable  # (width_in, height_in) -> (figure, axes)
    text_width_in: float
    small_pt: float
    grey: str
    cell_colour: Callable[[str], str]
    cell_marker: Callable[[str], str]
    number: Callable
    metric: Callable
    plural: Callable
    significant: Callable


KIT = Kit(style=style, new_figure=new_figure, text_width_in=TEXT_WIDTH_IN, small_pt=SMALL_PT, grey=GREY,
          cell_colour=cell_colour, cell_marker=cell_marker, number=fmt.number, metric=fmt.metric, plural=fmt.plural,
          significant=fmt.significant)


def write_study_figures(studies: Mapping[str, StudyResults], modules: Mapping[str, ModuleType],
                        out_dir: Path) -> list[WrittenFigure]:
    """Draw and save every figure of the studies that have results, in the order of ``modules``."""
    written = []
    for name, module in modules.items():
        study = studies.get(name)
        if study is None:
            continue
        for display_cls in getattr(module, "FIGURES", ()):
            display = display_cls.from_study(study).plot(KIT)
            path = save_figure(display.figure_, Path(out_dir) / f"{name}-{display_cls.kind}.svg")
            written.append(WrittenFigure(name, display_cls.kind, path, display.alt_text(KIT), display.title))
    return written
