"""A failed render as the page shows it: what went wrong, in which file, on which line.

The render raises different errors for different inputs; this turns each into one :class:`Problem`:

- a theory answer's equation mathtext cannot draw: :class:`report.render.source_error.SourceError`,
  which carries the file and line itself;
- a Jinja2 syntax error: ``TemplateSyntaxError`` knows its template file and line;
- a Jinja2 error while rendering (an unknown figure reference such as ``x.figures.rocc``, any
  undefined name under ``StrictUndefined``): Jinja2 rewrites the traceback so its frames are the
  template's own lines, and the innermost one under the templates folder is the place;
- results that fail to load, a bad ``report.toml``: their message names the file;
- anything else is a bug in make-report: its type, message and innermost frame.
"""

from __future__ import annotations

import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

import click
import jinja2


@dataclass(frozen=True)
class Problem:
    message: str
    file: str | None = None  # relative to the project folder when inside it
    line: int | None = None

    @property
    def where(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def as_json(self) -> dict:
        return {**asdict(self), "where": self.where}


def _shown(path: str | None, project: Path) -> str | None:
    if not path:
        return None
    try:
        return Path(path).resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return str(path)


def _template_frames(exc: BaseException, templates: Path) -> list[tuple[str, int]]:
    """The traceback's frames in template files, innermost first: Jinja2 puts the template's lines there."""
    root = templates.resolve()
    frames = [(f.filename, f.lineno or 0) for f in traceback.extract_tb(exc.__traceback__)
              if f.filename and Path(f.filename).resolve().is_relative_to(root)]
    return list(reversed(frames))


def from_exception(exc: BaseException, project: Path, templates: Path) -> Problem:
    """The problem a render's exception describes, with paths shown relative to ``project``."""
    from report.render.source_error import SourceError

    if isinstance(exc, SourceError):
        return Problem(exc.reason, _shown(exc.path, project), exc.line)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Problem(f"template syntax error: {exc.message}", _shown(exc.filename, project), exc.lineno)
    if isinstance(exc, jinja2.TemplateError):
        # a name is undefined where it is used, often in a macro: the callers say which use was meant
        frames = [(_shown(file, project), line) for file, line in _template_frames(exc, templates)]
        callers = list(dict.fromkeys(f"{file}:{line}" for file, line in frames[1:]))
        message = f"template error: {exc.message or exc}" + (f" (called from {', '.join(callers)})" if callers else "")
        file, line = frames[0] if frames else (None, None)
        return Problem(message, file, line)
    if isinstance(exc, click.ClickException):  # results, report.toml, answers: the message names the file
        return Problem(exc.format_message())
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    return Problem(f"{type(exc).__name__}: {exc} (a bug in make-report: please report it)",
                   _shown(frame.filename, project) if frame else None, frame.lineno if frame else None)
