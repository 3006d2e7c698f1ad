"""Skip rendering when nothing it reads has changed.

The digest covers every input of a render: the results files, the templates
(answers and CSS included), report.toml (the outline with it), the rendering and figure code
(the studies' modules, which hold the rules of their evidence, included), and
the git commit shown in the footer. ``make-report all`` compares it with the
stamp the last render left in the build folder; equal digests and outputs
present mean there is nothing to do. The stamp also remembers whether
``make-report check`` passed on those outputs (and its warnings, to show
them again), so an unchanged build is not checked again. Paths enter the digest relative to their folder, so a copied
build folder stays up to date.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from report import atomic
from report.paths import BuildPaths
from report.pipeline.keys import package_files
from report.results.provenance import git_state

STAMP_FILE = ".render-stamp.json"
# Every module of these packages is an input of the render, found by walking them.
RENDER_PACKAGES = ("report.render", "report.results", "report.live", "report.stats")


def _files(paths: BuildPaths, studies: bool = True) -> list[Path]:
    files = sorted(paths.results.glob("*/results.json"))
    if studies:  # the studies' evidence is shown unless the build is --core; their modules phrase it
        files += sorted(paths.results.glob("*/study.json"))
        files += sorted((paths.project / "studies").glob("*.py"))
    files += sorted(p for p in paths.templates.rglob("*") if p.is_file())
    files.append(paths.meta)
    return files


def inputs_digest(paths: BuildPaths, html: bool, pdf: bool, studies: bool = True) -> str:
    h = hashlib.sha256(
        json.dumps({"html": html, "pdf": pdf, "studies": studies, "git": git_state(paths.project)}).encode()
    )
    labelled = [(_label(paths, path), path) for path in _files(paths, studies)]
    for package in RENDER_PACKAGES:
        labelled += package_files(package)
    for label, path in labelled:
        h.update(label.encode() + b"\0")
        h.update(path.read_bytes() if path.is_file() else b"<absent>")
    return h.hexdigest()


def _label(paths: BuildPaths, path: Path) -> str:
    for root in (paths.build, paths.templates, paths.project):
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return str(path)


def _stamp(paths: BuildPaths) -> Path:
    return paths.build / STAMP_FILE


def _read(paths: BuildPaths) -> dict:
    try:
        stamp = json.loads(_stamp(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def up_to_date(paths: BuildPaths, digest: str, html: bool, pdf: bool) -> bool:
    outputs = ([paths.site / "index.html"] if html else []) + ([paths.pdf] if pdf else [])
    return _read(paths).get("digest") == digest and all(p.exists() for p in outputs)


def checked(paths: BuildPaths, digest: str) -> bool:
    """Whether ``make-report check`` passed on the outputs of this very digest."""
    stamp = _read(paths)
    return stamp.get("digest") == digest and stamp.get("checked") is True


def warnings(paths: BuildPaths) -> list[str]:
    """The checklist's warning lines when the checks last passed (shown again, not re-checked)."""
    lines = _read(paths).get("warnings")
    return [str(line) for line in lines] if isinstance(lines, list) else []


def record(paths: BuildPaths, digest: str, *, checked: bool = False, warnings: list[str] | tuple[str, ...] = ()) -> None:
    stamp: dict = {"digest": digest, "checked": checked}
    if warnings:
        stamp["warnings"] = list(warnings)
    atomic.write_text(_stamp(paths), json.dumps(stamp))


def forget(paths: BuildPaths) -> None:
    """Something else rewrote the outputs (``make-report preview``): the next build renders and checks again."""
    _stamp(paths).unlink(missing_ok=True)
