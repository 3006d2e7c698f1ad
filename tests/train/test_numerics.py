"""The pinned arithmetic (report.train.numerics) and what provenance says about it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from report.results import provenance
from report.train import numerics
from tests import REPO_ROOT


def test_unset_pins_are_set_and_other_xla_flags_kept():
    env = {"XLA_FLAGS": "--xla_cpu_enable_fast_math=false"}
    numerics.pin_environment(env)
    assert env["OPENBLAS_CORETYPE"] == "Haswell"
    assert env["ONEDNN_MAX_CPU_ISA"] == "AVX2"
    assert env["XLA_FLAGS"].split() == ["--xla_cpu_enable_fast_math=false", "--xla_cpu_max_isa=AVX2"]


def test_a_preset_value_is_never_changed():
    # a machine that needs its own OpenBLAS core type (older builds compute wrongly there) keeps it
    env = {"OPENBLAS_CORETYPE": "Zen", "OPENBLAS_L2_SIZE": "524288", "XLA_FLAGS": "--xla_cpu_max_isa=AVX"}
    numerics.pin_environment(env)
    assert env == {"OPENBLAS_CORETYPE": "Zen", "OPENBLAS_L2_SIZE": "524288", "XLA_FLAGS": "--xla_cpu_max_isa=AVX",
                   "ONEDNN_MAX_CPU_ISA": "AVX2", "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}


def test_tensorflow_threads_are_always_one():
    # unlike the instruction sets, no machine needs another count; the count changes the numbers
    env = {"TF_NUM_INTRAOP_THREADS": "2", "TF_NUM_INTEROP_THREADS": "4"}
    numerics.pin_environment(env)
    assert env["TF_NUM_INTRAOP_THREADS"] == env["TF_NUM_INTEROP_THREADS"] == str(numerics.JOB_THREADS) == "1"


def test_the_tests_run_with_the_pins_in_force():
    """conftest imports report before NumPy: every loaded OpenBLAS runs the baseline's kernels."""
    pin = numerics.pin_state()[numerics.OPENBLAS_ENV]
    # a value the environment set is kept; the baseline's own (a parent make-report's, or pytest-xdist's
    # controller's, which imported report too) is tested like ours
    if pin["preset"] and pin["value"] != pin["baseline"]:
        pytest.skip(f"this environment sets OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} itself (kept)")
    import numpy  # noqa: F401

    blas = provenance.blas_libraries()
    assert [lib.core_type for lib in blas] == ["Haswell"] * len(blas) and blas
    assert os.environ["ONEDNN_MAX_CPU_ISA"] == "AVX2"
    assert numerics.xla_isa(os.environ["XLA_FLAGS"]) == "AVX2"


def _arithmetic_in_subprocess(code: str, **env: str) -> dict:
    """provenance.arithmetic() as a fresh interpreter sees it after ``code``, with ``env`` added."""
    script = f"{code}\nimport scipy.linalg\nfrom report.results import provenance\nprint(provenance.arithmetic().model_dump_json())"
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "ONEDNN_MAX_CPU_ISA", "XLA_FLAGS")}
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env={**clean, "PYTHONPATH": os.pathsep.join(filter(None, (os.environ.get("PYTHONPATH"), str(REPO_ROOT)))), **env},
                         capture_output=True, text=True, timeout=300, check=True).stdout
    return json.loads(out.splitlines()[-1])


def test_provenance_reports_a_preset_core_type_as_off_the_baseline():
    found = _arithmetic_in_subprocess("import report", OPENBLAS_CORETYPE="Sandybridge")
    assert found["pins"]["OPENBLAS_CORETYPE"] == "Sandybridge"
    assert not found["at_baseline"]
    assert any("OPENBLAS_CORETYPE is Sandybridge (set by the environment and kept)" in d for d in found["deviations"])
    assert {lib["core_type"] for lib in found["blas"]} == {"Sandybridge"}


def test_a_pin_set_after_numpy_loaded_is_reported_not_assumed():
    found = _arithmetic_in_subprocess("import numpy\nimport report")
    assert not found["at_baseline"]
    assert "OPENBLAS_CORETYPE was set after numpy loaded: it may not have taken" in found["deviations"]


def test_pinned_process_is_at_the_baseline():
    found = _arithmetic_in_subprocess("import report")
    assert found["at_baseline"], found["deviations"]
    assert found["pins"] == {"OPENBLAS_CORETYPE": "Haswell", "ONEDNN_MAX_CPU_ISA": "AVX2", "--xla_cpu_max_isa": "AVX2",
                             "tensorflow_threads": None}  # None: this process never loaded TensorFlow


@pytest.mark.slow
def test_provenance_reads_tensorflows_thread_counts_back():
    found = _arithmetic_in_subprocess("from report.train import numerics\nnumerics.configure_tensorflow()")
    assert found["pins"]["tensorflow_threads"] == "1/1" and found["at_baseline"], found["deviations"]
    two = _arithmetic_in_subprocess("import report\nimport tensorflow as tf\n"
                                    "tf.config.threading.set_intra_op_parallelism_threads(2)")
    assert two["pins"]["tensorflow_threads"] == "2/1" and not two["at_baseline"]
    assert "TensorFlow ran 2/1 threads (intra/inter-op), not 1" in two["deviations"]


def test_cpu_model_and_widest_instruction_set(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: AMD EPYC 9R14\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f\n\n"
                       "processor\t: 1\nmodel name\t: AMD EPYC 9R14\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f\n")
    assert provenance.cpu_model(cpuinfo) == ("AMD EPYC 9R14", "AVX-512")
    cpuinfo.write_text("model name\t: Intel(R) Core(TM) i5-4590\nflags\t\t: fpu sse4_2 avx avx2 fma\n")
    assert provenance.cpu_model(cpuinfo) == ("Intel(R) Core(TM) i5-4590", "AVX2")
