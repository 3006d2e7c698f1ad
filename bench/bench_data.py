"""Cold vs cached load times of both datasets on the real archives.

    .venv/bin/python bench/bench_data.py [--data-dir ../shared/data] [--runs 3]

Cold: empty cache folder (so the archive is hashed, parsed, tokenised and the
cache written). Cached: the same call again, in this process. New process:
a fresh interpreter doing the imports and a cached load (what a second
``make-report`` run pays). Each figure is the median of ``--runs`` runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report.data import TextSettings, load_imdb, load_reuters  # noqa: E402

LOADERS = {"imdb": load_imdb, "reuters": load_reuters}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def new_process(name: str, data: Path, cache: Path) -> float:
    code = (
        "from pathlib import Path; from report.data import TextSettings, load_" + name + " as f; "
        f"f(Path({str(data)!r}), Path({str(cache)!r}), TextSettings(), quiet=True, download=False)"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return time.perf_counter() - start


@click.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=None,
              help="folder with the archives (default: $MAKE_REPORT_DATA or ../shared/data)")
@click.option("--runs", default=3, show_default=True, help="runs per measurement (median reported)")
def main(data_dir: Path | None, runs: int) -> None:
    data = (data_dir or Path(os.environ.get("MAKE_REPORT_DATA") or ROOT / "../shared/data")).resolve()
    settings = TextSettings()
    rows = []
    for name, load in LOADERS.items():
        cold, warm, fresh = [], [], []
        for _ in range(runs):
            with tempfile.TemporaryDirectory(prefix="bench-data-") as tmp:
                cache = Path(tmp)
                cold.append(timed(lambda: load(data, cache, settings, quiet=True, download=False)))
                warm.append(timed(lambda: load(data, cache, settings, quiet=True, download=False)))
                fresh.append(new_process(name, data, cache))
        c, w, f = (statistics.median(v) for v in (cold, warm, fresh))
        rows.append((name, c, w, f, c / w))
    click.echo(f"data: {data}   settings: {settings}   median of {runs} runs")
    click.echo(f"{'dataset':<10}{'cold s':>9}{'cached s':>10}{'new process s':>15}{'cold/cached':>13}")
    for name, c, w, f, ratio in rows:
        click.echo(f"{name:<10}{c:>9.2f}{w:>10.3f}{f:>15.2f}{ratio:>12.0f}x")


if __name__ == "__main__":
    main()
