"""Atomic writes: the target is the old file or the new one, never half of one, and no temporary file stays."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from report import atomic


class Boom(Exception):
    pass


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_write_text_and_bytes_replace_the_target(tmp_path):
    target = tmp_path / "deep" / "er" / "out.txt"  # missing folders are made
    atomic.write_text(target, "first é\n")
    assert target.read_text(encoding="utf-8") == "first é\n"
    atomic.write_text(target, "second\n")
    assert target.read_text(encoding="utf-8") == "second\n"
    atomic.write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert _leftovers(target.parent) == []


@pytest.mark.parametrize("exc", [Boom, KeyboardInterrupt])
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, exc):
    target = tmp_path / "results.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(exc):
        with atomic.atomic_open(target) as fh:
            fh.write("new but cut short")
            fh.flush()
            raise exc()
    assert target.read_text(encoding="utf-8") == "old"
    assert _leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]


def test_a_failed_first_write_leaves_nothing(tmp_path):
    target = tmp_path / "new.txt"
    with pytest.raises(Boom):
        with atomic.atomic_path(target) as tmp:
            tmp.write_text("partial", encoding="utf-8")
            raise Boom()
    assert list(tmp_path.iterdir()) == []


def test_the_temporary_file_is_hidden_beside_the_target_with_its_suffix(tmp_path):
    target = tmp_path / "predictions.npz"
    with atomic.atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".predictions.npz.") and tmp.suffix == ".npz"
        assert not target.exists()
        np.savez(tmp, a=np.arange(3))  # a library that picks the format by suffix writes where we expect
    assert np.load(target)["a"].tolist() == [0, 1, 2]
    with atomic.atomic_path(tmp_path / "best.h5", suffix=".weights.h5") as tmp:
        assert tmp.name.endswith(".weights.h5")
        tmp.write_bytes(b"w")
    assert (tmp_path / "best.h5").read_bytes() == b"w" and _leftovers(tmp_path) == []


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_files_get_the_usual_permissions_under_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        target = tmp_path / f"out-{umask:o}.txt"
        atomic.write_text(target, "x")  # mkstemp alone would make it 0600
        atomic.write_text(target, "y")  # and so would a replacement
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert os.umask(old) == old  # the umask is restored
