"""The headline metrics of each experiment (accuracy, AUC, macro and weighted F1, the test-set size, and for
the binary task the four confusion counts) appear, formatted as the report formats them, in its HTML section
and in the PDF's text."""

from __future__ import annotations

import re

from report.commands.check.artefacts import load_raw_results, text_of
from report.commands.check.checklist import Item, item
from report.commands.check.sections import experiment_sections
from report.outline import Outline, load_outline
from report.paths import BuildPaths


def key_figures(raw: dict) -> dict[str, str]:
    """The headline metrics, formatted as the report formats them."""
    from report.render.format import count, metric

    test, report = raw["test"], raw["test"]["classification_report"]
    figures = {
        "accuracy": metric(test["accuracy"]),
        "macro F1": metric(report["macro_avg"]["f1_score"]),
        "weighted F1": metric(report["weighted_avg"]["f1_score"]),
        "test size": count(raw["data"]["test_size"]),
    }
    if test["roc"].get("micro"):
        figures["micro-average AUC"] = metric(test["roc"]["micro"]["auc"])
        figures["macro-average AUC"] = metric(test["roc"]["macro"]["auc"] if test["roc"].get("macro") else test["roc_auc"])
    else:
        figures["ROC AUC"] = metric(test["roc_auc"])
    if len(raw["data"]["class_names"]) == 2:
        (tn, fp), (fn, tp) = test["confusion_matrix"]
        figures.update({"TN": count(tn), "FP": count(fp), "FN": count(fn), "TP": count(tp)})
    return figures


def check_key_figures(paths: BuildPaths, root, pdf_body: str | None, outline: Outline | None = None) -> Item:
    outline = outline or load_outline(paths.meta, paths.templates)
    sections = experiment_sections(root, outline)
    problems, n = [], 0
    for num, name in ((p.section.number, p.experiment) for p in outline.parts if p.experiment):
        raw = load_raw_results(paths, name)
        if raw is None or num not in sections:
            problems.append(f"{num} ({name}): no results or no section")
            continue
        html_text = text_of(sections[num], set())
        for label, value in key_figures(raw).items():
            n += 1
            if not re.search(rf"(?<![\d.,]){re.escape(value)}(?![\d]|[.,]\d)", html_text):
                problems.append(f"{num} ({name}): {label} {value} is not in the HTML section")
            if pdf_body is not None and value not in pdf_body:
                problems.append(f"{num} ({name}): {label} {value} is not in the PDF")
    return item("headline metrics in the HTML and the PDF", problems, f"{n} figures")
