"""YAML with locations: safe loading that remembers where every key and value stood.

Pure. Anchors and aliases are refused outright: authors do not need them, and they are the
mechanism of "billion laughs" expansion bombs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from lms.authoring.problems import Problem

Path = tuple[str | int, ...]
Locate = Callable[[Path], tuple[int, int]]


def _walk(node: yaml.Node, path: Path, positions: dict[Path, tuple[int, int]]) -> None:
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.tag)
            positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, (*path, key), positions)
            # the key itself, for "unknown key" messages, under a marker
            positions[(*path, key, "<key>")] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _walk(child, (*path, index), positions)


def make_locator(positions: dict[Path, tuple[int, int]], offset: int = 0) -> Locate:
    """A function from a path to (line, column), falling back to the nearest known ancestor."""

    def locate(path: Path) -> tuple[int, int]:
        probe = tuple(path)
        while probe:
            if probe in positions:
                line, column = positions[probe]
                return line + offset, column
            probe = probe[:-1]
        line, column = positions.get((), (1, 1))
        return line + offset, column

    return locate


def load_yaml(text: str, file: str, line_offset: int = 0) -> tuple[Any, Locate, list[Problem]]:
    """Parse one YAML document; return (data, locate, problems). Never raises for bad input."""
    positions: dict[Path, tuple[int, int]] = {}
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                assert mark is not None
                return (
                    None,
                    make_locator(positions, line_offset),
                    [
                        Problem(
                            file,
                            mark.line + 1 + line_offset,
                            mark.column + 1,
                            "YAML anchors and aliases (&name, *name) are not allowed; "
                            "write the value out in full",
                        )
                    ],
                )
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, make_locator(positions, line_offset), []
            _walk(node, (), positions)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 + line_offset) if mark else 0
        column = (mark.column + 1) if mark else 0
        reason = error.problem or "not valid YAML"
        return (
            None,
            make_locator(positions, line_offset),
            [Problem(file, line, column, f"this is not valid YAML: {reason}")],
        )
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        return (
            None,
            make_locator(positions, line_offset),
            [Problem(file, 1 + line_offset, 0, f"this is not valid YAML: {error}")],
        )
    return data, make_locator(positions, line_offset), []
