"""Results, figures and answers -> the one typed context the templates render.

The project's outline (``report.toml``, read by :mod:`report.outline`) says which sections there
are and what each shows; here the order of the result blocks in each experiment and the numbering
of figures and tables are decided, once, so the HTML and the PDF show the same numbers and the
prose can refer to "Figure 3" before or after it appears.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import ModuleType
from typing import Literal

from markupsafe import Markup

from report.outline import Appendix, Outline, Section, method_template
from report.render import interpret
from report.render.evidence import EvidenceBuilder, EvidenceItem
from report.render.format import plural
from report.render.meta import ReportMeta
from report.render.reference import Reference
from report.render.written import WrittenFigure
from report.results.experiment_results import Arithmetic, Results
from report.results.study import CELLS, StudyResults
from report.stats.selection import Selection, selection

Medium = Literal["screen", "print"]


# --- the outline: declared by the project (report.toml's [[section]], read by report.outline) ---------------

# The result blocks of an experiment section, in the order ASSIGNMENT.md lists them,
# and the numbered items each block shows, in the order the block's template shows them.
PLANS: dict[str, tuple[str, ...]] = {
    "binary": ("model", "training", "confusion", "roc", "class_report", "reference", "live"),
    "multiclass": ("model", "training", "roc", "class_report", "confusion", "reference", "live"),
}
BLOCK_ITEMS: dict[str, tuple[tuple[Literal["figure", "table"], str], ...]] = {
    "model": (("table", "model"),),  # the selection record is in the appendix that holds "settings"
    "training": (("figure", "training"),),
    "confusion": (("figure", "confusion"), ("table", "confusion_counts")),
    "roc": (("figure", "roc"),),
    "class_report": (("table", "class_report"), ("figure", "f1_support")),
    "reference": (("table", "reference"),),
    "live": (("figure", "trace"),),  # report/render/live_figures.py; only when the model was exported
    "extra": (),  # figure kinds this renderer does not know yet, numbered last
}
BLOCK_TITLES: dict[str, str] = {
    "model": "Data and model",
    "training": "Training",
    "confusion": "Confusion matrix",
    "roc": "ROC curves",
    "class_report": "Classification report",
    "reference": "Against an earlier version, made by hand",
    "live": "Word by word",
    "extra": "Further figures",
}


# --- numbered items -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureRef:
    number: int
    id: str  # anchor, "fig-3"
    experiment: str
    kind: str
    src: str  # relative to the page: "figures/<experiment>-training.svg"
    alt: str
    title: str

    @property
    def label(self) -> str:
        return f"Figure {self.number}"


@dataclass(frozen=True)
class TableRef:
    number: int
    id: str  # "tab-2"
    experiment: str
    kind: str
    title: str

    @property
    def label(self) -> str:
        return f"Table {self.number}"


@dataclass(frozen=True)
class ClassRow:
    name: str
    precision: float
    recall: float
    f1: float
    support: int
    zero: bool  # F1 = 0: never predicted correctly
    rare: bool  # support below interpret.RARE_SUPPORT


@dataclass(frozen=True)
class Setting:
    name: str
    value: object


@dataclass(frozen=True)
class Block:
    kind: str
    title: str
    figures: tuple[FigureRef, ...]  # the block's own numbered figures, in display order
    tables: tuple[TableRef, ...]


@dataclass(frozen=True)
class ExperimentContext:
    name: str
    section: Section
    results: Results
    binary: bool
    blocks: tuple[Block, ...]
    figures: Mapping[str, FigureRef]  # by kind, for references from the prose
    tables: Mapping[str, TableRef]
    class_rows: tuple[ClassRow, ...]  # most frequent first
    settings: tuple[Setting, ...]  # the full training config, for reproduction
    fit: interpret.FitFinding
    accuracy: interpret.AccuracyFinding  # the headline accuracy and its 95% Wilson interval
    baseline: interpret.BaselineFinding
    balance: interpret.BalanceFinding
    roc: interpret.RocFinding
    errors: interpret.ErrorFinding | None  # binary only
    confusion: interpret.ConfusionFinding | None
    reference: interpret.ReferenceComparison | None
    selection: Selection | None = None  # how the settings were chosen on validation (report/stats/selection.py)
    test_in_view: str | None = None  # the test measure seen before a selection was started (report.render.disclosure)

    @property
    def n_classes(self) -> int:
        return len(self.results.data.class_names)

    @property
    def network(self) -> str:
        """The recurrent cell the model is built on ("SimpleRNN"), as its summary names it; else "model"."""
        return next((layer.class_name for layer in self.results.model.layers if layer.class_name in CELLS), "model")


@dataclass(frozen=True)
class Part:
    section: Section
    answer: Markup | None
    experiment: ExperimentContext | None
    evidence: tuple[EvidenceItem, ...] = ()  # the studies' evidence for this part (report/render/evidence.py)


@dataclass(frozen=True)
class Exercise:
    section: Section
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class MethodEntry:
    """One study's design in the appendix of methods, linked from and back to the sections showing it."""

    section: Section  # "A.2", level 3
    study: str
    template: str  # templates/studies/<study>-method.html
    items: tuple[EvidenceItem, ...]  # the study's evidence in the body, in document order
    shown_in: tuple[Section, ...]  # the body sections that show it

    @property
    def main(self) -> EvidenceItem:
        """The item the method describes: the first with the study's figures or tables (a view from another
        section may show the finding alone)."""
        return next((i for i in self.items if i.figures or i.tables), self.items[0])


@dataclass(frozen=True)
class SettingsEntry:
    """How one experiment's settings were chosen: its selection record and full configuration."""

    section: Section  # "B.1", level 3
    experiment: ExperimentContext
    model_table: TableRef  # the layers; numbered where the appendix shows them, after every table of the body
    selection_table: TableRef | None


@dataclass(frozen=True)
class IllustrationEntry:
    """One section's illustrations: its experiment's word-by-word trace and the evidence it sends to this appendix."""

    section: Section  # "D.1", level 3
    part: Section  # the body section they belong to
    experiment: ExperimentContext | None
    live: Block | None  # the trace block, numbered here
    evidence: tuple[EvidenceItem, ...]


@dataclass(frozen=True)
class AppendixContext:
    section: Section
    holds: str  # report.outline.APPENDIX_KINDS
    methods: tuple[MethodEntry, ...] = ()
    settings: tuple[SettingsEntry, ...] = ()
    illustrations: tuple[IllustrationEntry, ...] = ()


@dataclass(frozen=True)
class ExperimentProvenance:
    name: str
    title: str
    commit: str | None
    dirty: bool | None
    python: str
    platform: str
    cpu_count: int
    gpu: str | None
    seed: int
    packages: Mapping[str, str]
    data_checksums: Mapping[str, str]
    started_at: dt.datetime
    finished_at: dt.datetime
    load_seconds: float
    train_seconds: float
    evaluate_seconds: float
    key: str
    arithmetic: Arithmetic | None = None  # CPU, pins and BLAS kernels it trained with (None: before the pins)


@dataclass(frozen=True)
class BuildInfo:
    commit: str | None
    dirty: bool | None
    built_at: dt.datetime
    packages: Mapping[str, str]  # the rendering side: jinja2, weasyprint, matplotlib ...


@dataclass(frozen=True)
class ReportContext:
    meta: ReportMeta
    medium: Medium  # "screen" for the site, "print" for WeasyPrint
    toc: tuple[Section, ...]
    exercises: tuple[Exercise, ...]
    experiments: Mapping[str, ExperimentContext]
    figures: tuple[FigureRef, ...]
    tables: tuple[TableRef, ...]
    build: BuildInfo
    provenance: tuple[ExperimentProvenance, ...]
    appendices: tuple[AppendixContext, ...]
    # where a body section cites the appendix: study -> its method's section, experiment -> its settings' section
    method_refs: Mapping[str, Section]
    settings_refs: Mapping[str, Section]
    illustration_refs: Mapping[str, Section]  # body section number -> its entry in the appendix of illustrations
    pdf_href: str | None  # link to the PDF from the site, when one is built
    # experiment -> why its results no longer match the code (rendered with --allow-stale only)
    stale: Mapping[str, str] = field(default_factory=dict)
    live_href: str | None = None  # the "Try the models" page (report/render/live.py), when the models were exported

    def as_template_vars(self) -> dict[str, object]:
        """Top-level template variables: the declared fields, shallow (objects stay typed)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


# --- building it ------------------------------------------------------------------------------------------


def _class_rows(results: Results) -> tuple[ClassRow, ...]:
    rows = results.test.classification_report.classes
    order = sorted(rows, key=lambda n: (-rows[n].support, results.data.class_names.index(n)
                                       if n in results.data.class_names else 0))
    return tuple(
        ClassRow(n, rows[n].precision, rows[n].recall, rows[n].f1_score, rows[n].support,
                 zero=rows[n].f1_score == 0, rare=rows[n].support < interpret.RARE_SUPPORT)
        for n in order
    )


def _table_title(kind: str, results: Results) -> str:
    data = results.data
    return {
        "model": f"Layers of the model ({results.title})",
        "confusion_counts": f"Confusion matrix of the {plural(data.test_size, 'test example')}, as counts",
        "class_report": f"Classification report on the {plural(data.test_size, 'test example')}"
        + (", classes by support" if len(data.class_names) > 2 else ""),
        "reference": "This report against an earlier version of this report, made by hand",
        "selection": f"The settings compared before the one of {results.title} was chosen, on the validation split",
    }[kind]


class _Numbering:
    def __init__(self) -> None:
        self.figures: list[FigureRef] = []
        self.tables: list[TableRef] = []

    def figure(self, written: WrittenFigure, src: str) -> FigureRef:
        n = len(self.figures) + 1
        ref = FigureRef(n, f"fig-{n}", written.experiment, written.kind, src, written.alt, written.title)
        self.figures.append(ref)
        return ref

    def table(self, experiment: str, kind: str, title: str) -> TableRef:
        n = len(self.tables) + 1
        ref = TableRef(n, f"tab-{n}", experiment, kind, title)
        self.tables.append(ref)
        return ref


def _experiment(
    name: str,
    section: Section,
    results: Results,
    written: Sequence[WrittenFigure],
    numbering: _Numbering,
    figure_src: str,
    reference_figures: Reference | None = None,
    skip: frozenset[str] = frozenset(),
    test_in_view: str | None = None,
) -> ExperimentContext:
    """``skip``: block kinds and tables another place shows (the word-by-word trace in the appendix that holds
    "illustrations", the layers table in the one that holds "settings")."""
    binary = len(results.data.class_names) == 2
    by_kind = {w.kind: w for w in written if w.experiment == name}
    reference = interpret.compare_with_reference(results, reference_figures)
    chosen = selection(results)
    has_table = {"model": "model" not in skip, "confusion_counts": binary, "class_report": True,
                 "reference": reference is not None}
    plan = PLANS["binary" if binary else "multiclass"]
    known = {kind for items in BLOCK_ITEMS.values() for t, kind in items if t == "figure"}
    extra = tuple(k for k in by_kind if k not in known)
    blocks = []
    for kind in plan + (("extra",) if extra else ()):
        if kind == "reference" and reference is None:
            continue  # no [reference] in report.toml for this experiment: no comparison at all
        if kind not in skip and (block := _block(kind, name, results, by_kind, extra, has_table, numbering,
                                                 figure_src)) is not None:
            blocks.append(block)
    return ExperimentContext(
        name=name,
        section=section,
        results=results,
        binary=binary,
        blocks=tuple(blocks),
        figures={f.kind: f for b in blocks for f in b.figures},
        tables={t.kind: t for b in blocks for t in b.tables},
        class_rows=_class_rows(results),
        settings=tuple(Setting(k, v) for k, v in results.config.items()),
        fit=interpret.training_dynamics(results),
        accuracy=interpret.accuracy_interval(results),
        baseline=interpret.majority_baseline(results),
        balance=interpret.class_balance(results),
        roc=interpret.roc_summary(results),
        errors=interpret.error_balance(results),
        confusion=interpret.top_confusion(results),
        reference=reference,
        selection=chosen,
        test_in_view=test_in_view,
    )


def _block(kind: str, name: str, results: Results, by_kind: Mapping[str, WrittenFigure], extra: Sequence[str],
           has_table: Mapping[str, bool], numbering: _Numbering, figure_src: str) -> Block | None:
    """A result block with its figures and tables numbered here; None for a trace block without a trace."""
    figs, tabs = [], []
    items = BLOCK_ITEMS[kind] if kind != "extra" else tuple(("figure", k) for k in extra)
    for item_type, item in items:
        if item_type == "figure" and item in by_kind:
            figs.append(numbering.figure(by_kind[item], f"{figure_src}/{by_kind[item].path.name}"))
        elif item_type == "table" and has_table[item]:
            tabs.append(numbering.table(name, item, _table_title(item, results)))
    if kind == "live" and not figs:
        return None  # no exported model: no trace figure, no block
    return Block(kind, BLOCK_TITLES[kind], tuple(figs), tuple(tabs))


def _provenance(name: str, r: Results) -> ExperimentProvenance:
    p, t = r.provenance, r.timings
    return ExperimentProvenance(
        name=name, title=r.title, commit=p.git_commit, dirty=p.git_dirty, python=p.python, platform=p.platform,
        cpu_count=p.cpu_count, gpu=p.gpu, seed=p.seed, packages=dict(p.packages),
        data_checksums=dict(p.data_checksums), started_at=p.started_at, finished_at=p.finished_at,
        load_seconds=t.load_seconds, train_seconds=t.train_seconds, evaluate_seconds=t.evaluate_seconds, key=r.key,
        arithmetic=p.arithmetic,
    )


def build_context(
    outline: Outline,
    all_results: Mapping[str, Results],
    figures: Sequence[WrittenFigure],
    answers: Mapping[str, Markup],
    meta: ReportMeta,
    build: BuildInfo,
    *,
    medium: Medium = "screen",
    pdf_href: str | None = None,
    figure_src: str = "figures",
    studies: Mapping[str, StudyResults] | None = None,
    study_modules: Mapping[str, ModuleType] | None = None,
    results_root: Path = Path("."),
    stale: Mapping[str, str] | None = None,
    live_href: str | None = None,
    references: Mapping[str, Reference] | None = None,
    method_templates: frozenset[str] = frozenset(),
    test_in_view: Mapping[str, str] | None = None,
) -> ReportContext:
    """Everything the templates show, numbered in document order.

    ``studies``: the studies' results, and ``study_modules`` their modules: the evidence of those the
    outline names follows the part it supports (``report.render.evidence``); ``results_root``: where the
    studies' rules find the per-example predictions they pair with.
    ``references``: an earlier version's figures by experiment (report.toml's [reference]); an
    experiment without them has no comparison block. ``test_in_view``: experiment -> the test measure seen
    before its selection was started (report.toml's [test_in_view]). ``method_templates``: the studies'
    method templates that exist (:func:`report.outline.method_template`), shown in the appendix that holds
    "methods".
    """
    numbering = _Numbering()
    holds = {a.holds for a in outline.appendices}
    moved = frozenset({"live"} if "illustrations" in holds else ()) | frozenset({"model"} if "settings" in holds else ())
    evidence = EvidenceBuilder(studies or {}, study_modules or {}, figures, numbering, figure_src, results_root)
    experiments: dict[str, ExperimentContext] = {}
    exercises = []
    toc: list[Section] = []
    for exercise in outline.exercises:
        toc.append(exercise.section)
        parts = []
        for spec in exercise.parts:
            toc.append(spec.section)
            exp = None
            if spec.experiment:
                exp = _experiment(spec.experiment, spec.section, all_results[spec.experiment], figures,
                                  numbering, figure_src, (references or {}).get(spec.experiment), skip=moved,
                                  test_in_view=(test_in_view or {}).get(spec.experiment))
                experiments[spec.experiment] = exp
            answer = answers.get(spec.answer) if spec.answer else None
            shown = evidence.for_part([e for e in spec.evidence if e.appendix is None], exp.results if exp else None,
                                      spec.section)
            parts.append(Part(spec.section, answer, exp, shown))
        exercises.append(Exercise(exercise.section, tuple(parts)))
    later = _Later(outline, evidence, figures, numbering, figure_src)
    appendices = tuple(_appendix(a, exercises, experiments, studies or {}, numbering, method_templates, later)
                       for a in outline.appendices)
    toc += [a.section for a in appendices]
    return ReportContext(
        meta=meta,
        medium=medium,
        toc=tuple(toc),
        exercises=tuple(exercises),
        experiments=experiments,
        figures=tuple(numbering.figures),
        tables=tuple(numbering.tables),
        build=build,
        provenance=tuple(_provenance(n, all_results[n]) for n in experiments),
        appendices=appendices,
        method_refs={m.study: m.section for a in appendices for m in a.methods},
        settings_refs={e.experiment.name: e.section for a in appendices for e in a.settings},
        illustration_refs={e.part.number: e.section for a in appendices for e in a.illustrations},
        pdf_href=pdf_href,
        stale=dict(stale or {}),
        live_href=live_href,
    )


@dataclass
class _Later:
    """What the appendix of illustrations needs to number, after the body, what the body left out."""

    outline: Outline
    evidence: EvidenceBuilder
    figures: Sequence[WrittenFigure]
    numbering: _Numbering
    figure_src: str

    def illustrations(self, spec: Appendix,
                      experiments: Mapping[str, ExperimentContext]) -> tuple[IllustrationEntry, ...]:
        entries = []
        for part in self.outline.parts:
            sent = [e for e in part.evidence if e.appendix == spec.section.number]
            exp = experiments.get(part.experiment) if part.experiment else None
            live = None
            if exp is not None:
                by_kind = {w.kind: w for w in self.figures if w.experiment == exp.name}
                live = _block("live", exp.name, exp.results, by_kind, (), {}, self.numbering, self.figure_src)
            items = self.evidence.for_part(sent, exp.results if exp else None, part.section)
            if live is not None or items:
                k = len(entries) + 1
                entries.append(IllustrationEntry(Section(f"{spec.section.number}.{k}", part.section.title,
                                                     f"{spec.section.id}-{part.section.id}", 3),
                                             part.section, exp, live, items))
        return tuple(entries)


def _appendix(spec: Appendix, exercises: Sequence[Exercise], experiments: Mapping[str, ExperimentContext],
              studies: Mapping[str, StudyResults], numbering: _Numbering,
              method_templates: frozenset[str], later: _Later) -> AppendixContext:
    """An appendix's entries, numbered "A.1", "A.2" ... in the order the body first shows them; its tables are
    numbered after the body's."""
    letter = spec.section.number

    def sub(k: int, title: str, anchor: str) -> Section:
        return Section(f"{letter}.{k}", title, anchor, 3)

    if spec.holds == "methods":
        shown: dict[str, list[tuple[Section, EvidenceItem]]] = {}
        for part in (p for ex in exercises for p in ex.parts):
            for item in part.evidence:
                shown.setdefault(item.study, []).append((part.section, item))
        entries = tuple(
            MethodEntry(sub(k, studies[study].title if study in studies else study, f"{spec.section.id}-{study}"),
                        study, method_template(study), tuple(i for _, i in seen),
                        tuple(dict.fromkeys(s for s, _ in seen)))
            for k, (study, seen) in enumerate(((st, seen) for st, seen in shown.items()
                                                if method_template(st) in method_templates), start=1))
        return AppendixContext(spec.section, spec.holds, methods=entries)
    if spec.holds == "settings":
        entries = []
        for k, (name, exp) in enumerate(experiments.items(), start=1):
            layers = numbering.table(name, "model", _table_title("model", exp.results))
            table = (numbering.table(name, "selection", _table_title("selection", exp.results))
                     if exp.selection is not None else None)
            entries.append(SettingsEntry(sub(k, exp.results.title, f"{spec.section.id}-{name}"), exp, layers, table))
        return AppendixContext(spec.section, spec.holds, settings=tuple(entries))
    if spec.holds == "illustrations":
        return AppendixContext(spec.section, spec.holds, illustrations=later.illustrations(spec, experiments))
    return AppendixContext(spec.section, spec.holds)
