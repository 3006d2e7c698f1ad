"""TensorFlow's C++ start-up lines stay out of a normal run's output; a failing import still shows them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from report.train.tensorflow import _stderr_to_file


pytestmark = pytest.mark.slow  # starts TensorFlow


def test_start_up_chatter_is_hidden_but_progress_lines_are_not(small_data, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "report", "train", "imdb_simplernn", "--quick", "--set", "epochs=1",
         "--data-dir", str(small_data), "--build-dir", str(tmp_path / "build")],
        capture_output=True, text=True, check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": ""},
    )
    assert "imdb_simplernn epoch 1/1" in proc.stderr
    assert "I0000" not in proc.stderr and "absl::InitializeLog" not in proc.stderr


def test_what_the_import_wrote_is_shown_when_it_fails(capfd):
    with _stderr_to_file():
        os.write(2, b"hidden chatter\n")
    assert "hidden chatter" not in capfd.readouterr().err

    with pytest.raises(ImportError), _stderr_to_file():
        os.write(2, b"why it failed\n")
        raise ImportError("no tensorflow")
    assert "why it failed" in capfd.readouterr().err
