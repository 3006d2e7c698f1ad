"""Rule-chosen sentences agree in number with their counts: the helpers in report.render.format, the
``named`` macro, and the sentences that use them, for none, one and several."""

from __future__ import annotations

import re

import pytest

from report.render import format as fmt
from report.render.html import environment
from report.render.interpret import ConfusionFinding
from tests import REPO_ROOT


@pytest.mark.parametrize("n, expected", [(0, "0 topics"), (1, "1 topic"), (3, "3 topics"), (12500, "12,500 topics")])
def test_plural(n, expected):
    assert fmt.plural(n, "topic") == expected


def test_plural_forms():
    assert [fmt.plural(n, "class") for n in (0, 1, 2)] == ["0 classes", "1 class", "2 classes"]
    assert [fmt.plural(n, "epoch") for n in (1, 8)] == ["1 epoch", "8 epochs"]
    assert fmt.plural(2, "test review") == "2 test reviews" and fmt.plural(1, "test review") == "1 test review"
    assert fmt.plural(2, "person", "people") == "2 people"


@pytest.mark.parametrize("n, verb, expected", [(0, "is", "are"), (1, "is", "is"), (2, "is", "are"),
                                               (1, "has", "has"), (5, "has", "have"), (1, "its", "its"),
                                               (4, "its", "their")])
def test_word_agrees_with_the_count(n, verb, expected):
    assert fmt.word(n, verb) == expected


@pytest.mark.parametrize("items, expected", [([], ""), (["a"], "a"), (["a", "b"], "a and b"),
                                             (["a", "b", "c"], "a, b and c")])
def test_join(items, expected):
    assert fmt.join(items) == expected


@pytest.fixture(scope="module")
def env():
    return environment(REPO_ROOT / "templates")


def named(env, names, limit=5) -> str:
    return str(env.get_template("_macros.html").module.named(names, limit))


def test_named_lists_all_in_brackets_or_some_after_among_them(env):
    assert named(env, []) == ""
    assert named(env, ["zinc"]) == " (<q>zinc</q>)"
    assert named(env, ["zinc", "tin"]) == " (<q>zinc</q> and <q>tin</q>)"
    assert named(env, ["zinc", "tin", "lead"]) == " (<q>zinc</q>, <q>tin</q> and <q>lead</q>)"
    assert named(env, ["zinc", "tin", "lead", "iron"], limit=3) == ", among them <q>zinc</q>, <q>tin</q> and <q>lead</q>"


def confusion_sentence(env, never: list[str]) -> str:
    fig = {"id": "fig-3", "label": "Figure 3", "kind": "confusion", "src": "figures/x.svg", "alt": "a", "title": "t"}
    finding = ConfusionFinding("grain", "wheat", 7, 20, tuple(never), 0.7)
    x = {"binary": False, "n_classes": 46, "figures": {"confusion": fig}, "confusion": finding}
    html = env.get_template("_block_confusion.html").render(x=x, r={"title": "LSTM"}, medium="print", item="wire")
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    return text.replace("\u2018", "'").replace("\u2019", "'")


def test_never_predicted_sentence_for_none_one_and_several(env):
    assert "Every topic is predicted at least once." in confusion_sentence(env, [])
    one = confusion_sentence(env, ["zinc"])
    assert "1 topic is never predicted (zinc): the model sends its wires to more frequent topics." in one
    assert "are never predicted" not in one and "among them" not in one
    three = confusion_sentence(env, ["zinc", "tin", "lead"])
    assert "3 topics are never predicted (zinc, tin and lead): the model sends their wires" in three
    seven = confusion_sentence(env, ["zinc", "tin", "lead", "iron", "gold", "nickel", "jet"])
    assert "7 topics are never predicted, among them zinc, tin, lead, iron and gold: the model sends their" in seven
    assert "nickel" not in seven
