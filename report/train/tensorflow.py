"""Import TensorFlow once, quietly.

TensorFlow's C++ start-up prints ``I0000 ... oneDNN custom operations are
on`` and ``Could not find cuda drivers`` through absl before its logging is
initialised, so ``TF_CPP_MIN_LOG_LEVEL`` does not silence them. On a normal run
:func:`load` sends the process's standard error to a temporary file while the
import runs, and shows that file only if the import fails; ``verbose=True``
(``--verbose``) leaves the lines alone.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator


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


def load(verbose: bool = False) -> None:
    """Import TensorFlow and Keras (a no-op when they are imported already)."""
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
