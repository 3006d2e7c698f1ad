"""Report metadata (title page, PDF metadata) from ``report.toml``."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import click

DEFAULT_TITLE = "Assignment 3: Recurrent Neural Networks"
PLACEHOLDER_AUTHOR = "Student Name"  # the author of the shipped report.toml; `make-report check` warns on it
_FIELDS = {"title", "subtitle", "author", "course", "date", "language", "pdf_variant"}


@dataclass(frozen=True)
class ReportMeta:
    title: str = DEFAULT_TITLE
    subtitle: str = ""
    author: str = ""
    course: str = ""
    date: dt.date = field(default_factory=dt.date.today)  # the build day unless report.toml pins one
    language: str = "en"
    # "" = a plain PDF; else a WeasyPrint variant such as "pdf/ua-1" (tagged, for screen readers)
    # or "pdf/a-3b" (archival), for a submission system that asks for one
    pdf_variant: str = ""


def load_meta(path: Path, *, check_pdf_variant: bool = True) -> ReportMeta:
    """Read ``[report]`` from a TOML file (the project's ``report.toml``); a missing file gives the defaults.

    ``check_pdf_variant``: compare ``pdf_variant`` with WeasyPrint's list, which imports WeasyPrint
    (about a second); a build that writes no PDF skips it."""
    path = Path(path)
    if not path.is_file():
        return ReportMeta()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path} is not valid TOML ({exc})") from None
    # [report], or the whole file when it has no tables; [reference] is read by report.render.reference,
    # [[section]] (the outline) by report.outline
    table = data.get("report", {k: v for k, v in data.items() if k not in ("reference", "section")})
    unknown = set(table) - _FIELDS
    if unknown:
        raise click.ClickException(
            f"{path}: unknown key(s) {', '.join(sorted(unknown))} in [report]; known: {', '.join(sorted(_FIELDS))}"
        )
    kwargs: dict[str, object] = {}
    for key in _FIELDS - {"date"}:
        if key in table:
            if not isinstance(table[key], str):
                raise click.ClickException(f"{path}: [report] {key} must be a string")
            kwargs[key] = table[key]
    if kwargs.get("pdf_variant") and check_pdf_variant:
        from weasyprint.pdf import VARIANTS

        if kwargs["pdf_variant"] not in VARIANTS:
            raise click.ClickException(
                f"{path}: [report] pdf_variant {kwargs['pdf_variant']!r} is not one WeasyPrint knows; "
                f"use one of {', '.join(v for v in VARIANTS if v != 'debug')} or leave it out"
            )
    if "date" in table:
        date = table["date"]
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date)
            except ValueError:
                raise click.ClickException(f"{path}: [report] date {date!r} is not YYYY-MM-DD") from None
        if isinstance(date, dt.datetime):
            date = date.date()
        if not isinstance(date, dt.date):
            raise click.ClickException(f"{path}: [report] date must be a date (YYYY-MM-DD)")
        kwargs["date"] = date
    return ReportMeta(**kwargs)
