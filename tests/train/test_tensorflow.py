"""TensorFlow's C++ start-up lines stay out of a normal run's output; a failing import still shows them.
A build keeps XLA's compiled steps under build/cache/xla, unless the user's TF_XLA_FLAGS names a cache."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from report.train.tensorflow import XLA_CACHE_FLAG, _stderr_to_file, use_xla_cache


def test_start_up_chatter_is_hidden_but_progress_lines_are_not(small_data, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "report", "train", "imdb_simplernn", "--quick", "--set", "epochs=1",
         "--data-dir", str(small_data), "--build-dir", str(tmp_path / "build")],
        capture_output=True, text=True, check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "", "TF_XLA_FLAGS": ""},
    )
    assert "imdb_simplernn epoch 1/1" in proc.stderr
    assert "I0000" not in proc.stderr and "absl::InitializeLog" not in proc.stderr
    # the XLA-compiled steps were kept for the next seed or build, in a folder named by TensorFlow's version
    (version,) = (tmp_path / "build" / "cache" / "xla").iterdir()
    assert version.name.startswith("tensorflow-2.")
    assert len(list(version.glob("*.pb"))) >= 2  # at least a training and a prediction step


def test_xla_cache_flag_is_added_once_and_a_users_own_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_XLA_FLAGS", "--tf_xla_auto_jit=0")
    use_xla_cache(tmp_path / "a")
    assert os.environ["TF_XLA_FLAGS"] == f"--tf_xla_auto_jit=0 {XLA_CACHE_FLAG}={tmp_path / 'a'}"
    assert (tmp_path / "a").is_dir()
    use_xla_cache(tmp_path / "b")  # the first one stands (TensorFlow reads its flags once anyway)
    assert str(tmp_path / "b") not in os.environ["TF_XLA_FLAGS"] and not (tmp_path / "b").exists()


def test_what_the_import_wrote_is_shown_when_it_fails(capfd):
    with _stderr_to_file():
        os.write(2, b"hidden chatter\n")
    assert "hidden chatter" not in capfd.readouterr().err

    with pytest.raises(ImportError), _stderr_to_file():
        os.write(2, b"why it failed\n")
        raise ImportError("no tensorflow")
    assert "why it failed" in capfd.readouterr().err
