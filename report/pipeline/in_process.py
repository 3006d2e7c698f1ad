"""The in-process executor: the jobs of a plan run here, one after another, in plan order.

A job's exception is not caught: one process trains one thing at a time, and the traceback is the
clearest report. Results are written by :class:`report.pipeline.plan.ResultWriter`, as on Dask.
"""

from __future__ import annotations

from report.paths import BuildPaths
from report.pipeline.freshness import TrainOptions
from report.pipeline.plan import Echo, JobOutcome, Plan, ResultWriter, execute


def run_plan(the_plan: Plan, paths: BuildPaths, options: TrainOptions, echo: Echo) -> ResultWriter:
    """Run every job of ``the_plan`` here under the numerics a Dask worker uses, so both give the same numbers."""
    from report.train import tensorflow  # TensorFlow is imported only from here on
    from report.train.run_context import RunContext
    from report.train.numerics import job_numerics

    writer = ResultWriter(the_plan, paths, echo)
    if not the_plan.jobs:
        return writer
    tensorflow.load(options.verbose)
    for job in the_plan.jobs:
        ctx = RunContext(paths=paths, quiet=options.quiet, key=job.spec.key)
        writer.started(job)
        with job_numerics():
            value = execute(job.spec, ctx)
        writer.finished(job, JobOutcome(job.id, True, value))
    return writer
