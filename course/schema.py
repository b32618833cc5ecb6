"""A small declarative schema for YAML settings files.

Each setting is declared once, as a dataclass field made with :func:`setting`,
carrying its default and help text. Validation, defaults and the generated
reference (``docs/course-yml.md``, :mod:`sheetgrade.course.docs`) all derive from
those declarations.

Validation walks the YAML node tree, so every problem carries its key path and
line, and it collects *every* problem before it raises.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import MISSING, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml

from sheetgrade.course.errors import ConfigError
from sheetgrade.course.suggest import did_you_mean

REQUIRED: Any = object()


def setting(
    default: Any = REQUIRED,
    help: str = "",
    *,
    kind: str | None = None,
    example: str | None = None,
) -> Any:
    """Declare one setting: its default (or REQUIRED), help text and kind.

    ``kind`` overrides the parser chosen from the annotation:
    ``"datetime"`` (timezone-aware ISO 8601), ``"duration"`` (``90``, ``15m``,
    ``2h``, ``1d``), ``"size"`` (``512MiB``, ``2G``), ``"share"`` (0..1).
    """
    meta = {"help": help, "kind": kind, "example": example}
    if default is REQUIRED:
        return field(metadata=meta)
    if isinstance(default, list | dict):
        container: list[Any] | dict[Any, Any] = default
        return field(default_factory=container.copy, metadata=meta)
    if dataclasses.is_dataclass(default) and not isinstance(default, type):
        section: Any = default
        return field(default_factory=lambda: dataclasses.replace(section), metadata=meta)
    return field(default=default, metadata=meta)


# ---------------------------------------------------------------- value parsers

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)?\s*$")
_DURATION_UNITS = {
    None: 1,
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "d": 86400,
    "w": 604800,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


class InvalidValue(ValueError):
    """A single value failed to parse; the message says what was expected.

    The parsers below raise it; callers outside a settings file (CLI options
    such as ``--timeout 2m``) turn it into their own error."""


def parse_datetime(text: str) -> datetime:
    """Parse a timezone-aware ISO 8601 timestamp (``2026-11-03T10:00+01:00``)."""
    expected = "expected ISO 8601 such as 2026-11-03T10:00+01:00"
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValue(f'"{text}" is not a date ({expected})') from None
    if value.tzinfo is None:
        raise InvalidValue(f'"{text}" has no timezone ({expected})')
    return value


def parse_duration(value: Any) -> timedelta:
    """Parse ``90`` (seconds), ``15m``, ``2h``, ``1.5d`` or ``1w``."""
    if isinstance(value, bool):
        raise InvalidValue(f'"{value}" is not a duration (expected seconds or 15m, 2h, 1d)')
    match = _DURATION.match(str(value))
    if not match:
        raise InvalidValue(f'"{value}" is not a duration (expected seconds or 15m, 2h, 1d)')
    number, unit = match.groups()
    return timedelta(seconds=float(number) * _DURATION_UNITS[unit and unit.lower()])


def parse_size(value: Any) -> int:
    """Parse a byte size: ``1048576``, ``512MiB``, ``2G``."""
    match = _SIZE.match(str(value))
    if isinstance(value, bool) or not match:
        raise InvalidValue(f'"{value}" is not a size (expected bytes or 512MiB, 2GiB)')
    number, unit = match.groups()
    return int(float(number) * _SIZE_UNITS[(unit or "")[:1].upper()])


# ----------------------------------------------------------------- validation


@dataclass
class _Context:
    file: str
    problems: list[str] = field(default_factory=list)

    def add(self, node: yaml.Node | None, path: str, message: str) -> None:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        where = f"{path}: " if path else ""
        self.problems.append(f"{self.file}{line}: {where}{message}")


_SCALAR_LOADER = yaml.SafeLoader("")


def _scalar(node: yaml.Node) -> Any:
    try:
        return _SCALAR_LOADER.construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError):  # e.g. an impossible date such as 2026-13-01
        return node.value


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f'"{node.value}"'


def _convert(tp: Any, kind: str | None, node: yaml.Node, path: str, ctx: _Context) -> Any:
    """Convert one YAML node to ``tp``; record a problem and return None on failure."""
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if isinstance(node, yaml.ScalarNode) and _scalar(node) is None:
            return None
        return _convert(args[0], kind, node, path, ctx)
    if dataclasses.is_dataclass(tp):
        if not isinstance(node, yaml.MappingNode):
            ctx.add(
                node,
                path,
                f"{_describe(node)} is not a mapping (expected keys such as {_keys_hint(tp)})",
            )
            return None
        return _build(tp, node, path, ctx)
    if origin is list:
        (item_tp,) = get_args(tp)
        if not isinstance(node, yaml.SequenceNode):
            if (
                isinstance(node, yaml.ScalarNode)
                and item_tp in (str, int)
                and not dataclasses.is_dataclass(item_tp)
            ):
                return [_convert(item_tp, kind, node, path, ctx)]
            ctx.add(node, path, f"{_describe(node)} is not a list")
            return None
        return [
            _convert(item_tp, kind, item, f"{path}[{i}]", ctx) for i, item in enumerate(node.value)
        ]
    if origin is dict:
        key_tp, val_tp = get_args(tp)
        if not isinstance(node, yaml.MappingNode):
            ctx.add(node, path, f"{_describe(node)} is not a mapping")
            return None
        return {
            str(_scalar(k)): _convert(val_tp, kind, v, f"{path}.{_scalar(k)}", ctx)
            for k, v in node.value
        }
    if not isinstance(node, yaml.ScalarNode):
        ctx.add(node, path, f"{_describe(node)} is not a single value")
        return None
    raw = _scalar(node)
    try:
        return _parse_scalar(tp, kind, raw, node.value)
    except InvalidValue as exc:
        ctx.add(node, path, str(exc))
        return None


def _parse_scalar(tp: Any, kind: str | None, raw: Any, text: str) -> Any:
    if kind == "datetime" or tp is datetime:
        return parse_datetime(text)
    if kind == "duration" or tp is timedelta:
        return parse_duration(raw)
    if kind == "size":
        return parse_size(raw)
    if get_origin(tp) is Literal:
        choices = [str(c) for c in get_args(tp)]
        if str(raw) not in choices:
            raise InvalidValue(
                f'"{text}" is not one of {", ".join(choices)}{did_you_mean(str(raw), choices)}'
            )
        return str(raw)
    if tp is bool:
        if not isinstance(raw, bool):
            raise InvalidValue(f'"{text}" is not true or false')
        return raw
    if tp is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise InvalidValue(f'"{text}" is not a whole number')
        if kind == "positive" and raw < 1:
            raise InvalidValue(f'"{text}" must be at least 1')
        return raw
    if tp is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise InvalidValue(f'"{text}" is not a number')
        if kind == "share" and not 0 <= raw <= 1:
            raise InvalidValue(f'"{text}" is not a share between 0 and 1 (write 0.5 for 50 %)')
        if kind == "positive" and raw <= 0:
            raise InvalidValue(f'"{text}" must be greater than 0')
        return float(raw)
    if tp is str:
        if raw is None or isinstance(raw, list | dict):
            raise InvalidValue(f'"{text}" is not text')
        return text if not isinstance(raw, str) else raw
    if tp is Path:
        return Path(str(raw))
    raise TypeError(f"unsupported setting type {tp!r}")  # a programming error, not user input


def _keys_hint(tp: Any) -> str:
    return ", ".join(f.name for f in dataclasses.fields(tp)[:3])


def type_hints(tp: Any) -> dict[str, Any]:
    return typing.get_type_hints(tp)


def _build(tp: Any, node: yaml.MappingNode, path: str, ctx: _Context) -> Any:
    hints = type_hints(tp)
    fields = {f.name: f for f in dataclasses.fields(tp)}
    problems_before = len(ctx.problems)
    values: dict[str, Any] = {}
    seen: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = str(_scalar(key_node))
        key_path = f"{path}.{key}" if path else key
        if key not in fields:
            ctx.add(key_node, key_path, f"unknown key{did_you_mean(key, fields)}")
            continue
        if key in seen:
            ctx.add(
                key_node, key_path, f"appears twice (first on line {seen[key].start_mark.line + 1})"
            )
            continue
        seen[key] = key_node
        values[key] = _convert(
            hints[key], fields[key].metadata.get("kind"), value_node, key_path, ctx
        )
    for name, f in fields.items():
        if name not in values and not _has_default(f):
            key_path = f"{path}.{name}" if path else name
            example = f.metadata.get("example")
            hint = f" (for example {name}: {example})" if example else ""
            ctx.add(node, key_path, f"is required{hint}")
            values[name] = None
    obj = tp(**values)
    post = getattr(tp, "__validate__", None)
    if post is not None:
        for message in post(obj):
            # "key: …" about a key of this mapping points at that key's line
            where, sep, rest = message.partition(": ")
            key = where.split("[", 1)[0]
            if sep and key in seen:
                ctx.add(seen[key], f"{path}.{where}" if path else where, rest)
            else:
                ctx.add(node, path, message)
    return obj if len(ctx.problems) == problems_before else None


def _optional(tp: Any) -> bool:
    return get_origin(tp) in (typing.Union, types.UnionType) and type(None) in get_args(tp)


def _has_default(f: dataclasses.Field[Any]) -> bool:
    return f.default is not MISSING or f.default_factory is not MISSING


def load_yaml_file(tp: type[Any], path: Path, *, label: str | None = None) -> Any:
    """Read ``path`` and validate it as ``tp``; raise ConfigError listing every problem."""
    label = label or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{label}: file not found at {path}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{label}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    return load_yaml_text(tp, text, label=label)


def load_yaml_text(tp: type[Any], text: str, *, label: str) -> Any:
    """Validate YAML ``text`` as ``tp``; raise ConfigError listing every problem."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        if "'\\t'" in problem:
            raise ConfigError(
                f"{label}{where}: a tab character; YAML indents with spaces, not tabs: use spaces"
            ) from None
        raise ConfigError(f"{label}{where}: not valid YAML: {problem}") from None
    ctx = _Context(label)
    if node is None:
        hint = (
            "; `sheetgrade init` writes one to start from" if label.endswith("course.yml") else ""
        )
        raise ConfigError(f"{label} is empty (nothing but comments or blank lines){hint}")
    result = _convert(tp, None, node, "", ctx)
    if ctx.problems:
        count = len(ctx.problems)
        noun = "problem" if count == 1 else "problems"
        raise ConfigError(f"{label} has {count} {noun}:", ctx.problems)
    return result
