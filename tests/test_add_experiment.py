"""An experiment is a module: a third one (a GRU on IMDB) added to a copy of the project as experiments/imdb_gru.py
and one outline entry gets the standard section, built with --quick on the tiny corpora, and check passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import REPO_ROOT
from tests.conftest import copy_project

GRU_SECTION = '''
[[section]]
number = "3"
title = "Exercise 3: Gated recurrent units"
id = "ex3"

[[section]]
number = "3.1"
title = "Experiment: a GRU for IMDB sentiment"
id = "ex3-q1"
experiment = "imdb_gru"
'''


def gru_module() -> str:
    """experiments/imdb_gru.py: the IMDB experiment's module with a GRU for its SimpleRNN."""
    source = (REPO_ROOT / "experiments" / "imdb_simplernn.py").read_text(encoding="utf-8")
    for old, new in (('NAME = "imdb_simplernn"', 'NAME = "imdb_gru"'),
                     ('TITLE = "IMDB sentiment with a SimpleRNN"', 'TITLE = "IMDB sentiment with a GRU"'),
                     ('recurrent("SimpleRNN",', 'recurrent("GRU",')):
        assert old in source, old
        source = source.replace(old, new)
    return source


@pytest.mark.slow
def test_a_third_experiment_is_one_module_and_one_outline_entry(small_data, tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "experiments" / "imdb_gru.py").write_text(gru_module(), encoding="utf-8")
    with (project / "report.toml").open("a", encoding="utf-8") as toml:
        toml.write(GRU_SECTION)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKE_REPORT_PROJECT", "MAKE_REPORT_DATA")}
    env["PYTHONPATH"] = os.pathsep.join([str(project), str(REPO_ROOT), env.get("PYTHONPATH", "")])
    run = subprocess.run([sys.executable, "-m", "report", "all", "--quick", "--core", "--data-dir", str(small_data)],
                         cwd=project, env=env, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "imdb_gru: no live model" in run.stderr  # the live page runs SimpleRNNs and LSTMs only
    check = subprocess.run([sys.executable, "-m", "report", "check", "--no-validator"], cwd=project, env=env,
                           capture_output=True, text=True, timeout=600)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "sections in the HTML: 8 of 8" in check.stdout and "sections in the PDF: 8 of 8" in check.stdout

    html = (project / "build" / "site" / "index.html").read_text(encoding="utf-8")
    section = html[html.index('id="ex3-q1"'):]
    for block in ("training", "confusion", "roc", "class_report"):  # the standard result blocks
        assert f'id="imdb_gru-{block}"' in section, block
    # its layers, data preparation and settings: in appendix B, after the body
    assert html.index('id="settings-imdb_gru"') > html.index('id="imdb_gru-class_report"')
    assert "IMDB sentiment with a GRU" in html and 'id="imdb_gru-live"' not in html
    assert (project / "build" / "site" / "figures" / "imdb_gru-training.svg").is_file()
    provenance = html[html.index('id="provenance"'):]
    assert "imdb_gru" in provenance or "IMDB sentiment with a GRU" in provenance
    pdf = subprocess.run(["pdftotext", str(project / "build" / "report.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert "3.1 Experiment: a GRU for IMDB sentiment" in pdf
