"""Atomic file writes: write to a temporary file beside the target, then rename.

A reader (or a later build) sees either the old file or the new one, never a
half-written one, whatever interrupts the writer.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator


@contextlib.contextmanager
def atomic_path(target: Path | str, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it over the target on success.

    On any exception the temporary file is removed and the target is untouched.
    ``suffix`` defaults to the target's own suffix, so libraries that pick a
    format by extension (``np.savez`` adds ``.npz``) write where we expect.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=target.suffix if suffix is None else suffix, dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _fsync(tmp_path)
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_open(target: Path | str, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file for writing; it replaces ``target`` only if the block succeeds."""
    if "b" in mode:
        encoding = None
    with atomic_path(target) as tmp:
        with open(tmp, mode, encoding=encoding) as fh:
            yield fh


def write_text(target: Path | str, text: str) -> None:
    with atomic_open(target, "w") as fh:
        fh.write(text)


def write_bytes(target: Path | str, data: bytes) -> None:
    with atomic_open(target, "wb") as fh:
        fh.write(data)


def write_if_changed(target: Path | str, data: str | bytes) -> bool:
    """Write ``data`` (text as UTF-8) unless the file already holds exactly it; True when it wrote.

    A rebuild that changes one page leaves the other files (and their times) alone, and skips their fsync.
    """
    data = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if Path(target).read_bytes() == data:
            return False
    except OSError:
        pass
    write_bytes(target, data)
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
