"""Read scenario YAML that may be hostile: bounded in size, depth and alias expansion.

Every refusal is a ``Problem`` with the line a person must look at. Nothing here can hang
(only regular files are opened, and at most ``MAX_BYTES + 1`` bytes are read), recurse without
bound (nesting deeper than ``MAX_DEPTH`` is refused while composing, before any recursive walk)
or blow up (alias expansion is counted while composing: a document that would expand to more
than ``MAX_NODES`` nodes, however few bytes it has, is refused before anything walks it).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from ecosystem.core.errors import Problem, ScenarioError, shorten

Key = tuple[str | int, ...]

MAX_BYTES = 1 << 20
"""Largest scenario file or text accepted (1 MiB; shipped scenarios are under 10 KiB)."""
MAX_DEPTH = 50
"""Deepest nesting of mappings and lists (shipped scenarios nest 4 levels)."""
MAX_NODES = 100_000
"""Most YAML nodes after alias expansion (shipped scenarios have a few hundred)."""

# What YAML allows in a stream (YAML 1.1, as PyYAML's reader checks it); anything else is a
# control character a person cannot see in an editor.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _fail(source: str, line: int | None, message: str, path: str = "") -> ScenarioError:
    return ScenarioError([Problem(source, line, path, message)])


def read_file(path: Path) -> str:
    """The text of a scenario file: a regular file of at most MAX_BYTES bytes of UTF-8.

    Raises:
        ScenarioError: missing, not a regular file (a folder, a pipe, a device), too large,
            unreadable or not UTF-8.
    """
    source = str(path)
    try:
        info = os.stat(path)  # never blocks, unlike opening a named pipe
    except FileNotFoundError:
        raise _fail(source, None, "file not found") from None
    except OSError as exc:
        raise _fail(source, None, f"cannot read: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _fail(source, None, "is a directory, not a scenario file")
    if not stat.S_ISREG(info.st_mode):
        raise _fail(source, None, "not a regular file (a pipe or device?); give a YAML file")
    if info.st_size > MAX_BYTES:
        raise _fail(source, None, _too_big(info.st_size))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise _fail(source, None, "not a regular file; give a YAML file")
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _fail(source, None, f"cannot read: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise _fail(source, None, _too_big(len(raw)))
    return decode(raw, source)


def _too_big(size: int) -> str:
    return f"file too large ({size:,} bytes; a scenario is at most {MAX_BYTES:,} bytes)"


def decode(raw: bytes, source: str) -> str:
    """Decode UTF-8 bytes, naming the line of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start : exc.start + 1].hex()
        message = f"not UTF-8 text (byte 0x{byte}); save the file as UTF-8"
        raise _fail(source, line, message) from None


def check_text(text: str, source: str) -> None:
    """Refuse text that is too large or holds control characters, naming the line."""
    if len(text) > MAX_BYTES:
        raise _fail(source, None, _too_big(len(text.encode("utf-8", "replace"))))
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        code = f"U+{ord(bad.group()):04X}"
        raise _fail(source, line, f"control character {code} is not allowed in YAML; delete it")


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses deep nesting, self-referencing aliases and alias
    bombs while composing (counting each alias as the nodes it expands to)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.depth = 0
        self.nodes = 0
        self.deepest = 0
        self.open_anchors: set[str] = set()
        self.anchor_size: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, depth below)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self.open_anchors:
                raise _BoundError(line, f"alias *{shorten(event.anchor, 40)} refers to itself")
            nodes, below = self.anchor_size.get(event.anchor, (1, 0))
            self._count(nodes, self.depth + below, line)
            return super().compose_node(parent, index)
        anchor = getattr(event, "anchor", None)
        self.depth += 1
        self._count(1, self.depth, line)
        start, outer_deepest, self.deepest = self.nodes, self.deepest, self.depth
        if anchor is not None:
            self.open_anchors.add(anchor)
        node = super().compose_node(parent, index)
        if anchor is not None:
            self.open_anchors.discard(anchor)
            self.anchor_size[anchor] = (self.nodes - start + 1, self.deepest - self.depth)
        self.deepest = max(outer_deepest, self.deepest)
        self.depth -= 1
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct one node; a scalar Python cannot hold (an integer of more than 4,300
        digits, a date like 2001-13-99) becomes a refusal with its line, not a ValueError."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError, ArithmeticError) as exc:
            what = shorten(" ".join(str(exc).split()), 80)
            raise _BoundError(node.start_mark.line + 1, f"cannot read this value: {what}") from None

    def _count(self, nodes: int, depth: int, line: int) -> None:
        self.nodes += nodes
        self.deepest = max(self.deepest, depth)
        if depth > MAX_DEPTH:
            raise _BoundError(line, f"nested more than {MAX_DEPTH} levels deep")
        if self.nodes > MAX_NODES:
            raise _BoundError(
                line, f"aliases expand to more than {MAX_NODES:,} values (an alias bomb?)"
            )


class _BoundError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def parse(text: str, source: str) -> tuple[Any, dict[Key, int]]:
    """Parse scenario YAML safely; returns the data and the line of every field path.

    Raises:
        ScenarioError: bad characters, malformed YAML, nesting, aliases or duplicate keys.
    """
    check_text(text, source)
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _fail(source, 1, "empty file (a scenario is a YAML mapping)")
        lines = _line_map(node, source)
        data = loader.construct_document(node)
    except _BoundError as exc:
        raise _fail(source, exc.line, exc.message) from None
    except yaml.YAMLError as exc:
        raise _fail(source, _yaml_line(exc), f"malformed YAML: {_yaml_problem(exc)}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise _fail(source, 1, "a scenario must be a YAML mapping of field: value")
    return data, lines


def parse_value(text: str, source: str) -> Any:
    """One ``--set`` value: a YAML scalar or flow list/map, read with the same bounds as a
    file (no alias bomb, no deep nesting, no control characters); text that is not YAML is
    kept as the string it is.

    Raises:
        ScenarioError: a value that breaks a bound.
    """
    if not text.strip():
        return ""
    check_text(text, source)
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else loader.construct_document(node)
    except _BoundError as exc:
        raise _fail(source, None, exc.message) from None
    except yaml.YAMLError:
        return text
    finally:
        loader.dispose()


def _yaml_line(exc: yaml.YAMLError) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    what = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
    return f"{shorten(' '.join(str(what).split()), 120)} (fix the YAML syntax)"


def _line_map(root: yaml.Node, source: str) -> dict[Key, int]:
    """Map each field path to the 1-based line of its key (or item); refuses duplicate keys
    and keys that are not plain scalars. Iterative: the depth is already bounded, the
    expansion too (MAX_NODES), so this visits at most MAX_NODES nodes."""
    out: dict[Key, int] = {}
    stack: list[tuple[yaml.Node, Key]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        out.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _fail(source, line, "a key must be a plain name, not a list or map")
                key = key_node.value
                if key == "<<" and key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                if key in seen:
                    raise _fail(
                        source,
                        line,
                        f"duplicate key {shorten(key, 40)!r} (first at line {seen[key]})",
                        ".".join(str(p) for p in (*path, key)),
                    )
                seen[key] = line
                out[(*path, key)] = line
                stack.append((value_node, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                stack.append((item, (*path, i)))
    return out
