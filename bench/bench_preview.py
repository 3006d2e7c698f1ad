"""How long an answer edit takes to show: in the preview's open page, and through the commands.

    MAKE_REPORT_DATA=../shared/data .venv/bin/python bench/bench_preview.py --build-dir ../preview-build \
        [--before /path/to/an/older/checkout] [--edits 10] [--runs 3]

``--build-dir`` holds results (a copy: the bench writes the site, the PDF and the caches there). The
answers edited are those of a copy of the project's templates and report.toml in a temporary
folder, never the project's own. Three measurements, each printed:

- edit to DOM: ``make-report preview`` serves the copy, headless Chromium shows it; an answer gets
  a new sentence, and the time from the file's write to the sentence in the page's DOM is taken
  (the page's clock, ``performance.timeOrigin + performance.now()``, against the bench's
  ``time.time()``: one machine, one clock). Median of ``--edits``.
- a warm ``make-report all`` with nothing changed (median of ``--runs``, after one run that may
  render and check). Skipped, with the reason, when the results are not fresh for that code: it
  would train.
- ``make-report render --no-pdf --allow-stale`` right after an answer edit (median of ``--runs``).

``--before`` runs the two commands with another checkout's code too (``PYTHONPATH``; its results in
``--before-build-dir`` when that code keys them otherwise) and prints the ratios. The machine's load moves every number: compare runs made side by side.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSWER = "answers/ex1_q1.md"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


def project_copy(where: Path, code: Path) -> Path:
    """The project folder of the checkout at ``code`` (report.toml, templates/, and the experiments/ and
    studies/ it names, where that checkout has them in the project): a checkout renders its own."""
    project = where / f"project-{code.name}"
    for folder in ("templates", "experiments", "studies"):
        if (code / folder).is_dir():
            shutil.copytree(code / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(code / "report.toml", project / "report.toml")
    return project


def command(project: Path, build: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "report", *args, "--project", str(project), "--build-dir", str(build)]


def run(argv: list[str], env: dict[str, str], project: Path) -> subprocess.CompletedProcess:
    # run in the project copy: `python -m` puts the working folder first on the path, which would
    # otherwise win over PYTHONPATH when the bench is started from a checkout
    return subprocess.run(argv, env=env, capture_output=True, text=True, cwd=project)


def environ(code: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(code)}


def edit(project: Path, n: int) -> str:
    marker = f"Bench sentence {n} {time.time_ns()}."
    answer = project / "templates" / ANSWER
    with answer.open("a", encoding="utf-8") as fh:
        fh.write(f"\n{marker}\n")
    return marker


CPU: dict[str, list[float]] = {}  # CPU seconds of each measured command, by measure and code version


def timed(argv: list[str], env: dict[str, str], cpu: list[float] | None = None
          ) -> tuple[float, subprocess.CompletedProcess]:
    """Wall seconds; the command's CPU seconds (user + system) go into ``cpu``: on a busy machine the
    wall time says more about the neighbours than about the command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = run(argv, env, Path(argv[argv.index("--project") + 1]))
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return seconds, proc


def warm_all(code: Path, project: Path, build: Path, runs: int, cpu: list[float]) -> float | str:
    env = environ(code)
    seconds, proc = timed(command(project, build, "render", "--no-pdf", "-q"), env)
    if proc.returncode != 0:
        return "results not fresh for this code: " + proc.stderr.strip().splitlines()[-1][:100]
    timed(command(project, build, "all", "-q"), env)  # renders and checks once after the edits
    times = []
    for _ in range(runs):
        seconds, proc = timed(command(project, build, "all", "-q"), env, cpu)
        if proc.returncode != 0:
            return "make-report all failed: " + (proc.stderr.strip().splitlines() or ["?"])[-1][:100]
        times.append(seconds)
    return statistics.median(times)


def render_after_edit(code: Path, project: Path, build: Path, runs: int, cpu: list[float]) -> float:
    env = environ(code)
    timed(command(project, build, "render", "--no-pdf", "--allow-stale", "-q"), env)  # fills the caches
    times = []
    for n in range(runs):
        edit(project, n)
        seconds, proc = timed(command(project, build, "render", "--no-pdf", "--allow-stale", "-q"), env, cpu)
        if proc.returncode != 0:
            raise SystemExit(f"render failed:\n{proc.stderr}")
        times.append(seconds)
    return statistics.median(times)


def edit_to_dom(project: Path, build: Path, edits: int) -> tuple[list[float], list[float]]:
    """(edit-to-DOM seconds, the server's render seconds) for each edit."""
    from playwright.sync_api import sync_playwright

    log = build / "bench-preview.log"
    with log.open("w") as out:
        server = subprocess.Popen(command(project, build, "preview", "--port", "0"), env=environ(ROOT),
                                  stdout=subprocess.PIPE, stderr=out, text=True, cwd=project)
    try:
        line = server.stdout.readline()
        found = re.search(r"at (http://\S+)", line)
        if not found:
            raise SystemExit(f"preview did not start: {line}{log.read_text()}")
        url = found.group(1)
        dom = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            page.wait_for_load_state("load")
            for n in range(edits):
                time.sleep(0.5)  # the page settled after the last reload
                t0 = time.time()
                marker = edit(project, n)
                shown = page.wait_for_function(
                    "m => document.body && document.body.textContent.includes(m)"
                    " && performance.timeOrigin + performance.now()",
                    arg=marker, polling="raf", timeout=60_000).json_value()
                dom.append(shown / 1000 - t0)
                print(f"  edit {n + 1}: {dom[-1]:.3f} s", flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    renders = [float(s) for s in re.findall(r"rendered in ([\d.]+) s after", log.read_text())]
    return dom, renders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, required=True, help="a build folder with results (a copy)")
    parser.add_argument("--before", type=Path, default=None, help="another checkout to compare with")
    parser.add_argument("--before-build-dir", type=Path, default=None,
                        help="results fresh for the --before code (default: --build-dir)")
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    build = args.build_dir.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        print("edit to DOM in Chromium (make-report preview):", flush=True)
        dom, renders = edit_to_dom(project_copy(Path(tmp) / "dom", ROOT), build, args.edits)
        rows = {"edit to DOM (median of %d)" % len(dom): {"after": statistics.median(dom)},
                "  of which the server's render": {"after": statistics.median(renders) if renders else "-"}}
        before_build = (args.before_build_dir or args.build_dir).resolve()
        versions = {"after": (ROOT, build)} | ({"before": (args.before.resolve(), before_build)} if args.before else {})
        for label, (code, build) in versions.items():
            print(f"commands with the code of {code} ...", flush=True)
            project = project_copy(Path(tmp), code)
            for name, measure in (("warm `all`, nothing changed", warm_all),
                                  ("`render --no-pdf` after an edit", render_after_edit)):
                cpu: list[float] = []
                rows.setdefault(f"{name}: wall", {})[label] = measure(code, project, build, args.runs, cpu)
                rows.setdefault(f"{name}: CPU", {})[label] = statistics.median(cpu) if cpu else "-"
    print()
    print(f"{'measure':<42} {'before':>10} {'after':>10} {'ratio':>7}")
    for name, row in rows.items():
        cells = [row.get(k, "-") for k in ("before", "after")]
        ratio = f"{cells[0] / cells[1]:.1f}x" if all(isinstance(c, float) for c in cells) else ""
        print(f"{name:<42} " + " ".join(f"{c:>9.2f}s" if isinstance(c, float) else f"{'-':>10}" for c in cells)
              + f" {ratio:>7}")
    for name, row in rows.items():
        for label, cell in row.items():
            if isinstance(cell, str) and cell != "-":
                print(f"{name} ({label}): {cell}")


if __name__ == "__main__":
    main()
