"""Render the report: build/results/*/ + templates/ -> build/site/ and build/report.pdf.

In phases, as static-site generators do: load and validate every input
first (results, theory answers, metadata, templates), so a missing or stale
result fails before anything is written; then the figures; then the HTML;
then the PDF. Each written file is logged. Nothing here imports TensorFlow.

    from report.render import build
    build(BuildPaths.resolve(), pdf=False)
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import click

from report import atomic
from report.paths import BuildPaths
from report.render.context import ANSWER_KEYS, EXPERIMENTS, BuildInfo, build_context
from report.render.html import PAGE_TEMPLATE, environment, write_site
from report.render.meta import ReportMeta, load_meta
from report.render.reference import load_references
from report.results import experiment_results as results

__all__ = ["RenderOutput", "build", "load_all_results"]

RENDER_PACKAGES = ("make-report", "jinja2", "markdown-it-py", "matplotlib", "weasyprint")


@dataclass(frozen=True)
class RenderOutput:
    """What one build wrote."""

    figures: tuple[Path, ...]
    html: tuple[Path, ...]  # index.html, css, .nojekyll (and report.pdf's copy in the site)
    pdf: Path | None
    seconds: float

    @property
    def files(self) -> tuple[Path, ...]:
        return self.figures + self.html + ((self.pdf,) if self.pdf else ())


def load_all_results(results_root: Path, names: tuple[str, ...] = EXPERIMENTS) -> dict[str, results.Results]:
    """Every experiment the report needs, validated; all problems reported at once."""
    loaded, problems = {}, []
    for name in names:
        try:
            loaded[name] = results.load(results.results_dir(results_root, name))
        except results.ResultsError as exc:
            problems.append(exc.message)
    if problems:
        raise results.ResultsError("\n".join(problems))
    return loaded


def _studies(paths: BuildPaths) -> dict:
    """The studies that have results: the report shows the evidence it has (``make-report train`` builds it)."""
    from report import registry
    from report.results import study as studies

    return studies.load_available(paths.results, registry.study_names())


def _build_info(paths: BuildPaths, now: dt.datetime) -> BuildInfo:
    from report.results.provenance import git_state, package_versions

    commit, dirty = git_state(paths.project)
    return BuildInfo(commit=commit, dirty=dirty, built_at=now, packages=package_versions(RENDER_PACKAGES))


def _logger(quiet: bool) -> Callable[[Path], None]:
    def log(path: Path) -> None:
        if not quiet:
            click.echo(f"wrote {path}", err=True)

    return log


def build(
    paths: BuildPaths,
    *,
    html: bool = True,
    pdf: bool = True,
    quiet: bool = False,
    meta: ReportMeta | Path | None = None,
    studies: bool = True,
    stale: Mapping[str, str] | None = None,
) -> RenderOutput:
    """Build the site and/or the PDF from the results under ``paths.results``.

    ``meta`` is a :class:`ReportMeta`, a path to a ``report.toml``, or None for
    the project's ``report.toml``. ``studies``: show the evidence of the studies
    that have results (``make-report all --core`` passes False). ``stale``:
    experiment -> why its results no longer match the code; each is marked
    "stale" on the title and beside its results (see ``report.pipeline.freshness.stale_results``).
    """
    from report.render import live
    from report.render.figures import write_figures
    from report.render.live_figures import write_trace_figures
    from report.render.markdown import load_answers
    from report.render.pdf import write_pdf
    from report.results.paired import all_baseline_evidence
    from report.render.study_figures import write_study_figures

    start = time.perf_counter()
    log = _logger(quiet)

    # 1. gather and validate every input before writing anything
    all_results = load_all_results(paths.results)
    study_results = _studies(paths) if studies else {}
    exports = live.load_exports(paths.results, EXPERIMENTS)  # model.npz: the live page and the trace figures
    answers = load_answers(paths.templates / "answers", ANSWER_KEYS)
    report_meta = meta if isinstance(meta, ReportMeta) else load_meta(meta or paths.meta)
    references = load_references(paths.meta)  # an earlier version's figures, to compare with; often none
    # each network against the baselines, example by example (McNemar's exact test): both prediction files
    paired = all_baseline_evidence(paths.results, EXPERIMENTS, study_results.get("baselines"))
    env = environment(paths.templates)
    env.get_template(PAGE_TEMPLATE)  # a template syntax error fails here, before any output
    info = _build_info(paths, dt.datetime.now(dt.timezone.utc).replace(microsecond=0))

    # 2. figures, into the site so the HTML and the PDF share them
    figure_dir = paths.site / "figures"
    written = write_figures(all_results, figure_dir)
    written += write_study_figures(study_results, figure_dir)
    written += write_trace_figures(exports, all_results, figure_dir)
    keep = {w.path.resolve() for w in written}
    for old in figure_dir.glob("*.svg"):
        if old.resolve() not in keep:
            old.unlink()
    for w in written:
        log(w.path)

    # 3. HTML
    html_files: list[Path] = []
    if html:
        context = build_context(all_results, written, answers, report_meta, info, medium="screen",
                                pdf_href="report.pdf" if pdf else None, studies=study_results, stale=stale,
                                live_href=live.LIVE_PAGE if exports else None, references=references,
                                paired=paired)
        html_files += write_site(env, context, paths.templates, paths.site, log)
        if exports:
            html_files += live.write_live_site(env, exports, all_results, report_meta, paths.templates, paths.site,
                                               log, pdf_href="report.pdf" if pdf else None)
        else:
            live.remove_live_site(paths.site)

    # 4. PDF, and its copy in the site for the "PDF version" link
    pdf_file = None
    if pdf:
        context = build_context(all_results, written, answers, report_meta, info, medium="print",
                                studies=study_results, stale=stale, references=references, paired=paired)
        pdf_file = write_pdf(env, context, paths.templates, paths.site, paths.pdf)
        log(pdf_file)
        if html:
            copy = paths.site / "report.pdf"
            with atomic.atomic_path(copy) as tmp:
                shutil.copyfile(pdf_file, tmp)
            html_files.append(copy)
            log(copy)

    return RenderOutput(
        figures=tuple(w.path for w in written),
        html=tuple(html_files),
        pdf=pdf_file,
        seconds=time.perf_counter() - start,
    )
