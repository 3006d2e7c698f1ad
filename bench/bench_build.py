"""How long the builds a user runs take, and what our pipeline adds to training.

    MAKE_REPORT_DATA=../shared/data .venv/bin/python bench/bench_build.py [--runs 5] [--cold-runs 1] [--jobs 2]

Each row is a whole ``make-report`` command in a fresh process, as a user
types it; the figure is the median of several runs:

- cold full build: ``make-report all`` into an empty build folder (tokenise,
  train every experiment and study, render, check); with ``--jobs N``, its
  training jobs on N local Dask workers (the parts below then overlap in time);
- warm build, nothing changed: ``make-report all`` again (must train nothing
  and not import TensorFlow);
- build after editing one answer: a space appended to a theory answer, then
  ``make-report all`` (must re-render without training; the answer is restored);
- render alone: ``make-report render``;
- data loads, uncached and cached (``bench/bench_data.py`` has the details).

Then the ratio of the cold build's wall time to the time spent inside
``model.fit``/``predict`` as recorded in each results.json: the rest is what
the pipeline adds (data loading, checkpoints, metrics, figures, HTML, PDF).
Goals: warm build < 3 s, answer-edit build < 10 s, overhead < 15 % of the cold build.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKE_REPORT = [sys.executable, "-m", "report"]
ANSWER = ROOT / "templates" / "answers" / "ex1_q1.md"


def run(*args: str, build: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([*MAKE_REPORT, *args, "--build-dir", str(build)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return time.perf_counter() - t0


def median_of(n: int, fn) -> tuple[float, list[float]]:
    times = [fn() for _ in range(n)]
    return statistics.median(times), times


EDITS = iter(range(1, 1000))


def edit_answer_and_build(build: Path) -> float:
    original = ANSWER.read_bytes()
    try:
        ANSWER.write_bytes(original + b"\n" * next(EDITS))  # a new edit each run, or the build is up to date
        return run("all", "--quiet", build=build)
    finally:
        ANSWER.write_bytes(original)


def data_load(cached: bool, cache: Path) -> float:
    from report.data import TextSettings, load_imdb
    from report.paths import BuildPaths

    data = BuildPaths.resolve().data
    if not cached:
        shutil.rmtree(cache, ignore_errors=True)
    t0 = time.perf_counter()
    load_imdb(data, cache, TextSettings(maxlen=400), quiet=True, download=False)
    return time.perf_counter() - t0


def parts(build: Path) -> list[tuple[str, float]]:
    """What the cold build spent, part by part, as the results record it: each experiment's data loading,
    word vectors, training (every seed) and test predictions; each study's run."""
    out = []
    for path in sorted((build / "results").glob("*/results.json")):
        raw = json.loads(path.read_text())
        t, name = raw.get("timings", {}), path.parent.name
        seeds = raw.get("seeds") or []
        train = sum(s["train_seconds"] for s in seeds) if seeds else t.get("train_seconds", 0.0)
        out += [(f"{name}: load", t.get("load_seconds", 0.0)), (f"{name}: word vectors", t.get("vectors_seconds", 0.0)),
                (f"{name}: training, {max(len(seeds), 1)} seed(s)", train),
                (f"{name}: test predictions (median seed)", t.get("evaluate_seconds", 0.0))]
    for path in sorted((build / "results").glob("*/study.json")):
        out.append((f"study {path.parent.name}", json.loads(path.read_text()).get("timings", {}).get("run_seconds", 0.0)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each fast row")
    parser.add_argument("--cold-runs", type=int, default=1, help="runs of the cold build (each ~10 minutes)")
    parser.add_argument("--jobs", type=int, default=1, help="make-report all --jobs N for the cold build")
    parser.add_argument("--from-build", type=Path, default=None,
                        help="skip the cold build: copy this finished build folder and time the rest")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    scratch = Path(tempfile.mkdtemp(prefix="bench-build-"))  # outside build/, which --from-build copies
    build = scratch / "build"
    rows = []

    def cold() -> float:
        shutil.rmtree(build, ignore_errors=True)
        return run("all", "--quiet", "--jobs", str(args.jobs), build=build)

    if args.from_build:
        shutil.copytree(args.from_build, build, symlinks=True)
        cold_median = None
    else:
        cold_median, cold_times = median_of(args.cold_runs, cold)
        rows.append((f"cold full build (make-report all --jobs {args.jobs})", cold_median, cold_times))
    recorded = parts(build)
    fit_seconds = sum(seconds for what, seconds in recorded if not what.endswith((": load", ": word vectors")))
    rows.append(("warm build, nothing changed", *median_of(args.runs, lambda: run("all", "--quiet", build=build))))
    rows.append(("build after editing one answer", *median_of(args.runs, lambda: edit_answer_and_build(build))))
    rows.append(("render alone (make-report render)", *median_of(args.runs, lambda: run("render", "--quiet", build=build))))
    cache = scratch / "cache"
    rows.append(("IMDB load, uncached", *median_of(min(args.runs, 3), lambda: data_load(False, cache))))
    rows.append(("IMDB load, cached", *median_of(args.runs, lambda: data_load(True, cache))))

    print(f"{'what':<38} {'median s':>9}   runs")
    for what, med, times in rows:
        print(f"{what:<38} {med:9.2f}   " + " ".join(f"{t:.2f}" for t in times))
    print()
    print(f"{'part of the cold build (from the results)':<46} {'seconds':>8}")
    for what, seconds in recorded:
        print(f"{what:<46} {seconds:8.1f}")
    print(f"{'sum of the parts':<46} {sum(s for _, s in recorded):8.1f}")
    print()
    print(f"time fitting and predicting, from results.json and study.json: {fit_seconds:.1f} s")
    if cold_median is not None and args.jobs > 1:
        print(f"(on {args.jobs} workers the parts overlap in time: no overhead figure)")
    elif cold_median is not None:
        overhead = cold_median - fit_seconds
        print(f"pipeline overhead: {overhead:.1f} s = {overhead / cold_median:.1%} of the cold build "
              f"(ratio build/fit {cold_median / fit_seconds:.2f})")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
