"""The report's outline, declared by the project: ``[[section]]`` entries in ``report.toml``.

Which sections the report has and in which order, their numbers, titles and anchors, which theory
answer (``templates/answers/<answer>.md``), experiment (``experiments/<name>.py``) and studies'
evidence (``studies/<name>.py`` with ``templates/studies/<name>[-<view>].html``) each one shows.
Rendering and ``make-report check`` both read it from here, so the engine knows no section,
experiment or study by name. A section numbered without a dot ("1") opens an exercise; the sections
numbered below it ("1.1", "1.2" ...) are its parts::

    [[section]]
    number = "1.4"
    title = "Experiment: a GRU for IMDB sentiment"
    id = "ex1-q4"
    experiment = "my_experiment"          # experiments/my_experiment.py
    evidence = [{ study = "my_study" }]   # studies/my_study.py, shown by templates/studies/my_study.html

After the exercises come the appendices, ``[[appendix]]`` entries in the same file: what a grader may look
up rather than read (each study's method, how each experiment's settings were chosen, provenance). An
appendix names what it ``holds``, one of :data:`APPENDIX_KINDS`::

    [[appendix]]
    letter = "A"
    title = "How each study was measured"
    id = "methods"
    holds = "methods"

Without any, the report ends with its provenance, as appendix A.

Every problem of the outline is reported at once, naming ``report.toml`` and the fix.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

TABLE = "section"
APPENDIX_TABLE = "appendix"
# what an appendix can hold: each study's design (templates/studies/<study>-method.html), each experiment's
# settings (its selection record and full configuration), illustrations (each experiment's word-by-word trace and
# the evidence entries a section sends there with `appendix = "<letter>"`), the provenance of every result
APPENDIX_KINDS = ("methods", "settings", "illustrations", "provenance")
_APPENDIX_KEYS = frozenset({"letter", "title", "id", "holds"})
_SECTION_KEYS = frozenset({"number", "title", "id", "answer", "experiment", "evidence"})
# any other key is an option for the study's evidence(); `appendix`: the letter of the appendix holding "illustrations"
# that shows the entry instead of the section (under the section's own entry there, linked from the section)
_EVIDENCE_KEYS = frozenset({"study", "view", "appendix"})


class OutlineError(click.ClickException):
    """The outline in report.toml names something the project does not have, or is malformed."""


@dataclass(frozen=True)
class Section:
    number: str  # "1", "1.4"; "" for unnumbered parts such as the provenance
    title: str
    id: str  # the HTML anchor
    level: int  # heading level: 2 exercise, 3 question

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


@dataclass(frozen=True)
class EvidenceSpec:
    """One study's evidence in a section: ``study.evidence(ask)`` computes it, its template shows it."""

    study: str
    view: str | None = None  # a second way to show the same study ("lstm": the gradient decay seen from 2.1)
    options: Mapping[str, Any] = field(default_factory=dict)  # the entry's other keys, for the study's evidence()
    appendix: str | None = None  # the letter of the appendix that shows it instead of the section

    @property
    def template(self) -> str:
        return f"studies/{self.study}-{self.view}.html" if self.view else f"studies/{self.study}.html"


def method_template(study: str) -> str:
    """How a study was measured, shown once in the appendix that holds "methods" (when the template exists)."""
    return f"studies/{study}-method.html"


@dataclass(frozen=True)
class PartSpec:
    section: Section
    answer: str | None = None  # templates/answers/<answer>.md
    experiment: str | None = None  # experiments/<experiment>.py, shown with the standard result blocks
    evidence: tuple[EvidenceSpec, ...] = ()


@dataclass(frozen=True)
class Exercise:
    section: Section
    parts: tuple[PartSpec, ...]


@dataclass(frozen=True)
class Appendix:
    section: Section  # level 2, numbered by its letter
    holds: str  # one of APPENDIX_KINDS


@dataclass(frozen=True)
class Outline:
    exercises: tuple[Exercise, ...]
    appendices: tuple[Appendix, ...] = ()

    @property
    def parts(self) -> tuple[PartSpec, ...]:
        return tuple(p for ex in self.exercises for p in ex.parts)

    @property
    def sections(self) -> tuple[Section, ...]:
        """Every section of the outline, in document order."""
        return tuple(s for ex in self.exercises for s in (ex.section, *(p.section for p in ex.parts)))

    @property
    def experiments(self) -> tuple[str, ...]:
        """The experiments the report shows, in report order."""
        return tuple(p.experiment for p in self.parts if p.experiment)

    @property
    def answers(self) -> tuple[str, ...]:
        return tuple(p.answer for p in self.parts if p.answer)

    @property
    def studies(self) -> tuple[str, ...]:
        """The studies whose evidence the report shows, each once, in order of first appearance."""
        return tuple(dict.fromkeys(e.study for p in self.parts for e in p.evidence))

    def part_of(self, experiment: str) -> PartSpec | None:
        return next((p for p in self.parts if p.experiment == experiment), None)


def _string(entry: Mapping[str, Any], key: str, where: str, problems: list[str], required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            problems.append(f"{where}: no {key} (add {key} = \"...\")")
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: {key} must be a non-empty string")
        return None
    return value


def _evidence(raw: Any, where: str, problems: list[str]) -> tuple[EvidenceSpec, ...]:
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        problems.append(f'{where}: evidence must be a list of tables, e.g. evidence = [{{ study = "name" }}]')
        return ()
    specs = []
    for entry in raw:
        study = _string(entry, "study", f"{where} evidence", problems)
        view = _string(entry, "view", f"{where} evidence", problems, required=False)
        appendix = _string(entry, "appendix", f"{where} evidence", problems, required=False)
        if study:
            specs.append(EvidenceSpec(study, view, {k: v for k, v in entry.items() if k not in _EVIDENCE_KEYS},
                                      appendix))
    return tuple(specs)


def appendix_section(letter: str, title: str, anchor: str) -> Section:
    return Section(letter, f"Appendix {letter}: {title}", anchor, 2)


DEFAULT_APPENDICES = (Appendix(appendix_section("A", "Provenance", "provenance"), "provenance"),)


def parse_appendices(entries: Any, source: Path | str, problems: list[str]) -> tuple[Appendix, ...]:
    """The ``[[appendix]]`` entries; none: the provenance alone (:data:`DEFAULT_APPENDICES`)."""
    if entries is None:
        return DEFAULT_APPENDICES
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problems.append(f"{source}: appendices must be [[{APPENDIX_TABLE}]] tables (letter, title, id, holds)")
        return ()
    out = []
    for k, entry in enumerate(entries, start=1):
        where = f"{source}: [[{APPENDIX_TABLE}]] #{k}" + (f" ({entry['title']})" if entry.get("title") else "")
        unknown = set(entry) - _APPENDIX_KEYS
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                            f"known: {', '.join(sorted(_APPENDIX_KEYS))}")
        letter, title, anchor, holds = (_string(entry, key, where, problems)
                                        for key in ("letter", "title", "id", "holds"))
        if holds is not None and holds not in APPENDIX_KINDS:
            problems.append(f"{where}: holds = {holds!r} is not known; use one of {', '.join(APPENDIX_KINDS)}")
            continue
        if None not in (letter, title, anchor, holds):
            out.append(Appendix(appendix_section(letter, title, anchor), holds))
    for what, values in (("holds", [a.holds for a in out]), ("letter", [a.section.number for a in out])):
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            problems.append(f"{source}: {what} {', '.join(map(repr, twice))} appears in more than one "
                            f"[[{APPENDIX_TABLE}]]; give each appendix its own")
    return tuple(out)


def parse(entries: Any, source: Path | str = "report.toml", appendices: Any = None) -> Outline:
    """The outline from the ``[[section]]`` entries of ``source``; an OutlineError lists every problem."""
    if not isinstance(entries, list) or not entries:
        raise OutlineError(
            f"{source}: no outline: add a [[{TABLE}]] entry (number, title, id, and answer, experiment or "
            f"evidence) for each section of the report, in order"
        )
    problems: list[str] = []
    exercises: list[tuple[Section, list[PartSpec]]] = []
    for k, entry in enumerate(entries, start=1):
        where = f"{source}: [[{TABLE}]] #{k}"
        if not isinstance(entry, dict):
            problems.append(f"{where} must be a table")
            continue
        if entry.get("title"):
            where += f" ({entry['title']})"
        unknown = set(entry) - _SECTION_KEYS
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                            f"known: {', '.join(sorted(_SECTION_KEYS))}")
        number, title, anchor = (_string(entry, key, where, problems) for key in ("number", "title", "id"))
        if number is None or title is None or anchor is None:
            continue
        depth = number.count(".")
        if depth > 1:
            problems.append(f"{where}: number {number!r} is nested too deep: use \"1\" for an exercise, \"1.2\" "
                            f"for its parts")
            continue
        section = Section(number, title, anchor, 2 + depth)
        content = {key: entry.get(key) for key in ("answer", "experiment", "evidence") if entry.get(key) is not None}
        if depth == 0:
            if content:
                problems.append(f"{where}: an exercise (number without a dot) holds no {', '.join(content)}: "
                                f"give it a part, e.g. number = \"{number}.1\"")
            exercises.append((section, []))
            continue
        if not exercises or not number.startswith(exercises[-1][0].number + "."):
            problems.append(f"{where}: part {number} does not follow its exercise: put it after the section "
                            f"numbered {number.split('.')[0]!r}")
            continue
        if not content:
            problems.append(f"{where}: shows nothing: give it an answer, an experiment or evidence")
        answer = _string(entry, "answer", where, problems, required=False)
        experiment = _string(entry, "experiment", where, problems, required=False)
        evidence = _evidence(entry["evidence"], where, problems) if "evidence" in entry else ()
        exercises[-1][1].append(PartSpec(section, answer, experiment, evidence))
    outline = Outline(tuple(Exercise(s, tuple(parts)) for s, parts in exercises),
                      parse_appendices(appendices, source, problems))
    ids = [s.id for s in outline.sections] + [a.section.id for a in outline.appendices]
    illustrated = {a.section.number for a in outline.appendices if a.holds == "illustrations"}
    for part in outline.parts:
        for spec in part.evidence:
            if spec.appendix is not None and spec.appendix not in illustrated:
                problems.append(f"{source}: section {part.section.number}: evidence of {spec.study!r} is sent to "
                                f"appendix {spec.appendix!r}, which is not an [[{APPENDIX_TABLE}]] that holds "
                                f"\"illustrations\" (known: {', '.join(sorted(illustrated)) or 'none'})")
    for what, values in (("number", [s.number for s in outline.sections]), ("id", ids),
                         ("experiment", list(outline.experiments)), ("answer", list(outline.answers))):
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            problems.append(f"{source}: {what} {', '.join(map(repr, twice))} appears in more than one [[{TABLE}]]; "
                            f"each {what} belongs to one section")
    if problems:
        raise OutlineError("the report's outline is not valid:\n  " + "\n  ".join(problems))
    return outline


def _known(kind: str, names: list[str], wanted: tuple[str, ...], source: Path, folder: str) -> list[str]:
    return [f"{source}: {kind} {name!r} is not in {folder}/ (known: {', '.join(names) or 'none'}); add "
            f"{folder}/{name}.py or correct the name" for name in wanted if name not in names]


def validate(outline: Outline, source: Path, templates: Path, experiments: list[str], studies: list[str]) -> None:
    """That everything the outline names exists in the project: experiments, studies, answers and templates."""
    problems = _known("experiment", experiments, outline.experiments, source, "experiments")
    problems += _known("study", studies, outline.studies, source, "studies")
    for answer in outline.answers:
        if not (templates / "answers" / f"{answer}.md").is_file():
            problems.append(f"{source}: answer {answer!r} has no file: write {templates / 'answers' / answer}.md "
                            f"or correct the name")
    for spec in (e for p in outline.parts for e in p.evidence):
        if spec.study in studies and not (templates / spec.template).is_file():
            problems.append(f"{source}: evidence of {spec.study!r}{f' (view {spec.view!r})' if spec.view else ''} "
                            f"has no template: write {templates / spec.template} or correct the view")
    if problems:
        raise OutlineError("the report's outline is not valid:\n  " + "\n  ".join(problems))


def load_outline(source: Path, templates: Path | None = None) -> Outline:
    """The outline of the project whose ``report.toml`` is ``source``, checked against its experiments/,
    studies/ and templates/ (default: ``templates/`` beside it)."""
    from report import registry

    source = Path(source)
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutlineError(f"{source} is missing: the report's outline is declared there") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise OutlineError(f"{source} is not valid TOML ({exc})") from None
    outline = parse(data.get(TABLE), source, data.get(APPENDIX_TABLE))
    project = source.parent
    validate(outline, source, Path(templates) if templates is not None else project / "templates",
             registry.experiment_names(project), registry.study_names(project))
    return outline
