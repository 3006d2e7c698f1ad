"""Training on Dask (--jobs N, --scheduler): the same results as in-process, a killed worker, the errors.

The cluster tests train the quick profile of both experiments with two seeds on tiny corpora; the
sequential run they compare with is trained once for the module.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from report.train import numerics
from tests.conftest import small_imdb_reviews, small_reuters_files
from tests.corpora import write_imdb, write_reuters
from tests.runner import run_cli, train

pytestmark = pytest.mark.slow  # every test starts a Dask cluster


EXPERIMENTS = ("imdb_simplernn", "reuters_lstm")
TWO_SEEDS = ("--seeds", "2")


def outputs(build: Path, name: str) -> dict:
    """What a run computed: results.json without timings and provenance, and every predictions array."""
    folder = build / "results" / name
    raw = json.loads((folder / "results.json").read_text())
    for epoch in raw["history"]:
        epoch.pop("seconds")
    for seed in raw.get("seeds") or ():
        seed.pop("train_seconds")
    raw.pop("timings")
    raw.pop("provenance")
    # the key's code part changes whenever report/train/ is edited, by anyone, during the test: compare the rest
    raw.pop("key")
    raw["key_parts"].pop("code")
    with np.load(folder / "predictions.npz") as npz:
        arrays = {k: npz[k].tobytes() for k in npz.files}
    return {"results": raw, "predictions": arrays}


def assert_same(build: Path, reference: dict) -> None:
    for name, expected in reference.items():
        got = outputs(build, name)
        differing = [f"results.{k}" for k in expected["results"] if got["results"].get(k) != expected["results"][k]]
        differing += [f"predictions.{k}" for k in expected["predictions"]
                      if got["predictions"].get(k) != expected["predictions"][k]]
        assert not differing, f"{name}: {', '.join(differing)} differ"


# --- the cause of the differences, without a cluster -------------------------------------------------------


def test_another_thread_drawing_from_random_no_longer_moves_the_jobs_seeds():
    """Dask's event loop calls random.sample (dask.sizeof) while a job builds its model: without
    own_random_stream the job's draws (Keras' default layer seeds) change; with it they do not."""

    def busy():
        for _ in range(2000):
            random.sample(range(100), 10)

    def draws(isolated: bool) -> list[float]:
        with numerics.own_random_stream() if isolated else numerics.one_blas_thread():
            random.seed(7)
            first = random.random()
            other = threading.Thread(target=busy)
            other.start()
            other.join()
            return [first] + [random.randint(1, 10**9) for _ in range(3)]

    random.seed(7)
    expected = [random.random()] + [random.randint(1, 10**9) for _ in range(3)]
    assert draws(isolated=False) != expected  # the cause: another thread moved the shared stream
    assert draws(isolated=True) == expected
    assert random.random == random._inst.random  # the module is restored afterwards


def test_a_job_that_raises_or_lacks_data_comes_back_as_one_line(tmp_path, monkeypatch):
    from report.pipeline.freshness import TrainOptions, experiment_config
    from report.pipeline.plan import JobSpec
    from report.pipeline.worker import run_job

    monkeypatch.delenv("MAKE_REPORT_DATA", raising=False)
    config = experiment_config("imdb_simplernn", TrainOptions(quick=True))
    spec = JobSpec(id="imdb_simplernn seed 42", name="imdb_simplernn", config=config, key="k",
                   data=str(tmp_path / "nowhere"), build=str(tmp_path / "build"), build_id="x",
                   project=str(tmp_path))
    outcome = run_job(spec)
    assert not outcome.ok and "\n" not in outcome.reason
    assert outcome.reason.startswith("worker ") and "has no aclImdb_v1.tar.gz" in outcome.reason
    assert "MAKE_REPORT_DATA" in outcome.reason

    monkeypatch.setattr("report.pipeline.worker._run", lambda spec, paths: 1 / 0)
    outcome = run_job(JobSpec(id="long_range", name="long_range", config=None, key="k", data=str(tmp_path),
                              build=str(tmp_path / "build"), build_id="x", project=str(tmp_path)))
    assert not outcome.ok and outcome.reason == "ZeroDivisionError: division by zero"
    assert "Traceback" in outcome.log


def test_without_dask_jobs_says_how_to_install_it(small_data, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    out = run_cli("train", "--jobs", "2", "--data-dir", str(small_data), "--build-dir", str(tmp_path), expect=1)
    assert "pip install 'make-report[cluster]'" in out.output
    assert not (tmp_path / "results").exists()


# --- on a cluster ----------------------------------------------------------------------------------------------

needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason="needs Dask: pip install -e '.[cluster]'")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    write_imdb(folder, small_imdb_reviews(), archive=True)
    write_reuters(folder, small_reuters_files())
    return folder


@pytest.fixture(scope="module")
def sequential(data, tmp_path_factory) -> dict:
    """Both experiments, quick, two seeds, trained here one by one: what every cluster run must equal."""
    build = tmp_path_factory.mktemp("sequential")
    train(data, build, *TWO_SEEDS, names=EXPERIMENTS)
    return {name: outputs(build, name) for name in EXPERIMENTS}


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two workers set up as --jobs 2 sets them up, without $MAKE_REPORT_DATA."""
    from report.pipeline.cluster import local_cluster

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MAKE_REPORT_DATA", raising=False)
        with local_cluster(2) as c:
            yield c


@needs_dask
def test_two_workers_give_the_sequential_results(data, sequential, tmp_path):
    build = tmp_path / "build"
    train(data, build, *TWO_SEEDS, "--jobs", "2", names=EXPERIMENTS)
    assert_same(build, sequential)
    assert not (build / "checkpoints" / "imdb_simplernn").exists()  # cleared once the results are written
    assert (build / "logs" / "reuters_lstm-seed-43.log").is_file()
    # fresh now: nothing is submitted, so not even an unreachable scheduler is an error. (This fails when
    # someone edits report/train/ during the test: the code key changes.)
    again = run_cli("train", *EXPERIMENTS, "--scheduler", "tcp://127.0.0.1:1", "--data-dir", str(data),
                    "--build-dir", str(build), "--quick", *TWO_SEEDS).output
    assert again.count("results are fresh") == 2


def _kill_a_worker_mid_job(client, build: Path, done: threading.Event) -> str | None:
    """Wait for a job that has checkpointed an epoch and is still running; kill its worker (SIGKILL)."""
    pids = client.run(os.getpid)  # worker address -> process id
    while not done.is_set():
        for address, keys in client.processing().items():
            for key in keys:
                name, _, rest = str(key).partition("-seed-")
                seed = rest.split("-")[0]
                if rest and (build / "checkpoints" / name / f"seed-{seed}" / "state.json").exists():
                    os.kill(pids[address], signal.SIGKILL)
                    return f"{name} seed {seed}"
        time.sleep(0.02)
    return None


@needs_dask
def test_a_worker_killed_mid_job_and_the_build_still_gives_the_same_results(data, sequential, cluster, tmp_path):
    from distributed import Client

    build = tmp_path / "build"
    done, result = threading.Event(), {}

    def build_on_the_cluster():
        try:
            result["out"] = run_cli("train", *EXPERIMENTS, "--quick", *TWO_SEEDS, "--scheduler",
                                    cluster.scheduler_address, "--data-dir", str(data), "--build-dir",
                                    str(build)).output
        finally:
            done.set()

    runner = threading.Thread(target=build_on_the_cluster)
    with Client(cluster, set_as_default=False) as client:
        runner.start()
        try:
            killed = _kill_a_worker_mid_job(client, build, done)
        finally:
            runner.join()
    assert killed, "no job was caught between its first checkpoint and its end"
    assert "out" in result  # the build exited 0 (run_cli checks)
    assert f"{killed}: accuracy" in result["out"] and "resumed after epoch 1" in result["out"]
    assert_same(build, sequential)


@needs_dask
def test_a_worker_without_the_data_fails_its_job_and_the_others_are_written(cluster, tmp_path):
    data = tmp_path / "data"  # IMDB only: the Reuters job finds no archive on the worker
    data.mkdir()
    write_imdb(data, small_imdb_reviews(), archive=True)
    build = tmp_path / "build"
    out = run_cli("train", *EXPERIMENTS, "--quick", "--scheduler", cluster.scheduler_address,
                  "--data-dir", str(data), "--build-dir", str(build), expect=1).output
    assert "reuters_lstm seed 42: FAILED: worker " in out and "has no reuters21578.tar.gz" in out
    assert "jobs: 1 run, 0 reused from cache, 1 failed" in out
    assert f"(log: {build / 'logs' / 'reuters_lstm-seed-42.log'})" in out
    assert "Error: 1 job(s) failed" in out
    assert (build / "results" / "imdb_simplernn" / "results.json").is_file()
    assert not (build / "results" / "reuters_lstm").exists()


@needs_dask
def test_an_unreachable_scheduler_is_one_line(small_data, tmp_path, monkeypatch):
    monkeypatch.setattr("report.pipeline.cluster.CONNECT_TIMEOUT", 2)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    out = run_cli("train", "--quick", "--scheduler", address, "--data-dir", str(small_data),
                  "--build-dir", str(tmp_path), expect=1).output
    errors = [line for line in out.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and f"cannot reach the Dask scheduler at {address}" in errors[0]
    assert "Traceback" not in out and not (tmp_path / "results").exists()
    # the same from the environment
    monkeypatch.setenv("MAKE_REPORT_SCHEDULER", address)
    out = run_cli("train", "--quick", "--data-dir", str(small_data), "--build-dir", str(tmp_path), expect=1).output
    assert f"cannot reach the Dask scheduler at {address}" in out
