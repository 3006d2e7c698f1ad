"""``--set field=value`` overrides for an experiment's frozen config dataclass.

Values are parsed as the field's type and checked against its declared range
(see ``report.settings``) before anything is loaded or trained."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterable, Mapping
from typing import Any

import click

from report import settings

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_pairs(pairs: Iterable[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not FIELD=VALUE (for example epochs=3)", param_hint="--set")
        out[key.strip()] = value.strip()
    return out


def _coerce(config_type: type, field: dataclasses.Field, raw: Any, where: str) -> Any:
    if not isinstance(raw, str):
        return raw
    plain = settings.base_type(config_type, field.name)
    kind = getattr(plain, "__name__", str(plain))
    if typing.get_origin(plain) is tuple:
        kind = "tuple"
    try:
        if kind == "bool":
            if raw.lower() in _TRUE:
                return True
            if raw.lower() in _FALSE:
                return False
            raise ValueError(raw)
        if kind == "int":
            return int(raw.replace("_", ""))
        if kind == "float":
            return float(raw)
        if kind == "tuple":  # lengths=10,50,100
            return tuple(int(v.replace("_", "")) for v in raw.split(",") if v.strip())
    except ValueError:
        raise click.BadParameter(f"{where}: {field.name} must be of type {kind}, not {raw!r}", param_hint="--set") from None
    return raw


def apply(config: Any, overrides: Mapping[str, Any], where: str = "config") -> Any:
    """A copy of ``config`` with the named fields replaced; unknown names are an error that lists the known ones."""
    fields = {f.name: f for f in dataclasses.fields(config)}
    unknown = sorted(set(overrides) - set(fields))
    if unknown:
        raise click.BadParameter(
            f"{where} has no field {', '.join(unknown)}; fields: {', '.join(fields)}", param_hint="--set"
        )
    new = dataclasses.replace(config, **{k: _coerce(type(config), fields[k], v, where) for k, v in overrides.items()})
    return settings.check(new, where)
