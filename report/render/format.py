"""Number formatting for the report's prose and tables, registered as Jinja filters.

Every number a reader sees passes through one of these, so the same quantity
always looks the same: counts with thousands separators (12,500, never
12500 or 125000), metrics with three decimals, shares as percentages, and
differences with an explicit sign.
"""

from __future__ import annotations

import math
from collections.abc import Callable

MINUS = "\u2212"  # a real minus sign, not a hyphen
NBSP = "\u00a0"


def count(n: int | float) -> str:
    """12500 -> '12,500'."""
    return f"{int(round(n)):,}"


def metric(x: float, digits: int = 3) -> str:
    """Accuracy, precision, recall, F1, AUC, loss: 0.8154 -> '0.815'."""
    return f"{x:.{digits}f}"


def pct(x: float, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage: 0.8154 -> '81.5%'."""
    return f"{100 * x:.{digits}f}%"


def signed(x: float, digits: int = 2) -> str:
    """A difference with its sign: +0.04, \u22120.03, \u00b10.00 for a rounded zero."""
    text = f"{abs(x):.{digits}f}"
    if float(text) == 0:
        return "\u00b1" + text
    return ("+" if x > 0 else MINUS) + text


def signed_count(n: int) -> str:
    """A difference of counts: +1,234 or \u22121,234."""
    if n == 0:
        return "\u00b10"
    return ("+" if n > 0 else MINUS) + f"{abs(int(n)):,}"


def number(x: float) -> str:
    """A setting such as a learning rate or dropout: shortest exact form ('0.0005', '64')."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}" if abs(x) >= 10_000 else str(x)
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e6:
        return str(int(x))
    return f"{x:g}"


def significant(x: float, digits: int = 2) -> str:
    """A ratio spanning orders of magnitude, to ``digits`` significant digits: 0.0123 -> '0.012', 3.4e-05."""
    return f"{x:.{digits}g}"


def pvalue(p: float) -> str:
    """A test's p-value as the prose states it: 'p < 0.001', 'p = 0.021', 'p = 0.11' (no-break spaces:
    a line never ends in 'p =').

    Three decimals below 0.1, two above; one that rounds to 0.050 but is below it is 'p < 0.05',
    so the number never contradicts the 5% verdict next to it."""
    if p < 0.001:
        text = "p < 0.001"
    elif p < 0.05 <= round(p, 3):
        text = "p < 0.05"
    else:
        text = f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"
    return text.replace(" ", NBSP)


def duration(seconds: float) -> str:
    """Wall time: '42 s', '3 min 05 s', '1 h 02 min'."""
    if not math.isfinite(seconds) or seconds < 0:
        return "n/a"
    if seconds < 10:
        return f"{seconds:.1f} s"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m} min {s:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def short_sha(commit: str | None, length: int = 10) -> str:
    return commit[:length] if commit else "unknown"


def setting(value: object) -> str:
    """Any config value as shown in the settings table."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


_IRREGULAR = {"epoch": "epochs", "stomach": "stomachs", "analysis": "analyses", "index": "indices"}


def _plural_of(singular: str) -> str:
    head, _, last = singular.rpartition(" ")  # "test review" -> "test reviews"
    if last in _IRREGULAR:
        return f"{head} {_IRREGULAR[last]}".lstrip()
    if singular.endswith(("s", "x", "z", "ch", "sh")):
        return singular + "es"
    if singular.endswith("y") and singular[-2:-1] not in tuple("aeiou"):
        return singular[:-1] + "ies"
    return singular + "s"


# verbs (and the odd pronoun) that follow a count: singular -> plural
_VERBS = {"is": "are", "was": "were", "has": "have", "does": "do", "it": "they", "its": "their",
          "this": "these", "that": "those"}


def word(n: int | float, singular: str, plural_form: str | None = None) -> str:
    """The form of a noun or verb that agrees with ``n``: word(1, 'topic') -> 'topic', word(3, 'is') -> 'are'.

    Only exactly one is singular ('0 topics', '1.5 epochs')."""
    if n == 1:
        return singular
    return plural_form or _VERBS.get(singular) or _plural_of(singular)


def plural(n: int | float, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun, agreeing in number: '1 topic', '0 topics', '12,500 reviews'."""
    return f"{count(n) if float(n).is_integer() else number(n)} {word(n, singular, plural_form)}"


def join(items, conjunction: str = "and") -> str:
    """A list as prose: 'a', 'a and b', 'a, b and c'; '' for none."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def quoted(items) -> list[str]:
    """Names as the prose quotes them: 'zinc'."""
    return [f"‘{i}’" for i in items]


def examples(names, limit: int = 3) -> str:
    """Named members of a counted set, for after the count: ' (‘zinc’)' when all are named,
    ', among them ‘zinc’, ‘tin’ and ‘lead’' when only some are; '' for none."""
    names = list(names)
    if not names:
        return ""
    shown = join(quoted(names[:limit]))
    return f" ({shown})" if len(names) <= limit else f", among them {shown}"


FILTERS: dict[str, Callable[..., str]] = {
    "count": count,
    "metric": metric,
    "pct": pct,
    "signed": signed,
    "signed_count": signed_count,
    "number": number,
    "significant": significant,
    "duration": duration,
    "pvalue": pvalue,
    "short_sha": short_sha,
    "setting": setting,
    "plural": plural,
    "word": word,
    "and_list": join,  # not "join": Jinja's own join filter stays
}


def longdate(d) -> str:
    """A date as on a title page: '25 November 2026'."""
    return f"{d.day} {d:%B %Y}"


def datetime_(t) -> str:
    """A timestamp in provenance: '2026-11-25 12:00 UTC'."""
    tz = t.tzname() if getattr(t, "tzinfo", None) else None
    return f"{t:%Y-%m-%d %H:%M}" + (f" {tz}" if tz else "")


FILTERS.update({"longdate": longdate, "datetime": datetime_})
