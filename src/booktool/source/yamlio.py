"""Safe YAML reading that keeps line numbers.

Mappings come back as :class:`LineDict` and sequences as :class:`LineList`: plain dicts and lists
that also know the line of each key or item, so config errors can point at ``file:line``.
Only plain data is accepted: no aliases, no duplicate keys, no language-specific tags.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from booktool.errors import input_error
from booktool.source.characters import describe, typed_character
from booktool.source.yamlcauses import yaml_cause

MAX_YAML_BYTES = 2 * 1024 * 1024


class LineDict(dict[str, Any]):
    """A dict that remembers the 1-based line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A list that remembers the 1-based line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (no billion laughs) and keeps composing plain nodes."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                None, None, "aliases (*name) are not allowed in booktool files", event.start_mark
            )
        return super().compose_node(parent, index)


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def _convert(node: Node, path: Path, offset: int, scalars: Any) -> Any:
    line = node.start_mark.line + offset
    if isinstance(node, MappingNode | SequenceNode) and node.tag not in _PLAIN_TAGS:
        raise input_error(
            path,
            line,
            f"unsupported YAML tag '{node.tag}'",
            "use plain text, numbers, lists",
            code="yaml-unsafe",
        )
    if isinstance(node, MappingNode):
        result = LineDict()
        result.line = line
        result.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise input_error(
                    path,
                    key_node.start_mark.line + offset,
                    "merge keys (<<) are not allowed",
                    code="yaml-unsafe",
                )
            key = _convert(key_node, path, offset, scalars)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise input_error(
                    path,
                    key_node.start_mark.line + offset,
                    "keys must be plain text",
                    code="yaml-unsafe",
                )
            key = str(key)
            if key in result:
                raise input_error(
                    path,
                    key_node.start_mark.line + offset,
                    f"duplicate key '{key}' (first on line {result.key_lines[key]})",
                    "keep one of them",
                    key_node.start_mark.column + 1,
                    code="yaml-duplicate-key",
                )
            result.key_lines[key] = key_node.start_mark.line + offset
            result[key] = _convert(value_node, path, offset, scalars)
        return result
    if isinstance(node, SequenceNode):
        items = LineList(_convert(item, path, offset, scalars) for item in node.value)
        items.line = line
        items.item_lines = [item.start_mark.line + offset for item in node.value]
        return items
    if isinstance(node, ScalarNode):
        try:
            value = scalars.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise input_error(
                path,
                line,
                f"unsupported YAML value: {exc.problem}",
                "use plain text, numbers, lists",
                code="yaml-unsafe",
            ) from exc
        except (ValueError, OverflowError) as exc:  # 2026-02-30, an int of 5000 digits
            what = "a date in the calendar" if node.tag.endswith(":timestamp") else "a value"
            raise input_error(
                path,
                line,
                f"'{node.value[:40]}' is not {what} ({exc})",
                "write a real date as YYYY-MM-DD" if "date" in what else "write a plain value",
                code="yaml-value",
            ) from exc
        if isinstance(value, str) and (bad := typed_character(value)):
            raise input_error(
                path,
                line,
                f"the text holds {describe(ord(bad))}, which cannot be in a book",
                "remove the escape that writes it",
                code="bad-character",
            )
        return value
    raise input_error(path, line, "unsupported YAML node", code="yaml-unsafe")  # pragma: no cover


def load_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    """Parse ``text`` (from ``path``, starting at ``first_line``) into data with lines."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise input_error(
            path,
            None,
            f"YAML is larger than {MAX_YAML_BYTES // 1024} KiB",
            "split or shorten it",
            code="file-too-large",
        )
    fast = _fast_node(text)
    if fast is not None:
        node = fast[0]
        return None if node is None else _convert(node, path, first_line, SafeConstructor())
    try:
        loader = _Loader(text)  # the reader checks every character at once
    except yaml.reader.ReaderError as exc:
        raise input_error(
            path,
            text.count("\n", 0, exc.position) + first_line,
            f"YAML error: character U+{exc.character:04X} is not allowed",
            "remove the control character",
            code="yaml-syntax",
        ) from exc
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or ""
        if mark is not None and (
            cause := yaml_cause(
                text,
                problem,
                mark.line,
                mark.column,
                exc.context_mark.line if exc.context_mark is not None else None,
            )
        ):
            raise input_error(
                path,
                cause.line + first_line,
                f"YAML error: {cause.message}",
                cause.hint,
                cause.column,
                code="yaml-syntax",
            ) from exc
        line = mark.line + first_line if mark else None
        column = mark.column + 1 if mark else None
        message = (exc.problem or exc.context or "invalid YAML").strip()
        if exc.context and exc.problem and exc.context_mark is not None:
            context = exc.context.removeprefix("while ").strip()
            message += f" ({context} from line {exc.context_mark.line + first_line})"
        raise input_error(
            path, line, f"YAML error: {message}", "fix the YAML syntax", column, code="yaml-syntax"
        ) from exc
    except yaml.YAMLError as exc:
        raise input_error(
            path, None, f"YAML error: {exc}", "fix the YAML syntax", code="yaml-syntax"
        ) from exc
    finally:
        loader.dispose()
    if node is None:
        return None
    return _convert(node, path, first_line, loader)


#: libyaml's composer, where PyYAML was built with it (its wheels are).
_C_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def _fast_node(text: str) -> tuple[Node | None] | None:
    """The document's node tree composed by libyaml (ten times PyYAML's speed), for text
    PyYAML would take as it is; None where it would not (a control character, a syntax error,
    an alias): then PyYAML composes it, and says what is wrong where."""
    if _C_LOADER is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    loader = _C_LOADER(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None if node is not None and _has_alias(node) else (node,)


def _has_alias(root: Node) -> bool:
    """Whether a node is reached twice: libyaml composes an alias as its anchor's node."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return False


def dump_yaml(data: Any) -> str:
    """Write plain data as block-style YAML, keys in the order given."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
