"""Fresh as built: do the results that ``render`` and ``publish`` show match what training would give now,
judged with the options they were built with?

A build with ``--seeds 5`` gives other keys than the defaults would; asking with the defaults would
call those results stale although nothing changed. So each result is judged, besides with the
defaults, with the number of seeds it records: fresh when either gives its key; when neither does,
what changed is told against the options whose config matches the one it was built with. A smoke
run's results (``--quick``) stay stale against the published settings, so they are never published
unnoticed.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from report.paths import BuildPaths
from report.pipeline.freshness import Freshness, TrainOptions, freshness


def as_built(name: str, paths: BuildPaths) -> Freshness:
    state = freshness(name, paths, TrainOptions(quiet=True))
    if state.fresh or state.results is None:
        return state
    recorded = state.results.key_parts.get("config")
    seeds = len(getattr(state.results, "seeds", None) or ()) or 1  # a study's seeds are its own config's
    alt = freshness(name, paths, TrainOptions(quiet=True, seeds=seeds))
    if alt.fresh or alt.key_parts.get("config") == recorded:
        return alt  # built with this many seeds: the parts that differ are what changed
    return state


def stale_as_built(paths: BuildPaths, names: Sequence[str]) -> dict[str, str]:
    """Name -> what changed, for each of ``names`` whose results exist but are stale or broken. The defaults'
    verdicts are remembered (report.pipeline.verdicts); only a result they call stale is asked again."""
    from report.pipeline import verdicts

    out = {}
    for name in verdicts.stale_results(paths, TrainOptions(quiet=True), names):
        f = as_built(name, paths)
        if f.state in ("stale", "broken"):
            out[name] = f.why if f.state == "stale" else "results file"
    return out


def require_fresh(paths: BuildPaths, names: Sequence[str], allow_stale: bool) -> dict[str, str]:
    """The stale ones of ``names`` when ``allow_stale``; otherwise an error saying what changed and what to run."""
    stale = stale_as_built(paths, names)
    if stale and not allow_stale:
        what = "; ".join(f"{name}: {why} changed" for name, why in stale.items())
        raise click.ClickException(
            f"stale results ({what}); run `make-report train {' '.join(stale)}` (or `make-report all`), "
            "or render them anyway, marked stale, with --allow-stale"
        )
    return stale
