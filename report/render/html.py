"""The Jinja environment and the HTML site (build/site/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
import jinja2.bccache

from report import atomic
from report.render.context import ReportContext
from report.render.format import FILTERS

PAGE_TEMPLATE = "report.html"
SITE_CSS = ("site.css", "print.css")  # print.css also serves the browser's own print


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja2's bytecode cache in a folder, found by each template's name and source, not its path.

    Jinja2 checks the source's checksum before it uses an entry, so the name is enough to find it: a copy
    of the project (or of its build folder) uses what was compiled for the original. What one process has
    compiled or read is also kept in memory, so the preview, and any caller that builds several projects,
    compiles each template once.
    """

    _memory: dict[tuple[str, str, str], bytes] = {}  # (folder name, key, source checksum) -> bytecode

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(name)

    def _remembered(self, bucket: jinja2.bccache.Bucket) -> tuple[str, str, str]:
        return (Path(self.directory).name, bucket.key, bucket.checksum)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        known = self._memory.get(self._remembered(bucket))
        if known is not None:
            bucket.bytecode_from_string(known)
            return
        super().load_bytecode(bucket)
        if bucket.code is not None:
            self._memory[self._remembered(bucket)] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        super().dump_bytecode(bucket)
        self._memory[self._remembered(bucket)] = bucket.bytecode_to_string()


def environment(templates: Path, compiled: Path | None = None) -> jinja2.Environment:
    """Autoescaping on for everything: class and topic names are data, never markup.

    ``compiled``: a folder for Jinja2's bytecode cache (:class:`CompiledTemplates`), so a new process
    does not compile every template again (a third of an unchanged render's time)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=CompiledTemplates(str(compiled)) if compiled else None,
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a typo in a template fails the build instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def render_page(env: jinja2.Environment, context: ReportContext) -> str:
    return env.get_template(PAGE_TEMPLATE).render(context.as_template_vars())


def write_site(
    env: jinja2.Environment, context: ReportContext, templates: Path, site: Path, log: Callable[[Path], None]
) -> list[Path]:
    """index.html, its stylesheets and .nojekyll (GitHub Pages serves the folder as is)."""
    written = []
    files: dict[Path, str | bytes] = {site / "index.html": render_page(env, context)}
    files |= {site / "css" / name: (templates / "css" / name).read_bytes() for name in SITE_CSS}
    files[site / ".nojekyll"] = ""
    for target, data in files.items():
        atomic.write_if_changed(target, data)  # an unchanged file keeps its time, and skips the fsync
        written.append(target)
        log(target)
    return written
