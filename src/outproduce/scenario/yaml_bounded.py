"""YAML parsing with bounds: no aliases, no duplicate keys, limited depth and size.

A scenario file comes from users and from dashboard uploads. PyYAML's safe loader
never runs code, but an alias-expansion file ("billion laughs", a few hundred bytes)
grows without limit, deep nesting overflows Python's recursion, and a duplicate key
silently keeps the last value. This loader refuses all three, counts nodes, and is
fed text that was read with a size cap (``read_capped``), so pipes and devices are
bounded too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from outproduce.scenario.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES


class BoundError(yaml.MarkedYAMLError):
    """A YAML document over one of the bounds, with the place it was found."""

    def __init__(self, problem: str, mark: yaml.Mark | None) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class BoundedLoader(yaml.SafeLoader):
    """The safe loader with aliases, duplicate keys, deep nesting and huge documents refused."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise BoundError(
                f"alias *{event.anchor} is not supported; expected every value written out "
                "(anchors and aliases are refused: they can expand without limit)",
                event.start_mark,
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise BoundError(
                f"more than {MAX_NODES:,} YAML values; expected a scenario of ordinary size",
                self.peek_event().start_mark,
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise BoundError(
                f"nested more than {MAX_DEPTH} levels deep; expected a scenario's mappings "
                "and lists",
                self.peek_event().start_mark,
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping whose keys are unique: a repeated key names both lines."""
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                seen = first.get(key)
            except TypeError:  # an unhashable key: PyYAML's own error says so below
                continue
            if seen is not None:
                raise BoundError(
                    f"duplicate key {key!r} (also on line {seen}); expected each key once",
                    key_node.start_mark,
                )
            first[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data of one YAML document, bounded.

    Raises ``yaml.YAMLError`` (a ``BoundError`` for the bounds) with a mark.
    """
    loader = BoundedLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:
        raise BoundError(
            "nested too deeply to read; expected a scenario's mappings and lists", None
        ) from None
    finally:
        loader.dispose()
    return node, data


def read_capped(path: Path) -> str:
    """The file's text, reading at most ``MAX_FILE_BYTES`` + 1 bytes (pipes and devices too).

    Raises ``ValueError`` naming the limit, ``OSError`` or ``UnicodeDecodeError``.
    """
    with path.open("rb") as handle:
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES:,} bytes; expected a scenario file")
    return raw.decode("utf-8")


def read_yaml_file(path: Path, expected: str) -> Any:
    """The data of a user's YAML side file (a groups file, a grid), or one clear error.

    ``expected`` says what the file should be, for the message.
    """
    from outproduce.errors import InputError

    try:
        _, data = parse(read_capped(path))
    except FileNotFoundError:
        raise InputError(f"no such file; expected {expected}", file=str(path)) from None
    except (OSError, ValueError, UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"not a readable YAML file ({' '.join(str(exc).split())[:120]}); expected {expected}",
            file=str(path),
            line=mark.line + 1 if mark else None,
        ) from None
    return data
