"""Where a result came from: code version, packages, machine. No TensorFlow import here.

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
TRACKED_PACKAGES = ("tensorflow", "keras", "numpy", "scikit-learn", "matplotlib", "jinja2", "weasyprint")


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


def gpu_name() -> str | None:
    """The GPU TensorFlow trained on, if any. A run that never imported TensorFlow used none,
    so this never imports it."""
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return None
    gpus = tf.config.list_physical_devices("GPU")
    return gpus[0].name if gpus else None


def record(project: Path, seed: int, data_checksums: Mapping[str, str], started_at: datetime):
    """The :class:`~report.results.experiment.Provenance` of a run that ends now."""
    from report.results.experiment import Provenance

    commit, dirty = git_state(project)
    return Provenance(
        git_commit=commit, git_dirty=dirty, packages=package_versions(), seed=seed,
        data_checksums=dict(data_checksums), gpu=gpu_name(), started_at=started_at,
        finished_at=datetime.now(timezone.utc), **machine(),
    )
