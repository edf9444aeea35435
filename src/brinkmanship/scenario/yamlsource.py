"""Load YAML into plain data plus a map from each node's path to its ``file:line:column``.

Also turns pydantic validation errors into one located :class:`ScenarioError`.

Choices worth knowing:

* Scalars are resolved as YAML 1.1 (SafeLoader) resolves them, except that timestamps
  (``1962-10-22``) and sexagesimal numbers (``13:45``) stay strings: the schema parses
  times itself.
* Mapping keys must be strings; a key YAML reads as a bool, number or null (``yes:``,
  ``on:``, ``1:``, ``~:``) is an error telling the author to quote it.
* Anchors, aliases and merge keys (``<<: *base``) are supported. Keys written in the mapping
  override merged ones; among merged mappings the first listed wins (as in YAML 1.1).
* Duplicate keys, several documents, files over 5 MB, nesting deeper than 64 levels,
  more than 500,000 values (mapping keys count) as written or once aliases and merge keys
  are expanded are errors, each raised as the limit is passed (never after the work).
* Events come from libyaml when it is installed (about 15 times faster than PyYAML's
  pure-Python parser); a syntax error is then parsed again in pure Python, so its message
  and place are the same either way.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Protocol, Union, get_args, get_origin

import pydantic
import yaml
from pydantic_core import ErrorDetails
from yaml.composer import Composer

from brinkmanship.errors import Location, ScenarioError

Path_ = tuple[str | int, ...]
"""A path into a document: mapping keys and list indices, e.g. ``("decisions", 2, "at")``."""

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 500_000
"""Values a document may hold, keys included: about 10,000 actors of a few lines each."""
MAX_NUMBER_CHARS = 100

_TAG = "tag:yaml.org,2002:"
_NULL, _BOOL, _INT, _FLOAT, _STR = (_TAG + t for t in ("null", "bool", "int", "float", "str"))
_TIMESTAMP, _MERGE, _VALUE = _TAG + "timestamp", _TAG + "merge", _TAG + "value"
_EMPTY_HINT = "a scenario is a YAML mapping of 'key: value' lines"


@dataclass
class SourceDoc:
    """Plain data loaded from YAML, with the source location of every node."""

    file: str
    data: Any
    locations: dict[Path_, Location] = field(default_factory=dict)
    key_locations: dict[Path_, Location] = field(default_factory=dict)
    content_locations: dict[Path_, Location] = field(default_factory=dict)
    """Where a scalar's text begins (after an opening quote), for columns inside it."""

    def locate(self, path: Sequence[str | int]) -> Location:
        """Location of the value at the deepest prefix of `path` that exists; never raises."""
        parts = tuple(path)
        for end in range(len(parts), -1, -1):
            found = self.locations.get(parts[:end])
            if found is not None:
                return found
        return Location(self.file, 1, 1)

    def locate_content(self, path: Sequence[str | int]) -> Location:
        """Where the text of the scalar at `path` begins (after a quote), else :meth:`locate`."""
        found = self.content_locations.get(tuple(path))
        return found if found is not None else self.locate(path)

    def locate_key(self, path: Sequence[str | int]) -> Location:
        """Location of the key of the mapping entry at `path` if known, else :meth:`locate`."""
        found = self.key_locations.get(tuple(path))
        return found if found is not None else self.locate(path)

    def resolve(self, path: Sequence[str | int]) -> Path_:
        """The segments of `path` that lead through the document, skipping the others.

        Pydantic error paths may hold segments that are not in the document (union member
        tags such as ``'function-after[...]'``); they are dropped, and a trailing segment that
        does not exist (a missing key) is dropped as well.
        """
        out: list[str | int] = []
        node = self.data
        for seg in path:
            in_dict = isinstance(node, dict) and isinstance(seg, str) and seg in node
            in_list = (
                isinstance(node, list)
                and isinstance(seg, int)
                and not isinstance(seg, bool)
                and 0 <= seg < len(node)
            )
            if in_dict or in_list:
                node = node[seg]
                out.append(seg)
        return tuple(out)


# --------------------------------------------------------------------------- loading


class _Limits(Composer):
    """Composer limits shared by both loaders: nesting depth and the number of nodes.

    Counting while composing stops a huge flow list at its 500,001st value, before the
    nodes of the rest of the file are built.
    """

    _file: str = ""
    _depth: int = 0
    _nodes: int = 0

    if TYPE_CHECKING:  # the parser's, which comes after this class in each loader's MRO

        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...
        def get_event(self) -> Any: ...
        def dispose(self) -> None: ...

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise ScenarioError(
                f"the document holds more than {MAX_NODES} values",
                _mark_location(self._file, _next_mark(self)),
            )
        if not self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ScenarioError(
                    f"the document is nested more than {MAX_DEPTH} levels deep",
                    _mark_location(self._file, _next_mark(self)),
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader(_Limits, yaml.SafeLoader):
    """PyYAML's pure-Python parser under the limits."""

    def __init__(self, text: str, file: str) -> None:
        yaml.SafeLoader.__init__(self, text)
        self._file = file


_FAST_LOADER: Callable[[str, str], _Limits] | None = None
if yaml.__with_libyaml__:

    class _FastLoader(_Limits, yaml.CSafeLoader):
        """libyaml's parser under the pure-Python composer and the limits."""

        def __init__(self, text: str, file: str) -> None:
            yaml.CSafeLoader.__init__(self, text)
            Composer.__init__(self)
            self._file = file

    _FAST_LOADER = _FastLoader


class _Mark(Protocol):
    """What a PyYAML mark (pure-Python or libyaml) offers: 0-based line and column."""

    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...


def _next_mark(loader: _Limits) -> _Mark | None:
    event = loader.peek_event()
    return None if event is None else event.start_mark


def _mark_location(file: str, mark: _Mark | None) -> Location | None:
    return None if mark is None else Location(file, mark.line + 1, mark.column + 1)


def _offset_location(file: str, text: str, offset: int) -> Location:
    """1-based location of a 0-based character offset into `text`."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Location(file, line, column)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _yaml_error(err: yaml.YAMLError, text: str, file: str) -> ScenarioError:
    """One-line, located ScenarioError for a YAML syntax error."""
    if isinstance(err, yaml.reader.ReaderError):
        char = err.character
        shown = f"#x{ord(char):04x}" if isinstance(char, str) else f"#x{char:02x}"
        return ScenarioError(
            f"could not parse YAML: unacceptable character {shown}: {err.reason}",
            _offset_location(file, text, int(err.position)),
        )
    if isinstance(err, yaml.MarkedYAMLError):
        problem = _one_line(err.problem or err.context or "invalid YAML")
        message = f"could not parse YAML: {problem}"
        mark = err.problem_mark or err.context_mark
        ctx, ctx_mark = err.context, err.context_mark
        if ctx and ctx_mark is not None and err.problem and ctx_mark is not mark:
            message += (
                f" ({_one_line(ctx)} that starts at line {ctx_mark.line + 1},"
                f" column {ctx_mark.column + 1})"
            )
        if "'\\t'" in problem:
            message += "; indent with spaces, not tabs"
        location = _mark_location(file, mark)
        if problem == "mapping values are not allowed here" and location is not None:
            line_text = text.splitlines()[location.line - 1] if text.splitlines() else ""
            indent = len(line_text) - len(line_text.lstrip(" "))
            message += "; check the indentation of this key against its neighbours"
            location = Location(file, location.line, indent + 1)
        return ScenarioError(message, location)
    return ScenarioError(f"could not parse YAML: {_one_line(str(err))}")


def _compose_with(loader: _Limits, file: str) -> yaml.Node | None:
    try:
        loader.get_event()  # the StreamStartEvent
        if loader.check_event(yaml.StreamEndEvent):
            return None
        node = loader.compose_document()
        if not loader.check_event(yaml.StreamEndEvent):
            raise ScenarioError(
                "the file holds more than one YAML document ('---'); a scenario is one document",
                _mark_location(file, _next_mark(loader)),
            )
        return node
    finally:
        loader.dispose()


def _count_nodes(text: str, file: str) -> None:
    """Refuse a document of more than MAX_NODES values from libyaml's events alone.

    Cheap (no nodes are built), so a 5 MB flow list is refused in well under a second; the
    composer counts again for the pure-Python parser. A syntax error ends the count quietly:
    the parse that follows reports it.
    """
    if _FAST_LOADER is None:
        return
    try:  # a lone surrogate cannot even be handed to libyaml
        parser = yaml.CSafeLoader(text)
    except UnicodeError:
        return
    nodes = 0
    try:
        while (event := parser.get_event()) is not None:
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    raise ScenarioError(
                        f"the document holds more than {MAX_NODES} values",
                        _mark_location(file, event.start_mark),
                    )
            elif isinstance(event, yaml.StreamEndEvent):
                return
    except (yaml.YAMLError, UnicodeError):
        return
    finally:
        parser.dispose()


def _compose(text: str, file: str) -> yaml.Node | None:
    _count_nodes(text, file)
    if _FAST_LOADER is not None:
        try:
            return _compose_with(_FAST_LOADER(text, file), file)
        except (yaml.YAMLError, UnicodeError):
            pass  # parsed again below, for PyYAML's message and place
    try:
        return _compose_with(_Loader(text, file), file)
    except yaml.YAMLError as err:
        raise _yaml_error(err, text, file) from None
    except RecursionError:
        raise ScenarioError(f"{file}: the document is nested too deeply") from None


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (a terminal would obey ESC and BEL) and lone surrogates (no UTF-8
for them): tab, newline and carriage return are the only controls a text may hold."""


def _check_text(text: str, where: Location) -> None:
    found = _UNPRINTABLE.search(text)
    if found is not None:
        code = ord(found.group())
        kind = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
        raise ScenarioError(
            f"the text holds {kind} (U+{code:04X}); scenario texts are plain, printable text",
            where,
        )


class _Converter:
    """Turns composed nodes into plain Python data, recording locations by path."""

    def __init__(self, loader: yaml.SafeLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.locations: dict[Path_, Location] = {}
        self.key_locations: dict[Path_, Location] = {}
        self.content_locations: dict[Path_, Location] = {}
        self._active: set[int] = set()
        self._count = 0
        self._merged: dict[int, list[tuple[str, Location, yaml.Node]]] = {}
        """Each mapping's entries with merge keys applied, worked out once: a mapping merged
        ten times at each of seven levels is expanded once per level, not 10^7 times."""

    def loc(self, node: yaml.Node) -> Location:
        loc = _mark_location(self.file, node.start_mark)
        return loc if loc is not None else Location(self.file, 1, 1)

    def count(self, values: int, node: yaml.Node) -> None:
        """Count values as aliases and merge keys expand; refuse past MAX_NODES."""
        self._count += values
        if self._count > MAX_NODES:
            raise ScenarioError(
                f"the document holds more than {MAX_NODES} values once merge keys and"
                " aliases are expanded",
                self.loc(node),
            )

    def convert(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.count(1, node)
        self.locations[path] = self.loc(node)
        if isinstance(node, yaml.ScalarNode):
            if node.style in ("'", '"'):
                start = self.locations[path]
                self.content_locations[path] = Location(start.file, start.line, start.column + 1)
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            raise ScenarioError(
                f"the document is nested more than {MAX_DEPTH} levels deep", self.loc(node)
            )
        if id(node) in self._active:
            raise ScenarioError("an alias refers to a node that contains it", self.loc(node))
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                self.check_tag(node, _TAG + "seq")
                return [
                    self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)
                ]
            if isinstance(node, yaml.MappingNode):
                self.check_tag(node, _TAG + "map")
                entries = self.entries(node, depth)
                self.count(len(entries), node)  # the keys
                out: dict[str, Any] = {}
                for key, key_loc, value in entries:
                    sub = (*path, key)
                    self.key_locations[sub] = key_loc
                    out[key] = self.convert(value, sub, depth + 1)
                return out
        finally:
            self._active.discard(id(node))
        raise ScenarioError(f"unsupported YAML node {type(node).__name__}", self.loc(node))

    def check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            raise ScenarioError(
                f"unsupported YAML tag {node.tag!r}; scenario files use plain YAML", self.loc(node)
            )

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag, text = node.tag, node.value
        if tag in (_INT, _FLOAT) and ":" in text:
            return text  # sexagesimal such as 13:45 stays a string
        if tag in (_INT, _FLOAT) and len(text) > MAX_NUMBER_CHARS:
            raise ScenarioError(
                f"a number written with {len(text)} characters; numbers in a scenario file "
                f"have at most {MAX_NUMBER_CHARS} (write 1e30, not thirty zeros)",
                self.loc(node),
            )
        if tag == _STR:
            _check_text(text, self.loc(node))
        if tag in (_NULL, _BOOL, _INT, _FLOAT, _STR):
            return self.loader.construct_object(node)
        if tag == _TIMESTAMP:
            return text
        if tag in (_MERGE, _VALUE):
            return text  # '<<' or '=' outside a key position: read as text
        raise ScenarioError(
            f"unsupported YAML tag {tag!r}; scenario files use plain YAML", self.loc(node)
        )

    def key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            kind = "mapping" if isinstance(node, yaml.MappingNode) else "list"
            raise ScenarioError(
                f"a mapping key must be a plain string, not a {kind}", self.loc(node)
            )
        value = self.scalar(node)
        if isinstance(value, str):
            return value
        text: str = node.value
        if text == "":
            raise ScenarioError("empty mapping key; every entry needs a name", self.loc(node))
        kind = {bool: "the boolean", int: "the integer", float: "the number"}.get(
            type(value), "null"
        )
        read_as = "null" if value is None else f"{kind} {value!r}"
        raise ScenarioError(
            f'key {text!r} is not a string (YAML reads it as {read_as}); quote it: "{text}":',
            self.loc(node),
        )

    def entries(self, node: yaml.MappingNode, depth: int) -> list[tuple[str, Location, yaml.Node]]:
        """The mapping's (key, key location, value node) entries, merge keys applied."""
        known = self._merged.get(id(node))
        if known is None:
            known = self._merged[id(node)] = self.merge_entries(node, depth)
        return known

    def merge_entries(
        self, node: yaml.MappingNode, depth: int
    ) -> list[tuple[str, Location, yaml.Node]]:
        explicit: dict[str, tuple[Location, yaml.Node]] = {}
        sources: list[yaml.MappingNode] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _MERGE:
                sources.extend(self.merge_sources(value_node))
                continue
            key = self.key(key_node)
            key_loc = self.loc(key_node)
            if key in explicit:
                first = explicit[key][0]
                raise ScenarioError(
                    f"duplicate key {key!r} (first defined at line {first.line}); "
                    "ids must be unique",
                    key_loc,
                )
            explicit[key] = (key_loc, value_node)
        merged: dict[str, tuple[Location, yaml.Node]] = {}
        for source in sources:
            if id(source) in self._active:
                raise ScenarioError(
                    "a merge key ('<<') refers to its own mapping", self.loc(source)
                )
            self._active.add(id(source))
            try:
                source_entries = self.entries(source, depth + 1)
                self.count(len(source_entries), source)
                for key, key_loc, value in source_entries:
                    if key not in explicit and key not in merged:
                        merged[key] = (key_loc, value)
            finally:
                self._active.discard(id(source))
        combined = {**merged, **explicit}
        return [(key, key_loc, value) for key, (key_loc, value) in combined.items()]

    def merge_sources(self, node: yaml.Node) -> list[yaml.MappingNode]:
        if isinstance(node, yaml.MappingNode):
            return [node]
        if isinstance(node, yaml.SequenceNode) and all(
            isinstance(item, yaml.MappingNode) for item in node.value
        ):
            return list(node.value)
        raise ScenarioError(
            "a merge key ('<<') needs a mapping or a list of mappings, such as '<<: *base'",
            self.loc(node),
        )


def _expanded_sizes(root: yaml.Node, converter: _Converter) -> dict[int, int]:
    """How many values (keys included) each collection node expands to, aliases and merge
    keys followed (with the converter's merged entries, worked out once per mapping): one
    visit per node, so an alias bomb is measured without being expanded. A node inside its
    own expansion counts as one value here; the converter refuses it."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if not isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) or key in active:
            return 1
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            converter._active.add(key)  # a merge key naming its own mapping is refused
            try:
                entries = converter.entries(node, 0)
            finally:
                converter._active.discard(key)
            total += sum(1 + size(value) for _, _, value in entries)
        active.discard(key)
        sizes[key] = min(total, MAX_NODES + 1)
        return sizes[key]

    size(root)
    return sizes


def _check_expansion(root: yaml.Node, converter: _Converter) -> None:
    """Refuse a document that expands past MAX_NODES before expanding it, at the deepest
    value that expands past it alone."""
    sizes = _expanded_sizes(root, converter)
    if sizes.get(id(root), 1) <= MAX_NODES:
        return
    node = root
    while True:
        children = (
            node.value
            if isinstance(node, yaml.SequenceNode)
            else [v for _, v in node.value]
            if isinstance(node, yaml.MappingNode)
            else []
        )
        bigger = [c for c in children if sizes.get(id(c), 1) > MAX_NODES]
        if not bigger:
            break
        node = bigger[0]
    raise ScenarioError(
        f"the document holds more than {MAX_NODES} values once merge keys and aliases are expanded",
        converter.loc(node),
    )


def load_yaml(text: str, file: str) -> SourceDoc:
    """Parse one YAML document whose top level is a mapping; errors name `file:line:column`."""
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ScenarioError(f"{file}: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    text = text.removeprefix("\ufeff")
    node = _compose(text, file)
    if node is None:
        raise ScenarioError(f"the file is empty; {_EMPTY_HINT}", Location(file, 1, 1))
    converter = _Converter(yaml.SafeLoader(""), file)
    if isinstance(node, yaml.ScalarNode) and node.tag == _NULL and node.value in ("", "~"):
        raise ScenarioError(f"the file is empty; {_EMPTY_HINT}", converter.loc(node))
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else f"the value {node.value!r}"
        raise ScenarioError(
            f"the top level must be a mapping, not {kind}; {_EMPTY_HINT}", converter.loc(node)
        )
    try:
        _check_expansion(node, converter)
        data = converter.convert(node, (), 0)
    except yaml.YAMLError as err:  # a constructor rejecting a scalar
        raise _yaml_error(err, text, file) from None
    except RecursionError:
        raise ScenarioError(f"{file}: the document is nested too deeply") from None
    return SourceDoc(
        file, data, converter.locations, converter.key_locations, converter.content_locations
    )


def load_yaml_file(path: str | os.PathLike[str]) -> SourceDoc:
    """Read a UTF-8 YAML file and load it with :func:`load_yaml`."""
    name = os.fspath(path)
    p = Path(path)
    too_big = f"{name}: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"
    try:
        if p.is_dir():
            raise ScenarioError(f"{name}: is a directory, not a scenario file")
        if not stat.S_ISREG(p.stat().st_mode):  # a device, a FIFO, a socket (or a link to one)
            raise ScenarioError(f"{name}: not a regular file; give a scenario file")
        if p.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(too_big)
        with p.open("rb") as f:  # the size may change after stat: read no more than the cap
            raw = f.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ScenarioError(too_big)
    except FileNotFoundError:
        raise ScenarioError(f"{name}: no such file") from None
    except OSError as err:
        raise ScenarioError(f"{name}: cannot read the file ({err.strerror or err})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        start = err.start
        head = raw[:start]
        line = head.count(b"\n") + 1
        column = len(head[head.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise ScenarioError(
            f"the file is not valid UTF-8 (byte 0x{raw[start]:02x}); save it as UTF-8",
            Location(name, line, column),
        ) from None
    return load_yaml(text, name)


# --------------------------------------------------------------------------- pydantic errors

_KINDS: dict[str, str] = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "mapping_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "frozen_set_type": "a list",
    "iterable_type": "a list",
    "none_required": "null",
}
_RANGE_OPS = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}
_QUOTED = re.compile(r"^'(.*)'$")


def dotted(path: Sequence[str | int]) -> str:
    """``("decisions", 2, "at")`` → ``"decisions[2].at"``; the empty path is ``"top level"``."""
    out = ""
    for seg in path:
        if isinstance(seg, int) and not isinstance(seg, bool):
            out += f"[{seg}]"
        else:
            out += f".{seg}" if out else str(seg)
    return out or "top level"


def _short_repr(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _choices(expected: str) -> str:
    """``"'a', 'b' or 3"`` → ``"a, b, 3"``."""
    parts = re.split(r", | or ", expected)
    return ", ".join(m.group(1) if (m := _QUOTED.match(p)) else p for p in parts)


def _is_type_error(kind: str) -> bool:
    return kind in _KINDS or kind.endswith(("_type", "_parsing"))


def _expected_kind(e: ErrorDetails) -> str:
    kind = e["type"]
    if kind in _KINDS:
        return _KINDS[kind]
    msg = e["msg"]
    return msg.removeprefix("Input should be ").removeprefix("input should be ")


def _pattern_hint(pattern: str) -> str:
    """Say in words what an id pattern of the schema allows."""
    if pattern.startswith("^[a-z][a-z0-9_-]"):
        return "ids use lowercase letters, digits, '_' or '-', starting with a letter"
    if pattern.startswith("^[a-z][a-z0-9_]"):
        return "names use lowercase letters, digits or '_', starting with a letter"
    if pattern.startswith("^[A-Za-z]"):
        return "use letters, digits, '_', '.' or '-', starting with a letter"
    return f"it must match {pattern}"


def _strip_prefix(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


def validation_error_to_scenario_error(
    err: pydantic.ValidationError,
    doc: SourceDoc,
    prefix: Path_ = (),
    allowed_keys: Callable[[Path_], list[str]] | None = None,
) -> ScenarioError:
    """One located ScenarioError for the most relevant error in `err`.

    `prefix` is the document path of the data that was validated. The error chosen is the one
    deepest in the document (the first among equals), so for a union the member that got
    furthest is reported. `allowed_keys(parent_path)` lists the keys accepted where an
    unknown key was found; without it the list is left out.
    """
    errors = err.errors(include_url=False)
    if not errors:
        return ScenarioError(str(err), doc.locate(prefix))

    def full(e: ErrorDetails) -> Path_:
        return (*prefix, *e["loc"])

    def depth(e: ErrorDetails) -> int:
        return len(doc.resolve(full(e))) + (1 if e["type"] == "missing" else 0)

    best = max(errors, key=depth)  # max() keeps the first of equals
    kind = best["type"]
    loc = full(best)
    path = doc.resolve(loc)
    where = dotted(path)

    if kind == "extra_forbidden":
        key = loc[-1]
        parent = path[:-1] if path and path[-1] == key else path
        in_ = "at top level" if not parent else f"in {dotted(parent)}"
        message = f"unknown key {str(key)!r} {in_}"
        allowed = sorted(allowed_keys(parent)) if allowed_keys is not None else []
        if allowed:
            message += f"; allowed keys: {', '.join(allowed)}"
        return ScenarioError(message, doc.locate_key((*parent, key)))
    if kind == "missing":
        key = loc[-1]
        if path and path[-1] == key:
            path = path[:-1]
        in_ = "at top level" if not path else f"in {dotted(path)}"
        return ScenarioError(f"missing required key {str(key)!r} {in_}", doc.locate(path))

    location = doc.locate_key(path) if loc and loc[-1] == "[key]" else doc.locate(path)
    ctx = best.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        value = best["input"]
        return ScenarioError(
            f"{where}: {_short_repr(value)} is not a valid name here; "
            f"{_pattern_hint(str(ctx.get('pattern', '')))}",
            location,
        )
    if kind == "union_tag_invalid":
        field_name = str(ctx.get("discriminator", "")).strip("'")
        tag_path = (*path, field_name) if field_name else path
        return ScenarioError(
            f"{dotted(tag_path)}: {_short_repr(ctx.get('tag'))} is not one of "
            f"{_choices(str(ctx.get('expected_tags', '')))}",
            doc.locate(tag_path),
        )
    if _is_type_error(kind):
        kinds = [_expected_kind(best)]
        if len(path) < len(loc):  # a union: name every member that failed on this value
            for other in errors:
                if (
                    other is not best
                    and _is_type_error(other["type"])
                    and doc.resolve(full(other)) == path
                    and len(full(other)) > len(path)
                ):
                    k = _expected_kind(other)
                    if k not in kinds:
                        kinds.append(k)
        expected = " or ".join(kinds)
        return ScenarioError(
            f"{where}: expected {expected}, got {_short_repr(best['input'])}", location
        )
    if kind in _RANGE_OPS:
        name, op = _RANGE_OPS[kind]
        return ScenarioError(
            f"{where}: value {_short_repr(best['input'])} out of range (must be {op} {ctx[name]})",
            location,
        )
    if kind == "multiple_of":
        return ScenarioError(
            f"{where}: value {_short_repr(best['input'])} must be a multiple of "
            f"{ctx['multiple_of']}",
            location,
        )
    if kind in ("value_error", "assertion_error"):
        return ScenarioError(f"{where}: {_one_line(_strip_prefix(best['msg']))}", location)
    if kind in ("literal_error", "enum") and "expected" in ctx:
        return ScenarioError(
            f"{where}: {_short_repr(best['input'])} is not one of {_choices(str(ctx['expected']))}",
            location,
        )
    return ScenarioError(f"{where}: {_one_line(best['msg'])}", location)


# --------------------------------------------------------------------------- allowed keys


def _models_in(annotation: Any) -> list[Any]:
    """Unwrap Annotated/Optional/unions down to their members."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _models_in(get_args(annotation)[0])
    if origin is Union or origin is UnionType:
        return [m for arg in get_args(annotation) for m in _models_in(arg)]
    return [annotation]


def _field_keys(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
        keys[alias or name] = info.annotation
    return keys


def allowed_keys_from_model(
    model: type[pydantic.BaseModel], prefix: Path_ = ()
) -> Callable[[Path_], list[str]]:
    """An `allowed_keys` for :func:`validation_error_to_scenario_error` that walks `model`.

    It follows nested models, ``dict[str, Model]``, ``list[Model]``, Optional and unions
    (taking the union of the members' keys); where it cannot tell, it returns ``[]``.
    """

    def allowed(path: Path_) -> list[str]:
        if tuple(path[: len(prefix)]) != prefix:
            return []
        current: list[Any] = [model]
        for seg in path[len(prefix) :]:
            following: list[Any] = []
            for ann in current:
                for member in _models_in(ann):
                    origin = get_origin(member)
                    args = get_args(member)
                    if isinstance(member, type) and issubclass(member, pydantic.BaseModel):
                        field_ann = _field_keys(member).get(str(seg))
                        if field_ann is not None:
                            following.append(field_ann)
                    elif origin is dict and len(args) == 2:
                        following.append(args[1])
                    elif origin in (list, tuple, set, frozenset) and args:
                        following.append(args[0])
            current = following
        keys: set[str] = set()
        for ann in current:
            for member in _models_in(ann):
                if isinstance(member, type) and issubclass(member, pydantic.BaseModel):
                    keys.update(_field_keys(member))
        return sorted(keys)

    return allowed
