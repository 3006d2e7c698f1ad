"""The figures of an earlier version of this report, made by hand, from ``report.toml``'s optional
``[reference]`` table.

They are the author's own earlier results, so they are content, kept with the
rest of it in report.toml; the report compares its own measurements with them
(:func:`report.render.interpret.compare_with_reference`). Without the table
the comparison is left out of the HTML and the PDF. One sub-table per
experiment::

    [reference.my_experiment]  # the experiment's name: experiments/my_experiment.py
    test_size = 25000          # the counts are only compared on a test set of this size
    accuracy = 0.83            # scores as stated, to two decimals
    f1 = { neg = 0.84, pos = 0.81 }
    tn = 11320                 # confusion-matrix cells (binary tasks)

:data:`MEASURES` lists the keys, how the report names each and which way is better.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import click

Kind = Literal["score", "count"]
TABLE = "reference"


@dataclass(frozen=True)
class ReferenceFigure:
    key: str  # what is measured; see MEASURES ("f1:<class>" for a class's F1)
    label: str  # how the report names it
    value: float
    kind: Kind = "score"  # "score": stated to `decimals`; "count": a confusion-matrix cell
    higher_is_better: bool = True


@dataclass(frozen=True)
class Reference:
    experiment: str
    figures: tuple[ReferenceFigure, ...]
    test_size: int  # the counts are only comparable on a test set of this size (0: not stated)
    decimals: int = 2  # the precision the scores were reported with (the report says "two decimals")


# key -> (label, kind, higher is better); a class's F1 comes from the `f1` sub-table
MEASURES: dict[str, tuple[str, Kind, bool]] = {
    "accuracy": ("Accuracy", "score", True),
    "roc_auc": ("ROC AUC", "score", True),
    "micro_auc": ("Micro-average ROC AUC", "score", True),
    "macro_auc": ("Macro-average ROC AUC", "score", True),
    "macro_f1": ("Macro-average F1", "score", True),
    "weighted_f1": ("Weighted-average F1", "score", True),
    "tn": ("True negatives", "count", True),
    "tp": ("True positives", "count", True),
    "fn": ("False negatives", "count", False),
    "fp": ("False positives", "count", False),
}
SETTINGS = ("test_size",)
KNOWN_KEYS = (*SETTINGS, *MEASURES, "f1")


def reference_correct(ref: "Reference") -> int | None:
    """How many test examples the earlier version got right: tp + tn when it stated its counts, else its
    two-decimal accuracy times its test-set size (None when it stated neither accuracy nor a test size)."""
    figures = {f.key: f.value for f in ref.figures}
    if {"tp", "tn"} <= figures.keys():
        return int(figures["tp"] + figures["tn"])
    if "accuracy" in figures and ref.test_size:
        return round(figures["accuracy"] * ref.test_size)
    return None


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_references(data: Mapping, source: Path | str) -> dict[str, Reference]:
    """The ``[reference]`` table of a parsed report.toml; ``{}`` when it has none.

    Raises a one-line :class:`click.ClickException` naming ``source`` and the key for an unknown
    key or a value that is not a number."""
    table = data.get(TABLE)
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise click.ClickException(f"{source}: [{TABLE}] must be a table of experiments, e.g. [{TABLE}.NAME] for experiments/NAME.py")
    from report import registry

    known = registry.experiment_names(Path(source).resolve().parent)  # the experiments beside this report.toml
    out = {}
    for experiment, figures in table.items():
        where = f"[{TABLE}.{experiment}]"
        if experiment not in known:
            raise click.ClickException(f"{source}: unknown experiment {where}; known: {', '.join(known)}")
        if not isinstance(figures, Mapping):
            raise click.ClickException(f"{source}: {TABLE}.{experiment} must be a table ({where}) of figures")
        unknown = [k for k in figures if k not in KNOWN_KEYS]
        if unknown:
            raise click.ClickException(
                f"{source}: unknown key {where} {unknown[0]}; known: {', '.join(KNOWN_KEYS)}")
        out[experiment] = _reference(experiment, figures, source, where)
    return out


def _reference(experiment: str, table: Mapping, source, where: str) -> Reference:
    def number(key: str, value: object) -> float:
        if not _number(value):
            raise click.ClickException(f"{source}: {where} {key} must be a number, not {value!r}")
        return value  # type: ignore[return-value]

    figures = []
    for key, value in table.items():
        if key in SETTINGS:
            continue
        if key == "f1":
            if not isinstance(value, Mapping):
                raise click.ClickException(f"{source}: {where} f1 must be a table of class = F1, e.g. "
                                           f"f1 = {{ neg = 0.84 }}, not {value!r}")
            for cls, f1 in value.items():
                figures.append(ReferenceFigure(f"f1:{cls}", f"F1 ({cls})", float(number(f"f1.{cls}", f1))))
            continue
        label, kind, higher = MEASURES[key]
        figures.append(ReferenceFigure(key, label, number(key, value), kind, higher))
    test_size = table.get("test_size", 0)
    if not isinstance(test_size, int) or isinstance(test_size, bool) or test_size < 0:
        raise click.ClickException(f"{source}: {where} test_size must be a whole number >= 0, not {test_size!r}")
    if any(f.kind == "count" for f in figures) and not test_size:
        raise click.ClickException(f"{source}: {where} has confusion counts but no test_size (the number of test "
                                   f"examples they come from)")
    return Reference(experiment, tuple(figures), test_size)


def read_toml(path: Path) -> dict:
    """A report.toml's tables; ``{}`` when there is no such file. Raises a one-line
    :class:`click.ClickException` naming the file when it is not TOML."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path} is not valid TOML ({exc})") from None


def load_references(path: Path | str) -> dict[str, Reference]:
    """The references of a report.toml; ``{}`` when the file or its ``[reference]`` table is missing."""
    return parse_references(read_toml(Path(path)), path)
