"""Choose an experiment's settings on validation data, and keep the record.

Each call trains one candidate (the experiment's config with some fields changed) for the given seeds,
stops early on the validation split as the experiment does, and appends what validation said to
``experiments/selection/<experiment>.json``: the changed fields, the seed, the best epoch and the
validation accuracy, macro F1 and loss there, and the seconds. The test set is never predicted here: the
report cites this record ("chosen on validation among N settings") and looks at the test set once.

    python bench/selection.py reuters_lstm --label "skip-gram vectors" --set word_vectors=skipgram --seeds 42,1
    python bench/selection.py imdb_simplernn --label "as configured"

The data folder is ``../shared/data`` (or ``$MAKE_REPORT_DATA``); work files go to a scratch build folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def record_path(experiment: str) -> Path:
    return ROOT / "experiments" / "selection" / f"{experiment}.json"


def _digits(labels) -> list[str]:
    """Class indices as characters of a 62-letter alphabet, one per example (46 topics fit in 0-9a-z + A-J)."""
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [alphabet[int(c)] for c in labels]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment")
    parser.add_argument("--label", required=True, help="what this candidate is, as the report's table shows it")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    parser.add_argument("--seeds", default="42", help="comma-separated training seeds")
    parser.add_argument("--build-dir", type=Path, default=Path(tempfile.gettempdir()) / "make-report-select")
    args = parser.parse_args()

    from report.paths import BuildPaths
    from report.pipeline import overrides
    from report.train.run_context import RunContext
    from report.train.experiment_runner import fit_experiment
    from report.train.loop import predict_proba
    from report.train.numerics import configure_tensorflow, job_numerics

    module = importlib.import_module(f"experiments.{args.experiment}")
    changes = overrides.parse_pairs(args.set)
    base = overrides.apply(module.Config(), changes, args.experiment)
    data = Path(os.environ.get("MAKE_REPORT_DATA", ROOT.parent / "shared" / "data"))
    paths = BuildPaths(data=data, project=ROOT, build=args.build_dir)
    configure_tensorflow()
    from report.results.provenance import arithmetic as read_arithmetic

    arithmetic = read_arithmetic()
    path = record_path(args.experiment)
    for seed in [int(s) for s in args.seeds.split(",")]:
        config = dataclasses.replace(base, seed=seed)
        t0 = time.perf_counter()
        with job_numerics():
            fitted = fit_experiment(module, config, RunContext(paths, checkpoint=False))
        best = fitted.outcome.history[fitted.outcome.best_epoch - 1]
        # the restored best epoch's classes for the validation split, for paired tests between candidates
        y_prob = predict_proba(fitted.model, fitted.split.x_val, batch_size=512)
        predicted = y_prob.argmax(1)  # (n, C) for both: a sigmoid output comes back as two columns
        row = {
            "label": args.label,
            "changes": {k: getattr(config, k) for k in changes},
            "config": {k: v for k, v in dataclasses.asdict(config).items() if k != "seed"},
            "seed": seed,
            "best_epoch": fitted.outcome.best_epoch,
            "epochs_run": len(fitted.outcome.history),
            "val_accuracy": round(best.val_accuracy, 4),
            "val_macro_f1": None if best.val_macro_f1 is None else round(best.val_macro_f1, 4),
            "val_loss": round(best.val_loss, 4),
            "seconds": round(time.perf_counter() - t0, 1),
            # the arithmetic the row was computed with (rows without it predate the pins of report.train.numerics)
            "arithmetic": arithmetic.pins,
            "val_true": "".join(_digits(fitted.split.y_val)),
            "val_predicted": "".join(_digits(predicted)),
        }
        _append(path, row)
        print(json.dumps(row), flush=True)


def _append(path: Path, row: dict) -> None:
    """Add ``row`` to the record, locked: candidates may be tried by several processes at once."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rows = json.loads(path.read_text()) if path.is_file() else []
        rows.append(row)
        path.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
