"""The conditions every training job runs under, in-process and on a Dask worker alike, so that a seed gives
the same numbers wherever it runs.

Why this module exists (issue 14): the quick profile trained on a ``LocalCluster`` worker gave a different
loss from the same seed trained in-process in some runs, and the same value as in-process in others. Thread
counts were not the cause (1 or 2 intra/inter-op threads give bit-identical runs of these models), nor
oneDNN (the same library and flags on both sides). The cause is **Python's global random stream**:
``keras.utils.set_random_seed`` seeds it, and Keras then draws every unseeded layer's seed from it
(``keras.src.random.seed_generator.make_default_seed``: ``random.randint``) while the model is built. On a
Dask worker, other threads of the same process use that stream at the same time: the worker's event loop
estimates the size of task data with ``dask.sizeof``, which calls ``random.sample`` (234 calls during one
quick job, measured). Whether such a call lands between the seeding and the model's construction depends on
timing, so a job got one of a few different initial weights and dropout seeds. In-process, nothing else
draws from the stream, which is why the sequential path was always reproducible.

:func:`job_numerics` fixes it for the length of one job:

- Python's ``random`` functions draw from the global stream only in the job's thread; any other thread
  gets a private generator of its own for the duration (so Dask's sampling no longer moves the job's seeds);
- BLAS and OpenMP pools (NumPy, SciPy, scikit-learn) use one thread, as Dask sets for its workers with
  ``OMP_NUM_THREADS=1``: a reduction split over two threads sums in another order than over one, so the
  sequential path must use the same count as the workers;
- Keras starts each job afresh (:func:`fresh_keras`): a worker runs several jobs one after another, and
  layer names (``lstm`` or ``lstm_2``, recorded in results.json) depended on what ran before;
- TensorFlow runs one intra-op and one inter-op thread (:data:`JOB_THREADS`) in every process that
  computes results, whatever the machine's cores: under the pinned arithmetic below the thread count is part
  of the numbers (a Reuters epoch's loss is 2.17477 with one thread and 2.15331 with two, because XLA splits
  long reductions between threads). More cores are used by more single-thread jobs (``--jobs``), not by
  more threads. Op determinism is enabled by the training loop (``report.train.loop.set_seed``).

It lives in ``report.train`` so that it is part of every result's code key: a change here retrains.

**Pinned arithmetic** (issue 21). The same seed gave other Reuters numbers on a CPU with AVX-512 than on
the one that published them, because three libraries pick their kernels by the CPU's instruction set, and
kernels of different vector widths sum in a different order. :func:`pin_environment` caps each at AVX2 (with
FMA), which every x86-64 CPU of the last decade has (Intel since Haswell, 2013; AMD since Zen, 2017):

- ``OPENBLAS_CORETYPE=Haswell``: the OpenBLAS that NumPy and SciPy bundle (gensim's word2vec calls SciPy's
  BLAS), read once when the library loads;
- ``ONEDNN_MAX_CPU_ISA=AVX2``: oneDNN, whose matrix products TensorFlow's kernels and XLA's compiled steps
  call, read at its first use;
- ``--xla_cpu_max_isa=AVX2`` in ``XLA_FLAGS``: the code XLA generates for the compiled training steps.

Each was shown to change the numbers on an AVX-512 machine when left out (docs/reproducibility.md has the
measurements). They are environment variables, so they must be set before those libraries load:
``import report`` calls :func:`pin_environment` first thing, which covers the CLI, the tests and Dask's local
workers (they inherit the environment); a remote ``dask worker`` imports NumPy before any preload, so its
command line sets them (README). A value the environment already has is kept, never overwritten: some
machines need their own ``OPENBLAS_CORETYPE`` because older OpenBLAS builds compute wrongly or crash there.
What was in force is recorded in every result's provenance (``report.results.provenance.arithmetic``).
"""

from __future__ import annotations

import contextlib
import os
import random
import sys
import threading
from collections.abc import Iterator

# the module-level functions of ``random``: each is a bound method of one hidden global Random instance
_RANDOM_FUNCTIONS = tuple(
    name for name in (
        "seed", "random", "uniform", "triangular", "randint", "choice", "choices", "randrange", "sample",
        "shuffle", "normalvariate", "lognormvariate", "expovariate", "vonmisesvariate", "gammavariate", "gauss",
        "betavariate", "paretovariate", "weibullvariate", "getstate", "setstate", "getrandbits", "randbytes",
        "binomialvariate",
    )
    if hasattr(random, name)
)
_lock = threading.Lock()  # one job at a time owns the global stream in a process

# the instruction-set baseline every result is computed at, and how each library is told about it
BASELINE_ISA = "AVX2"
OPENBLAS_ENV = "OPENBLAS_CORETYPE"
ONEDNN_ENV = "ONEDNN_MAX_CPU_ISA"
XLA_ENV = "XLA_FLAGS"
XLA_ISA_FLAG = "--xla_cpu_max_isa"
PINS = {
    OPENBLAS_ENV: "Haswell",  # OpenBLAS' name for its AVX2 + FMA kernels
    ONEDNN_ENV: BASELINE_ISA,
    XLA_ISA_FLAG: BASELINE_ISA,
}
# What a CPU with AVX-512 runs without the pins: a preset value is kept, so a process started with these in
# its environment runs unpinned (the fingerprint test and bench/bench_train.py --pins compare the two)
UNPINNED_AVX512 = {
    OPENBLAS_ENV: "SkylakeX",  # OpenBLAS' AVX-512 kernels
    ONEDNN_ENV: "ALL",  # oneDNN's default: every instruction set the CPU has
    XLA_ENV: f"{XLA_ISA_FLAG}=AVX512",
}
# the libraries that read each pin when they load; a pin set after them may not have taken
READ_BY = {OPENBLAS_ENV: ("numpy", "scipy"), ONEDNN_ENV: ("tensorflow",), XLA_ISA_FLAG: ("tensorflow",)}

INTRA_ENV = "TF_NUM_INTRAOP_THREADS"
INTER_ENV = "TF_NUM_INTEROP_THREADS"
# TensorFlow's intra- and inter-op threads in every job: part of the arithmetic, like the pins above (one
# thread also does more per CPU second than two on these small models: docs/speed.md)
JOB_THREADS = 1
THREADS_PIN = "tensorflow_threads"  # how the thread count is named among the pins in the provenance


def xla_isa(flags: str) -> str | None:
    """The value of ``--xla_cpu_max_isa`` in an ``XLA_FLAGS`` string, or None."""
    for flag in flags.split():
        name, _, value = flag.partition("=")
        if name == XLA_ISA_FLAG:
            return value
    return None


def pinned_value(pin: str, environ: dict[str, str] | os._Environ = os.environ) -> str | None:
    """The value a pin has in ``environ`` (None when unset)."""
    if pin == XLA_ISA_FLAG:
        return xla_isa(environ.get(XLA_ENV, ""))
    return environ.get(pin)


# what pin_environment found when it first ran in this process: pin -> (preset value or None, libraries loaded)
_FOUND: dict[str, tuple[str | None, tuple[str, ...]]] = {}


def pin_environment(environ: dict[str, str] | os._Environ = os.environ) -> None:
    """Set every pin that ``environ`` does not set already; keep the ones it does. Remembers, for the
    provenance, which pins were preset and which of the libraries that read them had loaded already."""
    # TensorFlow reads these when it starts; unlike the instruction sets they are overwritten, because no
    # machine needs another count to compute correctly
    if environ is os.environ and THREADS_PIN not in _FOUND:
        _FOUND[THREADS_PIN] = (None, ("tensorflow",) if "tensorflow" in sys.modules else ())
    environ[INTRA_ENV] = environ[INTER_ENV] = str(JOB_THREADS)
    for pin, value in PINS.items():
        preset = pinned_value(pin, environ)
        if environ is os.environ and pin not in _FOUND:
            _FOUND[pin] = (preset, tuple(m for m in READ_BY[pin] if m in sys.modules))
        if preset is not None:
            continue
        if pin == XLA_ISA_FLAG:
            environ[XLA_ENV] = f"{environ.get(XLA_ENV, '')} {XLA_ISA_FLAG}={value}".strip()
        else:
            environ[pin] = value


def pin_state() -> dict[str, dict[str, object]]:
    """Per pin: the value in force in this process's environment, the baseline's value, whether the
    environment had set it before make-report did, and the libraries that had loaded before it was set
    (their kernels were chosen without it)."""
    out = {}
    for pin, baseline in PINS.items():
        preset, loaded = _FOUND.get(pin, (pinned_value(pin), ()))
        out[pin] = {"value": pinned_value(pin), "baseline": baseline, "preset": preset is not None,
                    "loaded_before": list(loaded)}
    return out


@contextlib.contextmanager
def own_random_stream() -> Iterator[None]:
    """Python's global random stream belongs to the calling thread until the block ends; calls from
    other threads (Dask's event loop, say) draw from a separate generator meanwhile."""
    owner = threading.get_ident()
    others = random.Random()
    with _lock:
        saved = {name: getattr(random, name) for name in _RANDOM_FUNCTIONS}

        def routed(name: str):
            mine, theirs = saved[name], getattr(others, name)

            def call(*args, **kwargs):
                return (mine if threading.get_ident() == owner else theirs)(*args, **kwargs)

            call.__name__ = name
            return call

        for name in _RANDOM_FUNCTIONS:
            setattr(random, name, routed(name))
        try:
            yield
        finally:
            for name, function in saved.items():
                setattr(random, name, function)


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS and OpenMP pools limited to one thread for the block (as on a Dask worker)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # scikit-learn depends on it; without it there is nothing to limit
        yield
        return
    with threadpool_limits(limits=1):
        yield


def configure_tensorflow(verbose: bool = False) -> tuple[int, int]:
    """Import TensorFlow (quietly) with :data:`JOB_THREADS` intra- and inter-op threads.

    Raises RuntimeError when TensorFlow had started earlier in this process with other counts (they cannot
    change after it starts, and the numbers would not be the published ones).
    Returns the (intra, inter) counts in force."""
    from report.train import tensorflow

    tensorflow.load(verbose)
    import tensorflow as tf

    threading_ = tf.config.threading
    for get, put in ((threading_.get_intra_op_parallelism_threads, threading_.set_intra_op_parallelism_threads),
                     (threading_.get_inter_op_parallelism_threads, threading_.set_inter_op_parallelism_threads)):
        if get() not in (0, JOB_THREADS):
            raise RuntimeError(_started_with_other_threads(get()))
        if get() == 0 and not _threads_from_environment():
            try:
                put(JOB_THREADS)
            except RuntimeError as exc:  # "cannot be modified after initialization"
                raise RuntimeError(_started_with_other_threads("one per core")) from exc
    return JOB_THREADS, JOB_THREADS


def _threads_from_environment() -> bool:
    """Whether TensorFlow started after :func:`pin_environment` had set its thread counts (it reads
    them from the environment once, when it starts, and reports 0 for them afterwards)."""
    found = _FOUND.get(THREADS_PIN)
    return found is not None and not found[1] and os.environ.get(INTRA_ENV) == os.environ.get(INTER_ENV) \
        == str(JOB_THREADS)


def _started_with_other_threads(count: object) -> str:
    return (f"TensorFlow started in this process with {count} threads before make-report could give it "
            f"{JOB_THREADS}, and the thread count changes the numbers: import report (or set "
            f"{INTRA_ENV}={JOB_THREADS} {INTER_ENV}={JOB_THREADS}) before TensorFlow starts")


def tensorflow_threads() -> str | None:
    """The intra/inter-op thread counts this process's TensorFlow runs ("1/1"), or None when it has not
    loaded (what the provenance records)."""
    tf = sys.modules.get("tensorflow")
    if tf is None or not hasattr(tf, "config"):
        return None
    t = tf.config.threading
    intra, inter = t.get_intra_op_parallelism_threads(), t.get_inter_op_parallelism_threads()
    unset = JOB_THREADS if _threads_from_environment() else "one per core"  # 0: TensorFlow's own choice
    return f"{intra or unset}/{inter or unset}"


def fresh_keras() -> None:
    """Restart Keras' layer-name counters, so every job's layers are called ``embedding``, ``lstm``, ...
    and not ``embedding_3`` after three other models (the names are in results.json and in the report).

    Only the counters: ``keras.backend.clear_session()`` would also drop TensorFlow's kernel cache, and
    with it the compiled steps a process keeps between seeds (``report.train.experiment_runner.compiled_model``).
    A no-op before Keras is imported."""
    if "keras" not in sys.modules:
        return
    try:
        from keras.src.utils.naming import reset_uids
    except ImportError:  # another Keras layout: the public call, which also clears TensorFlow's caches
        sys.modules["keras"].backend.clear_session()
        return
    reset_uids()


@contextlib.contextmanager
def job_numerics() -> Iterator[None]:
    """Run one training job (an experiment's seed or a study) under the same conditions everywhere."""
    with own_random_stream(), one_blas_thread():
        fresh_keras()
        yield
