"""Which jobs the Dask executor hands out, and when: one per idle worker thread, studies first."""

from __future__ import annotations

from report.pipeline.on_dask import choose
from report.pipeline.plan import Job, JobSpec


def _job(job_id: str, name: str, after: tuple[str, ...] = ()) -> Job:
    spec = JobSpec(id=job_id, name=name, config=None, key="k", data="", build="", build_id="", project="")
    return Job(spec, state=None, after=after)


SEEDS = [_job(f"imdb_simplernn seed {s}", "imdb_simplernn") for s in (42, 43, 44)]
LONG_RANGE = _job("long_range", "long_range")


def test_a_study_goes_before_the_seeds_and_the_seeds_keep_their_order():
    assert [j.id for j in choose([*SEEDS, LONG_RANGE], 2)] == ["long_range", "imdb_simplernn seed 42"]
    assert [j.id for j in choose(SEEDS, 3)] == [j.id for j in SEEDS]


def test_no_more_jobs_than_idle_threads():
    assert choose([*SEEDS, LONG_RANGE], 0) == []
    assert choose([*SEEDS, LONG_RANGE], -1) == []  # a worker left while its job ran
    assert len(choose([*SEEDS, LONG_RANGE], 1)) == 1
    assert len(choose(SEEDS, 10)) == 3
