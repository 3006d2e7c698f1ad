"""Selections made with a test number in view, from ``report.toml``'s optional ``[test_in_view]`` table.

Settings are chosen on the validation split, and the test set is looked at once, for the report. When a
search was nevertheless started because a test number had been seen (an earlier build scored below a bar
the assignment sets, say), only the author knows it, so the author says it here, per experiment, naming
the measure that was seen::

    [test_in_view]
    my_experiment = "macro_f1"   # a key of report.render.reference.MEASURES

The appendix that shows the experiment's selection record then says so beside the record, instead of
saying that the test set played no part.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import click

from report.render.reference import MEASURES, read_toml

TABLE = "test_in_view"


def parse_test_in_view(data: Mapping, source: Path | str) -> dict[str, str]:
    """Experiment -> how the report names the measure that was seen ("macro-average F1"); ``{}`` without the
    table. Raises a one-line :class:`click.ClickException` naming ``source`` and the fix."""
    table = data.get(TABLE)
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise click.ClickException(f'{source}: [{TABLE}] must be a table, e.g. my_experiment = "macro_f1"')
    from report import registry

    known = registry.experiment_names(Path(source).resolve().parent)
    out = {}
    for experiment, measure in table.items():
        if experiment not in known:
            raise click.ClickException(f"{source}: unknown experiment {TABLE}.{experiment}; known: {', '.join(known)}")
        if measure not in MEASURES:
            raise click.ClickException(f"{source}: {TABLE}.{experiment} = {measure!r} is not a measure; "
                                       f"one of: {', '.join(MEASURES)}")
        label = MEASURES[measure][0]
        out[experiment] = label if label.isupper() else label[0].lower() + label[1:]  # "ROC AUC", "accuracy"
    return out


def load_test_in_view(path: Path | str) -> dict[str, str]:
    """:func:`parse_test_in_view` of a report.toml; ``{}`` when the file or the table is missing."""
    return parse_test_in_view(read_toml(Path(path)), path)
