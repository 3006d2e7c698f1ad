"""Train what is stale and write its results folders: the training half of a build.

:func:`train` plans the jobs (:mod:`report.pipeline.plan`) and hands them to an executor: here, one by
one (:mod:`report.pipeline.in_process`), or on a Dask cluster with ``--jobs N`` / ``--scheduler``
(:mod:`report.pipeline.on_dask`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from report.paths import BuildPaths
from report.pipeline.freshness import TrainOptions
from report.pipeline.plan import plan


def train(names: Sequence[str], paths: BuildPaths, options: TrainOptions) -> list[Any]:
    """Train each named experiment or study whose results are not fresh and write ``build/results/<name>/``.

    Returns the results actually written."""

    def echo(message: str) -> None:
        if not options.quiet:
            click.echo(message, err=True)

    if options.distributed:
        from report.pipeline.cluster import require_dask
        from report.pipeline.on_dask import run_plan

        require_dask()  # before planning: one line on how to install it, nothing else done
    else:
        from report.pipeline.in_process import run_plan
    the_plan = plan(names, paths, options, echo)
    return run_plan(the_plan, paths, options, echo).written
