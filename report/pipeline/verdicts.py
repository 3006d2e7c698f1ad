"""Remember which results are fresh, so that a build with nothing changed imports no experiment.

Working out a key (``report.pipeline.keys``) means building each experiment's and each study's
``Config``, which imports its module; the studies import scikit-learn and SciPy, which take most of
the 2 s a warm ``make-report all`` used to spend. Every one of those keys is a function of files on
disk, so the verdicts are remembered (``build/cache/freshness.json``) under a fingerprint of all of
them, read without importing anything:

- the options that enter a key (``--quick``, ``--seed``, ``--set``, ``--seeds``);
- every Python module of ``report``, ``experiments`` and ``studies``, and the selection records:
  more than the keys' ``code`` parts, because a ``Config`` default may come from anywhere in them;
- the data folder: each file's size and modification time (the data checksums are themselves
  reused on that evidence, see ``report.data.checksum``);
- the installed versions of the packages in every key;
- the registered names and each one's stored results file (which holds the key it was made with).

Any change to one of them works the verdicts out again, as before.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path

from report import atomic, registry
from report.paths import BuildPaths
from report.pipeline.keys import KEY_PACKAGES
from report.results.provenance import package_versions

MEMO_FILE = "freshness.json"  # under build/cache/
CODE_PACKAGES = ("report", "experiments", "studies")
RESULT_FILES = ("results.json", "study.json")


def _package_root(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _listing(root: Path) -> list[str]:
    """``relative path, size, mtime_ns`` of every file under ``root`` (or of ``root`` itself)."""
    if root.is_file():
        st = root.stat()
        return [f"{root.name}\0{st.st_size}\0{st.st_mtime_ns}"]
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    return [f"{p.relative_to(root).as_posix()}\0{p.stat().st_size}\0{p.stat().st_mtime_ns}" for p in files]


def sources(paths: BuildPaths, options, names: Sequence[str]) -> str:
    """The digest of everything a key reads but the stored results: options, versions, names, data, code."""
    h = hashlib.sha256(json.dumps({
        "options": [options.quick, options.seed, sorted(map(str, options.overrides.items())), options.seeds],
        "versions": package_versions(KEY_PACKAGES),
        "names": list(names),
        "data": _listing(Path(paths.data)),
    }, sort_keys=True, default=str).encode())
    for package in CODE_PACKAGES:
        root = _package_root(package)
        if root is None:
            continue
        for path in sorted([*root.rglob("*.py"), *root.rglob("selection/*.json")]):
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def fingerprint(paths: BuildPaths, options, names: Sequence[str], sources_digest: str | None = None) -> str:
    """:func:`sources` (taken now unless given) and the stored results files of ``names``."""
    h = hashlib.sha256((sources_digest or sources(paths, options, names)).encode())
    for name in names:
        for filename in RESULT_FILES:
            path = paths.results / name / filename
            h.update(f"{name}/{filename}\0".encode() + (path.read_bytes() if path.is_file() else b"<absent>"))
    return h.hexdigest()


def _memo(paths: BuildPaths) -> Path:
    return paths.cache / MEMO_FILE


def _remembered(paths: BuildPaths, print_: str) -> dict | None:
    try:
        memo = json.loads(_memo(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return memo if isinstance(memo, dict) and memo.get("fingerprint") == print_ else None


def _remember(paths: BuildPaths, print_: str, states: dict[str, list[str]]) -> None:
    try:
        atomic.write_text(_memo(paths), json.dumps({"fingerprint": print_, "states": states}))
    except OSError:
        pass  # a read-only build folder only costs working the verdicts out next time


def states(paths: BuildPaths, options, names: Sequence[str] | None = None) -> dict[str, tuple[str, str]]:
    """name -> (state, why) as :func:`report.pipeline.freshness.freshness` says, remembered while nothing changed."""
    names = list(names) if names is not None else registry.all_names()
    print_ = fingerprint(paths, options, names)
    memo = _remembered(paths, print_)
    if memo is not None:
        return {name: (state, why) for name, (state, why) in memo["states"].items()}
    from report.pipeline.freshness import freshness

    found = {}
    for name in names:
        f = freshness(name, paths, options)
        found[name] = (f.state, f.why)
    _remember(paths, print_, {name: list(v) for name, v in found.items()})
    return found


def stale_results(paths: BuildPaths, options, names: Sequence[str] | None = None) -> dict[str, str]:
    """:func:`report.pipeline.freshness.stale_results`, remembered while nothing it reads changed."""
    return {name: why if state == "stale" else "results file"
            for name, (state, why) in states(paths, options, names).items() if state in ("stale", "broken")}


def remembered_fresh(paths: BuildPaths, options, names: Sequence[str]) -> bool:
    """True when the remembered verdicts still hold and every one of ``names`` is fresh: ``make-report all``
    has nothing to train and need not ask. False (work it out) otherwise; this never imports a module."""
    memo = _remembered(paths, fingerprint(paths, options, names))
    return memo is not None and all(state == "fresh" for state, _ in memo["states"].values())


def record_fresh(paths: BuildPaths, options, names: Sequence[str], sources_before: str) -> None:
    """After training, every one of ``names`` is fresh (``train`` trains what is not, or raises) for the
    sources as they were when training began (``sources_before``, from :func:`sources`): a file edited while
    a build ran was not what it trained, so the next build works the verdicts out again."""
    _remember(paths, fingerprint(paths, options, names, sources_before), {name: ["fresh", "-"] for name in names})
