"""``make-report render``: the report from the results there are, refusing stale ones (fresh as built)."""

from __future__ import annotations

from report.commands.fresh import require_fresh
from report.outline import load_outline
from report.paths import BuildPaths
from report.render import RenderOutput, build, load_all_results
from report.render import shown as last_render


def render_report(paths: BuildPaths, *, html: bool, pdf: bool, quiet: bool, allow_stale: bool) -> RenderOutput:
    """The studies are shown unless the last build was core (``make-report all --core``), which neither
    trained nor showed them; each result shown is judged fresh with the options it was built with."""
    outline = load_outline(paths.meta, paths.templates)
    # missing results first: they need training, which --allow-stale won't fix
    load_all_results(paths.results, outline.experiments)
    last = last_render.read(paths)
    studies = last.studies if last is not None else True
    names = list(outline.experiments)
    if studies:
        names += [s for s in outline.studies if (paths.results / s).is_dir()]  # studies only when built
    stale = require_fresh(paths, names, allow_stale)
    return build(paths, html=html, pdf=pdf, quiet=quiet, studies=studies, stale=stale)
