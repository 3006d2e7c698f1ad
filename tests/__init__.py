"""The test suite. ``REPO_ROOT`` is this checkout: the project folder the tests copy templates from."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
