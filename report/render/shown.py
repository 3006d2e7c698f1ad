"""What the last render showed: which results, and whether the studies' evidence was in it.

The render writes it beside its outputs (``build/shown.json``); the commands after it read it:
``publish`` judges the freshness of exactly the results the site shows, and ``render`` after
``make-report all --core`` stays core (the studies, not trained by that build, are neither shown
nor judged) until a build with the studies.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from report import atomic
from report.paths import BuildPaths

SHOWN_FILE = "shown.json"


@dataclass(frozen=True)
class Shown:
    results: tuple[str, ...]  # the experiments and studies whose results the site and the PDF show
    studies: bool  # False: a core report (make-report all --core), without the studies' evidence


def record(paths: BuildPaths, results: Sequence[str], studies: bool) -> None:
    atomic.write_text(paths.build / SHOWN_FILE, json.dumps({"results": list(results), "studies": studies}))


def read(paths: BuildPaths) -> Shown | None:
    """The record of the last render; None when there is none (or it is unreadable: then nothing is assumed)."""
    try:
        raw = json.loads((paths.build / SHOWN_FILE).read_text(encoding="utf-8"))
        return Shown(tuple(str(r) for r in raw["results"]), bool(raw["studies"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
