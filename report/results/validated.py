"""Reading a results file: its JSON validated against its schema, every problem one line that names the file
and the ``make-report train NAME`` that rebuilds it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

import click
from pydantic import BaseModel, ValidationError

_M = TypeVar("_M", bound=BaseModel)


class ResultsError(click.ClickException):
    """A results folder is missing, unreadable or from another schema version."""


def read_validated(path: Path, model: type[_M], *, what: str = "results", version: int, fix: str | None = None) -> _M:
    """Read ``path`` (JSON) and validate it as ``model``; every problem is one line naming the
    file and ``fix``, by default the ``make-report train NAME`` that rebuilds it (NAME is the file's folder)."""
    path = Path(path)
    name = path.parent.name
    fix = fix or f"run `make-report train {name}` to rebuild it"
    if not path.is_file():
        raise ResultsError(f"no results for {name} ({path} is missing): {fix}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path} is not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc}): {fix}") from None
    if not isinstance(raw, dict):
        raise ResultsError(f"{path} does not hold a {what} object: {fix}")
    found = raw.get("schema_version")
    if found != version:
        raise ResultsError(f"{path} has schema_version {found!r}, this make-report reads {version}: {fix}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ResultsError(f"{path} does not match the {what} schema at {where}: {first['msg']}; {fix}") from None
