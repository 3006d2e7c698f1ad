"""Which modules of the project a module imports, read from the source with ``ast`` (nothing is imported).

Every import counts, the ones inside functions too: a lazy import still runs when the code does. The cache
keys (:mod:`report.pipeline.keys`) hash what an experiment or study imports, and a test checks that no two
modules of ``report`` import each other around a loop.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path


@cache
def package_roots(package: str) -> tuple[Path, ...]:
    """The folders of a top-level package (found without importing it); () when it is not installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return ()
    return tuple(Path(p) for p in spec.submodule_search_locations)


def module_file(name: str) -> Path | None:
    """The source file of a dotted module name of an installed package, or None (not a module of it)."""
    top, _, rest = name.partition(".")
    inner = Path(*rest.split(".")) if rest else Path()
    for root in package_roots(top):
        for candidate in (root / inner / "__init__.py", (root / inner).with_suffix(".py") if rest else None):
            if candidate is not None and candidate.is_file():
                return candidate
    return None


def label(name: str, path: Path) -> str:
    """A module's path inside its package tree (``report/train/loop.py``), the same wherever it is installed."""
    folder = name.replace(".", "/")
    return f"{folder}/__init__.py" if path.name == "__init__.py" else f"{folder}.py"


def imported(path: Path, packages: Iterable[str]) -> set[str]:
    """The modules of ``packages`` (top-level names) that the file at ``path`` imports: ``from a import b``
    is ``a.b`` when that is a module, else ``a``."""
    inside = set(packages)
    source = path.read_text(encoding="utf-8")
    try:
        statements = _import_statements(source)
    except SyntaxError as exc:
        exc.filename = str(path)
        raise
    out: set[str] = set()
    for module, names in statements:
        if module is None:  # import a, b.c
            found = [name for name in names if name.partition(".")[0] in inside]
        elif module.partition(".")[0] not in inside:  # another project's: never looked up
            continue
        else:
            found = [f"{module}.{name}" if module_file(f"{module}.{name}") else module for name in names]
        out.update(n for n in found if module_file(n) is not None)
    return out


@lru_cache(maxsize=4096)
def _import_statements(source: str) -> tuple[tuple[str | None, tuple[str, ...]], ...]:
    """The absolute imports of a module's source: (None, names) for ``import``, (module, names) for
    ``from module import``. Memoised on the text itself: a key is asked for every experiment and study on
    each build (and the preview asks after every edit), and parsing dominates the walk. Which of the names
    are modules is looked up afresh each time, since files move while the source stays the same."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.append((None, tuple(alias.name for alias in node.names)))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, tuple(alias.name for alias in node.names)))
    return tuple(out)


def with_parents(name: str) -> list[str]:
    """``a.b.c`` -> ``a``, ``a.b``, ``a.b.c``: importing a module runs its packages' ``__init__`` first."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def closure(roots: Iterable[str], packages: Iterable[str]) -> dict[str, Path]:
    """Every module of ``packages`` that importing ``roots`` can run, with its file, sorted by name."""
    packages = tuple(packages)
    seen: dict[str, Path] = {}
    todo = [parent for root in roots for parent in with_parents(root)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = module_file(name)
        if path is None:
            raise LookupError(f"cannot find the source of {name}")
        seen[name] = path
        todo += [parent for found in imported(path, packages) for parent in with_parents(found)]
    return dict(sorted(seen.items()))


def modules_under(package: str) -> dict[str, Path]:
    """Every module of a top-level package, by dotted name."""
    out = {}
    for root in package_roots(package):
        for path in sorted(root.rglob("*.py")):
            parts = (package, *path.relative_to(root).with_suffix("").parts)
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out
