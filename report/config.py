"""Where a build reads and writes: one frozen dataclass, resolved once by the CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_ENV = "MAKE_REPORT_DATA"


@dataclass(frozen=True)
class BuildPaths:
    """All locations of one build. Everything generated lives under ``build``."""

    data: Path  # raw archives (or extracted folders); read-only for us
    build: Path = PROJECT_ROOT / "build"  # git-ignored; safe to delete at any time
    templates: Path = PROJECT_ROOT / "templates"  # Jinja2 templates, CSS, theory answers

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
    def resolve(cls, data_dir: Path | str | None = None, build_dir: Path | str | None = None) -> "BuildPaths":
        """``--data-dir``, else $MAKE_REPORT_DATA, else ``data/`` in the project."""
        data = Path(data_dir or os.environ.get(DATA_ENV) or PROJECT_ROOT / "data").expanduser().resolve()
        kwargs = {"data": data}
        if build_dir is not None:
            kwargs["build"] = Path(build_dir).expanduser().resolve()
        return cls(**kwargs)
