"""Cache keys: when must an experiment be trained again?

A key is a hash of four parts, each hashed on its own so that ``status`` can
say WHY results are stale:

- ``config``: the experiment's config dataclass (seed included);
- ``code``: the source of the experiment module and of the shared code that
  shapes its numbers (data preprocessing, training loop, metrics);
- ``data``: the checksums of the dataset files it reads;
- ``versions``: tensorflow, keras, numpy and scikit-learn.

Nothing here imports TensorFlow: versions come from package metadata and
code from the source files, so finding that nothing changed takes well under
a second.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from report.config import PROJECT_ROOT
from report.provenance import package_versions

KEY_PACKAGES = ("tensorflow", "keras", "numpy", "scikit-learn")
REPORT_DIR = PROJECT_ROOT / "report"
# Shared modules whose code changes an experiment's numbers (rendering does not).
SHARED_CODE = ("training.py", "checkpoint.py", "metrics.py", "data")
PARTS = ("config", "code", "data", "versions")
UNVERIFIABLE = "unverifiable"  # the data part when the data is not on this machine


def digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _module_file(module_name: str) -> Path:
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None:
        raise LookupError(f"cannot find the source of {module_name}")
    return Path(spec.origin)


def source_files(module_name: str, extra_modules: tuple[str, ...] = ()) -> list[Path]:
    """The experiment module's file (and any ``extra_modules`` it names) plus the shared
    training and data code, sorted."""
    files = [_module_file(m) for m in (module_name, *extra_modules)]
    for entry in SHARED_CODE:
        path = REPORT_DIR / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def code_digest(module_name: str, extra_modules: tuple[str, ...] = ()) -> str:
    h = hashlib.sha256()
    for path in source_files(module_name, extra_modules):
        h.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def key_parts(
    module_name: str, config: Any, data_checksums: Mapping[str, str], extra_modules: tuple[str, ...] = ()
) -> dict[str, str]:
    """``data_checksums`` may also hold the keys of upstream results a study reads."""
    return {
        "config": digest(dataclasses.asdict(config)),
        "code": code_digest(module_name, extra_modules),
        "data": UNVERIFIABLE if _dataset_absent(data_checksums) else digest(dict(data_checksums)),
        "versions": digest(package_versions(KEY_PACKAGES)),
    }


def _dataset_absent(checksums: Mapping[str, str]) -> bool:
    """A dataset file is not on this machine (upstream results, ``results/NAME``, do not count)."""
    return any(v == "absent" for k, v in checksums.items() if not k.startswith("results/"))


def combine(parts: Mapping[str, str]) -> str:
    return digest({k: parts[k] for k in PARTS})


def changed_parts(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    """Which of config, code, data, versions differ (all of them when ``old`` is empty)."""
    return [p for p in PARTS if old.get(p) != new.get(p)]
