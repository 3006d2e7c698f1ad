"""Where a result came from: code version, packages, machine and its arithmetic. No TensorFlow import here.

:func:`record` is the one provenance builder: experiments and studies both call
it when their run ends.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# The packages whose versions can change a number in the report.
TRACKED_PACKAGES = ("tensorflow", "keras", "numpy", "scipy", "scikit-learn", "gensim", "matplotlib", "jinja2",
                    "weasyprint")


def package_versions(names: tuple[str, ...] = TRACKED_PACKAGES) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_state(folder: Path) -> tuple[str | None, bool | None]:
    """(commit, dirty) of the git checkout that holds ``folder``, or (None, None) outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder, capture_output=True, text=True, check=True, timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None, None
    return commit or None, bool(status.strip())


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": f"{platform.system()}-{platform.machine()}",
        "cpu_count": os.cpu_count() or 1,
    }


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> tuple[str, str]:
    """(model name, widest vector instruction set) of this CPU; Linux reads /proc/cpuinfo, elsewhere the
    model is what ``platform`` says and the instruction set "unknown"."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or platform.machine(), "unknown"
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    flags = set(fields.get("flags", "").split())
    isa = next((name for flag, name in _ISA_FLAGS if flag in flags), "unknown")
    return fields.get("model name") or platform.processor() or platform.machine(), isa


# widest first: the kernel families the pinned libraries choose between
_ISA_FLAGS = (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX"), ("sse4_2", "SSE4.2"), ("asimd", "NEON"))


def blas_libraries() -> list:
    """The BLAS libraries loaded in this process and the kernels each runs (threadpoolctl's view)."""
    from threadpoolctl import threadpool_info

    from report.results.experiment_results import BlasLibrary

    return [
        BlasLibrary(library=Path(info["filepath"]).name, api=info["internal_api"], version=info.get("version"),
                    core_type=info.get("architecture"))
        for info in threadpool_info() if info.get("user_api") == "blas"
    ]


def arithmetic():
    """The :class:`~report.results.experiment_results.Arithmetic` this process computes with: pins read back from
    the environment and from the loaded libraries, each difference from the baseline said in words."""
    from report.results.experiment_results import Arithmetic
    from report.train import numerics

    cpu, isa = cpu_model()
    state = numerics.pin_state()
    blas = blas_libraries()
    deviations = []
    for pin, s in state.items():
        if s["value"] != s["baseline"]:
            origin = "set by the environment and kept" if s["preset"] else "unset"
            deviations.append(f"{pin} is {s['value']} ({origin}), not the baseline {s['baseline']}")
        elif not s["preset"] and s["loaded_before"]:
            deviations.append(f"{pin} was set after {', '.join(s['loaded_before'])} loaded: it may not have taken")
    threads = numerics.tensorflow_threads()
    if threads is not None and threads != f"{numerics.JOB_THREADS}/{numerics.JOB_THREADS}":
        deviations.append(f"TensorFlow ran {threads} threads (intra/inter-op), not {numerics.JOB_THREADS}")
    wanted = state[numerics.OPENBLAS_ENV]["baseline"]
    for lib in blas:
        if lib.core_type != wanted:
            deviations.append(f"{lib.library} ({lib.api}) runs {lib.core_type or 'unpinned'} kernels, not {wanted}")
    return Arithmetic(cpu=cpu, cpu_isa=isa, pins={**{pin: s["value"] for pin, s in state.items()}, numerics.THREADS_PIN: threads}, blas=blas,
                      at_baseline=not deviations, deviations=deviations)


def gpu_name() -> str | None:
    """The GPU TensorFlow trained on, if any. A run that never imported TensorFlow used none,
    so this never imports it."""
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return None
    gpus = tf.config.list_physical_devices("GPU")
    return gpus[0].name if gpus else None


def record(project: Path, seed: int, data_checksums: Mapping[str, str], started_at: datetime):
    """The :class:`~report.results.experiment_results.Provenance` of a run that ends now."""
    from report.results.experiment_results import Provenance

    commit, dirty = git_state(project)
    return Provenance(
        git_commit=commit, git_dirty=dirty, packages=package_versions(), seed=seed,
        data_checksums=dict(data_checksums), gpu=gpu_name(), started_at=started_at,
        finished_at=datetime.now(timezone.utc), arithmetic=arithmetic(), **machine(),
    )
