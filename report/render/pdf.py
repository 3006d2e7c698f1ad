"""The PDF: the same templates through WeasyPrint, with print.css, fetching only local files."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import click
import jinja2

from report import atomic
from report.render.context import ReportContext
from report.render.html import render_page

PRINT_CSS = ("site.css", "print.css")  # site.css's @media screen rules do not apply to print


class FetchRefused(ValueError):
    """WeasyPrint asked for something outside the build and template folders."""


def _allowed_path(url: str, roots: tuple[Path, ...]) -> Path:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise FetchRefused(f"refusing to fetch {url!r}: the PDF may only use local files")
    path = Path(url2pathname(unquote(parts.path))).resolve()
    if not any(path.is_relative_to(root) for root in roots):
        raise FetchRefused(f"refusing to fetch {path}: outside {', '.join(map(str, roots))}")
    return path


def _base_fetcher_class():
    from weasyprint.urls import URLFetcher

    return URLFetcher


def local_fetcher(*roots: Path):
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and files under ``roots``; anything else raises.

    Refusals are fatal (``fail_on_errors``): a report silently missing a figure
    is worse than a failed build.
    """
    resolved = tuple(Path(r).resolve() for r in roots)
    base = _base_fetcher_class()

    class LocalFetcher(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file", "data"), fail_on_errors=True, allow_redirects=False)

        def fetch(self, url, headers=None):  # noqa: D102 - WeasyPrint's interface
            if not url.startswith("data:"):
                _allowed_path(url, resolved)
            return super().fetch(url, headers)

    return LocalFetcher()


def write_pdf(env: jinja2.Environment, context: ReportContext, templates: Path, site: Path, target: Path) -> Path:
    """Render ``context`` (medium "print") to ``target``; relative URLs resolve against ``site``."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import FatalURLFetchingError

    # WeasyPrint logs every unsupported CSS property at WARNING; keep the build's output to what it wrote
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = local_fetcher(site, templates)
    page = render_page(env, context)
    try:
        stylesheets = [CSS(filename=str(templates / "css" / name), url_fetcher=fetcher) for name in PRINT_CSS]
        document = HTML(string=page, base_url=str(site.resolve()) + "/", url_fetcher=fetcher).render(
            stylesheets=stylesheets
        )
        with atomic.atomic_path(target) as tmp:
            document.write_pdf(tmp, pdf_variant=context.meta.pdf_variant or None)
    except FatalURLFetchingError as exc:
        cause = exc.__cause__ or exc
        raise click.ClickException(f"PDF not written: {cause}") from None
    return target
