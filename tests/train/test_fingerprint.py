"""The committed arithmetic fingerprint (tests/train/fingerprint.py): this machine, pinned, must compute it
to the bit; and on a machine with wider instructions than the pins allow, removing any one pin must change it
(which shows the pins, and this test, do something there)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from report.results import provenance
from report.train import numerics
from tests import REPO_ROOT
from tests.train import fingerprint

pytestmark = pytest.mark.slow  # trains both models for an epoch with XLA

REWRITE = "python -m tests.train.fingerprint --write"


def committed() -> dict:
    return json.loads(fingerprint.FINGERPRINT.read_text(encoding="utf-8"))


def first_differences(found: dict, expected: dict) -> list[str]:
    """Per experiment, the first stage whose hash differs (the stages in the order a run computes them)."""
    from report.results import stages

    out = []
    for name in sorted(set(found) | set(expected)):
        a, b = found.get(name, {}), expected.get(name, {})
        stage = next((s for s in stages.STAGES if a.get(s) != b.get(s)), None)
        if stage:
            out.append(f"{name}: {stages.LABELS[stage]} {a.get(stage)} != committed {b.get(stage)}")
    return out


def test_this_machine_computes_the_committed_fingerprint(tmp_path):
    blas = numerics.pin_state()[numerics.OPENBLAS_ENV]
    if blas["preset"] and blas["value"] != blas["baseline"]:
        pytest.skip(f"OPENBLAS_CORETYPE={blas['value']} is set by this machine's environment (kept): its BLAS is "
                    "not at the pinned baseline, so its fingerprint is not comparable")
    found = fingerprint.compute(tmp_path)
    assert found == committed(), (
        "the arithmetic differs from the committed fingerprint: " + "; ".join(first_differences(found, committed()))
        + f". If a change moved the numbers on purpose, rewrite it: {REWRITE}"
    )


# each pin set to what this CPU would use without it; a preset value is kept (report.train.numerics), so
# setting it in the child's environment removes the pin
UNPINNED = numerics.UNPINNED_AVX512


@pytest.mark.parametrize("variable", sorted(UNPINNED))
def test_removing_a_pin_changes_the_fingerprint_on_an_avx512_machine(variable):
    if provenance.cpu_model()[1] != "AVX-512":
        pytest.skip("only a CPU with AVX-512 runs other kernels without the AVX2 pins")
    env = {k: v for k, v in os.environ.items() if k not in UNPINNED}
    env[variable] = UNPINNED[variable]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (os.environ.get("PYTHONPATH"), str(REPO_ROOT))))
    out = subprocess.run([sys.executable, "-m", "tests.train.fingerprint"], cwd=REPO_ROOT, env=env,
                         capture_output=True, text=True, timeout=1800, check=True).stdout
    assert json.loads(out) != committed(), f"{variable}={UNPINNED[variable]} left the fingerprint unchanged"
