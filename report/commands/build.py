"""``make-report all``: the whole build, in phases (train what is stale, then render)."""

from __future__ import annotations

import time

import click

from report import registry
from report.paths import BuildPaths
from report.pipeline import verdicts
from report.pipeline.freshness import TrainOptions
from report.pipeline.run import train
from report.render import stamp as render_stamp


def _names(paths: BuildPaths, core: bool) -> list[str]:
    """The project's experiments, then its studies unless ``core``."""
    return registry.experiment_names(paths.project) + ([] if core else registry.study_names(paths.project))


def _train(paths: BuildPaths, options: TrainOptions, core: bool) -> list:
    """Train what is stale: the experiments, then the studies (unless ``core``)."""
    t0 = time.perf_counter()
    if options.distributed:  # --jobs N / --scheduler: one job graph, studies waiting only for what they read
        return train(_names(paths, core), paths, options)
    trained = train(registry.experiment_names(paths.project), paths, options)
    if not core:
        t_core, t1 = time.perf_counter() - t0, time.perf_counter()
        trained += train(registry.study_names(paths.project), paths, options)
        if not options.quiet:
            click.echo(f"training: experiments {t_core:.1f} s, studies {time.perf_counter() - t1:.1f} s", err=True)
    return trained


def build_all(paths: BuildPaths, options: TrainOptions, *, html: bool = True, pdf: bool = True,
              core: bool = False) -> None:
    """Train the experiments whose results are stale, then render if any input of the render changed.

    ``core``: only the experiments the assignment requires; the studies are neither trained nor shown.
    """
    t0 = time.perf_counter()
    names = _names(paths, core)
    if not options.force and verdicts.remembered_fresh(paths, options, names):
        trained = []  # nothing the keys read changed since every result was last found fresh: no module imported
    else:
        before = verdicts.sources(paths, options, names)  # what the keys are worked out from, as training begins
        trained = _train(paths, options, core)
        verdicts.record_fresh(paths, options, names, before)
    digest = render_stamp.inputs_digest(paths, html, pdf, studies=not core)
    if render_stamp.up_to_date(paths, digest, html, pdf) and not options.force:
        rendered = False
    else:
        from report.render import build as render

        # train() just made every result it was given fresh (or raised), so nothing shown is stale:
        # no second walk over the keys
        render(paths, html=html, pdf=pdf, quiet=options.quiet, studies=not core, stale={})
        render_stamp.record(paths, digest)
        rendered = True
    if not options.quiet:
        click.echo(
            f"built in {time.perf_counter() - t0:.1f} s: trained {len(trained)} experiment(s), "
            f"{'rendered' if rendered else 'nothing to render'}; "
            f"site: {paths.site / 'index.html'}, PDF: {paths.pdf}",
            err=True,
        )
    if html and pdf and not rendered and render_stamp.checked(paths, digest):
        if not options.quiet:
            click.echo("checks passed on these outputs before; `make-report check` runs them again", err=True)
        warnings = render_stamp.warnings(paths)
        if warnings:  # shown on every build until fixed; they do not fail it
            click.echo("\n".join(warnings))
    elif html and pdf:  # the checklist needs both the site and the PDF
        from report.commands.check import run_checks
        from report.commands.check.checklist import use_colour

        checklist = run_checks(paths)
        click.echo(checklist.format(colour=use_colour()))
        if not checklist.ok:  # warnings (!) do not fail the build; `make-report check --strict` fails on them
            raise click.ClickException(
                f"{len(checklist.failures)} check(s) failed (see the list above); `make-report check` repeats them"
            )
        render_stamp.record(paths, digest, checked=True,
                            warnings=[line for w in checklist.warnings for line in w.lines()])
    from report.commands.verify import warn_after_build

    # the committed numbers, for the experiments built from the committed code and config (a warning)
    warn_after_build(registry.experiment_names(paths.project), paths, click.echo)
