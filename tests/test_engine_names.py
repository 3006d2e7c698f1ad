"""The engine knows no experiment and no study by name: report/ names none of the modules in experiments/ and
studies/, nor their titles or the labels their results carry. What the report shows is the project's
(report.toml's outline, the modules, their templates)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from report import registry
from tests import REPO_ROOT

ENGINE = REPO_ROOT / "report"
# Labels a study's results carry into the report's tables, which the engine once looked rows up by.
LABELS = ("TF-IDF + logistic regression", "Majority class")


def _engine_files() -> list[Path]:
    return sorted(p for p in ENGINE.rglob("*") if p.is_file() and p.suffix in (".py", ".html", ".js", ".css", ".md"))


def _patterns() -> dict[str, re.Pattern]:
    out = {}
    for name in registry.all_names(REPO_ROOT):
        if "_" in name:  # an identifier no sentence contains: anywhere at all
            out[name] = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
        else:  # also an English word ("the baselines", "test examples"): only where it names the module or result
            n = re.escape(name)
            out[name] = re.compile(rf"(studies|experiments)[./]{n}\b|\b{n}\.py\b|[\"']{n}[\"'](?!\s*:)")
        title = registry.load(name, REPO_ROOT).TITLE
        out[title] = re.compile(re.escape(title))
    for label in LABELS:
        out[label] = re.compile(re.escape(label))
    return out


def test_the_engine_names_no_experiment_study_or_label_of_theirs():
    patterns = _patterns()
    assert {"imdb_simplernn", "reuters_lstm", "baselines", "examples", "long_range"} <= set(patterns)
    hits = [f"{path.relative_to(REPO_ROOT)}:{k}: {what}"
            for path in _engine_files()
            for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            for what, pattern in patterns.items() if pattern.search(line)]
    assert hits == []


@pytest.mark.parametrize("line", ['if "baselines" in s:', "from studies.examples import finding",
                                  'load("reuters_lstm")', "# e.g. imdb_simplernn", 'rows["Majority class"]'])
def test_the_search_finds_a_name_where_one_is_written(line):
    assert any(p.search(line) for p in _patterns().values()), line


@pytest.mark.parametrize("line", ["the network against the baselines", "on 25,000 test examples",
                                  '{"examples": list(m.examples)}'])
def test_the_search_lets_the_same_words_in_prose_pass(line):
    assert not any(p.search(line) for p in _patterns().values()), line
