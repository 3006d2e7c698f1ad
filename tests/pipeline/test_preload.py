"""Every Dask worker imports the project's modules once as it starts (report.pipeline.preload), so that two
threads never import the report.data cycle at the same time."""

from __future__ import annotations

import subprocess
import sys

from report import registry
from report.pipeline import cluster, preload


def test_preload_imports_every_experiment_and_study_and_the_data_layer():
    code = ("import sys; from report.pipeline import preload; names = preload.import_everything(); "
            "assert 'report.data.sources' in sys.modules and 'report.pipeline.worker' in sys.modules; "
            "print(','.join(names))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out.split(",") == registry.all_names() and "baselines" in out


def test_the_local_cluster_preloads_it(monkeypatch):
    seen = {}

    class FakeCluster:
        def __init__(self, **kwargs):
            seen.update(kwargs)

    import distributed

    monkeypatch.setattr(distributed, "LocalCluster", FakeCluster)
    cluster.local_cluster(2)
    assert seen["preload"] == [preload.__name__] and seen["n_workers"] == 2
