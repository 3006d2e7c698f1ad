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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from report import atomic
from report.paths import BuildPaths
from report.render.output_cache import CACHE_DIR, RenderCache

if TYPE_CHECKING:
    from report.render.context import BuildInfo
    from report.render.meta import ReportMeta
    from report.render.written import WrittenFigure
    from report.results.experiment_results import Results

# The pages' modules (and pydantic, NumPy, Jinja2 under them) are imported by build(), not here:
# `make-report all` imports this package for report.render.stamp, and with nothing changed renders nothing.

__all__ = ["RenderCache", "RenderOutput", "build", "load_all_results"]

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


def load_all_results(results_root: Path, names: Sequence[str]) -> dict[str, Results]:
    """Every experiment the report needs (``names``: the outline's), validated; all problems reported at once."""
    from report.results import experiment_results as results

    loaded, problems = {}, []
    for name in names:
        try:
            loaded[name] = results.load(results.results_dir(results_root, name))
        except results.ResultsError as exc:
            problems.append(exc.message)
    if problems:
        raise results.ResultsError("\n".join(problems))
    return loaded


def _studies(paths: BuildPaths, names: tuple[str, ...]) -> dict:
    """The studies the outline shows that have results: the report shows the evidence it has (``make-report
    train`` builds it)."""
    from report.results import study as studies

    return studies.load_available(paths.results, list(names))


def _study_modules(paths: BuildPaths, names) -> dict:
    """The modules of the studies shown: they know how to show their evidence (``evidence``, ``FIGURES``)."""
    from report import registry

    return {name: registry.load(name, paths.project) for name in names}


def _build_info(paths: BuildPaths, now: dt.datetime) -> BuildInfo:
    from report.render.context import BuildInfo
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
    cache: RenderCache | None = None,
    pdf_href: str | None = None,
) -> RenderOutput:
    """Build the site and/or the PDF from the results under ``paths.results``.

    ``meta`` is a :class:`ReportMeta`, a path to a ``report.toml``, or None for
    the project's ``report.toml``. ``studies``: show the evidence of the studies
    that have results (``make-report all --core`` passes False). ``stale``:
    experiment -> why its results no longer match the code; each is marked
    "stale" on the title and beside its results (see ``report.pipeline.freshness.stale_results``).
    ``cache``: what earlier builds made (``build/cache/render/`` unless given; the preview server
    keeps one for its whole run, so it also keeps the inputs it loaded). ``pdf_href``: the site's
    link to the PDF when this build writes none (the preview server makes it on demand).
    """
    from report.outline import load_outline, method_template
    from report.render import live, shown
    from report.render.context import build_context
    from report.render.disclosure import load_test_in_view
    from report.render.html import PAGE_TEMPLATE, environment, write_site
    from report.render.markdown import load_answers
    from report.render.meta import ReportMeta, load_meta
    from report.render.reference import load_references

    start = time.perf_counter()
    log = _logger(quiet)
    cache = cache or RenderCache(paths.cache / CACHE_DIR)

    # 1. gather and validate every input before writing anything; each is loaded again only when the
    # bytes it is read from changed
    outline = load_outline(paths.meta, paths.templates)  # the sections, and what each shows
    experiments = outline.experiments
    results_key = cache.key("results", experiments, cache.digest(paths.results / name for name in experiments))
    all_results = cache.latest("results", results_key, lambda: load_all_results(paths.results, experiments))
    study_names = outline.studies if studies else ()
    # the studies' modules hold the rules and the figures of their evidence
    studies_key = cache.key("studies", results_key, study_names,
                            cache.digest(paths.results / name for name in study_names),
                            cache.digest(paths.project / "studies" / f"{name}.py" for name in study_names))
    study_results = cache.latest("studies", studies_key, lambda: _studies(paths, study_names))
    study_modules = _study_modules(paths, [name for name in study_names if name in study_results])
    methods = frozenset(method_template(name) for name in study_names
                        if (paths.templates / method_template(name)).is_file())
    # model.npz: the live page and the trace figures
    exports = cache.latest("exports", results_key, lambda: live.load_exports(paths.results, experiments))
    answers = load_answers(paths.templates / "answers", outline.answers, tex=cache.tex)
    toml_key = cache.key("toml", cache.digest([paths.meta]) if paths.meta.is_file() else None)
    report_meta = meta if isinstance(meta, ReportMeta) else cache.latest(
        "meta", cache.key(toml_key, str(meta), pdf), lambda: load_meta(meta or paths.meta, check_pdf_variant=pdf))
    # an earlier version's figures, to compare with; often none
    references = cache.latest("references", toml_key, lambda: load_references(paths.meta))
    test_in_view = cache.latest("test-in-view", toml_key, lambda: load_test_in_view(paths.meta))
    env = cache.latest("jinja", str(paths.templates), lambda: environment(paths.templates, _compiled(cache)))
    env.get_template(PAGE_TEMPLATE)  # a template syntax error fails here, before any output
    info = _build_info(paths, dt.datetime.now(dt.timezone.utc).replace(microsecond=0))

    # 2. figures, into the site so the HTML and the PDF share them; drawn again only when their inputs changed
    figure_dir = paths.site / "figures"
    written = _figures(cache, paths, all_results, study_results, study_modules, exports, figure_dir)
    keep = {w.path.resolve() for w in written}
    for old in figure_dir.glob("*.svg"):
        if old.resolve() not in keep:
            old.unlink()
    for w in written:
        log(w.path)

    # 3. HTML
    html_files: list[Path] = []
    pdf_href = "report.pdf" if pdf else pdf_href
    if html:
        context = build_context(outline, all_results, written, answers, report_meta, info, medium="screen",
                                pdf_href=pdf_href, studies=study_results, study_modules=study_modules,
                                results_root=paths.results, stale=stale,
                                live_href=live.LIVE_PAGE if exports else None, references=references,
                                test_in_view=test_in_view, method_templates=methods)
        html_files += write_site(env, context, paths.templates, paths.site, log)
        if exports:
            html_files += live.write_live_site(env, exports, all_results, report_meta, paths.templates, paths.site,
                                               log, pdf_href=pdf_href, script=_live_script(cache, paths),
                                               classes=_tokeniser(cache))
        else:
            live.remove_live_site(paths.site)

    # 4. PDF, and its copy in the site for the "PDF version" link
    pdf_file = None
    if pdf:
        from report.render.pdf import write_pdf

        context = build_context(outline, all_results, written, answers, report_meta, info, medium="print",
                                studies=study_results, study_modules=study_modules, results_root=paths.results,
                                stale=stale, references=references, test_in_view=test_in_view,
                                method_templates=methods)
        pdf_file = write_pdf(env, context, paths.templates, paths.site, paths.pdf)
        log(pdf_file)
        if html:
            copy = paths.site / "report.pdf"
            with atomic.atomic_path(copy) as tmp:
                shutil.copyfile(pdf_file, tmp)
            html_files.append(copy)
            log(copy)

    shown.record(paths, [*all_results, *study_results], studies)  # what publish will judge
    return RenderOutput(
        figures=tuple(w.path for w in written),
        html=tuple(html_files),
        pdf=pdf_file,
        seconds=time.perf_counter() - start,
    )


def _compiled(cache: RenderCache) -> Path:
    """Jinja2 checks each template's source against its bytecode; the environment's options (in
    report.render.html) it does not: the folder is keyed by the rendering code."""
    folder = cache.root / f"jinja-{cache.key('jinja')[:16]}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _figures(cache: RenderCache, paths: BuildPaths, all_results, study_results, study_modules, exports,
             figure_dir: Path) -> list[WrittenFigure]:
    """Every figure: each experiment's, each study's and each experiment's word-by-word traces, in that order.

    Each set is kept in the cache under the results it was drawn from (and a study's under its module too),
    so a changed study or experiment redraws its own figures and nobody else's. The drawing modules (and
    Matplotlib) are imported only to draw."""


    def results_of(name: str) -> str:
        return cache.digest([paths.results / name])

    def experiment(name: str):
        from report.render.figures import write_figures

        return write_figures({name: all_results[name]}, figure_dir)

    def study(name: str):
        from report.render.study_figures import write_study_figures

        return write_study_figures({name: study_results[name]}, {name: study_modules[name]}, figure_dir)

    def traces(name: str):
        from report.render.live_figures import write_trace_figures

        return write_trace_figures({name: exports[name]}, all_results, figure_dir)

    written = []
    for name in all_results:
        written += cache.figures(f"figures-{name}", cache.key("figures", name, results_of(name)), figure_dir,
                                 lambda: experiment(name))
    for name in study_modules:
        if name in study_results:
            key = cache.key("study-figures", name, results_of(name),
                            cache.digest([paths.project / "studies" / f"{name}.py"]))
            written += cache.figures(f"study-figures-{name}", key, figure_dir, lambda: study(name))
    for name in exports:
        if name in all_results:
            written += cache.figures(f"trace-figures-{name}", cache.key("trace-figures", name, results_of(name)),
                                     figure_dir, lambda: traces(name))
    return written


def _live_script(cache: RenderCache, paths: BuildPaths):
    """:func:`report.render.live.model_script`, reused while the model's results folder is unchanged."""
    from report.render.live import model_script

    def script(name: str, export) -> tuple[str, int]:
        key = cache.key("live-model", name, cache.digest([paths.results / name]))
        text, weight_bytes = cache.value("live-model", key, lambda: model_script(name, export))
        return text, weight_bytes

    return script


def _tokeniser(cache: RenderCache):
    """The tokeniser's character classes depend on Python's Unicode tables alone (``sys.version`` is in every key)."""
    from report.render.live import tokeniser_classes

    return lambda: cache.value("tokeniser", cache.key("tokeniser"), tokeniser_classes)
