"""The wheel holds everything a render needs: built offline, installed into a folder of its own, and run on a
project folder that is not this checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import REPO_ROOT
from tests.factories import write_both

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "README.md", "report", "experiments", "studies")


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def site_packages(tmp_path_factory) -> Path:
    """The wheel built offline (no index, no build isolation: setuptools and wheel come from the `test` extra)
    from a copy of the sources (so the build leaves nothing in the checkout), installed with --target."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    for name in SOURCES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copyfile(source, src / name)
    dist = root / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "-w", str(dist), str(src)])
    wheels = list(dist.glob("make_report-*.whl"))
    assert len(wheels) == 1, wheels
    site = root / "site"
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(site), str(wheels[0])])
    return site


@pytest.fixture
def project(tmp_path) -> Path:
    """A project folder away from the checkout: report.toml, templates/, experiments/, studies/ and the fixture
    results."""
    folder = tmp_path / "my-report"
    for content in ("templates", "experiments", "studies"):
        shutil.copytree(REPO_ROOT / content, folder / content, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(REPO_ROOT / "report.toml", folder / "report.toml")
    write_both(folder / "build" / "results")
    return folder


def _env(site: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKE_REPORT_PROJECT", "MAKE_REPORT_DATA")}
    env["PYTHONPATH"] = str(site)
    return env


def test_the_wheel_holds_the_packages_and_its_command(site_packages):
    for package in ("report", "report/render", "report/commands/check", "experiments", "studies"):
        assert (site_packages / package / "__init__.py").is_file(), package
    entry_points = next(site_packages.glob("make_report-*.dist-info")) / "entry_points.txt"
    text = entry_points.read_text(encoding="utf-8")
    assert "make-report = report.cli:cli" in text
    assert "make_report.experiments" not in text  # experiments are found in the project's folder, not registered
    assert not (site_packages / "tests").exists() and not (site_packages / "templates").exists()


def test_the_installed_wheel_renders_a_project_folder_elsewhere(site_packages, project):
    env = _env(site_packages)
    where = _run([sys.executable, "-c", "import report; print(report.__file__)"], cwd=project, env=env)
    imported = Path(where.stdout.strip()).resolve()
    assert imported == (site_packages / "report" / "__init__.py").resolve(), imported

    _run([sys.executable, "-m", "report", "render", "--no-pdf", "--allow-stale"], cwd=project, env=env)
    index = project / "build" / "site" / "index.html"
    assert index.is_file()
    assert "Assignment 3: Recurrent Neural Networks" in index.read_text(encoding="utf-8")
