"""Import TensorFlow once, quietly.

TensorFlow's C++ start-up prints ``I0000 ... oneDNN custom operations are
on`` and ``Could not find cuda drivers`` through absl before its logging is
initialised, so ``TF_CPP_MIN_LOG_LEVEL`` does not silence them. On a normal run
:func:`load` sends the process's standard error to a temporary file while the
import runs, and shows that file only if the import fails; ``verbose=True``
(``--verbose``) leaves the lines alone.

``xla_cache`` names a folder for XLA's persistent compilation cache (TensorFlow's
``--tf_xla_persistent_cache_directory``): a compiled training or prediction step is
keyed by its program, which the weights' values are not part of, so the second and
third seeds of an experiment, and a rebuild after an edit that leaves a model's shapes
alone, load their steps instead of compiling them again (the IMDB SimpleRNN's six
lengths cost ~30 s per process to compile). The folder name carries TensorFlow's
version, so an upgrade never loads another version's executables.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

XLA_CACHE_FLAG = "--tf_xla_persistent_cache_directory"


@contextlib.contextmanager
def _stderr_to_file() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode("utf-8", "replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def use_xla_cache(folder: Path) -> None:
    """Point XLA's persistent compilation cache at ``folder`` (created), unless TF_XLA_FLAGS names one.

    TensorFlow reads its XLA flags once, when it first compiles: call this before that."""
    flags = os.environ.get("TF_XLA_FLAGS", "")
    if XLA_CACHE_FLAG in flags:
        return
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["TF_XLA_FLAGS"] = f"{flags} {XLA_CACHE_FLAG}={folder}".strip()


def load(verbose: bool = False, xla_cache: Path | None = None) -> None:
    """Import TensorFlow and Keras (a no-op when they are imported already); ``xla_cache``: the folder
    under which XLA's compiled steps are kept (a subfolder per TensorFlow version)."""
    if xla_cache is not None:
        from importlib.metadata import version

        use_xla_cache(xla_cache / f"tensorflow-{version('tensorflow')}")
    if "tensorflow" in sys.modules and "keras" in sys.modules:
        return
    if not os.environ.get("TF_CPP_MIN_LOG_LEVEL"):  # the log level of TensorFlow's later C++ lines (XLA, tf.data)
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0" if verbose else "3"
    if verbose:
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
        return
    with _stderr_to_file():
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
