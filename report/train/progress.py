"""A progress line within each epoch, updated in place, on a terminal only.

``batches done/total, elapsed, ETA`` rewritten with a carriage return after every
few batches, so a 20-second epoch is not 20 seconds of silence. With ``--quiet``,
in CI (``CI`` set) or when standard error is not a terminal (a log file), nothing
is drawn and the one line per epoch stays the only output.
"""

from __future__ import annotations

import os
import sys
import time


def live(quiet: bool) -> bool:
    """Whether an in-place progress line may be drawn."""
    return not quiet and not os.environ.get("CI") and sys.stderr.isatty()


def progress_line(label: str, done: int, total: int, elapsed: float) -> str:
    """``label: 120/352 batches, 5 s, ETA 10 s``."""
    eta = elapsed / done * (total - done) if done else 0.0
    return f"{label}: {done}/{total} batches, {elapsed:.0f} s, ETA {eta:.0f} s"


def progress_callbacks(ctx, label: str, total: int) -> list:
    """Keras callbacks that draw the line (none when ``ctx`` is not live)."""
    if not ctx.live:
        return []
    import keras

    class _Line(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.t0 = time.perf_counter()
            self.shown = 0.0

        def on_train_batch_end(self, batch, logs=None):
            now = time.perf_counter()
            if now - self.shown >= 0.2 or batch + 1 == total:  # a few redraws a second at most
                self.shown = now
                sys.stderr.write("\r" + progress_line(label, batch + 1, total, now - self.t0) + "\x1b[K")
                sys.stderr.flush()

    return [_Line()]
