"""Typed, range-checked config fields.

Every field of an experiment's or a study's ``Config`` declares its valid
range with one of the ``Annotated`` types below (``epochs: Count = 10``), so a
bad value, from a default or from ``--set``, is one line naming the field, the
value and the range, before any data is loaded:

    my_experiment: epochs = -1 is out of range: a whole number >= 1

:func:`check` validates a config; :func:`base_type` tells ``--set`` what to
parse a string as. No TensorFlow here.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass
from typing import Annotated, Any

import click


@dataclass(frozen=True)
class Range:
    """Numbers from ``low`` to ``high`` (either may be None: unbounded); ``open_low``/``open_high`` exclude the end."""

    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False
    whole: bool = False  # a whole number (int)

    def holds(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        if self.whole and not isinstance(value, int):
            return False
        if self.low is not None and (value <= self.low if self.open_low else value < self.low):
            return False
        return not (self.high is not None and (value >= self.high if self.open_high else value > self.high))

    def describe(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        if self.low is not None and self.high is not None:
            left, right = ("(" if self.open_low else "["), (")" if self.open_high else "]")
            return f"{kind} in {left}{_num(self.low)}, {_num(self.high)}{right}"
        if self.low is not None:
            return f"{kind} {'>' if self.open_low else '>='} {_num(self.low)}"
        if self.high is not None:
            return f"{kind} {'<' if self.open_high else '<='} {_num(self.high)}"
        return kind


@dataclass(frozen=True)
class OneOf:
    """One of a few names."""

    choices: tuple[Any, ...]

    def holds(self, value: Any) -> bool:
        return value in self.choices

    def describe(self) -> str:
        return "one of " + ", ".join(str(c) for c in self.choices)


@dataclass(frozen=True)
class Each:
    """A non-empty tuple whose every item is in ``rule``."""

    rule: Range

    def holds(self, value: Any) -> bool:
        return isinstance(value, tuple) and len(value) > 0 and all(self.rule.holds(v) for v in value)

    def describe(self) -> str:
        return f"a non-empty list, each item {self.rule.describe()}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# The field types the configs use. Each name says what a reader may set.
Seed = Annotated[int, Range(0, 2**32 - 1, whole=True)]  # numpy's seeds are 32-bit, non-negative
Count = Annotated[int, Range(1, whole=True)]  # epochs, units, batch sizes, lengths: at least one
Size = Annotated[int, Range(0, whole=True)]  # 0 means "all" (subset sizes) or "none" (patience)
VocabSize = Annotated[int, Range(3, whole=True)]  # two reserved ids (padding, out of vocabulary) + a word
Positive = Annotated[float, Range(0, open_low=True)]  # learning rates, clip norms, regularisation strengths
Fraction = Annotated[float, Range(0, 1, open_low=True, open_high=True)]  # a share held out: neither none nor all
Rate = Annotated[float, Range(0, 1, open_high=True)]  # dropout: 0 (none) up to, not including, 1
Power = Annotated[float, Range(0, 1)]  # class-weight exponent: 0 none, 1 balanced
Monitor = Annotated[str, OneOf(("val_loss", "val_accuracy", "val_macro_f1"))]
Keep = Annotated[str, OneOf(("last", "first"))]  # which tokens of a long text stay
Readout = Annotated[str, OneOf(("last", "max"))]  # last hidden state, or the maximum over all states
Schedule = Annotated[str, OneOf(("constant", "cosine"))]  # the learning rate over the epochs
# Where the embedding starts: random, or word2vec vectors (CBOW or skip-gram) learned on unlabelled text
WordVectors = Annotated[str, OneOf(("none", "cbow", "skipgram"))]
Lengths = Annotated[tuple[int, ...], Each(Range(1, whole=True))]
LearningRates = Annotated[tuple[float, ...], Each(Range(0, open_low=True))]  # a grid a study chooses from
Flag = Annotated[bool, OneOf((True, False))]


def _hints(config_type: type) -> dict[str, Any]:
    return typing.get_type_hints(config_type, include_extras=True)


def rule_of(config_type: type, name: str) -> Range | OneOf | Each | None:
    hint = _hints(config_type).get(name)
    if typing.get_origin(hint) is Annotated:
        return next((m for m in hint.__metadata__ if isinstance(m, (Range, OneOf, Each))), None)
    return None


def base_type(config_type: type, name: str) -> Any:
    """The plain type of a field (``int`` for ``Count``), for parsing ``--set`` strings."""
    hint = _hints(config_type).get(name)
    return typing.get_args(hint)[0] if typing.get_origin(hint) is Annotated else hint


def unchecked_fields(config_type: type) -> list[str]:
    """Fields that declare no range (a test keeps this empty for every registered config)."""
    return [f.name for f in dataclasses.fields(config_type) if rule_of(config_type, f.name) is None]


def check(config: Any, where: str) -> Any:
    """``config`` itself when every field is in its range; else a one-line error naming the first bad field."""
    for f in dataclasses.fields(config):
        rule = rule_of(type(config), f.name)
        value = getattr(config, f.name)
        if rule is not None and not rule.holds(value):
            raise click.BadParameter(
                f"{where}: {f.name} = {value!r} is out of range: {rule.describe()}", param_hint="--set"
            )
    return config
