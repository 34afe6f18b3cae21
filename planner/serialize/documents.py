"""Read YAML or JSON text into plain data under the input limits of :mod:`planner.limits`.

The limits are checked while the document's structure is read and before any
Python value is built from it, so no document can exhaust the stack (nesting),
memory (YAML aliases that repeat a value thousands of times) or time:

- the text is at most :data:`~planner.limits.PROTOCOL_BYTES` long;
- mappings and lists nest at most :data:`~planner.limits.DEPTH` deep;
- counting every use of a YAML alias, the document holds at most
  :data:`~planner.limits.NODES` values and :data:`~planner.limits.EXPANDED_TEXT`
  characters of text (counted on the composed node graph, where an alias is a
  shared node, so nothing is expanded to count it);
- every mapping key is text, and no key is given twice (JSON too);
- every number is finite, at most :data:`~planner.limits.NUMBER_MAGNITUDE` in
  size and written with at most :data:`~planner.limits.NUMBER_DIGITS` digits;
- every text value is at most :data:`~planner.limits.TEXT_CHARS` long.

Each problem is one line with a path into the document (``$.arms[0]: key 1
is not text; write it in quotes``); problems that stop the reading (too deep,
too large) are reported alone.
"""

from __future__ import annotations

import json
import math
import re
import typing
from typing import Any, Literal, NoReturn

import yaml
from yaml.events import AliasEvent, MappingEndEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from planner import limits

Format = Literal["yaml", "json"]


class LoadError(ValueError):
    """A protocol document with problems; ``problems`` has one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# -- the words of the limits --------------------------------------------------------

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_SHOWN = 40


def segment(key: str) -> str:
    """A path step for a mapping key: ``.arms``, or ``["odd key"]`` when the key is not a plain name.

    Quoting keeps a key with spaces, quotes or line breaks from breaking the
    one-line-per-problem report.
    """
    if _KEY.match(key):
        return f".{key}"
    return f"[{json.dumps(clip(key), ensure_ascii=False)}]"


def clip(text: str, most: int = _SHOWN) -> str:
    """``text`` cut to ``most`` characters with a marker, for showing in a message."""
    return text if len(text) <= most else f"{text[:most]}… ({len(text)} characters)"


def _one_line(text: str) -> str:
    return " ".join(clip(text).split())


def too_long(chars: int) -> str:
    return (f"text of {chars} characters, more than the limit of {limits.TEXT_CHARS}; "
            "shorten it or move the detail to a reference")


def _depth_problem(path: str) -> str:
    return (f"{path}: nested more than {limits.DEPTH} levels deep (the limit); "
            "a protocol needs far fewer: check for a runaway of brackets or indentation")


def _expansion_problem(path: str, what: str) -> str:
    return (f"{path}: counting every use of its aliases the document holds more than {what}; "
            "write repeated values out once instead of through YAML aliases (&name / *name)")


def _digits(number: str) -> int:
    """How many digits a number literal is written with (its exponent not counted)."""
    t = number.lstrip("+-").replace("_", "")
    if t[:2].lower() in ("0x", "0o", "0b"):
        return len(t) - 2
    return sum(c.isdigit() for c in re.split("[eE]", t, maxsplit=1)[0])


def digits_problem(literal: str) -> str | None:
    """Why a number literal has too many digits, or ``None`` (checked before converting it)."""
    digits = _digits(literal)
    if digits > limits.NUMBER_DIGITS:
        return (f"number too long: {digits} digits, more than the limit of {limits.NUMBER_DIGITS}; "
                "write it with fewer digits")
    return None


def value_problem(literal: str, value: float) -> str | None:
    """Why a number (written ``literal``) is refused, or ``None``: not finite, or too large."""
    if not math.isfinite(value):
        return f"{clip(literal, 20)} is not a finite number; write a number (NaN and infinities are not allowed)"
    if abs(value) > limits.NUMBER_MAGNITUDE:
        return f"{clip(literal, 20)} is too large a number; the limit is {limits.NUMBER_MAGNITUDE:g} in size"
    return None


def _check_size(text: str) -> None:
    size = len(text) if len(text) * 4 <= limits.PROTOCOL_BYTES else len(text.encode("utf-8", "replace"))
    if size > limits.PROTOCOL_BYTES:
        raise LoadError([too_big(size)])


def too_big(size: int) -> str:
    return (f"$: the document is {size} bytes, more than the limit of {limits.PROTOCOL_BYTES} "
            f"({limits.PROTOCOL_BYTES // 2**20} MiB); split it or remove what a protocol does not need")


# -- YAML -----------------------------------------------------------------------------

_STR = "tag:yaml.org,2002:str"
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_MERGE = "tag:yaml.org,2002:merge"


class _Reader(yaml.SafeLoader):
    """A safe YAML loader that checks the limits while it composes the node graph.

    PyYAML composes recursively; the depth is checked before each descent, so
    the recursion never goes past :data:`~planner.limits.DEPTH`. Sizes are
    counted per node as it is composed, and an alias adds the size of the node
    it names (kept for each anchored node), so a billion-laughs document is
    refused after reading its few lines, without expanding anything.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.steps: list[str] = []
        self.depth = 0
        self.nodes = 0
        self.chars = 0
        self.sizes: dict[int, tuple[int, int, int]] = {}  # values, characters, nesting of anchored nodes
        self.reach = 0  # the deepest nesting reached in the node being composed, aliases followed
        self.problems: list[str] = []

    def where(self) -> str:
        return "$" + "".join(self.steps)

    def fatal(self, line: str) -> NoReturn:
        raise LoadError([*self.problems, line])

    def grow(self, nodes: int, chars: int) -> None:
        self.nodes += nodes
        self.chars += chars
        if self.nodes > limits.NODES:
            self.fatal(_expansion_problem(self.where(), f"{limits.NODES} values"))
        if self.chars > limits.EXPANDED_TEXT:
            self.fatal(_expansion_problem(self.where(), f"{limits.EXPANDED_TEXT} characters of text"))

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if isinstance(parent, SequenceNode):
            self.steps.append(f"[{index}]")
        elif isinstance(parent, MappingNode) and isinstance(index, ScalarNode):
            self.steps.append(segment(index.value))
        else:  # the root, or a key
            self.steps.append("")
        try:
            return self._compose(parent, index)
        finally:
            self.steps.pop()

    def _compose(self, parent: Node | None, index: Any) -> Node:
        anchor: str | None = self.peek_event().anchor  # type: ignore[no-untyped-call]
        if self.check_event(AliasEvent):
            node = typing.cast(Node, super().compose_node(parent, index))
            size = self.sizes.get(id(node))
            if size is None:  # PyYAML's own "undefined alias" error comes first
                self.fatal(f"{self.where()}: the alias *{_one_line(anchor or '')} is used inside the value it "
                           "names; write the value out")
            nodes, chars, height = size
            if self.depth + height > limits.DEPTH:  # aliases inside aliases nest deeper than they look
                self.fatal(_depth_problem(self.where()))
            self.reach = max(self.reach, self.depth + height)
            self.grow(nodes, chars)
            return node
        base = self.depth
        collection = self.check_event(SequenceStartEvent, MappingStartEvent)
        if collection:
            if base >= limits.DEPTH:
                self.fatal(_depth_problem(self.where()))
            self.depth += 1
        outer, self.reach = self.reach, self.depth
        nodes, chars = self.nodes, self.chars
        node = typing.cast(Node, super().compose_node(parent, index))
        height = self.reach - base
        self.reach = max(outer, self.reach)
        if collection:
            self.depth -= 1
        if isinstance(node, ScalarNode):
            self.grow(1, len(node.value))
            self._check_scalar(node)
        else:
            self.grow(1, 0)
        if anchor is not None:
            self.sizes[id(node)] = (self.nodes - nodes, self.chars - chars, height)
        return node

    def _check_scalar(self, node: ScalarNode) -> None:
        if node.tag == _STR and len(node.value) > limits.TEXT_CHARS:
            self.problems.append(f"{self.where()}: {too_long(len(node.value))}")
        elif node.tag in _NUMBER_TAGS:
            problem = digits_problem(node.value)  # first: int() of 5 000 digits fails
            if problem is None:
                problem = value_problem(node.value, float(self.construct_object(node)))
            if problem is not None:
                self.problems.append(f"{self.where()}: {problem}")

    def compose_mapping_node(self, anchor: str | None) -> MappingNode:  # type: ignore[override]
        start = self.get_event()  # type: ignore[no-untyped-call]
        tag = start.tag
        if tag is None or tag == "!":
            tag = self.resolve(MappingNode, None, start.implicit)  # type: ignore[no-untyped-call]
        node = MappingNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        if anchor is not None:
            self.anchors[anchor] = node
        seen: dict[str, int] = {}
        while not self.check_event(MappingEndEvent):
            key = self.compose_node(node, None)
            self._check_key(key, seen)
            node.value.append((key, self.compose_node(node, key)))
        node.end_mark = self.get_event().end_mark  # type: ignore[no-untyped-call]
        return node

    def _check_key(self, key: Node, seen: dict[str, int]) -> None:
        if key.tag == _MERGE:
            return
        if isinstance(key, ScalarNode) and key.tag == _STR:
            mark = key.start_mark
            if key.value in seen:
                self.problems.append(
                    f"{self.where()}: not valid YAML: duplicate key {clip(key.value)!r} (first on line "
                    f"{seen[key.value] + 1}) at line {mark.line + 1}, column {mark.column + 1}")
            else:
                seen[key.value] = mark.line
            return
        if isinstance(key, ScalarNode):
            shown = f"key {_one_line(key.value)}" if key.value.strip() else "an empty key"
            self.problems.append(f"{self.where()}: {shown} is not text; write it in quotes")
            return
        kind = "list" if isinstance(key, SequenceNode) else "mapping"
        self.problems.append(f"{self.where()}: a {kind} is used as a key (line {key.start_mark.line + 1}); "
                             "keys are text: write the key in quotes")


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    # A second guard after composition (keys a merge brings in): refuse a key given twice.
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key] + 1})", key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node)


_Reader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay text, so the converter parses them with a path and a clear message
# (PyYAML's own timestamp parsing raises bare ValueErrors and accepts times).
_Reader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(text: str) -> Any:
    reader = _Reader(text)
    try:
        node = reader.get_single_node()
        if reader.problems:
            raise LoadError(reader.problems)
        return None if node is None else reader.construct_document(node)
    finally:
        reader.dispose()


# -- JSON -----------------------------------------------------------------------------

_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+|"', re.DOTALL)
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_JSON_WORDS = frozenset({"true", "false", "null"})
_NON_FINITE = frozenset({"NaN", "Infinity", "-Infinity"})


class _Frame:
    """One open JSON object or array while scanning: its current slot and, for an object, its keys."""

    __slots__ = ("keys", "object", "step", "wants_key", "index")

    def __init__(self, is_object: bool) -> None:
        self.object = is_object
        self.keys: dict[str, int] = {}
        self.step = "" if is_object else "[0]"
        self.wants_key = is_object
        self.index = 0


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)


def _scan_json(text: str) -> list[str]:
    """The limit problems of a JSON text, found on its tokens before ``json.loads`` builds anything.

    The scan follows the bracket structure outside strings (so a deep
    document never reaches ``json.loads``' recursion) and keeps the path of
    every value. What is not valid JSON is left to ``json.loads`` to report.
    """
    problems: list[str] = []
    stack: list[_Frame] = []

    def where(upto: int | None = None) -> str:
        return "$" + "".join(f.step for f in stack[:upto])

    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        top = stack[-1] if stack else None
        if tok in ("{", "["):
            if len(stack) >= limits.DEPTH:
                raise LoadError([*problems, _depth_problem(where())])
            stack.append(_Frame(tok == "{"))
        elif tok in ("}", "]"):
            if not stack:
                break
            stack.pop()
        elif tok == ",":
            if top is not None and top.object:
                top.wants_key = True
            elif top is not None:
                top.index += 1
                top.step = f"[{top.index}]"
        elif tok == ":":
            if top is not None:
                top.wants_key = False
        elif tok.startswith('"') and len(tok) > 1:
            if top is not None and top.object and top.wants_key:
                try:
                    key = json.loads(tok)
                except ValueError:
                    break  # json.loads reports the bad string
                top.step = segment(key)
                if key in top.keys:
                    line, col = _position(text, m.start())
                    problems.append(f"{where(-1)}: not valid JSON: duplicate key "
                                    f"{clip(key)!r} (first on line {top.keys[key]}) at line {line}, column {col}")
                else:
                    top.keys[key] = _position(text, m.start())[0]
            elif len(tok) > limits.TEXT_CHARS:
                try:
                    chars = len(json.loads(tok))
                except ValueError:
                    break
                if chars > limits.TEXT_CHARS:
                    problems.append(f"{where()}: {too_long(chars)}")
        elif tok in _NON_FINITE or _JSON_NUMBER.fullmatch(tok):
            problem = digits_problem(tok) or value_problem(tok, math.nan if tok in _NON_FINITE else float(tok))
            if problem is not None:
                problems.append(f"{where()}: {problem}")
        elif tok not in _JSON_WORDS:
            break  # not JSON: json.loads says where
    return problems


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(name)  # unreachable after the scan; a guard if the scan and json.loads ever disagree


def _read_json(text: str) -> Any:
    problems = _scan_json(text)
    if problems:
        raise LoadError(problems)
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise LoadError([f"$: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]) from None
    except (RecursionError, ValueError):
        raise LoadError([f"$: not valid JSON, or past the limits of {limits.DEPTH} levels of nesting and "
                         f"{limits.NUMBER_DIGITS}-digit finite numbers"]) from None


# -- both -----------------------------------------------------------------------------


def read_text(text: str, fmt: Format | None = None) -> Any:
    """Parse YAML or JSON text into plain data under the input limits, raising :class:`LoadError`."""
    _check_size(text)
    if fmt is None:
        fmt = "json" if text.lstrip().startswith(("{", "[")) else "yaml"
    if fmt == "json":
        return _read_json(text)
    try:
        return _read_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise LoadError([f"$: not valid YAML: {' '.join(problem.split())}{where}"]) from None
