"""The results contract of the *studies*: evidence for the theory answers.

A study (baselines, measured gradient decay, long-range memory, ...) is not a
classification experiment, so it has its own schema: a few tables, a few
series for figures and a flat dict of headline numbers, plus the same key,
provenance and ``schema_version`` discipline as ``report.results.experiment_results``. Each study
writes ``build/results/<name>/study.json`` atomically; rendering reads only
that file and never imports TensorFlow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from report import atomic
from report.results.experiment_results import Provenance
from report.results.validated import ResultsError, read_validated

SCHEMA_VERSION = 1
# The recurrent cells the studies compare, in the order tables and figures show them.
CELLS = ("SimpleRNN", "LSTM", "GRU")
STUDY_FILE = "study.json"
# Per-example arrays a study keeps beside study.json (e.g. the baselines' test predictions, for the
# paired tests against the experiments' predictions.npz); read with ``load_arrays``, never with TensorFlow.
ARRAYS_FILE = "arrays.npz"

Cell = str | int | float | None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Table(_Model):
    """A small table: the renderer formats the cells, the study chooses them."""

    id: str = Field(description="stable name the templates look the table up by, e.g. 'imdb'")
    caption: str
    columns: list[str]
    rows: list[list[Cell]]

    @model_validator(mode="after")
    def _rectangular(self) -> "Table":
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.id}: a row has {len(row)} cells for {len(self.columns)} columns")
        return self

    def records(self) -> list[dict[str, Cell]]:
        """Rows as dicts keyed by column name."""
        return [dict(zip(self.columns, row)) for row in self.rows]

    def column(self, name: str) -> list[Cell]:
        i = self.columns.index(name)
        return [row[i] for row in self.rows]


class Series(_Model):
    """One line of a figure: ``figure`` groups the series drawn together."""

    figure: str = Field(description="which figure of the study it belongs to, e.g. 'decay'")
    label: str = Field(description="legend entry, e.g. 'LSTM, trained'")
    x: list[float]
    y: list[float]

    @model_validator(mode="after")
    def _same_length(self) -> "Series":
        if len(self.x) != len(self.y):
            raise ValueError(f"series {self.label!r}: x and y differ in length")
        return self


class StudyTimings(_Model):
    load_seconds: float = Field(ge=0)
    run_seconds: float = Field(ge=0, description="fitting and measuring")

    @property
    def total_seconds(self) -> float:
        return self.load_seconds + self.run_seconds


class StudyResults(_Model):
    schema_version: int = SCHEMA_VERSION
    experiment: str = Field(description="the study's registered name")
    title: str
    description: str = ""
    key: str = ""
    key_parts: dict[str, str] = Field(default_factory=dict)
    config: dict[str, Any]
    tables: list[Table] = Field(default_factory=list)
    series: list[Series] = Field(default_factory=list)
    headline: dict[str, float | int | str | None] = Field(
        default_factory=dict, description="the numbers the prose quotes, by a dotted name"
    )
    provenance: Provenance
    timings: StudyTimings
    # name -> numpy array (numbers or str), written to arrays.npz by ``save``, not to study.json; it
    # travels with the results (pickled) from a cluster worker to the machine that writes them
    arrays: dict[str, Any] = Field(default_factory=dict, exclude=True, repr=False)

    @model_validator(mode="after")
    def _consistent(self) -> "StudyResults":
        if self.schema_version != SCHEMA_VERSION:
            raise ValueError(f"schema_version {self.schema_version}, expected {SCHEMA_VERSION}")
        ids = [t.id for t in self.tables]
        if len(ids) != len(set(ids)):
            raise ValueError("two tables share an id")
        return self

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(f"{self.experiment} has no table {table_id!r}")

    def figure_series(self, figure: str) -> list[Series]:
        return [s for s in self.series if s.figure == figure]


def save(folder: Path, study: StudyResults) -> Path:
    """Validate and write ``study.json`` atomically, after its arrays (``arrays.npz``, stamped with the
    study's key) when it has any; an older arrays file is removed when it has none."""
    import numpy as np

    StudyResults.model_validate(study.model_dump())
    folder = Path(folder)
    if study.arrays:
        if KEY_ARRAY in study.arrays:
            raise ValueError(f"{study.experiment}: {KEY_ARRAY!r} is reserved in a study's arrays")
        arrays = {name: _plain(value) for name, value in study.arrays.items()}
        with atomic.atomic_path(folder / ARRAYS_FILE) as tmp:
            np.savez_compressed(tmp, **arrays, **{KEY_ARRAY: np.array(study.key)})
    else:
        (folder / ARRAYS_FILE).unlink(missing_ok=True)
    path = folder / STUDY_FILE
    atomic.write_text(path, study.model_dump_json(indent=1))
    return path


KEY_ARRAY = "__key__"


def _plain(value: Any):
    """A numpy array that loads without pickle: strings as fixed-width unicode."""
    import numpy as np

    a = np.asarray(value)
    if a.dtype == object:
        a = a.astype(str)
    return a


def load_arrays(folder: Path, study: StudyResults) -> dict[str, Any]:
    """The arrays saved with ``study`` (name -> numpy array); empty when there are none, or when the
    file is unreadable or belongs to another run of the study (its key differs)."""
    import numpy as np

    path = Path(folder) / ARRAYS_FILE
    try:
        with np.load(path, allow_pickle=False) as npz:
            if KEY_ARRAY not in npz.files or str(npz[KEY_ARRAY]) != study.key:
                return {}
            return {name: npz[name] for name in npz.files if name != KEY_ARRAY}
    except (OSError, ValueError, EOFError):
        return {}


def load(folder: Path) -> StudyResults:
    """Read and validate ``study.json``; a one-line error that says how to rebuild it."""
    return read_validated(Path(folder) / STUDY_FILE, StudyResults, what="study", version=SCHEMA_VERSION)


def load_available(results_root: Path, names: list[str]) -> dict[str, StudyResults]:
    """The studies whose results exist and validate; the report shows the evidence it has."""
    out = {}
    for name in names:
        try:
            out[name] = load(Path(results_root) / name)
        except ResultsError:
            continue
    return out
