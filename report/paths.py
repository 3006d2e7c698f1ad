"""Where a build reads and writes: the project folder, and one frozen dataclass resolved once by the CLI.

The engine (this package) is separate from the content, as in mkdocs or
pelican: a *project folder* is any folder holding ``report.toml``, with the
theory answers and templates in ``templates/`` beside it. The CLI finds it by
walking up from the working directory (or takes ``--project DIR``), so an
installed ``make-report`` works on any project, not only on the checkout it
was installed from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

PROJECT_FILE = "report.toml"
DATA_ENV = "MAKE_REPORT_DATA"
PROJECT_ENV = "MAKE_REPORT_PROJECT"


class ProjectNotFound(click.ClickException):
    """No ``report.toml`` in the folder or any parent."""


def find_project(start: Path | str | None = None) -> Path:
    """The nearest folder, ``start`` (default: ``$MAKE_REPORT_PROJECT``, else the working directory)
    or one of its parents, that holds ``report.toml``."""
    origin = Path(start or os.environ.get(PROJECT_ENV) or Path.cwd()).expanduser().resolve()
    for folder in (origin, *origin.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    raise ProjectNotFound(
        f"no {PROJECT_FILE} in {origin} or any folder above it; run make-report inside a project folder "
        f"(one with {PROJECT_FILE} and templates/) or pass --project DIR"
    )


@dataclass(frozen=True)
class BuildPaths:
    """All locations of one build. Everything generated lives under ``build``.

    Only ``data`` is required; the others default to folders of the project
    (found with :func:`find_project` when ``project`` is not given).
    """

    data: Path  # raw archives (or extracted folders); read-only for us
    project: Path | None = None  # the folder with report.toml; found from the working directory when None
    build: Path | None = None  # default <project>/build: git-ignored, safe to delete at any time
    templates: Path | None = None  # default <project>/templates: Jinja2 templates, CSS, theory answers

    def __post_init__(self) -> None:
        project = Path(self.project) if self.project is not None else find_project()
        object.__setattr__(self, "project", project)
        if self.build is None:
            object.__setattr__(self, "build", project / "build")
        if self.templates is None:
            object.__setattr__(self, "templates", project / "templates")

    @property
    def meta(self) -> Path:
        """``report.toml``: title page and PDF metadata."""
        return self.project / PROJECT_FILE

    @property
    def cache(self) -> Path:
        """Tokenised arrays, keyed by archive checksum and preprocessing settings."""
        return self.build / "cache"

    @property
    def results(self) -> Path:
        """One folder per experiment: results.json + predictions.npz (the contract)."""
        return self.build / "results"

    @property
    def checkpoints(self) -> Path:
        return self.build / "checkpoints"

    @property
    def figures(self) -> Path:
        return self.build / "figures"

    @property
    def site(self) -> Path:
        """The HTML site, ready for GitHub Pages."""
        return self.build / "site"

    @property
    def pdf(self) -> Path:
        return self.build / "report.pdf"

    @classmethod
    def resolve(cls, data_dir: Path | str | None = None, build_dir: Path | str | None = None,
                project_dir: Path | str | None = None) -> "BuildPaths":
        """``--project`` (else the folder above holding report.toml); ``--data-dir``, else
        $MAKE_REPORT_DATA, else ``data/`` in the project; ``--build-dir``, else ``build/`` in the project."""
        project = find_project(project_dir)
        data = Path(data_dir or os.environ.get(DATA_ENV) or project / "data").expanduser().resolve()
        build = Path(build_dir).expanduser().resolve() if build_dir is not None else None
        return cls(data=data, project=project, build=build)
