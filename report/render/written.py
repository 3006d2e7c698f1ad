"""What drawing a figure leaves behind, apart from the file: kept apart from the drawing code so the
pages (and the figure cache) can use it without importing matplotlib."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WrittenFigure:
    experiment: str  # the experiment's (or study's) name: its module's in experiments/ (studies/)
    kind: str  # one of "training", "confusion", "roc", "f1_support"
    path: Path  # <out_dir>/<experiment>-<kind>.svg
    alt: str  # alt text derived from the data
    title: str  # short caption title without numbers
