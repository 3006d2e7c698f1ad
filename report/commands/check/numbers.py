"""Every number in the prose of the experiment sections is derivable from results.json.

The report formats every number through ``report.render.format``: counts as
``12,500``, scores with three decimals, shares as ``81.5%``, differences
with a sign. For each experiment section of the outline (report.toml), with
the appendix entries about that experiment (``data-experiment``: its set-up
and selection record), this check rebuilds, from that experiment's results.json alone, the set of quantities a sentence may legitimately state
(:func:`~report.commands.check.derivable.derivable`): every number stored in
results.json except the ROC curve points; confusion-matrix row, column and
diagonal sums; shares of counts in their row, their class or the test set;
the majority-class baseline and the model's margin over it;
train-minus-validation gaps and first/best/last-epoch changes; the
micro-macro AUC gap and the macro/weighted F1 ratio; the figures of an
earlier version that report.toml's [reference] holds, and the differences
from them; small counts (of classes,
of epochs); and a short, declared list of prose constants (the 0.5 decision
threshold, the AUC rule of thumb). Each value is rendered at the precisions
the report uses.

Every number token in the section's text (paragraphs, list items, table
rows, captions and image alt texts; identifiers such as "Figure 3",
"section 1.4" and results.json's own strings such as "Reuters-21578" are
taken out first) must be one of these renderings. Per-class values
(precision, recall, F1 and AUC of a class, its shares) are accepted only
in a paragraph or table row that names that class, so a figure cannot be
borrowed from the wrong topic. Signs are not compared (the words around a
difference carry its direction). A number the report adds later must be
added to :mod:`~report.commands.check.derivable` as a derivable quantity:
that is the point.
"""

from __future__ import annotations

import re

from report.commands.check.artefacts import (
    SKIP_CLASSES,
    iter_elements,
    load_raw_results,
    local,
    text_of,
)
from report.commands.check.checklist import Item, item
from report.commands.check.derivable import add_studies, derivable, string_leaves
from report.commands.check.sections import experiment_appendices, experiment_sections
from report.outline import Outline, load_outline
from report.paths import BuildPaths

UNIT_TAGS = {"p", "li", "tr", "figcaption", "caption", "dt", "dd", "h4", "h5", "h6", "blockquote"}
NUMBER = re.compile(r"(?<![\w.,/#-])[+\-\u2212\u00b1]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)(?![\w.]?\d)")
IDENTIFIER = re.compile(r"\b(?:Figure|Table|section|Section|Exercise|epochs?|Epoch)\s+\d+(?:\.\d+)?")


def number_tokens(text: str) -> list[str]:
    """Number tokens, canonical: no sign, no thousands separators, '%' kept."""
    text = IDENTIFIER.sub(" ", text)
    return [m.group(1).replace(",", "") + (m.group(2) or "") + m.group(3) for m in NUMBER.finditer(text)]


def section_units(section) -> list[str]:
    """The texts a number is judged in: paragraphs, list items, table rows, captions, alt texts, the rest."""
    units: list[str] = []
    loose: list[str] = []

    def visit(e) -> None:
        tag = local(e.tag)
        if tag in UNIT_TAGS:
            units.append(text_of(e))
            for el in iter_elements(e):
                if el.get("alt"):
                    units.append(el.get("alt"))
            return
        if e.get("alt"):
            units.append(e.get("alt"))
        if tag in ("script", "style"):
            return
        if e.text and not (set((e.get("class") or "").split()) & SKIP_CLASSES):
            loose.append(e.text)
        for child in e:
            if isinstance(child.tag, str):
                visit(child)
            if child.tail:
                loose.append(child.tail)

    for child in section:
        if isinstance(child.tag, str) and not re.fullmatch(r"h[1-3]", local(child.tag)):
            visit(child)
    units.append(" ".join(" ".join(loose).split()))
    return [u for u in units if u]


def check_numbers(paths: BuildPaths, root, outline: Outline | None = None) -> Item:
    from report.render.reference import load_references

    outline = outline or load_outline(paths.meta, paths.templates)
    sections = experiment_sections(root, outline)
    appendices = experiment_appendices(root)  # each experiment's set-up and selection record, after the body
    references = load_references(paths.meta)  # what the render compared with, from the same report.toml
    problems, checked = [], 0
    for part in (p for p in outline.parts if p.experiment):
        num, name = part.section.number, part.experiment
        raw = load_raw_results(paths, name)
        if raw is None:
            problems.append(f"{num}: {paths.results / name / 'results.json'} is missing or unreadable")
            continue
        if num not in sections:
            problems.append(f"{num}: no section in the HTML")
            continue
        d = derivable(raw, references)
        study_strings = add_studies(d, paths, raw, part.evidence)
        strings = sorted({s for s in [*string_leaves(raw), *study_strings] if len(s) > 1 and re.search(r"\d", s)},
                         key=len, reverse=True)
        units = [u for el in (sections[num], *appendices.get(name, ())) for u in section_units(el)]
        for unit in units:
            text = unit
            for s in strings:
                text = text.replace(s, " ")
            allowed = d.allowed(text)
            for token in number_tokens(text):
                checked += 1
                if token not in allowed:
                    problems.append(f"{num} ({name}): {token} is not derivable from results.json, in "
                                    f"\u201c{_excerpt(unit, token)}\u201d")
    return item("numbers in the prose agree with results.json", problems, f"{checked} numbers checked")


def _excerpt(text: str, token: str, width: int = 70) -> str:
    plain = text.replace(",", "")
    i = max(plain.find(token), 0)
    start = max(i - width // 2, 0)
    return ("..." if start else "") + plain[start:start + width] + ("..." if start + width < len(plain) else "")
