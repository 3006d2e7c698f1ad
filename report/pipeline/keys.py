"""Cache keys: when must an experiment be trained again?

A key is a hash of four parts, each hashed on its own so that ``status`` can
say WHY results are stale:

- ``config``: the experiment's config dataclass (seed included);
- ``code``: the source of the experiment module, of its package's private
  helpers (``_*.py``) and of every module in the packages that shape its
  numbers (``report.train``, ``report.data``);
- ``data``: the checksums of the dataset files it reads;
- ``versions``: tensorflow, keras, numpy, scikit-learn and gensim.

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

from report.results.provenance import package_versions

KEY_PACKAGES = ("tensorflow", "keras", "numpy", "scikit-learn", "gensim")
# The packages whose code shapes an experiment's numbers (rendering does not). Every module
# under them is in every key, found by walking the package: a module added or moved cannot
# drop out of the key.
TRAINING_PACKAGES = ("report.train", "report.data")
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
    """(label, file) of what shapes a module's numbers: the module itself, the private helper
    modules (``_*.py``) of its package, its selection record (``selection/<name>.json``, which its
    results carry) and every module of the training and data packages."""
    own = _module_file(module_name)
    package = module_name.rpartition(".")[0]
    files = [(module_name.replace(".", "/") + ".py", own)]
    if package:
        files += [(f"{package.replace('.', '/')}/{f.name}", f) for f in sorted(own.parent.glob("_*.py"))
                  if f.name != "__init__.py" and f != own]
    record = own.parent / "selection" / f"{module_name.rpartition('.')[2]}.json"
    if record.is_file():  # an experiment's selection record (bench/selection.py) goes into its results
        files.append((f"{package.replace('.', '/')}/selection/{record.name}", record))
    for pkg in TRAINING_PACKAGES:
        files += package_files(pkg)
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
