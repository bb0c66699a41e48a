"""Load and validate scenario YAML, reporting every error as FILE:LINE: field.path: message.

YAML is read by ``yaml_reader`` (PyYAML's safe loader, no object construction, bounded in size,
nesting and alias expansion). The node tree keeps the line of every key, so a pydantic error
location can be mapped back to the line a person must edit.
``--set key.path=value`` overrides go through the same validation and are named in messages.
A renamed field is still read under its old name for a while (``RENAMED``): the value is used and
the loader hands back a notice ``FILE:LINE: old.path is deprecated; use new.path``.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ecosystem.config import yaml_reader
from ecosystem.config.schema import SCENARIO_KINDS, Scenario
from ecosystem.core.errors import Problem, ScenarioError, echo

Key = tuple[str | int, ...]

RENAMED: dict[Key, Key] = {("metrics", "sample_texts"): ("metrics", "text_samples")}
"""Old field paths still read (with a deprecation notice), mapped to their new paths."""


def parse_overrides(overrides: list[str]) -> list[tuple[str, Key, Any]]:
    """Parse ``key.path=value`` strings; values are YAML scalars or flow lists/maps."""
    parsed = []
    for text in overrides:
        source = f"--set {text}"
        if "=" not in text:
            raise ScenarioError(
                [Problem(source, None, "", "expected key.path=value, e.g. loop.generations=20")]
            )
        raw_key, raw_value = text.split("=", 1)
        keys = tuple(k.strip() for k in raw_key.split("."))
        if not all(keys):
            raise ScenarioError([Problem(source, None, raw_key, "empty part in the key path")])
        value = yaml_reader.parse_value(raw_value, source)
        parsed.append((source, keys, value))
    return parsed


def _apply_override(data: dict, keys: Key, value: Any, source: str) -> Key:
    """Set ``value`` at ``keys`` in ``data``; returns the path with list items as indices.

    A list item is named by its index (``trainers.0.crawl_budget``) or by its ``name`` field
    (``trainers.open_web.crawl_budget``).
    """
    node: Any = data
    resolved: list[str | int] = []
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        if isinstance(node, list):
            key = _list_index(node, str(key), source, keys[:i])
        elif not isinstance(node, dict):
            path = ".".join(map(str, keys[:i]))
            raise ScenarioError(
                [Problem(source, None, path, "is not a mapping; cannot set a field in it")]
            )
        resolved.append(key)
        if last:
            node[key] = value
        else:
            child = node[key] if isinstance(node, list) else node.get(key)
            if child is None:
                child = node[key] = {}
            node = child
    return tuple(resolved)


def _list_index(items: list, key: str, source: str, parent: Key) -> int:
    """The index of the list item named ``key``: a position, or the item whose name it is."""
    path = ".".join(map(str, parent))
    names = [item.get("name") for item in items if isinstance(item, dict)]
    if key.lstrip("-").isdigit():
        index = int(key)
        if not 0 <= index < len(items):
            raise ScenarioError(
                [Problem(source, None, f"{path}.{key}", f"no item {key} ({len(items)} items)")]
            )
        return index
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == key:
            return index
    allowed = ", ".join(repr(n) for n in names if n is not None) or "none has a name"
    raise ScenarioError(
        [Problem(source, None, f"{path}.{key}", f"no item named {key!r} (names: {allowed})")]
    )


def _read_renamed(
    data: dict,
    source: str,
    lines: dict[Key, int],
    overridden: dict[Key, str],
    notices: list[Problem],
) -> None:
    """Move every value given under an old name (``RENAMED``) to its new name, with a notice.

    Raises:
        ScenarioError: when the file, or the overrides, give both names (when one comes from an
            override, the override wins).
    """
    for old, new in RENAMED.items():
        parent = data
        for key in old[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or old[-1] not in parent:
            continue
        old_path, new_path = ".".join(map(str, old)), ".".join(map(str, new))
        old_over, new_over = _override_of(old, overridden), _override_of(new, overridden)
        where = (old_over, None) if old_over else (source, lines.get(old))
        notices.append(Problem(*where, "", f"{old_path} is deprecated; use {new_path}"))
        value = parent.pop(old[-1])
        if new[-1] in parent and bool(old_over) == bool(new_over):
            raise ScenarioError(
                [Problem(*where, old_path, f"is the old name of {new_path}; give only {new_path}")]
            )
        if new[-1] in parent and new_over:
            continue  # an override of the new name wins over the file's old name
        parent[new[-1]] = value
        if old_over:
            overridden[new] = old_over
        elif old in lines:
            lines[new] = lines[old]


def _override_of(path: Key, overridden: dict[Key, str]) -> str | None:
    """The ``--set`` source that gave ``path`` (itself or a mapping above it), if any."""
    return next((src for key, src in overridden.items() if path[: len(key)] == key), None)


def _scenario_class(data: dict, source: str, lines: dict[Key, int]) -> type[BaseModel]:
    kind = data.get("kind", "loop")
    cls = SCENARIO_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        allowed = ", ".join(repr(k) for k in SCENARIO_KINDS)
        raise ScenarioError(
            [
                Problem(
                    source,
                    lines.get(("kind",), 1),
                    "kind",
                    f"unknown kind {echo(kind)} (allowed: {allowed})",
                )
            ]
        )
    return cls


def _unwrap_models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic model classes an annotation may hold (through Optional, Union, list)."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap_models(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple):
        return [m for arg in get_args(annotation) for m in _unwrap_models(arg)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _pick_member(members: list[type[BaseModel]], node: Any) -> type[BaseModel] | None:
    if len(members) == 1:
        return members[0]
    if not isinstance(node, dict):
        return None
    for cls in members:
        for name, field in cls.model_fields.items():
            if get_origin(field.annotation) is typing.Literal and node.get(name) in get_args(
                field.annotation
            ):
                return cls
    return None


def _model_at(root: type[BaseModel], data: Any, keys: Key) -> type[BaseModel] | None:
    cls: type[BaseModel] | None = root
    node = data
    for key in keys:
        if cls is None:
            return None
        if isinstance(key, int):
            node = node[key] if isinstance(node, list) and key < len(node) else None
            continue
        field = cls.model_fields.get(key)
        if field is None:
            return None
        node = node.get(key) if isinstance(node, dict) else None
        cls = _pick_member(_unwrap_models(field.annotation), node)
    return cls


def _data_path(data: Any, loc: tuple) -> Key:
    """Drop the union tags pydantic inserts into ``loc``, keeping keys present in the data."""
    path: list[str | int] = []
    node = data
    for item in loc:
        in_dict = isinstance(node, dict) and item in node
        in_list = isinstance(node, list) and isinstance(item, int) and item < len(node)
        if in_dict or in_list:
            path.append(item)
            node = node[item]
        elif isinstance(node, dict) and isinstance(item, str) and not _is_tag(item, node):
            path.append(item)  # a missing or unknown key
            node = None
    return tuple(path)


def _is_tag(item: str, node: dict) -> bool:
    return item in {str(v) for v in node.values() if isinstance(v, str)} or item.startswith(
        "function-"
    )


_SHOW_VALUE = {
    "literal_error",
    "enum",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "finite_number",
    "bool_not_number",
}


def _message(err: dict, root: type[BaseModel], data: Any, path: Key) -> str:
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        owner = _model_at(root, data, path[:-1])
        allowed = ", ".join(owner.model_fields) if owner else "see `ecosim schema`"
        return f"unknown field {echo(path[-1])} (allowed: {allowed})"
    if kind == "missing":
        return "required field is missing"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return f"unknown value {echo(ctx.get('tag'))} (allowed: {ctx.get('expected_tags')})"
    if kind == "union_tag_not_found":
        return f"a {err.get('ctx', {}).get('discriminator')} is required to pick the type"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind.endswith(("_type", "_parsing")) or kind in _SHOW_VALUE:
        msg = f"got {echo(value)}: {msg[0].lower()}{msg[1:]}"
    return msg


def _problems(
    exc: ValidationError,
    root: type[BaseModel],
    data: Any,
    source: str,
    lines: dict[Key, int],
    overridden: dict[Key, str],
) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        path = _data_path(data, err["loc"])
        if err["type"] == "field_rule":
            parts = err["ctx"]["field"].split(".")
            path = (*path, *(int(p) if p.isdigit() else p for p in parts))
        if err["type"] == "union_tag_invalid":
            disc = err.get("ctx", {}).get("discriminator", "").strip("'")
            path = (*path, disc) if disc else path
        src, line = source, None
        for key, over_source in overridden.items():
            if path[: len(key)] == key:
                src = over_source
                break
        else:
            probe = path
            while probe not in lines and probe:
                probe = probe[:-1]
            line = lines.get(probe)
        dotted = ".".join(str(p) for p in path)
        problems.append(Problem(src, line, dotted, _message(err, root, data, path)))
    return problems


def validate_text(
    text: str,
    source: str,
    overrides: list[str] | None = None,
    notices: list[Problem] | None = None,
) -> Scenario:
    """Validate scenario YAML ``text`` (named ``source`` in messages) with ``--set`` overrides.

    Args:
        text: the scenario YAML.
        source: its name in messages (a file path, or e.g. "pasted YAML").
        overrides: ``key.path=value`` strings applied on top of ``text``.
        notices: when given, one Problem per old field name used is appended (the value is
            read all the same); print them as warnings.
    """
    data, lines = yaml_reader.parse(text, source)
    overridden: dict[Key, str] = {}
    for over_source, keys, value in parse_overrides(overrides or []):
        overridden[_apply_override(data, keys, value, over_source)] = over_source
    _read_renamed(data, source, lines, overridden, [] if notices is None else notices)
    cls = _scenario_class(data, source, lines)
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, cls, data, source, lines, overridden)) from None


def load_scenario(
    path: str | Path, overrides: list[str] | None = None, notices: list[Problem] | None = None
) -> Scenario:
    """Read and validate a scenario file; raises ScenarioError for any user mistake.

    ``notices`` collects deprecation notices as in :func:`validate_text`.
    """
    path = Path(path)
    return validate_text(yaml_reader.read_file(path), str(path), overrides, notices)
