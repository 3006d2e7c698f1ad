"""``make-report all``: the whole build, in phases (train what is stale, then render)."""

from __future__ import annotations

import time

import click

from report import registry
from report.config import BuildPaths
from report.pipeline import TrainOptions, train


def build_all(paths: BuildPaths, options: TrainOptions, *, html: bool = True, pdf: bool = True) -> None:
    t0 = time.perf_counter()
    trained = train(registry.experiment_names(), paths, options)
    from report.render import build as render

    render(paths, html=html, pdf=pdf, quiet=options.quiet)
    if not options.quiet:
        click.echo(
            f"built in {time.perf_counter() - t0:.1f} s; trained {len(trained)} experiment(s); "
            f"site: {paths.site / 'index.html'}, PDF: {paths.pdf}",
            err=True,
        )
