"""Cache keys: when must an experiment be trained again?

A key is a hash of four parts, each hashed on its own so that ``status`` can
say WHY results are stale:

- ``config``: the experiment's config dataclass (seed included);
- ``code``: the source of every module of the project that the experiment
  module or the engine's job runners import, directly or through others,
  wherever it sits (read with ``ast`` by :mod:`report.pipeline.import_walk`),
  and the experiment's selection record;
- ``data``: the checksums of the dataset files it reads;
- ``versions``: tensorflow, keras, numpy, scipy (its bundled OpenBLAS computes gensim's word vectors),
  scikit-learn and gensim.

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

from report.pipeline import import_walk
from report.results.provenance import package_versions

KEY_PACKAGES = ("tensorflow", "keras", "numpy", "scipy", "scikit-learn", "gensim")
# What runs a job and writes its results, whichever experiment or study it is: the in-process executor and
# the Dask worker (each imports the plan that writes results, and the numerics every job runs under). What
# they and the experiment import is in the key; what only renders (report.render) is not.
JOB_RUNNERS = ("report.pipeline.in_process", "report.pipeline.worker")
PARTS = ("config", "code", "data", "versions")
UNVERIFIABLE = "unverifiable"  # the data part when the data is not on this machine


def digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def package_files(package: str) -> list[tuple[str, Path]]:
    """(label, file) of every Python module under ``package``, sorted; the label is the
    module's path inside the package tree (``report/train/loop.py``), the same wherever installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(f"{package} is not a package")
    out = []
    for location in spec.submodule_search_locations:
        root = Path(location)
        prefix = package.replace(".", "/")
        out += [(f"{prefix}/{f.relative_to(root).as_posix()}", f) for f in root.rglob("*.py")]
    return sorted(out)


def source_files(module_name: str) -> list[tuple[str, Path]]:
    """(label, file) of what shapes a module's results: every module of the project (``report`` and the
    module's own top-level package) that it or :data:`JOB_RUNNERS` import, and its selection record
    (``selection/<name>.json``, which its results carry)."""
    if import_walk.module_file(module_name) is None:
        raise LookupError(f"cannot find the source of {module_name}")
    packages = ("report", module_name.partition(".")[0])
    modules = import_walk.closure((module_name, *JOB_RUNNERS), packages)
    files = [(import_walk.label(name, path), path) for name, path in modules.items()]
    own = modules[module_name]
    record = own.parent / "selection" / f"{module_name.rpartition('.')[2]}.json"
    if record.is_file():  # an experiment's selection record (bench/selection.py) goes into its results
        files.append((f"{module_name.rpartition('.')[0].replace('.', '/')}/selection/{record.name}", record))
    return files


def code_digest(module_name: str) -> str:
    h = hashlib.sha256()
    for label, path in source_files(module_name):
        h.update(label.encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def key_parts(module_name: str, config: Any, data_checksums: Mapping[str, str]) -> dict[str, str]:
    """``data_checksums`` may also hold the keys of upstream results a study reads."""
    return {
        "config": digest(dataclasses.asdict(config)),
        "code": code_digest(module_name),
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
