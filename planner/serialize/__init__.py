"""Load and dump protocols as YAML or JSON through one private cattrs converter.

``load(dump(p)) == p`` for every protocol, and ``dump`` is canonical: dumping a
loaded dump gives the same bytes. Problems in a document are reported all at
once, one line each, with a path into the document::

    $.arms[1].interventions[0].dose.unit: unknown unit 'mgg'; did you mean 'mg'?

Conventions of the format (see docs/authoring.md):
- rule expressions are text (``age >= 18 and not pregnant``);
- a value the sources do not give is ``{tbc: "what is missing"}``;
- dates are ISO strings; enumerations are their values; defaults are omitted.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import json
import os
import re
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import cattrs
import yaml
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn
from cattrs.preconf.json import make_converter

from planner import limits, model
from planner.expr.nodes import Expr
from planner.expr.text import parse, to_text
from planner.model.protocol import Protocol
from planner.model.values import TBC, FieldError
from planner.serialize.documents import Format, LoadError, clip, read_text, segment, too_big

__all__ = ["Format", "LoadError", "dump", "load", "parse_text", "structure", "unstructure"]


class _InputError(ValueError):
    """A problem with one value of the document; the message is ready for the author."""


class _Mismatch(_InputError):
    """A value of the wrong shape: ``expected a number, got text 'ten'``."""

    def __init__(self, expected: str, value: Any, hint: str = "") -> None:
        super().__init__(f"expected {expected}, got {_shown(value)}{hint}")
        self.expected = expected
        self.value = value
        self.hint = hint


# -- describing values and types in the document's own words -----------------------

_KIND_NAMES = {int: "a whole number", float: "a number", str: "text", bool: "true or false"}
_TBC_FORM = "{tbc: what is missing}"
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _shown(value: Any) -> str:
    """A value as the author wrote it: ``text 'ten'``, ``the number 3``, ``a list``."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"text {clip(value)!r}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a value of another kind"


def _article(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _enum_name(tp: type[enum.Enum]) -> str:
    """``Action`` → ``action``, ``EpochType`` → ``epoch type``."""
    return _CAMEL.sub(" ", tp.__name__).lower()


def _describe(tp: Any) -> str:
    """What a field of type ``tp`` takes, for ``expected ...`` messages."""
    if tp in _KIND_NAMES:
        return _KIND_NAMES[tp]
    if _has_tbc(tp):
        rest = tuple(a for a in typing.get_args(tp) if a not in (TBC, type(None)))
        return f"{_describe(_union(rest))} (or {_TBC_FORM})"
    if _number_union(tp):
        return "a number"
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(tp) if a is not type(None))
    if _is_homogeneous_tuple(tp):
        return "a list"
    if tp is dt.date:
        return "a date as YYYY-MM-DD"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return f"{_article(_enum_name(tp))}, {_choices(tp)}"
    if isinstance(tp, type) and issubclass(tp, Expr):
        return "a rule as text"
    if attrs.has(tp):
        return "a mapping with keys " + ", ".join(a.name for a in attrs.fields(tp))
    return "a value of another form"


def _choices(tp: type[enum.Enum]) -> str:
    return "one of " + ", ".join(repr(m.value) for m in tp)


def _union(args: tuple[Any, ...]) -> Any:
    return args[0] if len(args) == 1 else typing.Union[args]  # noqa: UP007


# -- the converter --------------------------------------------------------------


def _strict(kind: type, accept: tuple[type, ...], reject: tuple[type, ...] = ()) -> Callable[[Any, Any], Any]:
    """A structure hook that accepts only real values of ``accept`` (no ``int("5")`` coercion)."""

    def hook(value: Any, _: Any) -> Any:
        if isinstance(value, dict) and "tbc" in value:
            raise _InputError("this field cannot be 'to be confirmed': give a value")
        if isinstance(value, reject) or not isinstance(value, accept):
            # YAML reads an unquoted 1.10 as the number 1.1: say how to keep text as written.
            quote = "; put the value in quotes" if kind is str and isinstance(value, int | float | bool) else ""
            raise _Mismatch(_KIND_NAMES[kind], value, quote)
        return float(typing.cast(float, value)) if kind is float else value

    return hook


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_homogeneous_tuple(tp: Any) -> bool:
    args = typing.get_args(tp)
    return typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def _has_tbc(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and TBC in typing.get_args(tp)


def _number_union(tp: Any) -> bool:
    args = set(typing.get_args(tp)) - {type(None)}
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and args == {int, float}


def _structure_number(value: Any, tp: Any) -> Any:
    if value is None and type(None) in typing.get_args(tp):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Mismatch("a number", value)
    return value


def _make_converter() -> cattrs.Converter:
    conv = make_converter(forbid_extra_keys=True, omit_if_default=True, detailed_validation=True)

    def mapping_first(cl: type) -> Callable[[Any, Any], Any]:
        # cattrs' generated hook assumes a mapping ("'list' object has no attribute 'keys'").
        # Registered first, so the specific hooks below take precedence over it.
        inner: Callable[[Any, Any], Any] = make_dict_structure_fn(cl, conv)

        def hook(value: Any, tp: Any) -> Any:
            if not isinstance(value, dict):
                raise _Mismatch(_describe(cl), value)
            return inner(value, tp)

        return hook

    conv.register_structure_hook_factory(attrs.has, mapping_first)
    # Class registration overrides cattrs' coercing built-ins (int("7"), str(12)).
    for kind, accept, reject in ((int, (int,), (bool,)), (float, (int, float), (bool,)), (str, (str,), ()),
                                 (bool, (bool,), ())):
        conv.register_structure_hook(kind, _strict(kind, accept, reject))

    def structure_tuple(value: Any, tp: Any) -> tuple[Any, ...]:
        if not isinstance(value, list | tuple):
            one = "; write a list even for one entry" if isinstance(value, str | int | float) else ""
            raise _Mismatch("a list", value, one)
        elem = typing.get_args(tp)[0]
        out: list[Any] = []
        errors: list[Exception] = []
        for i, v in enumerate(value):
            try:
                out.append(conv.structure(v, elem))
            except Exception as exc:  # noqa: BLE001 - gathered into one group with indices
                exc.__notes__ = [*getattr(exc, "__notes__", []),
                                 IterableValidationNote(f"Structuring {tp} @ index {i}", i, elem)]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
        return tuple(out)

    conv.register_structure_hook_func(_is_homogeneous_tuple, structure_tuple)

    def structure_date(value: Any, _: Any) -> dt.date:
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError as exc:
                raise _InputError(f"{value!r} is not a valid date: {exc}") from None
        raise _Mismatch("a date as YYYY-MM-DD", value)

    conv.register_structure_hook(dt.date, structure_date)
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())

    def structure_expr(value: Any, _: Any) -> Expr:
        if not isinstance(value, str):
            raise _Mismatch("a rule as text", value)
        try:
            return parse(value)
        except ValueError as exc:  # ExprError, or a bad unit in a literal
            raise _InputError(f"bad rule {clip(value, 200)!r}: {exc}") from None

    conv.register_structure_hook_func(lambda t: isinstance(t, type) and issubclass(t, Expr), structure_expr)
    conv.register_unstructure_hook_func(lambda t: isinstance(t, type) and issubclass(t, Expr), to_text)

    conv.register_structure_hook_func(_number_union, _structure_number)

    def structure_enum(value: Any, tp: type[enum.Enum]) -> Any:
        if not isinstance(value, str):
            raise _Mismatch(_describe(tp), value)
        try:
            return tp(value)
        except ValueError:
            values = [str(m.value) for m in tp]
            close = difflib.get_close_matches(value, values, n=1)
            hint = f"did you mean {close[0]!r}? Expected" if close else "expected"
            raise _InputError(f"{value!r} is not {_article(_enum_name(tp))}; {hint} {_choices(tp)}") from None

    # Preconf registers ``str`` by single dispatch, which would catch our
    # str-based enums first; register each model enum directly instead.
    for value in vars(model).values():
        if isinstance(value, type) and issubclass(value, enum.Enum):
            conv.register_structure_hook(value, structure_enum)
            conv.register_unstructure_hook(value, lambda member: member.value)

    def structure_tbc_union(value: Any, tp: Any) -> Any:
        if isinstance(value, dict) and "tbc" in value:
            if set(value) != {"tbc"}:
                extra = ", ".join(sorted(repr(k) for k in value if k != "tbc"))
                raise _InputError(f"a 'to be confirmed' value takes only the key 'tbc' (remove {extra})")
            reason = value["tbc"]
            if not isinstance(reason, str) or not reason.strip():
                raise _InputError("'tbc' needs text saying what is missing, e.g. {tbc: dose not reported}")
            return TBC(reason)
        rest = tuple(a for a in typing.get_args(tp) if a is not TBC)
        if value is None and type(None) in rest:
            return None
        try:
            return conv.structure(value, _union(rest))
        except _Mismatch as exc:  # the value itself has the wrong shape: say that 'tbc' is possible too
            raise _Mismatch(_describe(tp), exc.value, exc.hint) from None

    def unstructure_tbc_union(value: Any) -> Any:
        if isinstance(value, TBC):
            return {"tbc": value.reason}
        return conv.unstructure(value, unstructure_as=type(value))

    conv.register_structure_hook_func(_has_tbc, structure_tbc_union)
    conv.register_unstructure_hook_func(_has_tbc, unstructure_tbc_union)
    conv.register_unstructure_hook(TBC, lambda v: {"tbc": v.reason})
    return conv


_CONVERTER = _make_converter()


# -- errors -----------------------------------------------------------------------


def _messages(exc: BaseException, path: str, expected: Any = None) -> list[str]:
    """Flatten cattrs' exception groups into ``path: message`` lines.

    cattrs' notes give each problem's field name or index and the type the
    field expects (``expected``); a message is only ever text written for
    authors, never the text of an exception raised inside Python or cattrs.
    """
    out: list[str] = []
    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            name = getattr(note, "name", None)
            idx = getattr(note, "index", None)
            sub_path = f"{path}.{name}" if name is not None else f"{path}[{idx}]"
            if isinstance(sub, KeyError) and name is not None:
                out.append(f"{sub_path}: required field missing")
            else:
                out.extend(_messages(sub, sub_path, note.type))
        for sub in without:
            out.extend(_messages(sub, path))
        return out
    if isinstance(exc, ForbiddenExtraKeysError):
        fields = [a.name for a in attrs.fields(exc.cl)] if attrs.has(exc.cl) else []
        for key in sorted(exc.extra_fields):
            close = difflib.get_close_matches(key, fields, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(fields)}"
            out.append(f"{path}{segment(key)}: unknown key; {hint}")
        return out
    if isinstance(exc, FieldError):
        return [f"{path}.{exc.field_name}: {exc.detail}"]
    if isinstance(exc, KeyError):
        return [f"{path}.{exc.args[0]}: required field missing"]
    if isinstance(exc, _InputError) or type(exc).__module__.startswith("planner."):
        return [f"{path}: {exc}"]  # written for authors (our hooks, model validators)
    if isinstance(exc, TypeError) and "required positional argument" in str(exc):
        missing = str(exc).rpartition(":")[2].replace("'", "").replace(" and ", ",").split(",")
        return [f"{path}.{m.strip()}: required field missing" for m in missing if m.strip()]
    if isinstance(exc, ExceptionGroup):
        for sub in exc.exceptions:
            out.extend(_messages(sub, path))
        return out
    # An error from inside Python or cattrs: its text would mean nothing to an author.
    if expected is not None:
        return [f"{path}: expected {_describe(expected)}"]
    return [f"{path}: this value has the wrong form; see docs/authoring.md"]


# -- public API -------------------------------------------------------------------


def structure(data: Any) -> Protocol:
    """Build a :class:`Protocol` from plain data, or raise :class:`LoadError`."""
    if data is None:
        raise LoadError(["$: the document is empty; write the protocol's fields (see docs/authoring.md)"])
    if not isinstance(data, dict):
        raise LoadError([f"$: expected a mapping of protocol fields, got {type(data).__name__}"])
    try:
        protocol = _CONVERTER.structure(data, Protocol)
    except Exception as exc:  # noqa: BLE001 - every structuring problem becomes a line
        raise LoadError(_messages(exc, "$")) from None
    return protocol  # a rule's undefined names are the checks' to report (planner.checks.names)


def unstructure(protocol: Protocol) -> dict[str, Any]:
    """Plain data (dicts, lists, strings, numbers) for a protocol."""
    data: dict[str, Any] = _CONVERTER.unstructure(protocol)
    return data


class _Dumper(yaml.SafeDumper):
    """Double-quotes strings that plain or single-quoted YAML would not keep intact."""


_FRAGILE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if _FRAGILE.search(text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def parse_text(text: str, fmt: Format | None = None) -> Any:
    """Parse YAML or JSON text into plain data under the input limits, raising :class:`LoadError`."""
    return read_text(text, fmt)


def load(source: str | os.PathLike[str], fmt: Format | None = None) -> Protocol:
    """Load a protocol from YAML/JSON text or from a file path.

    A :class:`~pathlib.Path` (or other path-like) is read; a ``str`` is the
    document itself. The format is taken from ``fmt``, the file suffix, or the
    first character of the text.
    """
    if isinstance(source, os.PathLike):
        path = Path(source)
        if fmt is None and path.suffix.lower() in (".json", ".yaml", ".yml"):
            fmt = "json" if path.suffix.lower() == ".json" else "yaml"
        with path.open("rb") as fh:  # never more than the limit, whatever the file claims to be
            data = fh.read(limits.PROTOCOL_BYTES + 1)
        if len(data) > limits.PROTOCOL_BYTES:
            raise LoadError([too_big(max(path.stat().st_size, len(data)))])
        source = data.decode("utf-8")
    return structure(parse_text(source, fmt))


def dump(protocol: Protocol, fmt: Format = "yaml") -> str:
    """The canonical YAML or JSON text of a protocol."""
    data = unstructure(protocol)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88,
                          default_flow_style=False)
    return text
