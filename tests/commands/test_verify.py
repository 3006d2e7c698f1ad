"""make-report expect and verify on fixture results: what a grader sees when a rebuild matches the
committed numbers, when it does not (and which stage moved first), and when it is another build."""

from __future__ import annotations

import json
import shutil

import pytest

from report.results import expectations, stages
from report.results import experiment_results as results
from report.results.experiment_results import SeedRun, Stages
from tests import REPO_ROOT
from tests.factories import make_results
from tests.runner import run_cli

NAME = "reuters_lstm"
SEEDS = (42, 43, 44)
ACCURACY = {42: 0.9038, 43: 0.9052, 44: 0.9025}  # sd 0.00135


def seeded(seed: int) -> Stages:
    return Stages(tokens="t0", vectors=f"v{seed}", epoch1=f"e{seed}", predictions=f"p{seed}")


def write_build(project, *, stage_of=seeded, accuracy=ACCURACY, key="k1", code="c1"):
    """A three-seed Reuters results folder under project/build/results, as a cold build writes it."""
    res, preds = make_results(NAME, n_test=300, seed=43)
    runs = [SeedRun(seed=s, accuracy=accuracy[s], roc_auc=0.99, macro_f1=0.72, weighted_f1=0.9, best_epoch=6,
                    train_seconds=100.0, stages=stage_of(s)) for s in SEEDS]
    median = runs[1].stages.model_copy(update={"predictions": stages.predictions_digest(preds.y_prob)})
    runs[1] = runs[1].model_copy(update={"stages": median})
    res = res.model_copy(update={"key": key, "key_parts": {"config": "f1", "code": code, "data": "d1", "versions": "v1"},
                                 "seeds": runs, "stages": median})
    (project / "report.toml").touch()
    (project / "experiments").mkdir(exist_ok=True)  # the project's experiment, without its committed expectations
    shutil.copyfile(REPO_ROOT / "experiments" / f"{NAME}.py", project / "experiments" / f"{NAME}.py")
    results.save(project / "build" / "results" / NAME, res, preds)
    return res


def cli(project, command, expect=0):
    return run_cli(command, NAME, "--project", str(project), "--data-dir", str(project / "data"), expect=expect)


def test_expect_writes_each_seed_with_the_key(tmp_path):
    write_build(tmp_path)
    cli(tmp_path, "expect")
    written = json.loads((tmp_path / "experiments" / "expected" / f"{NAME}.json").read_text())
    assert written["key"] == "k1"
    assert [s["seed"] for s in written["seeds"]] == list(SEEDS)
    assert [s["accuracy"] for s in written["seeds"]] == [ACCURACY[s] for s in SEEDS]
    assert written["seeds"][0]["stages"] == {"tokens": "t0", "vectors": "v42", "epoch1": "e42", "predictions": "p42"}


def test_the_same_build_is_reproduced(tmp_path):
    write_build(tmp_path)
    cli(tmp_path, "expect")
    out = cli(tmp_path, "verify").output
    assert f"{NAME}: reproduced" in out
    assert out.count(": reproduced") == 1 + len(SEEDS)


def test_a_rebuild_that_differs_names_the_first_stage_and_the_spread(tmp_path):
    write_build(tmp_path)
    cli(tmp_path, "expect")

    def other_vectors(seed):  # seed 44's word vectors (and so all that follows) came out differently
        return seeded(seed) if seed != 44 else Stages(tokens="t0", vectors="vX", epoch1="eX", predictions="pX")

    write_build(tmp_path, stage_of=other_vectors, accuracy={**ACCURACY, 44: 0.8958})
    out = cli(tmp_path, "verify", expect=1).output
    assert f"{NAME}: NOT reproduced" in out
    assert "seed 42: reproduced" in out and "seed 44: differs" in out
    assert "first stage that diverged: word vectors" in out
    # 0.0067 below, against the committed seeds' sd of 0.00135
    assert "accuracy 0.8958, committed 0.9025 (-0.0067, 5.0 x the seeds' sd 0.0014)" in out


def test_results_of_another_build_are_not_compared(tmp_path):
    write_build(tmp_path)
    cli(tmp_path, "expect")
    write_build(tmp_path, key="k2", code="c2")
    out = cli(tmp_path, "verify", expect=1).output
    assert "another build than the expectations (changed: code)" in out
    assert "seed 42" not in out


def test_without_expectations_verify_says_how_to_write_them(tmp_path):
    write_build(tmp_path)
    out = cli(tmp_path, "verify", expect=1).output
    assert "no committed expectations" in out and "make-report expect" in out


def test_a_damaged_expectations_file_is_named(tmp_path):
    write_build(tmp_path)
    target = expectations.path(tmp_path, NAME)
    target.parent.mkdir(parents=True)
    target.write_text('{"schema_version": 1, "experiment": "reuters_lstm"}', encoding="utf-8")
    with pytest.raises(results.ResultsError, match=f"{target}.*expectations schema.*make-report expect"):
        expectations.load(tmp_path, NAME)


def test_results_without_stage_hashes_are_refused_by_expect(tmp_path):
    res = write_build(tmp_path)
    old = res.model_copy(update={"seeds": [s.model_copy(update={"stages": None}) for s in res.seeds]})
    with pytest.raises(results.ResultsError, match="no stage hashes.*--force"):
        expectations.from_results(old)


def test_a_build_off_the_pinned_baseline_says_so(tmp_path):
    from report.results.experiment_results import Arithmetic

    res = write_build(tmp_path)
    cli(tmp_path, "expect")
    off = Arithmetic(cpu="AMD EPYC", cpu_isa="AVX-512", pins={"OPENBLAS_CORETYPE": "Zen"}, blas=[], at_baseline=False,
                     deviations=["OPENBLAS_CORETYPE is Zen (set by the environment and kept), not the baseline Haswell"])
    res = res.model_copy(update={"provenance": res.provenance.model_copy(update={"arithmetic": off})})
    results.Results.model_validate(res.model_dump())
    (tmp_path / "build" / "results" / NAME / results.RESULTS_FILE).write_text(res.model_dump_json(), encoding="utf-8")
    out = cli(tmp_path, "verify").output
    assert "this build's arithmetic is not at the pinned baseline" in out
    assert "OPENBLAS_CORETYPE is Zen (set by the environment and kept)" in out


def test_make_report_all_warns_only_for_a_build_of_the_committed_key(tmp_path):
    from report.commands.verify import warn_after_build
    from report.paths import BuildPaths

    paths = BuildPaths(data=tmp_path / "data", project=tmp_path)
    write_build(tmp_path)
    cli(tmp_path, "expect")
    write_build(tmp_path, accuracy={**ACCURACY, 42: 0.9}, stage_of=lambda s: seeded(s) if s != 42 else Stages(
        tokens="t0", vectors="v42", epoch1="eY", predictions="pY"))
    said = []
    warn_after_build([NAME], paths, said.append)
    assert said and said[0].startswith(f"! {NAME}: NOT reproduced")
    assert "first stage that diverged: weights after epoch 1" in said[0]

    write_build(tmp_path, key="k2", code="c2")  # another build: nothing to compare, nothing said
    said.clear()
    warn_after_build([NAME], paths, said.append)
    assert said == []
