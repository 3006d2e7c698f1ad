"""The checklist's types: an :class:`Item` is one line, ✓ or ✗ with what is wrong; a :class:`CheckReport` the list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    title: str
    ok: bool | None  # None: skipped on request
    problems: tuple[str, ...] = ()
    detail: str = ""

    def lines(self) -> list[str]:
        mark = {True: "\u2713", False: "\u2717", None: "-"}[self.ok]
        head = f"{mark} {self.title}" + (f": {self.detail}" if self.detail else "")
        return [head] + [f"    {p}" for p in self.problems[:20]] + (
            [f"    ... and {len(self.problems) - 20} more"] if len(self.problems) > 20 else []
        )


@dataclass
class CheckReport:
    items: list[Item] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(item.ok is not False for item in self.items)

    @property
    def failures(self) -> list[Item]:
        return [item for item in self.items if item.ok is False]

    def format(self) -> str:
        lines = [line for item in self.items for line in item.lines()]
        n_fail = len(self.failures)
        lines.append("all checks passed" if n_fail == 0 else f"{n_fail} check(s) failed")
        return "\n".join(lines)


def item(title: str, problems: Iterable[str], detail: str = "") -> Item:
    problems = tuple(problems)
    return Item(title, not problems, problems, detail)
