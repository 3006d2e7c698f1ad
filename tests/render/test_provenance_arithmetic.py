"""The report's provenance names the machine's arithmetic: CPU, pins, BLAS kernels, and any deviation."""

from __future__ import annotations

from report.render import build
from report.results import experiment_results as results
from report.results.experiment_results import Arithmetic, BlasLibrary
from tests.conftest import render_meta, render_paths
from tests.factories import make_results

PINS = {"OPENBLAS_CORETYPE": "Haswell", "ONEDNN_MAX_CPU_ISA": "AVX2", "--xla_cpu_max_isa": "AVX2"}


def write(paths, name: str, arithmetic: Arithmetic, **kwargs) -> None:
    res, preds = make_results(name, **kwargs)
    res = res.model_copy(update={"provenance": res.provenance.model_copy(update={"arithmetic": arithmetic})})
    results.save(paths.results / name, results.Results.model_validate(res.model_dump()), preds)


def test_provenance_names_cpu_pins_blas_and_deviations(tmp_path):
    paths = render_paths(tmp_path)
    blas = [BlasLibrary(library="libscipy_openblas64_.so", api="openblas", version="0.3.31", core_type="Haswell")]
    write(paths, "imdb_simplernn", Arithmetic(cpu="AMD EPYC 9R14", cpu_isa="AVX-512", pins=PINS, blas=blas,
                                              at_baseline=True))
    zen = [b.model_copy(update={"core_type": "Zen"}) for b in blas]
    write(paths, "reuters_lstm", Arithmetic(
        cpu="Intel(R) Xeon(R) Gold 6248", cpu_isa="AVX-512", pins={**PINS, "OPENBLAS_CORETYPE": "Zen"}, blas=zen,
        at_baseline=False, deviations=["OPENBLAS_CORETYPE is Zen (set by the environment and kept), not the baseline Haswell"],
    ), skew=0.12, n_test=300)
    build(paths, pdf=False, quiet=True, meta=render_meta())
    footer = (paths.site / "index.html").read_text(encoding="utf-8").split('<section class="appendix appendix-provenance"')[1]
    imdb, reuters = footer.split("<code>reuters_lstm</code> arithmetic")[0], footer.split("<code>reuters_lstm</code> arithmetic")[1]
    assert "AMD EPYC 9R14 (widest vector instructions: AVX-512)" in imdb
    assert "<code>ONEDNN_MAX_CPU_ISA=AVX2</code>" in imdb
    assert "openblas 0.3.31 with Haswell kernels" in imdb
    assert "At the pinned AVX2 baseline" in imdb
    assert "<strong>Not at the pinned AVX2 baseline:</strong> OPENBLAS_CORETYPE is Zen (set by the environment and kept)" in reuters
    assert "openblas 0.3.31 with Zen kernels" in reuters
