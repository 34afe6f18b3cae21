"""Model values as document text: "to be confirmed" made plain, sources cited as [n]."""

from __future__ import annotations

import enum

from exports.pdf.blocks import Span, TbcItem, Text
from planner.expr.nodes import Expr
from planner.model import TBC, Frequency, Protocol, Quantity, Window, show


def t(*parts: str | Span | Text | None) -> Text:
    """Join strings (plain), spans and texts into one text; ``None`` is skipped."""
    out: list[Span] = []
    for p in parts:
        if p is None:
            continue
        if isinstance(p, str):
            if p:
                out.append(Span(p))
        elif isinstance(p, Span):
            out.append(p)
        else:
            out.extend(p)
    return tuple(out)


def strong(text: str) -> Span:
    return Span(text, "strong")


def muted(text: str) -> Span:
    return Span(text, "muted")


def rule(text: str) -> Span:
    return Span(text, "rule")


def warn(text: str) -> Span:
    return Span(text, "warn")


def tbc(value: TBC) -> Span:
    """The plain "TO BE CONFIRMED: reason" text, drawn so nobody misses it."""
    return Span(show(value), "tbc")


def join(texts: list[Text] | tuple[Text, ...], sep: str = "; ") -> Text:
    """Texts joined with a plain separator."""
    out: list[str | Text] = []
    for i, x in enumerate(texts):
        if i:
            out.append(sep)
        out.append(x)
    return t(*out)


class Cite:
    """What document text can point to: references ``[n]`` and Appendix A items.

    A reference key the protocol does not list shows as ``[key?]`` in warning
    colour (the checks report it; the document must not hide it). A "to be
    confirmed" value can be shown short, as "to be confirmed (A 12)" linked
    to its row in Appendix A, where the full reason is given.
    """

    def __init__(self, protocol: Protocol, tbc_items: tuple[TbcItem, ...] = ()) -> None:
        self._numbers = {r.key: i for i, r in enumerate(protocol.references, 1)}
        self._tbc: dict[str, int] = {}
        for i, item in enumerate(tbc_items, 1):
            self._tbc.setdefault(item.reason, i)

    def tbc(self, v: TBC) -> Text:
        """Short "to be confirmed (A n)" text, linked to Appendix A."""
        n = self._tbc.get(v.reason)
        if n is None:
            return (tbc(v),)
        return (Span("to be confirmed", "tbc"), Span(f" (A{n})", "cite", f"tbc-{n}"))

    def __call__(self, *keys: str | None) -> Text:
        out: list[Span] = []
        for key in dict.fromkeys(k for k in keys if k):
            n = self._numbers.get(key)
            if n is None:
                out.append(Span(f" [{key}?]", "warn"))
            else:
                out.append(Span(f" [{n}]", "cite", f"ref-{n}"))
        return tuple(out)

    def number(self, key: str) -> int | None:
        return self._numbers.get(key)


def value(v: object, cite: Cite | None = None, short: bool = False) -> Text:
    """Document text for a field value of the model.

    ``TBC`` becomes a "to be confirmed" span with its reason (``short``: a
    link to the reason in Appendix A), a quantity carries its source as
    ``[n]`` and a "(verify)" mark when it came from a secondary source, rule
    expressions print canonically, enums print their value.
    """
    if v is None:
        return (muted("—"),)
    if isinstance(v, TBC):
        return cite.tbc(v) if short and cite is not None else (tbc(v),)
    if isinstance(v, bool):
        return t("yes" if v else "no")
    if isinstance(v, Quantity):
        return t(str(v), cite(v.source) if cite else None, muted(" (verify against the primary source)") if v.verify else None)
    if isinstance(v, Window):
        return t(str(v), cite(v.source) if cite else None)
    if isinstance(v, Frequency):
        return t(f"{v.label} ({v.value})")
    if isinstance(v, Expr):
        return (rule(str(v)),)
    if isinstance(v, enum.Enum):
        return t(show(v))
    if isinstance(v, tuple):
        if not v:
            return (muted("—"),)
        return join([value(x, cite, short) for x in v], ", ")
    return t(str(v))
