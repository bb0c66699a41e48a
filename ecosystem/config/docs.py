"""The scenario reference (docs/SCENARIOS.md), generated from the parameter models."""

from __future__ import annotations

import types
import typing
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is typing.Literal:
        return " \\| ".join(repr(a) for a in get_args(annotation))
    if origin is typing.Annotated:
        return _type_name(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        names = dict.fromkeys(_type_name(a) for a in get_args(annotation))
        return " or ".join(names)
    if origin is list:
        return f"list of {_type_name(get_args(annotation)[0])}"
    if annotation is type(None):
        return "null"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    return getattr(annotation, "__name__", str(annotation))


def _bounds(field) -> str:
    parts = []
    for meta in field.metadata:
        for attr, sym in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            value = getattr(meta, attr, None)
            if value is not None:
                parts.append(f"{sym} {value}")
    return ", ".join(parts)


def _default(field) -> str:
    if field.default is PydanticUndefined:
        if field.default_factory is not None:
            return f"`{field.default_factory()}`"
        return "required"
    if isinstance(field.default, BaseModel):
        return "(section)"
    return f"`{field.default!r}`" if field.default is not None else "`null`"


def field_table(model: type[BaseModel], prefix: str = "") -> str:
    """A markdown table of ``model``'s fields: name, type, default, range, meaning."""
    rows = ["| field | type | default | allowed | meaning |", "|---|---|---|---|---|"]
    for name, field in model.model_fields.items():
        desc = (field.description or (model.__doc__ or "").split("\n")[0]).replace("|", "\\|")
        rows.append(
            f"| `{prefix}{name}` | {_type_name(field.annotation)} | {_default(field)} "
            f"| {_bounds(field)} | {desc} |"
        )
    return "\n".join(rows)


def _tag(model: type[BaseModel]) -> str | None:
    for field in model.model_fields.values():
        if get_origin(field.annotation) is typing.Literal and len(get_args(field.annotation)) == 1:
            return str(get_args(field.annotation)[0])
    return None


def _walk(model: type[BaseModel], path: str, out: list[str], seen: set[str]) -> None:
    from ecosystem.config.loader import _unwrap_models

    heading = path or "(top level)"
    if heading in seen:
        return
    seen.add(heading)
    summary = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
    out.append(f"#### `{heading}`\n\n{summary}\n\n{field_table(model)}\n")
    for name, field in model.model_fields.items():
        members = _unwrap_models(field.annotation)
        for member in members:
            tag = _tag(member) if len(members) > 1 else None
            sub = f"{path}.{name}" if path else name
            _walk(member, f"{sub} ({tag})" if tag else sub, out, seen)


def reference_markdown() -> str:
    """The whole scenario reference: one table per section of every scenario kind."""
    from ecosystem.config.schema import SCENARIO_KINDS

    out: list[str] = []
    for kind, model in SCENARIO_KINDS.items():
        out.append(f"### `kind: {kind}`\n")
        _walk(model, "", out, set())
    return "\n".join(out).rstrip() + "\n"


REFERENCE = "docs/SCENARIOS.md"
"""The file that holds the generated reference, relative to the repository root."""

BEGIN = "<!-- BEGIN SCENARIO REFERENCE (generated: python -m ecosystem.config.docs) -->"
END = "<!-- END SCENARIO REFERENCE -->"


def update_reference(path: str = REFERENCE) -> bool:
    """Replace the generated reference between the markers of ``path``; True if changed."""
    from pathlib import Path

    file = Path(path)
    text = file.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{BEGIN}\n{reference_markdown()}{END}{tail}"
    if new != text:
        file.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    import sys

    changed = update_reference(sys.argv[1] if len(sys.argv) > 1 else REFERENCE)
    print("updated" if changed else "up to date")
