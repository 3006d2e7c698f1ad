"""Cold `make-report all --seeds 3` with --jobs 1 (in-process) and --jobs 2 (a LocalCluster), side by side.

    MAKE_REPORT_DATA=/path/to/archives .venv/bin/python bench/bench_cluster.py [--jobs 1 2] [--seeds 3] [-- ARGS]

Each run starts cold in its own build folder (build/bench-cluster/jobs-N: no results, no tokenised-data
cache, no checkpoints) and runs `make-report all --seeds S --jobs N` in a subprocess; ARGS after `--` go to
every run (`-- --quick` for a smoke run, `-- --no-pdf` to leave out the PDF and the checklist). Prints the
wall time of each, the ratio to the first, and the summary line of the jobs. Also checks that every run
computed the same numbers (metrics and predictions of every result).

Takes the sum of the runs' times: on the full data about 2 x 3 seeds x the cold training time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKE_REPORT = Path(sys.executable).with_name("make-report")


def _untimed(raw: dict) -> dict:
    """A results.json or study.json without what differs from run to run: times, provenance, and the key
    (its code part changes with any edit of report/train/ between the runs, and a study's key holds its
    inputs' keys)."""
    for epoch in raw.get("history", ()):
        epoch.pop("seconds", None)
    for seed in raw.get("seeds") or ():
        seed.pop("train_seconds", None)
    for table in raw.get("tables") or ():
        timed = [i for i, column in enumerate(table.get("columns", ())) if "seconds" in column]
        table["rows"] = [[v for i, v in enumerate(row) if i not in timed] for row in table.get("rows", ())]
    for name in ("timings", "provenance", "key", "key_parts"):
        raw.pop(name, None)
    return raw


def fingerprint(build: Path) -> str:
    """A digest of what the runs computed: metrics, predictions and the studies' numbers."""
    h = hashlib.sha256()
    for folder in sorted((build / "results").iterdir()):
        for path in sorted(folder.iterdir()):
            if path.name in ("results.json", "study.json"):
                h.update(json.dumps(_untimed(json.loads(path.read_text())), sort_keys=True).encode())
            elif path.suffix == ".npz" and path.name == "predictions.npz":
                import numpy as np

                with np.load(path) as npz:
                    for key in sorted(npz.files):
                        h.update(npz[key].tobytes())
    return h.hexdigest()[:16]


def run(jobs: int, seeds: int, extra: list[str]) -> dict:
    build = ROOT / "build" / "bench-cluster" / f"jobs-{jobs}"
    shutil.rmtree(build, ignore_errors=True)  # cold: no results, cache or checkpoints
    command = [str(MAKE_REPORT), "all", "--seeds", str(seeds), "--jobs", str(jobs), "--build-dir", str(build), *extra]
    print(f"$ {' '.join(command[1:])}", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    lines = (proc.stderr + proc.stdout).splitlines()
    summary = next((line for line in reversed(lines) if line.startswith(("jobs:", "training:"))), "")
    if proc.returncode:
        print("\n".join(lines[-15:]), file=sys.stderr)
    return {"jobs": jobs, "seconds": seconds, "status": proc.returncode, "summary": summary,
            "fingerprint": fingerprint(build) if (build / "results").is_dir() else "-"}


def main() -> None:
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    rows = [run(jobs, args.seeds, extra) for jobs in args.jobs]

    print()
    print(f"cold `make-report all --seeds {args.seeds}{''.join(' ' + a for a in extra)}` on {_cores()} core(s)")
    print(f"{'--jobs':>6} {'wall s':>8} {'ratio':>6} {'exit':>4}  {'numbers':<16}  summary")
    for row in rows:
        ratio = rows[0]["seconds"] / row["seconds"]
        print(f"{row['jobs']:>6} {row['seconds']:8.1f} {ratio:6.2f} {row['status']:>4}  {row['fingerprint']:<16}  "
              f"{row['summary']}")
    same = len({row["fingerprint"] for row in rows}) == 1
    print(f"same metrics and predictions in every run: {same}")


def _cores() -> int:
    from report.pipeline.cluster import cores

    return cores()


if __name__ == "__main__":
    main()
