"""Fresh is fresh: render and publish judge each result with the options it was built with, so results built with
--seeds 5 or by `make-report all --core` need no --allow-stale, while a result that did go stale is still refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from report.commands.publish import refuse_unpublishable
from report.paths import BuildPaths
from report.pipeline.freshness import TrainOptions, freshness
from report.results import experiment_results as results
from report.results import study as studies
from report.results.experiment_results import SeedRun
from tests.factories import write_both
from tests.runner import run_cli

EXPERIMENTS = ("imdb_simplernn", "reuters_lstm")


@pytest.fixture
def paths(tmp_path: Path) -> BuildPaths:
    return BuildPaths(data=tmp_path / "data", build=tmp_path / "build")


def stamp_fresh(paths: BuildPaths, options: TrainOptions) -> None:
    """Fixture results keyed as training with ``options`` would key them now (``options.seeds`` seed runs each)."""
    write_both(paths.results)
    for name in EXPERIMENTS:
        state = freshness(name, paths, options)
        folder = results.results_dir(paths.results, name)
        res = results.load(folder)
        runs = [SeedRun(seed=42 + i, accuracy=res.test.accuracy, roc_auc=res.test.roc_auc, macro_f1=res.test.macro_f1,
                        weighted_f1=res.test.weighted_f1, best_epoch=res.best_epoch, train_seconds=1.0)
                for i in range(options.seeds)] if options.seeds > 1 else []
        res = res.model_copy(update={"key": state.key, "key_parts": dict(state.key_parts), "seeds": runs})
        results.save(folder, res, results.load_predictions(folder))


def render(paths: BuildPaths, expect: int = 0):
    return run_cli("render", "--no-pdf", "--quiet", "--data-dir", str(paths.data), "--build-dir", str(paths.build),
                   expect=expect)


def test_results_built_with_five_seeds_render_and_publish_without_allow_stale(paths):
    stamp_fresh(paths, TrainOptions(quiet=True, seeds=5))
    # asked with the defaults (three seeds) they would be stale: the config part of the key differs
    assert freshness("imdb_simplernn", paths, TrainOptions(quiet=True)).reasons == ("config",)
    render(paths)
    assert "Trained with 5 seeds" in (paths.site / "index.html").read_text(encoding="utf-8")
    refuse_unpublishable(paths)  # raises when any result the site shows is not fresh


def test_a_result_that_did_change_is_still_refused(paths):
    stamp_fresh(paths, TrainOptions(quiet=True, seeds=5))
    folder = results.results_dir(paths.results, "reuters_lstm")
    res = results.load(folder)  # built with another config (say --set epochs=3): no options give its key
    res = res.model_copy(update={"key": "0" * 16, "key_parts": {**res.key_parts, "config": "0" * 16}})
    results.save(folder, res, results.load_predictions(folder))
    out = render(paths, expect=1).output
    assert "reuters_lstm: config changed" in out and "imdb_simplernn" not in out


def _stale_study(paths: BuildPaths) -> None:
    """The examples study, built before the experiments were trained again: its key no longer matches."""
    from tests.render.test_evidence import study

    studies.save(paths.results / "examples", study("examples").model_copy(update={"key": "stale"}))


def test_a_core_build_renders_and_publishes_without_the_studies_it_did_not_train(paths):
    from report.render import build

    stamp_fresh(paths, TrainOptions(quiet=True))
    _stale_study(paths)
    build(paths, pdf=False, quiet=True, studies=False)  # what `make-report all --core` renders
    render(paths)  # the studies stay out: not judged, not shown
    assert "evidence-" not in (paths.site / "index.html").read_text(encoding="utf-8")
    refuse_unpublishable(paths)


def test_after_a_full_build_a_stale_study_is_refused(paths):
    stamp_fresh(paths, TrainOptions(quiet=True))
    _stale_study(paths)
    out = render(paths, expect=1).output
    assert "stale results (examples:" in out
