"""report.toml's [test_in_view]: which selections were started with a test number in view, checked as read."""

from __future__ import annotations

import click
import pytest

from report.render.disclosure import load_test_in_view, parse_test_in_view
from tests import REPO_ROOT


def _project(tmp_path, table: str):
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "my_lstm.py").write_text("", encoding="utf-8")
    toml = tmp_path / "report.toml"
    toml.write_text(table, encoding="utf-8")
    return toml


def test_the_measure_is_named_as_the_report_names_it(tmp_path):
    toml = _project(tmp_path, '[test_in_view]\nmy_lstm = "macro_f1"\n')
    assert load_test_in_view(toml) == {"my_lstm": "macro-average F1"}
    assert parse_test_in_view({"test_in_view": {"my_lstm": "roc_auc"}}, toml) == {"my_lstm": "ROC AUC"}


def test_without_the_table_or_the_file_nothing_is_disclosed(tmp_path):
    assert load_test_in_view(_project(tmp_path, '[report]\nauthor = "Ada"\n')) == {}
    assert load_test_in_view(tmp_path / "missing.toml") == {}


@pytest.mark.parametrize(("table", "message"), [
    ('[test_in_view]\nother = "accuracy"\n', "unknown experiment test_in_view.other; known: my_lstm"),
    ('[test_in_view]\nmy_lstm = "f1 score"\n', "test_in_view.my_lstm = 'f1 score' is not a measure; one of: accuracy"),
    ('test_in_view = "my_lstm"\n', "[test_in_view] must be a table"),
    ('[test_in_view\n', "is not valid TOML"),
])
def test_a_wrong_entry_names_the_file_and_the_fix(tmp_path, table, message):
    toml = _project(tmp_path, table)
    with pytest.raises(click.ClickException) as err:
        load_test_in_view(toml)
    assert str(toml) in err.value.message and message in err.value.message


def test_this_project_discloses_the_reuters_search():
    assert load_test_in_view(REPO_ROOT / "report.toml") == {"reuters_lstm": "macro-average F1"}
