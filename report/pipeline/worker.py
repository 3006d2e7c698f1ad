"""What runs on a Dask worker: one job (an experiment's seed, or a study), its results handed back.

A job carries everything it needs except the dataset archives (:class:`JobSpec`): the config, the key,
the client's folders and, for a study, the files of the results it reads. The worker

- finds the archives: in the client's data folder when the worker sees it (a shared folder), else in
  ``$MAKE_REPORT_DATA`` on the worker; with neither, the job fails with one line saying so (a worker never
  downloads them), and archives that differ from the client's are refused the same way;
- works in the client's build folder when it is the same folder (same machine or a shared file system:
  recognised by the id the client writes into it), so the tokenised-data cache and the checkpoints are
  shared and a job retried on another worker resumes from its last epoch; otherwise in a private folder
  of its own under the temporary directory (the job then starts over if retried elsewhere);
- runs the job under :func:`report.train.numerics.job_numerics`, as the in-process path does, and
  returns a :class:`JobOutcome`: the results (never written here: the client writes them, atomically),
  or the one-line reason it failed, with the job's log either way.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import click

from report import atomic
from report.paths import DATA_ENV, BuildPaths
from report.pipeline.freshness import datasets
from report.pipeline.plan import BUILD_ID_FILE, JobOutcome, JobSpec, execute
from report.train import numerics

class JobError(click.ClickException):
    """A job cannot run on this worker (no archives, other archives); the message is the one line shown."""


def worker_name() -> str:
    """``host (tcp://address)`` on a Dask worker, else the host name."""
    host = socket.gethostname()
    try:
        from distributed import get_worker

        return f"{host} ({get_worker().address})"
    except (ImportError, ValueError):
        return host


def run_job(spec: JobSpec) -> JobOutcome:
    """Run one job; never raises for the job's own failure (that comes back as ``ok=False``)."""
    t0 = time.perf_counter()
    where = worker_name()
    log = io.StringIO()
    resumed = 0
    with contextlib.redirect_stderr(log), contextlib.redirect_stdout(log):
        try:
            with numerics.job_numerics():
                paths, shared = job_paths(spec, where)
                check_data(spec, paths, where)
                if spec.study:
                    if not shared:
                        write_upstream(spec, paths)
                else:
                    resumed = checkpointed_epochs(spec, paths)
                value = _run(spec, paths)
                if not shared and not spec.study:
                    from report.train.checkpoint import Checkpoints

                    Checkpoints(_checkpoint_folder(spec, paths), spec.key).clear()
            ok, reason = True, ""
        except Exception as exc:  # noqa: BLE001 - every failure of the job becomes its one-line reason
            traceback.print_exc(file=log)
            value, ok, reason = None, False, one_line(exc)
    return JobOutcome(spec.id, ok, value, reason, log.getvalue(), where, time.perf_counter() - t0, resumed)


def one_line(exc: BaseException) -> str:
    if isinstance(exc, click.ClickException):
        text = exc.format_message()
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _run(spec: JobSpec, paths: BuildPaths) -> Any:
    from report.train.run_context import RunContext

    intra, inter = numerics.configure_tensorflow(spec.verbose)  # as in-process, where every run loads TensorFlow
    ctx = RunContext(paths=paths, quiet=False, key=spec.key)
    ctx.echo(f"{spec.id} on {worker_name()}: data {paths.data}, build {paths.build}, "
             f"TensorFlow threads intra-op {intra or 'default'}, inter-op {inter or 'default'}")
    return execute(spec, ctx)


def job_paths(spec: JobSpec, where: str) -> tuple[BuildPaths, bool]:
    """(paths, whether the build folder is the client's own)."""
    build = Path(spec.build)
    try:
        shared = (build / BUILD_ID_FILE).read_text(encoding="utf-8").strip() == spec.build_id
    except OSError:
        shared = False
    if not shared:
        build = Path(tempfile.gettempdir()) / "make-report-worker" / spec.build_id
    return BuildPaths(data=data_folder(spec, where), project=Path(spec.project), build=build), shared


def data_folder(spec: JobSpec, where: str) -> Path:
    """The client's data folder if the worker has the archives there, else ``$MAKE_REPORT_DATA``."""
    from report.data.archive import find_source
    from report.data.sources import _SOURCES

    needed = datasets(spec.name)
    env = os.environ.get(DATA_ENV)
    candidates = [Path(spec.data)] + ([Path(env).expanduser()] if env else [])
    for folder in candidates:
        if all(find_source(folder, _SOURCES[d][0], _SOURCES[d][1], fix="") for d in needed):
            return folder
    if not needed:
        return candidates[0]
    archives = " and ".join(_SOURCES[d][0] for d in needed)
    looked = f"{spec.data} and ${DATA_ENV} ({env})" if env else f"{spec.data} (and ${DATA_ENV} is not set there)"
    raise JobError(
        f"worker {where} has no {archives}: looked in {looked}; put the archives in a folder every worker "
        f"sees, or set {DATA_ENV} on each worker"
    )


def check_data(spec: JobSpec, paths: BuildPaths, where: str) -> None:
    """Refuse archives that differ from the ones the client's key was computed from."""
    from report.data import source_checksums

    for dataset in datasets(spec.name):
        for label, digest in source_checksums(dataset, paths.data, paths.cache).items():
            expected = spec.checksums.get(label)
            if expected not in (None, "absent", digest):
                raise JobError(
                    f"worker {where} has another {label} in {paths.data} (sha256 {digest[:12]}, the client's is "
                    f"{expected[:12]}); give every worker the same archives"
                )


def write_upstream(spec: JobSpec, paths: BuildPaths) -> None:
    """A study on a worker without the client's build folder: the results it reads, as the client wrote them."""
    for name, files in spec.upstream.items():
        folder = paths.results / name
        for filename, payload in files.items():
            with atomic.atomic_open(folder / filename, "wb") as fh:
                fh.write(payload)


def _checkpoint_folder(spec: JobSpec, paths: BuildPaths) -> Path:
    return paths.checkpoints / spec.name / f"seed-{spec.config.seed}"


def checkpointed_epochs(spec: JobSpec, paths: BuildPaths) -> int:
    """Epochs already in this job's checkpoint (a retried job resumes after them), 0 when none."""
    try:
        raw = json.loads((_checkpoint_folder(spec, paths) / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    return len(raw.get("history", ())) if raw.get("key") == spec.key else 0
