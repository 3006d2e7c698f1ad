"""The selection record (bench/selection.py -> results.json -> the report): which row is the chosen
setting, which rows are compared with it, and the rendered sentence that follows McNemar's test on the
validation split, in each direction."""

from __future__ import annotations

import json

import numpy as np
import pytest

from report.paths import BuildPaths
from report.results import experiment_results as results
from report.results.experiment_results import Candidate
from report.stats.selection import differences, selection
from tests.factories import make_results, write_both

N_VAL = 200


def candidate(label: str, config: dict, right: np.ndarray, seed: int = 42, arithmetic: dict | None = None,
              **changes) -> dict:
    """A record row whose predictions are right exactly where ``right`` is True (binary labels)."""
    truth = np.arange(N_VAL) % 2
    predicted = np.where(right, truth, 1 - truth)
    return Candidate(
        label=label, changes=changes, config={**config, **changes}, seed=seed, best_epoch=3, epochs_run=6,
        val_accuracy=float(right.mean()), val_loss=0.3, seconds=50.0,
        val_true="".join(map(str, truth)), val_predicted="".join(map(str, predicted)), arithmetic=arithmetic,
    ).model_dump()


def with_record(rows_for) -> results.Results:
    res, _ = make_results("imdb_simplernn")
    config = {k: v for k, v in res.config.items() if k != "seed"} | {"readout": "max", "word_vectors": "cbow"}
    res = res.model_copy(update={"config": {**res.config, "readout": "max", "word_vectors": "cbow"}})
    rows = [Candidate.model_validate(r) for r in rows_for(config)]
    return res.model_copy(update={"selection": rows})


def right_on(n: int) -> np.ndarray:
    out = np.zeros(N_VAL, dtype=bool)
    out[:n] = True
    return out


def test_chosen_row_and_each_candidate_against_the_one_it_changed():
    chosen = right_on(180)
    res = with_record(lambda cfg: [
        candidate("chosen", cfg, chosen),
        candidate("last state", cfg, right_on(150), readout="last"),  # against "chosen"
        candidate("two changes", cfg, right_on(150), readout="last", word_vectors="none"),  # against "last state"
        candidate("other seed", cfg, right_on(150), seed=1, word_vectors="none"),  # no base of its seed
    ])
    sel = selection(res)
    assert [r.chosen for r in sel.rows] == [True, False, False, False]
    assert sel.n_settings == 4 and sel.seeds == (1, 42)
    chosen_row, last, two, other = sel.rows
    assert chosen_row.comparison is None and other.comparison is None
    assert last.comparison.base.label == "chosen" and last.comparison.fields == ("readout",)
    assert (last.comparison.test.a_only, last.comparison.test.b_only) == (0, 30)
    assert last.comparison.verdict == "worse" and last.comparison.difference == pytest.approx(-0.15)
    # the nearest recorded setting it changed: one field away, not two
    assert two.comparison.base.label == "last state" and two.comparison.fields == ("word_vectors",)
    assert last.differs == (("readout", "last"),)
    assert sel.about("readout") == (last.comparison,) and sel.highlighted == (last.comparison, two.comparison)


def test_a_run_under_other_arithmetic_is_not_the_base_of_a_comparison():
    """The same seed before and after the pins is another run: a change is set against its own arithmetic."""
    pinned = {"OPENBLAS_CORETYPE": "Haswell", "tensorflow_threads": "1/1"}
    res = with_record(lambda cfg: [
        candidate("chosen, before the pins", cfg, right_on(190)),
        candidate("chosen, pinned", cfg, right_on(170), arithmetic=pinned),
        candidate("last state, pinned", cfg, right_on(150), readout="last", arithmetic=pinned),
        candidate("last state, before the pins", cfg, right_on(160), readout="last"),
    ])
    _, pinned_chosen, pinned_last, old_last = selection(res).rows
    assert pinned_last.comparison.base is pinned_chosen.candidate
    assert (pinned_last.comparison.test.a_only, pinned_last.comparison.test.b_only) == (0, 20)
    assert old_last.comparison.base.label == "chosen, before the pins"


def test_no_record_no_selection_and_differences_ignore_seed_and_subsets():
    res, _ = make_results("imdb_simplernn")
    assert selection(res) is None
    assert differences({"seed": 1, "subset_train": 5, "units": 8}, {"seed": 2, "subset_train": 0, "units": 8}) == []
    assert differences({"units": 8, "new": 1}, {"units": 16}) == ["units"]


@pytest.mark.parametrize(("other_right", "phrase"), [
    (150, "<td class=\"against\"><q>as chosen</q>: \u2212" + "0.150, worse</td> <td class=\"num\">0 / 30</td>"),
    (200, "<td class=\"against\"><q>as chosen</q>: +0.100, better</td> <td class=\"num\">20 / 0</td>"),
    (181, "<td class=\"against\"><q>as chosen</q>: +0.005, no significant difference</td> <td class=\"num\">1 / 0</td>"),
])
def test_rendered_comparison_follows_the_paired_test(tmp_path, other_right, phrase, render_seed):
    from report.render import build
    from tests.conftest import seed_render_cache

    paths = BuildPaths.resolve(tmp_path / "data", tmp_path / "build")
    seed_render_cache(paths, render_seed)  # Reuters' figures; IMDB's, with its new record, are drawn
    write_both(paths.results)
    res = results.load(paths.results / "imdb_simplernn")
    chosen, other = right_on(180), right_on(other_right)
    config = {k: v for k, v in res.config.items() if k != "seed"} | {"readout": "max"}
    record = [Candidate.model_validate(candidate("as chosen", config, chosen)),
              Candidate.model_validate(candidate("last state", config, other, readout="last"))]
    updated = res.model_copy(update={"selection": record})
    folder = paths.results / "imdb_simplernn"
    raw = json.loads((folder / "results.json").read_text())
    raw["selection"] = [c.model_dump() for c in record]
    raw["config"]["readout"] = "max"
    (folder / "results.json").write_text(json.dumps(raw))
    assert selection(updated).rows[1].comparison.base.label == "as chosen"
    build(paths, pdf=False, quiet=True)
    html = " ".join((paths.site / "index.html").read_text(encoding="utf-8").split())
    assert "chosen on the validation split among 2 settings" in html
    assert phrase in html
    assert "(chosen)" in html and "<code>readout=last</code>" in html
    assert "instead of" not in html  # the verdicts are in the table's columns, not walked through in prose
    from report.commands.check.artefacts import parse_html
    from report.commands.check.numbers import check_numbers

    assert check_numbers(paths, parse_html(paths.site / "index.html")).ok


def test_a_change_is_set_against_the_chosen_value_and_each_pair_is_told_once():
    """'no word vectors' differs in one field from both 'skip-gram' and the chosen CBOW row: it is set
    against the chosen one; and 'skip-gram' against 'no word vectors' is not told a second time."""
    res = with_record(lambda cfg: [
        candidate("skip-gram", cfg, right_on(170), word_vectors="skipgram"),
        candidate("no word vectors", cfg, right_on(160), word_vectors="none"),
        candidate("chosen", cfg, right_on(180)),
    ])
    sel = selection(res)
    skip, none, _ = sel.rows
    assert none.comparison.base.label == "chosen"
    assert skip.comparison.base.label == "chosen"
    assert len(sel.highlighted) == 2 and {c.this.label for c in sel.highlighted} == {"skip-gram", "no word vectors"}
