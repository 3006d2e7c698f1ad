"""Recompute each experiment's headline test metrics from its predictions alone, independently of the project.

Reads ``build/results/<experiment>/predictions.npz`` (the median-accuracy seed's class probabilities and the
true labels) with NumPy and scikit-learn only: no module of ``report`` is imported. Prints accuracy, macro F1
and ROC AUC (binary) or micro-average ROC AUC (one-vs-rest, multi-class) beside the values results.json
states, and the seeds' mean and sample standard deviation from results.json, and exits 1 on a mismatch.

    .venv/bin/python bench/recompute_headline.py [build/results]
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.preprocessing import label_binarize

TOLERANCE = 1e-6


def recompute(folder: Path) -> dict[str, float]:
    with np.load(folder / "predictions.npz", allow_pickle=False) as z:
        y, p = z["y_true"], z["y_prob"].astype(np.float64)
    predicted = p.argmax(1)
    out = {"accuracy": accuracy_score(y, predicted), "macro_f1": f1_score(y, predicted, average="macro")}
    if p.shape[1] == 2:
        out["roc_auc"] = roc_auc_score(y, p[:, 1])
    else:
        out["micro_auc"] = roc_auc_score(label_binarize(y, classes=range(p.shape[1])), p, average="micro")
    return out


def stated(raw: dict) -> dict[str, float]:
    test = raw["test"]
    out = {"accuracy": test["accuracy"], "macro_f1": test["classification_report"]["macro_avg"]["f1_score"]}
    if len(raw["data"]["class_names"]) == 2:
        out["roc_auc"] = test["roc_auc"]
    else:
        out["micro_auc"] = test["roc"]["micro"]["auc"]
    return out


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "build/results")
    bad = 0
    for path in sorted(root.glob("*/predictions.npz")):
        raw = json.loads((path.parent / "results.json").read_text())
        mine, theirs = recompute(path.parent), stated(raw)
        print(f"{path.parent.name} (seed {raw['provenance']['seed']}, {len(np.load(path)['y_true']):,} test examples)")
        for key, value in mine.items():
            same = abs(value - theirs[key]) <= TOLERANCE
            bad += not same
            print(f"  {key:<10} recomputed {value:.4f}   results.json {theirs[key]:.4f}   {'ok' if same else 'MISMATCH'}")
        seeds = raw.get("seeds") or []
        if len(seeds) > 1:
            for key in ("accuracy", "roc_auc", "macro_f1"):
                values = [s[key] for s in seeds]
                print(f"  {key:<10} over seeds {[s['seed'] for s in seeds]}: "
                      f"{statistics.mean(values):.4f} +- {statistics.stdev(values):.4f}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
