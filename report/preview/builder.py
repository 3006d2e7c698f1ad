"""Render the site again after a change, remember whether it worked, and make the PDF when asked.

One :class:`Builder` lives for the whole preview. It keeps a :class:`~report.render.output_cache.RenderCache`,
so the results, figures and live-model files are loaded or drawn once and an edit to an answer or
a template renders only the Markdown and the pages. Builds run one at a time (a lock): the watcher's
rebuilds and a request for the PDF never write the same files together.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from report.paths import BuildPaths
from report.preview.problems import Problem, from_exception
from report.render.output_cache import CACHE_DIR, RenderCache

PDF_HREF = "report.pdf"  # the page links the PDF; the server makes it when the link is followed
RESTYLE = (".css", ".js")  # files a page loads besides its HTML: a change reloads the page whole


@dataclass(frozen=True)
class State:
    """What the open pages are told: the site's version (one more per successful build) and the problem, if any."""

    version: int
    problem: Problem | None
    seconds: float  # how long the last build took
    restyle: bool = False  # a stylesheet or script changed: pages reload whole, not only their body

    def as_json(self) -> dict:
        return {"version": self.version, "problem": self.problem.as_json() if self.problem else None,
                "seconds": round(self.seconds, 3), "restyle": self.restyle}


class Builder:
    def __init__(self, paths: BuildPaths, *, pdf: bool = False) -> None:
        self.paths = paths
        self.pdf = pdf  # --pdf: every build writes the PDF too
        self.cache = RenderCache(paths.cache / CACHE_DIR)
        self.state = State(0, None, 0.0)
        self._lock = threading.Lock()
        self._stale: Mapping[str, str] | None = None  # worked out again when the results change
        self._pdf_version = -1  # the site version the PDF on disk was made for

    def results_changed(self) -> None:
        """The results or the outline (report.toml) changed: which results are stale is asked again."""
        self._stale = None

    def _stale_results(self) -> Mapping[str, str]:
        """Results that no longer match the code are shown with the banner of ``render --allow-stale``,
        judged as ``render`` judges them (fresh as built, report.commands.fresh)."""
        if self._stale is None:
            from report.commands.fresh import stale_as_built
            from report.outline import load_outline

            outline = load_outline(self.paths.meta, self.paths.templates)
            names = [*outline.experiments, *(s for s in outline.studies if (self.paths.results / s).is_dir())]
            self._stale = stale_as_built(self.paths, names)
        return self._stale

    def _render(self, *, html: bool, pdf: bool) -> Problem | None:
        from report.render import build, stamp

        try:
            build(self.paths, html=html, pdf=pdf, quiet=True, stale=self._stale_results(), cache=self.cache,
                  pdf_href=PDF_HREF)
        except Exception as exc:  # noqa: BLE001 - every failure is shown in the page; the server keeps running
            return from_exception(exc, self.paths.project, self.paths.templates)
        stamp.forget(self.paths)  # the preview rewrote build/: `make-report all` must render (and check) again
        return None

    def build(self, changed: set[Path] = frozenset()) -> State:
        """Render the site (and the PDF with ``--pdf``) after ``changed``; on an error keep the last good
        site and record the problem."""
        with self._lock:
            start = time.perf_counter()
            problem = self._render(html=True, pdf=self.pdf)
            version = self.state.version + (problem is None)
            restyle = any(p.suffix in RESTYLE for p in changed)
            self.state = State(version, problem, time.perf_counter() - start, restyle)
            if self.pdf and problem is None:
                self._pdf_version = version
            return self.state

    def pdf_file(self) -> Path | Problem:
        """The PDF of the site as it is now, made first when the site changed since it was last made."""
        with self._lock:
            if self._pdf_version != self.state.version or not self.paths.pdf.is_file():
                problem = self._render(html=False, pdf=True)
                if problem is not None:
                    return problem
                self._pdf_version = self.state.version
            return self.paths.pdf
