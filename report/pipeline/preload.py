"""Imported once by every Dask worker as it starts (``LocalCluster(preload=...)``; on other machines
``dask worker ADDRESS --preload report.pipeline.preload``), before any job reaches it.

Why: a worker unpickles a job (which names a module of ``studies``, say) on its communication thread while
its task thread may be importing the same packages for the job before. ``report.data`` and
``report.data.sources`` import each other; one thread handles that, but two threads importing the cycle at
once can each hold half of it, and Python then hands one of them a partially initialised module
("cannot import name 'source_checksums' ... circular import", seen with ``make-report all --jobs 2``). Importing
every experiment and study here, in one thread, leaves nothing to import later.
"""

from __future__ import annotations


def import_everything() -> list[str]:
    """Import the data layer, the worker and every registered experiment and study; their names."""
    import report.data  # noqa: F401  (the package whose import cycle raced)
    import report.pipeline.worker  # noqa: F401
    from report import registry

    names = registry.all_names()
    for name in names:
        registry.load(name)
    return names


def dask_setup(worker=None) -> None:  # Dask calls this on a preloaded module
    import_everything()
