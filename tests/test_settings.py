"""Every config field declares its range; a bad value is one line naming the field, the value and the range,
before any data is loaded."""

from __future__ import annotations

import click
import pytest

from report import registry, settings
from report.pipeline import overrides
from tests.runner import run_cli


@pytest.mark.parametrize("name", registry.all_names())
def test_every_field_of_every_config_declares_a_range_and_the_defaults_hold(name):
    config_type = registry.load(name).Config
    assert settings.unchecked_fields(config_type) == []
    assert settings.check(config_type(), name) == config_type()


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("epochs", "-1", "a whole number >= 1"),  # a count
        ("units", "0", "a whole number >= 1"),
        ("maxlen", "0", "a whole number >= 1"),
        ("val_fraction", "1.5", "a number in (0, 1)"),  # a fraction: neither none nor all
        ("val_fraction", "0", "a number in (0, 1)"),
        ("learning_rate", "-1", "a number > 0"),  # a positive rate
        ("spatial_dropout", "1", "a number in [0, 1)"),  # dropout
        ("class_weight_power", "2", "a number in [0, 1]"),
        ("monitor", "val_auc", "one of val_loss, val_accuracy, val_macro_f1"),  # a known name
        ("seed", "-3", "a whole number in [0, 4294967295]"),
        ("subset_train", "-1", "a whole number >= 0"),
        ("vocab_size", "2", "a whole number >= 3"),
        ("learning_rate", "nan", "a number > 0"),
    ],
)
def test_a_bad_value_is_one_line_naming_field_value_and_range(field, value, says):
    from experiments import reuters_lstm

    with pytest.raises(click.BadParameter) as err:
        overrides.apply(reuters_lstm.Config(), overrides.parse_pairs([f"{field}={value}"]), where="reuters_lstm")
    message = err.value.format_message()
    assert "\n" not in message
    assert f"{field} = " in message and says in message and "reuters_lstm" in message


def test_good_values_pass_at_the_edges():
    from experiments import reuters_lstm

    ok = overrides.apply(reuters_lstm.Config(), {"epochs": "1", "spatial_dropout": "0", "class_weight_power": "1",
                                                 "subset_train": "0", "monitor": "val_loss"}, where="reuters_lstm")
    assert (ok.epochs, ok.spatial_dropout, ok.class_weight_power, ok.monitor) == (1, 0.0, 1.0, "val_loss")


def test_tuple_fields_parse_and_check_each_item():
    from studies import long_range

    ok = overrides.apply(long_range.Config(), {"lengths": "10,20"}, where="long_range")
    assert ok.lengths == (10, 20)
    with pytest.raises(click.BadParameter, match="each item a whole number >= 1"):
        overrides.apply(long_range.Config(), {"lengths": "10,0"}, where="long_range")


def test_the_cli_refuses_a_bad_value_before_loading_any_data(tmp_path):
    missing = tmp_path / "no-data-here"  # loading anything would fail with a data error instead
    out = run_cli("train", "reuters_lstm", "--data-dir", str(missing), "--build-dir", str(tmp_path / "b"),
                  "--set", "epochs=-1", expect=2).output
    assert "epochs = -1 is out of range" in out
    assert "Traceback" not in out and not (tmp_path / "b" / "results").exists()
