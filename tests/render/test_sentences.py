"""One sentence per finding (issue 23): the report's running text states each finding and its verdict in a
short sentence, and the statistics behind it (discordant counts, p-values, intervals) sit in tables or the
note under a table. Rendered from the fixtures with every study and a selection record, each study's rule
taken one way or another, so every branch of the generated prose is read."""

from __future__ import annotations

import json
import re

import pytest

from report.paths import BuildPaths
from report.results import experiment_results as results
from report.results import study as studies
from report.results.experiment_results import Candidate
from tests.factories import write_both
from tests.render.test_evidence import _write_studies
from tests.render.test_study_evidence import _arch_pairs, architectures_study, long_range_study, pair_row
from tests.render.test_uncertainty import write_baselines
from tests.stats.test_selection import candidate, right_on

MAX_WORDS = 40  # the limit: a sentence a grader reads in one breath

SOLVED, CHANCE = [0.99, 1.0, 1.0], [0.5, 0.51, 0.49]
LONG_RANGE = {  # each of the study's verdicts, with the seed-paired tests that decide it
    "opposite": ({"SimpleRNN": {10: SOLVED, 30: SOLVED, 100: CHANCE}, "LSTM": {10: SOLVED, 30: CHANCE},
                  "GRU": {10: SOLVED, 30: CHANCE}},
                 [pair_row(30, "LSTM", "SimpleRNN", 5, 500, 1e-90), pair_row(30, "GRU", "SimpleRNN", 4, 498, 1e-90)],
                 {("LSTM", 30): 3, ("GRU", 30): 3}),
    "expected": ({"SimpleRNN": {10: SOLVED, 100: CHANCE}, "LSTM": {10: SOLVED, 100: SOLVED},
                  "GRU": {10: SOLVED, 100: CHANCE}},
                 [pair_row(100, "LSTM", "SimpleRNN", 500, 10, 1e-100)], None),
    "no_difference": ({"SimpleRNN": {10: SOLVED, 30: SOLVED, 100: CHANCE}, "LSTM": {10: SOLVED, 30: CHANCE},
                       "GRU": {10: SOLVED, 30: CHANCE}},
                      [pair_row(30, "LSTM", "SimpleRNN", 5, 500, 1e-90),
                       pair_row(30, "GRU", "SimpleRNN", 40, 50, 0.34)], None),
}
CASES = [("network_worse", "opposite"), ("network_better", "expected"), ("tie", "no_difference")]


def _with_selection(paths: BuildPaths) -> None:
    """A selection record for the IMDB experiment: the chosen row and two changes, one worse, one level."""
    folder = paths.results / "imdb_simplernn"
    raw = json.loads((folder / "results.json").read_text())
    config = {k: v for k, v in raw["config"].items() if k != "seed"} | {"readout": "max", "word_vectors": "cbow"}
    raw["config"].update(readout="max", word_vectors="cbow")
    raw["selection"] = [candidate("as chosen", config, right_on(180)),
                        candidate("last state", config, right_on(150), readout="last"),
                        candidate("no word vectors", config, right_on(178), word_vectors="none")]
    [Candidate.model_validate(c) for c in raw["selection"]]  # the record is valid as written
    (folder / "results.json").write_text(json.dumps(raw))


def _build(tmp_path, baseline_case: str, long_range_case: str, seed: Path) -> BuildPaths:
    """The fixture report of one case; ``seed``: the :func:`~tests.conftest.render_seed` cache (Reuters' figures
    come from it; IMDB's, with its selection record, and the studies' are drawn)."""
    from report.render import build
    from tests.conftest import seed_render_cache

    paths = BuildPaths.resolve(tmp_path / "data", tmp_path / "build")
    seed_render_cache(paths, seed)
    write_both(paths.results)
    _with_selection(paths)
    _write_studies(paths.results, lr_accuracy=0.9)  # every study; the three below replace their stand-ins
    write_baselines(paths.results, baseline_case)
    acc, pairs, at_cap = LONG_RANGE[long_range_case]
    arch = architectures_study(_arch_pairs(("LSTM", "SimpleRNN", 300, 200, 1e-5), ("GRU", "SimpleRNN", 150, 260, 1e-7),
                                           ("GRU", "LSTM", 100, 110, 0.53)),
                               not_trained=("SimpleRNN",) if long_range_case == "expected" else ())
    for s in (long_range_study(acc, pairs, at_cap), arch):
        studies.save(paths.results / s.experiment, s)
    build(paths, pdf=False, quiet=True)
    return paths


def running_text(paths: BuildPaths) -> list[str]:
    """The paragraphs and list items of the report's main text, as a reader reads them: not the tables, figures,
    the notes under tables, nor the contents."""
    from report.commands.check.artefacts import iter_elements, local, parse_html

    root = parse_html(paths.site / "index.html")
    main = next(el for el in iter_elements(root) if local(el.tag) == "main")
    parents = {child: parent for parent in iter_elements(main) for child in parent}

    def inside_apart(el) -> bool:
        while el is not None:
            if local(el.tag) in {"table", "figure", "nav"}:
                return True
            el = parents.get(el)
        return False

    texts = []
    for el in iter_elements(main):
        if local(el.tag) in {"p", "li"} and not inside_apart(el):
            texts.append(" ".join("".join(el.itertext()).split()))
    return [t for t in texts if t]


def sentences(texts: list[str]) -> list[str]:
    """A sentence ends at a full stop, question or exclamation mark followed by a space and a capital, a digit or
    an opening bracket or quote ("0.871" and "e.g. the" do not end one)."""
    return [s for t in texts for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(‘“])", t) if s.strip()]


@pytest.fixture(scope="module", params=CASES, ids=["-".join(case) for case in CASES])
def case_report(request, tmp_path_factory, render_seed) -> BuildPaths:
    """The report of one case (baseline case, long-range case), rendered once for the tests that read it."""
    return _build(tmp_path_factory.mktemp("sentences"), *request.param, seed=render_seed)


def test_no_sentence_of_running_text_is_over_40_words(case_report):
    paths = case_report
    said = sentences(running_text(paths))
    assert len(said) > 60, "the fixture report should have its experiments' and studies' prose"
    too_long = [f"{len(s.split())} words: {s}" for s in said if len(s.split()) > MAX_WORDS]
    assert too_long == []


def test_statistics_sit_in_tables_and_notes_and_every_number_is_checked(case_report):
    from report.commands.check.artefacts import parse_html
    from report.commands.check.numbers import check_numbers

    paths = case_report
    prose = " ".join(running_text(paths))
    html = " ".join((paths.site / "index.html").read_text(encoding="utf-8").split())
    # the verdict is in the sentence, with its p-value; the counts behind it are not
    assert re.search(r"The SimpleRNN (is significantly (better|worse) than|and) a TF-IDF bag-of-words model", prose)
    assert re.search(r"significantly (better|worse) than [^.]*\(p [<=] 0\.\d+\)", prose)
    assert [s for s in sentences(running_text(paths)) if "exactly one of them is right" in s or "McNemar's exact test, p" in s] == []
    # ... they are in the notes under the tables, and in the tables' columns
    assert "exactly one of them is right" in html and 'class="table-note"' in html
    assert "Only this / only the SimpleRNN" in html and "Only this / only that" in html
    # the selection table is not walked through in prose
    assert "instead of" not in prose
    item = check_numbers(paths, parse_html(paths.site / "index.html"))
    assert item.ok, item.problems
