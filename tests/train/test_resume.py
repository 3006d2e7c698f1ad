"""An interrupted run resumes exactly, wherever it stopped: the whole history equals an uninterrupted run's.

The interruption is made deterministic: ``Checkpoints.save`` is wrapped to stop the process
(``KeyboardInterrupt``, as Ctrl-C would) right after the first epoch that meets the case's
condition has been committed. The SIGKILL test in ``test_loop.py`` covers a real kill.
"""

from __future__ import annotations

import pytest

from report.train.checkpoint import Checkpoints
from tests.runner import QUICK, metrics, run_cli, train

pytestmark = pytest.mark.slow  # trains


EPOCHS = ("--set", "epochs=5", "--set", "patience=9", "--set", "learning_rate=0.01")
CASES = {
    # the best epoch is the last one when the run stops
    "best epoch is the last": lambda state: state.best_epoch == len(state.history),
    # the best epoch is older than the last: its weights must not rewind the optimizer
    "best epoch is older": lambda state: len(state.history) >= 2 and state.best_epoch < len(state.history),
}


class Stopped(KeyboardInterrupt):
    pass


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("name", ["imdb_simplernn", "reuters_lstm"])
def test_resume_after_a_stop_matches_an_uninterrupted_run(small_data, tmp_path, monkeypatch, name, case):
    _stop_and_resume(small_data, tmp_path, monkeypatch, name, case, EPOCHS)


def test_a_cosine_schedule_resumes_at_the_epochs_rate(small_data, tmp_path, monkeypatch):
    """The rate is set from the epoch number, so a resumed run trains each later epoch at the same rate."""
    _stop_and_resume(small_data, tmp_path, monkeypatch, "imdb_simplernn", "best epoch is older",
                     (*EPOCHS, "--set", "schedule=cosine"))


def _stop_and_resume(small_data, tmp_path, monkeypatch, name: str, case: str, options: tuple[str, ...]) -> None:
    whole = tmp_path / "whole"
    train(small_data, whole, *options, names=(name,))

    stopped_at = []
    save = Checkpoints.save

    def save_then_stop(self, model, state, best_weights):
        save(self, model, state, best_weights)
        if not stopped_at and len(state.history) < 5 and CASES[case](state):
            stopped_at.append((len(state.history), state.best_epoch))
            raise Stopped

    build = tmp_path / "stopped"
    with monkeypatch.context() as patch:
        patch.setattr(Checkpoints, "save", save_then_stop)
        stopped = run_cli("train", name, "--data-dir", str(small_data), "--build-dir", str(build), *QUICK, *options,
                          expect=1)  # click turns the interrupt into "Aborted!" and exit status 1
    assert "Aborted" in stopped.output
    assert stopped_at, f"no epoch of the run met the case {case!r}"
    assert not (build / "results" / name / "results.json").exists()

    train(small_data, build, *options, names=(name,))
    assert metrics(build, name) == metrics(whole, name), f"stopped after epoch {stopped_at[0][0]} (best {stopped_at[0][1]})"
