"""Keeps the ``slow`` marker honest: a test without it may not import TensorFlow or start a Dask cluster.

``make test-fast`` (``pytest -m "not slow"``) is the loop for someone changing a template or the engine's
plumbing; it stays fast only if every test that pays for TensorFlow or a cluster says so. Rather than trust
each author to remember, a test that is not marked ``slow`` runs with TensorFlow and Dask's cluster classes
made unreachable:

- in this process, an import hook refuses ``tensorflow`` and ``keras`` (while they are not loaded yet, which
  is always the case in a ``-m "not slow"`` run) and ``distributed.LocalCluster`` / ``SpecCluster`` refuse to
  start;
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


@pytest.fixture(autouse=True)
def _slow_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path_factory):
    if request.node.get_closest_marker("slow") or not _fast_run(request.config):
        yield
        return
    finder = _RefuseImports()
    marker = tmp_path_factory.mktemp("slow-guard") / "refused.txt"
    stub = _stub_folder(tmp_path_factory.getbasetemp())
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(stub), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv(MARKER_ENV, str(marker))
    _refuse_clusters(monkeypatch, finder.refused)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
    children = marker.read_text(encoding="utf-8").splitlines() if marker.exists() else []
    if finder.refused or children:
        pytest.fail(f"{request.node.nodeid} reached {sorted(set(finder.refused + children))}: {FIX}",
                    pytrace=False)
