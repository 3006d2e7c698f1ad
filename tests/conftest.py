"""Shared fixtures: tiny corpora in the official layouts, big enough to train on."""

from __future__ import annotations

# first: importing report pins the arithmetic (OpenBLAS, oneDNN, XLA) before NumPy or TensorFlow loads, as
# the CLI does (report.train.numerics); tests/train/test_numerics.py checks that it took
import report  # noqa: F401,I001

import json
import os
import random
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from report.paths import BuildPaths

from tests.corpora import sgml_doc, write_imdb, write_reuters

# a test that imports TensorFlow or starts a Dask cluster must be marked slow (make test-fast skips those)
pytest_plugins = ["tests.slow_guard", "pytester"]

REAL_DATA = Path(os.environ.get("MAKE_REPORT_DATA") or Path(__file__).resolve().parents[1] / "../shared/data").resolve()

_POS = "great wonderful superb moving brilliant loved fine".split()
_NEG = "awful boring dull terrible bad waste worst".split()
_FILLER = "the film movie plot actor scene story and it was a of".split()


def _review(rng: random.Random, words: list[str]) -> str:
    body = [rng.choice(words if rng.random() < 0.35 else _FILLER) for _ in range(rng.randint(8, 30))]
    return " ".join(body).capitalize() + ".<br /><br />" + rng.choice(words).capitalize() + "!"


def small_imdb_reviews(per_class: int = 40, seed: int = 0) -> dict:
    rng = random.Random(seed)
    out = {}
    for split in ("train", "test"):
        for label, words, ratings in (("pos", _POS, (7, 8, 9, 10)), ("neg", _NEG, (1, 2, 3, 4))):
            out[(split, label)] = [(i, rng.choice(ratings), _review(rng, words)) for i in range(per_class)]
    return out


def small_reuters_files(per_topic: int = 20, seed: int = 0) -> dict[str, str]:
    """Three topics with ``per_topic`` wires each (>= 15, so all survive the recipe's filter)."""
    rng = random.Random(seed)
    topics = {"cocoa": "cocoa beans crop ivory", "grain": "wheat corn harvest tonnes", "earn": "profit dividend shr net"}
    docs = []
    newid = 1
    for i in range(per_topic):
        for topic, words in topics.items():
            text = " ".join(rng.choice(words.split() + ["the", "said", "in"]) for _ in range(15))
            docs.append(sgml_doc(newid, [topic], f"{topic.upper()} REPORT {i}", text))
            newid += 1
    head = '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'
    half = len(docs) // 2
    return {"reut2-000.sgm": head + "".join(docs[:half]), "reut2-001.sgm": head + "".join(docs[half:])}


def _unchoose_project() -> None:
    from report.paths import PROJECT_ENV

    os.environ.pop(PROJECT_ENV, None)


@pytest.fixture(autouse=True)
def _project_of_its_own():
    """No test sees a project chosen by an earlier one: ``report.registry.use_project`` (the CLI's
    ``--project``) sets $MAKE_REPORT_PROJECT for the Dask workers it starts. It is cleared before each test
    and after it too, so that the module- and session-scoped fixtures set up before the next test's own
    fixtures (this one among them) do not see it either."""
    _unchoose_project()
    yield
    _unchoose_project()


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """A data folder with a small IMDB (archive) and a small Reuters (extracted folder)."""
    data = tmp_path / "data"
    data.mkdir()
    write_imdb(data, small_imdb_reviews(), archive=True)
    write_reuters(data, small_reuters_files())
    return data


@pytest.fixture
def real_data() -> Path:
    if not (REAL_DATA / "aclImdb_v1.tar.gz").exists():
        pytest.skip(f"the real datasets are not in {REAL_DATA}")
    return REAL_DATA


# --- rendering: one fixture build shared by the render, PDF and browser tests ---------------------------------

RENDER_DATE = "2026-11-25"

# an outline of one exercise with one experiment, for a report.toml of a test's own: enough to see what a PDF
# option or the preview's PDF does, in a quarter of the whole report's time to typeset
ONE_SECTION = """
[[section]]
number = "2"
title = "Exercise 2: Long short-term memory"
id = "ex2"

[[section]]
number = "2.3"
title = "Experiment: an LSTM for Reuters newswire topics"
id = "ex2-q3"
experiment = "reuters_lstm"
"""


def copy_project(root: Path, *, without: tuple[str, ...] = ()) -> Path:
    """A copy of this project at ``root``: report.toml, templates/, experiments/ and studies/ (less the files
    named in ``without``, such as "studies/long_range.py"). A report.toml already there keeps its own [report]
    and gets this project's outline when it has none."""
    import shutil

    from tests import REPO_ROOT

    skip = {(REPO_ROOT / w).resolve() for w in without}
    ignore = lambda folder, names: [n for n in names if n == "__pycache__" or (Path(folder) / n).resolve() in skip]  # noqa: E731
    for content in ("templates", "experiments", "studies"):
        shutil.copytree(REPO_ROOT / content, root / content, ignore=ignore)
    toml = root / "report.toml"
    if not toml.exists():
        shutil.copyfile(REPO_ROOT / "report.toml", toml)
    elif "[[section]]" not in toml.read_text(encoding="utf-8"):  # a test's own [report]: this project's sections
        ours = (REPO_ROOT / "report.toml").read_text(encoding="utf-8")
        outline = ours[ours.index("[[section]]"):ours.index("[reference.")]
        toml.write_text(toml.read_text(encoding="utf-8") + "\n" + outline, encoding="utf-8")
    return root


def render_paths(root: Path, seed: Path | None = None) -> "BuildPaths":
    """A project folder at ``root`` (:func:`copy_project`; answers replaced by placeholders where missing), with
    its build folder inside; its render cache starts as a copy of ``seed`` when given (:func:`seed_render_cache`)."""
    import tomllib

    from report.outline import APPENDIX_TABLE, TABLE, parse
    from report.paths import BuildPaths

    copy_project(root)
    toml = tomllib.loads((root / "report.toml").read_text(encoding="utf-8"))
    for key in parse(toml[TABLE], appendices=toml.get(APPENDIX_TABLE)).answers:
        answer = root / "templates" / "answers" / f"{key}.md"
        if not answer.is_file():
            answer.write_text(f"Placeholder answer {key} with $h_t = \\tanh(W x_t)$.\n", encoding="utf-8")
    paths = BuildPaths(data=root / "data", project=root)
    if seed is not None:
        seed_render_cache(paths, seed)
    return paths


def seed_render_cache(paths: "BuildPaths", seed: Path) -> None:
    """Start the render cache of ``paths`` as a copy of ``seed`` (the :func:`render_seed` fixture's).

    The cache is keyed by content (report.render.output_cache), so this is what a copied build folder gives a
    user: a build of the same fixture results restores the figures drawn for them once per session instead of
    drawing them again (seconds each), and any other input misses and is drawn. Tests of drawing itself, of the
    cache, and of a cold render leave it out."""
    import shutil

    from report.render.output_cache import CACHE_DIR

    shutil.copytree(seed, paths.cache / CACHE_DIR)


def render_meta():
    import datetime as dt

    from report.render.meta import ReportMeta

    return ReportMeta(author="Ada Student", course="Deep Learning", date=dt.date.fromisoformat(RENDER_DATE))


def _shared_folder(tmp_path_factory) -> Path:
    """The run's temporary folder that every pytest-xdist worker sees (each worker's own is inside it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


FRESH_RENDER = """
import json, sys, traceback
from pathlib import Path

root, record = Path(sys.argv[1]), Path(sys.argv[2])
try:
    from report.paths import BuildPaths
    from report.render import build
    from tests.conftest import render_meta

    output = build(BuildPaths(data=root / "data", project=root), pdf=True, quiet=True, meta=render_meta())
    out = {field: [str(p) for p in value] if isinstance(value, tuple) else str(value) if value else value
           for field, value in vars(output).items()}
    out["modules"] = sorted(sys.modules)
except BaseException:
    out = {"error": traceback.format_exc()}
partial = record.with_suffix(".partial")
partial.write_text(json.dumps(out), encoding="utf-8")
partial.rename(record)
"""
FRESH_RENDER_SECONDS = 600  # how long a test waits for it: seconds on a quiet machine, minutes on a busy one


def _fresh_render_files(tmp_path_factory) -> tuple[Path, Path]:
    shared = _shared_folder(tmp_path_factory)
    return shared / "fresh-render", shared / "fresh-render.json"


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected: only for the tests that run
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Start the run's fixture render (:func:`fresh_render`) as soon as the tests are known to need it, and
    run the test files that do not need it first: it then draws and typesets beside them instead of holding
    up the first test that needs it (every worker asks; the first one starts it)."""
    waits = {item.path for item in items if "fresh_render" in getattr(item, "fixturenames", ())}
    if not waits:
        return
    items.sort(key=lambda item: item.path in waits)  # stable: each file's tests keep their order
    import subprocess
    import sys

    from tests import REPO_ROOT
    from tests.factories import write_both

    root, record = _fresh_render_files(config._tmp_path_factory)
    try:
        os.close(os.open(root.with_suffix(".started"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return  # another worker started it
    paths = render_paths(root)
    write_both(paths.results)
    subprocess.Popen([sys.executable, "-c", FRESH_RENDER, str(root), str(record)], cwd=REPO_ROOT,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.fixture(scope="session")
def fresh_render(tmp_path_factory) -> tuple[Path, dict]:
    """Both fixture experiments (:func:`tests.factories.write_both`) rendered to HTML and PDF, once per run
    for every worker, in a fresh interpreter with a cold render cache: (project folder, what the build
    returned, with ``modules``, every module the interpreter had imported by then). Read-only: copy it to
    change it."""
    import time

    root, record = _fresh_render_files(tmp_path_factory)
    waited = time.monotonic()
    while not record.is_file():
        assert root.with_suffix(".started").is_file(), "the fixture render was never started"
        assert time.monotonic() - waited < FRESH_RENDER_SECONDS, f"no fixture render after {FRESH_RENDER_SECONDS} s"
        time.sleep(0.1)
    out = json.loads(record.read_text(encoding="utf-8"))
    assert "error" not in out, f"the fixture render failed:\n{out.get('error')}"
    return root, out


@pytest.fixture(scope="session")
def render_seed(fresh_render) -> Path:
    """A render cache holding the figures and equations of the fixture results, drawn once per run: pass it
    to :func:`render_paths` or :func:`seed_render_cache`."""
    from report.paths import BuildPaths
    from report.render.output_cache import CACHE_DIR

    root, _ = fresh_render
    return BuildPaths(data=root / "data", project=root).cache / CACHE_DIR


@pytest.fixture(scope="session")
def rendered(fresh_render, tmp_path_factory):
    """Both fixture experiments rendered to HTML and PDF: (paths, output, results by name). Shared by every
    worker: a test that changes the build works on a copy."""
    from report.paths import BuildPaths
    from report.render import RenderOutput
    from tests.factories import write_both

    root, record = fresh_render
    paths = BuildPaths(data=root / "data", project=root)
    output = RenderOutput(figures=tuple(Path(p) for p in record["figures"]),
                          html=tuple(Path(p) for p in record["html"]),
                          pdf=Path(record["pdf"]), seconds=record["seconds"])
    all_results = write_both(tmp_path_factory.mktemp("results"))  # the same objects, without touching the build
    return paths, output, all_results


# --- the browser: one headless Chromium for every browser test ------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven headless by Playwright, launched once per session (tests open their own
    contexts); the test is skipped when /usr/bin/chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"needs Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright (pip install -e '.[test]')")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
