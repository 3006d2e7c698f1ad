"""Shared fixtures: tiny corpora in the official layouts, big enough to train on."""

from __future__ import annotations

# first: importing report pins the arithmetic (OpenBLAS, oneDNN, XLA) before NumPy or TensorFlow loads, as
# the CLI does (report.train.numerics); tests/train/test_numerics.py checks that it took
import report  # noqa: F401,I001

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


@pytest.fixture(autouse=True)
def _project_of_its_own(monkeypatch):
    """Each test starts with no project chosen by an earlier one: ``report.registry.use_project`` sets
    $MAKE_REPORT_PROJECT for the Dask workers it starts, and monkeypatch puts the variable back afterwards."""
    from report.paths import PROJECT_ENV

    monkeypatch.delenv(PROJECT_ENV, raising=False)


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

    # Jinja's bytecode is keyed by each template's path, which differs between projects: not worth copying
    shutil.copytree(seed, paths.cache / CACHE_DIR, ignore=shutil.ignore_patterns("jinja-*"))


def render_meta():
    import datetime as dt

    from report.render.meta import ReportMeta

    return ReportMeta(author="Ada Student", course="Deep Learning", date=dt.date.fromisoformat(RENDER_DATE))


@pytest.fixture(scope="session")
def render_seed(tmp_path_factory) -> Path:
    """A render cache holding the figures of the fixture results (:func:`tests.factories.write_both`), made by
    one HTML render per session: pass it to :func:`render_paths` or :func:`seed_render_cache`."""
    from report.render import build
    from report.render.output_cache import CACHE_DIR
    from tests.factories import write_both

    paths = render_paths(tmp_path_factory.mktemp("render-seed"))
    write_both(paths.results)
    build(paths, pdf=False, quiet=True, meta=render_meta())
    return paths.cache / CACHE_DIR


@pytest.fixture(scope="session")
def rendered(tmp_path_factory, render_seed):
    """Both fixture experiments rendered to HTML and PDF: (paths, output, results by name)."""
    from report.render import build
    from tests.factories import write_both

    paths = render_paths(tmp_path_factory.mktemp("render"), render_seed)
    all_results = write_both(paths.results)
    output = build(paths, quiet=True, meta=render_meta())
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
