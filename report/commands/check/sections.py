"""Every part of the project's outline (report.toml's [[section]] numbered "1.1" and so on: number and title) is a
heading of the HTML and appears in the PDF's body text (the table of contents does not count) and its bookmarks;
and where the experiment sections are."""

from __future__ import annotations

from pathlib import Path

from report.commands.check.artefacts import headings, iter_elements, pdf_outline_titles
from report.commands.check.checklist import Item, item
from report.outline import Outline


def check_sections_html(root, outline: Outline) -> Item:
    texts = [" ".join(t.split()) for _, t, _ in headings(root)]
    wanted = [p.section for p in outline.parts]
    missing = [f"{s.label}: no heading" for s in wanted
               if not any(t.startswith(s.number) and s.title in t for t in texts)]
    return item("sections in the HTML", missing, f"{len(wanted) - len(missing)} of {len(wanted)}")


def check_sections_pdf(pdf: Path, body: str, outline: Outline) -> Item:
    bookmarks = pdf_outline_titles(pdf)
    wanted = [p.section for p in outline.parts]
    problems = []
    for s in wanted:
        if s.label not in body:
            problems.append(f"{s.label}: not in the PDF's text (outside the contents)")
        elif not any(s.title in t for t in bookmarks):
            problems.append(f"{s.label}: no PDF bookmark")
    return item("sections in the PDF", problems, f"{len(wanted) - len(problems)} of {len(wanted)}")


def experiment_appendices(root) -> dict[str, list[object]]:
    """Experiment name -> the appendix entries about it (``data-experiment="<name>"``: its set-up and selection
    record), whose numbers are that experiment's as much as its section's are."""
    out: dict[str, list[object]] = {}
    for el in iter_elements(root):
        if el.get("data-experiment"):
            out.setdefault(el.get("data-experiment"), []).append(el)
    return out


def experiment_sections(root, outline: Outline) -> dict[str, object]:
    """Section number of each experiment part -> the <section> (or parent element) that holds its heading."""
    numbers = [p.section.number for p in outline.parts if p.experiment]
    parents = {child: parent for parent in iter_elements(root) for child in parent}
    out = {}
    for _, text, el in headings(root):
        for num in numbers:
            if text.startswith(num + " ") and num not in out:
                out[num] = parents.get(el, root)
    return out
