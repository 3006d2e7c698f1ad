"""The ``status`` table: each experiment, fresh or stale and why, when it ran, its headline."""

from __future__ import annotations

from collections.abc import Sequence

from report.paths import BuildPaths
from report.pipeline.freshness import Freshness, TrainOptions, freshness
from report.results.study import StudyResults


def _headline(f: Freshness) -> str:
    if f.results is None:
        return "-"
    if isinstance(f.results, StudyResults):  # a study: its first few headline numbers
        items = list(f.results.headline.items())[:3]
        return "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in items) or "-"
    t = f.results.test
    return f"acc {t.accuracy:.3f}  AUC {t.roc_auc:.3f}  macro F1 {t.macro_f1:.3f}"


def _last_run(f: Freshness) -> str:
    if f.results is None:
        return "never"
    return f.results.provenance.finished_at.strftime("%Y-%m-%d %H:%M UTC")


def status_table(names: Sequence[str], paths: BuildPaths, options: TrainOptions) -> str:
    rows = [("experiment", "state", "why", "last run", "headline")]
    for name in names:
        f = freshness(name, paths, options)
        why = f.why if f.state != "missing" else f"run `make-report train {name}`"
        rows.append((name, f.state, why, _last_run(f), _headline(f)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)) + "  " + r[-1] for r in rows]
    return "\n".join(line.rstrip() for line in lines)
