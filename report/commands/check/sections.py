"""Every section of ASSIGNMENT.md (1.1-2.3, number and title) is a heading of the HTML and appears in the PDF's
body text (the table of contents does not count) and its bookmarks; and where the experiment sections are."""

from __future__ import annotations

from pathlib import Path

from report.commands.check.artefacts import headings, iter_elements, pdf_outline_titles
from report.commands.check.checklist import Item, item

# What ASSIGNMENT.md asks for, in order: the checklist's reference, kept apart from the renderer's outline.
REQUIRED_SECTIONS: tuple[tuple[str, str], ...] = (
    ("1.1", "RNNs vs feedforward networks"),
    ("1.2", "The vanishing gradient problem"),
    ("1.3", "Two application areas of RNNs"),
    ("1.4", "Experiment: a simple RNN for IMDB sentiment"),
    ("2.1", "How LSTMs address vanishing gradients"),
    ("2.2", "Where LSTMs beat plain RNNs"),
    ("2.3", "Experiment: an LSTM for Reuters newswire topics"),
)
EXPERIMENT_SECTIONS = {"1.4": "imdb_simplernn", "2.3": "reuters_lstm"}


def check_sections_html(root) -> Item:
    texts = [" ".join(t.split()) for _, t, _ in headings(root)]
    missing = [f"{num} {title}: no heading" for num, title in REQUIRED_SECTIONS
               if not any(t.startswith(num) and title in t for t in texts)]
    return item("sections in the HTML", missing, f"{len(REQUIRED_SECTIONS) - len(missing)} of {len(REQUIRED_SECTIONS)}")


def check_sections_pdf(pdf: Path, body: str) -> Item:
    outline = pdf_outline_titles(pdf)
    problems = []
    for num, title in REQUIRED_SECTIONS:
        if f"{num} {title}" not in body:
            problems.append(f"{num} {title}: not in the PDF's text (outside the contents)")
        elif not any(title in t for t in outline):
            problems.append(f"{num} {title}: no PDF bookmark")
    return item("sections in the PDF", problems, f"{len(REQUIRED_SECTIONS) - len(problems)} of {len(REQUIRED_SECTIONS)}")


def experiment_sections(root) -> dict[str, object]:
    """Section number -> the <section> (or parent element) that holds its heading."""
    parents = {child: parent for parent in iter_elements(root) for child in parent}
    out = {}
    for _, text, el in headings(root):
        for num in EXPERIMENT_SECTIONS:
            if text.startswith(num + " ") and num not in out:
                out[num] = parents.get(el, root)
    return out
