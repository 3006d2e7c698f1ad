"""Keeps the ``slow`` marker honest: a test without it may not import TensorFlow or start a Dask cluster.

``make test-fast`` (``pytest -m "not slow"``) is the loop for someone changing a template or the engine's
plumbing; it stays fast only if every test that pays for TensorFlow or a cluster says so. Rather than trust
each author to remember, a test that is not marked ``slow`` runs with TensorFlow and Dask's cluster classes
made unreachable:

- in this process, an import hook refuses ``tensorflow`` and ``keras`` from the end of collection on, in
  fixtures of any scope too (they are not loaded yet: a test module that loads them while collected stops
  the run), and ``distributed.LocalCluster`` / ``SpecCluster`` refuse to start;
- in child processes (``make-report`` run as a command), a stub ``tensorflow`` package placed first on
  ``PYTHONPATH`` refuses the import the same way.

Either refusal is recorded and the test fails with a message naming the fix, even when the code under test
caught the ImportError and carried on. The guard is on in runs that deselect ``slow`` (the fast loop it
protects); in a full run TensorFlow is loaded by the first slow test and could not be refused afterwards,
so there the guard stays out of the way rather than catch some tests and not others.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
from pathlib import Path

import pytest

GUARDED = ("tensorflow", "keras")
MARKER_ENV = "MAKE_REPORT_TEST_SLOW_MARKER"  # a file the stub appends to when a child process is refused
FIX = "mark the test @pytest.mark.slow (it imports TensorFlow or starts a Dask cluster)"

_STUB = f'''"""Put first on PYTHONPATH by tests/slow_guard.py for tests that are not marked slow."""
import os
marker = os.environ.get("{MARKER_ENV}")
if marker:
    with open(marker, "a", encoding="utf-8") as out:
        out.write("a child process imported tensorflow\\n")
raise ImportError("tests/slow_guard.py: {FIX}")
'''


class SlowOnly(RuntimeError):
    """Raised where a test that is not marked slow reaches TensorFlow or a cluster."""


class _RefuseImports(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self.refused: list[str] = []

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in GUARDED:
            self.refused.append(fullname)
            raise ImportError(f"{fullname}: tests/slow_guard.py: {FIX}")
        return None


def _stub_folder(root: Path) -> Path:
    folder = root / "slow-guard-stub"
    package = folder / "tensorflow"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(_STUB, encoding="utf-8")
    return folder


def _refuse_clusters(monkeypatch: pytest.MonkeyPatch, refused: list[str]) -> None:
    try:
        import distributed
        from distributed.deploy import spec
    except ImportError:  # no dask installed: nothing to start
        return

    def refuse(self, *args, **kwargs):
        refused.append("a Dask cluster")
        raise SlowOnly(f"tests/slow_guard.py: {FIX}")

    monkeypatch.setattr(spec.SpecCluster, "__init__", refuse)
    monkeypatch.setattr(distributed.LocalCluster, "__init__", refuse)


def _fast_run(config: pytest.Config) -> bool:
    """The guard works in runs that leave the slow tests out (``make test-fast``): there TensorFlow is never
    loaded in-process, so every reach for it is seen, whatever order the tests run in."""
    return "not slow" in (config.option.markexpr or "")


_FINDER = _RefuseImports()  # on for the whole of a fast run, from the end of collection
_SEEN = [0]  # how many of its refusals a test has already answered for


def pytest_collection_finish(session: pytest.Session) -> None:
    """In a fast run, refuse TensorFlow from here on, in fixtures of any scope too: a module's fixture is set
    up before any test's own. The import hook can refuse only what is not loaded yet, so a test module that
    imports TensorFlow at its top (loading it while the tests are collected) stops the run."""
    if not _fast_run(session.config):
        return
    loaded = [name for name in GUARDED if name in sys.modules]
    if loaded:
        raise pytest.UsageError(f"collecting the tests loaded {', '.join(loaded)} (tests/slow_guard.py): a test "
                                "module imports it at its top; import it inside the tests that use it, marked slow")
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


_CHILDREN_AND_CLUSTERS = pytest.StashKey[tuple[Path, list[str]]]()


@pytest.fixture(autouse=True)
def _slow_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path_factory):
    """Child processes and clusters refuse too, for this test."""
    if request.node.get_closest_marker("slow") or not _fast_run(request.config):
        yield
        return
    marker = tmp_path_factory.mktemp("slow-guard") / "refused.txt"
    stub = _stub_folder(tmp_path_factory.getbasetemp())
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(stub), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv(MARKER_ENV, str(marker))
    clusters: list[str] = []
    _refuse_clusters(monkeypatch, clusters)
    request.node.stash[_CHILDREN_AND_CLUSTERS] = (marker, clusters)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """At each test's teardown, whatever became of its setup: what was refused since the last test answered
    is this test's (its module's fixtures' too, when it is the first to need them), even when the code under
    test caught the ImportError, or a fixture turned it into a skip."""
    outcome = yield
    if call.when != "teardown" or item.get_closest_marker("slow") or not _fast_run(item.config):
        return
    refused, _SEEN[0] = _FINDER.refused[_SEEN[0]:], len(_FINDER.refused)
    marker, clusters = item.stash.get(_CHILDREN_AND_CLUSTERS, (None, []))
    children = marker.read_text(encoding="utf-8").splitlines() if marker is not None and marker.exists() else []
    reached = sorted(set(refused + clusters + children))
    if reached:
        report = outcome.get_result()
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} reached {reached}: {FIX}"
