"""Which files the preview watches, and the changes it hears of, in batches.

watchfiles reads the operating system's file events (inotify on Linux, FSEvents on macOS) through
the Rust ``notify`` crate and groups a burst of them (an editor's save is often several) into one
batch; it is what Uvicorn's reloader uses. Polling the tree ourselves would either lag or burn a
core.

Watched: ``templates/`` (answers, templates, CSS, JS) and ``build/results/``, each with everything
under it, and ``report.toml``. ``report.toml`` is watched through its folder, not by itself: an
editor that saves by writing a new file and renaming it over the old one would leave a watch on the
file itself pointing at the deleted original. The project folder is watched without its
subfolders, so the build's own writes under ``build/site/`` are never heard.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

from report.paths import PROJECT_FILE, BuildPaths

STEP_MS = 50  # a batch is handed over once no further event came for this long: an editor's save is one batch
DEBOUNCE_MS = 400  # ... or after this long, while events keep coming (a results folder being written)


class _Relevant(DefaultFilter):
    """watchfiles' defaults (editor swap and backup files, caches) and, in the project folder, only
    ``report.toml``; the temporary files of atomic writes (``.name.XXXX``) are not changes yet."""

    def __init__(self, only: str | None = None) -> None:
        super().__init__()
        self.only = only

    def __call__(self, change: Change, path: str) -> bool:
        name = Path(path).name
        if name.startswith(".") or (self.only is not None and name != self.only):
            return False
        return super().__call__(change, path)


def watch_targets(paths: BuildPaths) -> list[tuple[tuple[Path, ...], bool, _Relevant]]:
    """(folders, recursive, filter) for each watcher thread."""
    return [
        ((paths.templates, paths.results), True, _Relevant()),
        ((paths.project,), False, _Relevant(only=PROJECT_FILE)),
    ]


def start(paths: BuildPaths, stop: threading.Event, changed: Callable[[set[Path]], None]) -> list[threading.Thread]:
    """Threads that call ``changed`` with each batch of changed paths until ``stop`` is set."""
    paths.results.mkdir(parents=True, exist_ok=True)  # a folder that does not exist cannot be watched
    threads = []
    for folders, recursive, relevant in watch_targets(paths):
        def run(folders=folders, recursive=recursive, relevant=relevant) -> None:
            for batch in watch(*folders, watch_filter=relevant, recursive=recursive, step=STEP_MS,
                               debounce=DEBOUNCE_MS, stop_event=stop, raise_interrupt=False):
                changed({Path(path) for _, path in batch})

        thread = threading.Thread(target=run, name="preview-watcher", daemon=True)
        thread.start()
        threads.append(thread)
    return threads
