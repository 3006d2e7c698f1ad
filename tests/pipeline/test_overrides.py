from dataclasses import dataclass

import click
import pytest

from report.pipeline import overrides


@dataclass(frozen=True)
class Cfg:
    epochs: int = 5
    rate: float = 0.1
    name: str = "x"
    flag: bool = False


def test_set_overrides_coerce_to_the_field_type():
    cfg = overrides.apply(Cfg(), overrides.parse_pairs(["epochs=3", "rate=0.5", "flag=yes", "name=y"]))
    assert cfg == Cfg(epochs=3, rate=0.5, name="y", flag=True)


def test_unknown_field_lists_the_known_ones():
    with pytest.raises(click.BadParameter, match="no field epoch; fields: epochs, rate"):
        overrides.apply(Cfg(), {"epoch": "3"}, where="imdb")


def test_bad_value_names_the_field_and_type():
    with pytest.raises(click.BadParameter, match="epochs must be of type int, not 'three'"):
        overrides.apply(Cfg(), {"epochs": "three"})


def test_pair_without_equals_is_refused():
    with pytest.raises(click.BadParameter, match="FIELD=VALUE"):
        overrides.parse_pairs(["epochs"])
