"""The studies' evidence inside the sections the outline puts it in.

The outline (``report.toml``) lists, per section, the studies whose evidence it shows. A study
module shows its evidence by defining ``evidence(ask: Ask) -> EvidenceItem``: its rules read the
study's results (and the section's experiment where a comparison needs them) and return a frozen
finding with the numbers and a verdict, which ``templates/studies/<study>[-<view>].html`` phrases.
``Ask`` numbers the study's figures and tables where they appear, so the prose can refer to them.

A study's module imports nothing of the renderer (its results' key follows its imports): what its rules need
from the report (the level of its tests, the section's experiment and its paired tests) comes with ``ask``.
No TensorFlow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from report.outline import EvidenceSpec, OutlineError, Section
from report.results.experiment_results import Results
from report.results.study import StudyResults


# --- what a section shows ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceItem:
    """One study's evidence in a section: ``template`` renders ``finding`` with its numbered figures and tables."""

    template: str
    finding: Any
    figures: tuple[Any, ...] = ()  # FigureRef, numbered in document order
    tables: tuple[Any, ...] = ()  # TableRef
    study: str = ""  # whose evidence: the appendix of methods finds it by this


@dataclass
class Ask:
    """What a study's ``evidence()`` is given: its results, the section it appears in, and the numbering."""

    spec: EvidenceSpec
    section: Section  # where the outline shows it
    study: StudyResults
    experiment: Results | None  # the section's experiment, when it has one
    results_root: Path  # build/results: the other results files (per-example predictions) a rule may pair with
    _builder: "EvidenceBuilder" = field(repr=False)

    @property
    def view(self) -> str | None:
        return self.spec.view

    def option(self, key: str) -> Any:
        """An option of the outline's evidence entry; an OutlineError naming the entry when it is missing."""
        if key not in self.spec.options:
            raise OutlineError(f"report.toml: the evidence of {self.spec.study!r} in section {self.section.label} "
                               f"needs {key} = ... in its entry")
        return self.spec.options[key]

    def figure(self, kind: str) -> tuple[Any, ...]:
        """The study's figure ``kind``, numbered here (empty when it was not drawn)."""
        return self._builder.figure(self.spec.study, kind)

    def shown(self, kind: str) -> tuple[Any, ...]:
        """The study's figure ``kind`` as numbered in an earlier section (empty when it was not shown)."""
        ref = self._builder.shown.get((self.spec.study, kind))
        return (ref,) if ref is not None else ()

    def table(self, kind: str, title: str) -> Any:
        """A table of the study, numbered here."""
        return self._builder.numbering.table(self.spec.study, kind, title)

    @property
    def alpha(self) -> float:
        """The level of every paired test the report states."""
        from report.render.interpret import ALPHA

        return ALPHA

    def interval(self) -> tuple[float, float]:
        """The section's experiment's accuracy with its 95% Wilson interval, as its own section states it."""
        from report.render.interpret import accuracy_interval

        found = accuracy_interval(self.experiment)
        return found.low, found.high

    def paired(self, dataset: str):
        """The section's experiment against each model the study scored on ``dataset``, example by example
        (:class:`report.stats.paired.PairedEvidence`); None without both sides' per-example predictions."""
        from report.stats.paired import against_study

        if self.experiment is None:
            return None
        return against_study(self.results_root, self.experiment.experiment, self.spec.study, dataset, self.study)

    def item(self, finding: Any, figures: Sequence[Any] = (), tables: Sequence[Any] = ()) -> EvidenceItem:
        return EvidenceItem(self.spec.template, finding, tuple(figures), tuple(tables), self.spec.study)


class EvidenceBuilder:
    """Numbers the studies' figures and tables where they appear, section by section."""

    def __init__(self, studies: Mapping[str, StudyResults], modules: Mapping[str, Any], figures: Sequence[Any],
                 numbering: Any, figure_src: str, results_root: Path) -> None:
        self.studies, self.modules, self.numbering, self.src = studies, modules, numbering, figure_src
        self.results_root = Path(results_root)
        self.written = {(w.experiment, w.kind): w for w in figures}
        self.shown: dict[tuple[str, str], Any] = {}  # (study, kind) -> figure already numbered

    def figure(self, study: str, kind: str) -> tuple[Any, ...]:
        w = self.written.get((study, kind))
        if w is None:
            return ()
        ref = self.numbering.figure(w, f"{self.src}/{w.path.name}")
        self.shown[(study, kind)] = ref
        return (ref,)

    def for_part(self, specs: Sequence[EvidenceSpec], experiment: Results | None,
                 section: Section) -> tuple[EvidenceItem, ...]:
        """The evidence of the studies that have results, in the outline's order (a study may have none to
        show in a section: its ``evidence`` returns None)."""
        items = []
        for spec in specs:
            if spec.study in self.studies and spec.study in self.modules:
                ask = Ask(spec, section, self.studies[spec.study], experiment, self.results_root, self)
                if (item := self.modules[spec.study].evidence(ask)) is not None:
                    items.append(item)
        return tuple(items)
