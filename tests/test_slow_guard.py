"""The slow marker is enforced: a test without it that reaches TensorFlow or a cluster fails, by name."""

from __future__ import annotations

import pytest

from tests import REPO_ROOT

INNER = '''
import subprocess, sys
import pytest

def test_imports_tensorflow_quietly():
    try:
        import tensorflow  # noqa: F401  (refused by the guard; the test swallows the error)
    except ImportError:
        pass

def test_child_process_imports_tensorflow():
    subprocess.run([sys.executable, "-c", "import tensorflow"], check=False)

def test_starts_a_cluster():
    import distributed
    try:
        distributed.LocalCluster(n_workers=1)
    except Exception:
        pass

def test_plain():
    assert 1 + 1 == 2

@pytest.mark.slow
def test_marked_slow_is_left_out():
    pass
'''


def test_unmarked_tests_that_reach_tensorflow_or_a_cluster_fail(pytester: pytest.Pytester, monkeypatch):
    pytester.makeconftest('pytest_plugins = ["tests.slow_guard"]\n')
    pytester.makepyfile(test_inner=INNER)
    # the inner run installs its own guard; this test's guard must not see the child's refusals
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    monkeypatch.delenv("MAKE_REPORT_TEST_SLOW_MARKER", raising=False)
    result = pytester.runpytest_subprocess("-m", "not slow", "-p", "no:cacheprovider", "-rA")
    result.assert_outcomes(passed=4, errors=3, deselected=1)  # the guard fails them at teardown
    output = result.stdout.str()
    for name in ("test_imports_tensorflow_quietly", "test_child_process_imports_tensorflow",
                 "test_starts_a_cluster"):
        assert f"ERROR test_inner.py::{name}" in output
    assert output.count("mark the test @pytest.mark.slow") >= 3
    assert "ERROR test_inner.py::test_plain" not in output


def test_a_test_module_that_loads_tensorflow_while_collected_stops_the_fast_run(pytester: pytest.Pytester,
                                                                               monkeypatch):
    pytester.makeconftest('pytest_plugins = ["tests.slow_guard"]\n')
    pytester.mkpydir("keras")  # a stand-in found first on the path: loading the real one would take seconds
    pytester.makepyfile(test_inner="import keras  # noqa: F401\n\ndef test_plain():\n    assert True\n")
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    result = pytester.runpytest_subprocess("-m", "not slow", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*collecting the tests loaded keras*import it inside the tests that use it*"])
    # a full run loads TensorFlow with its first slow test anyway: nothing to stop there
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_full_run_is_not_guarded(pytester: pytest.Pytester, monkeypatch):
    pytester.makeconftest('pytest_plugins = ["tests.slow_guard"]\n')
    pytester.makepyfile(test_inner="""
import sys
from tests.slow_guard import _RefuseImports

def test_no_refusing_finder():
    assert not any(isinstance(finder, _RefuseImports) for finder in sys.meta_path)
""")
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
