"""What a candidate or observation file may contain for one protocol, and how headers name it.

Column headers (and JSON keys) name data-dictionary items:

- ``participant`` (always), ``visit`` and ``arm`` (observation files): the keys;
- ``age``, ``hb``: an item of a non-repeating form;
- ``anc [10^9/L]``: a decimal item given in another unit, converted to the item's unit;
- ``prior_therapy[2].failed``: item ``failed`` of the second record of the
  repeating form ``prior_therapy`` (CSV and XLSX; JSON nests a list instead);
- ``prior_therapy``: the form itself; ``none`` there says the participant has
  no records of it, which is different from "not recorded";
- ``#anything``: a note column, read and ignored by design.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from attrs import frozen

from planner import units
from planner.model import Codelist, DataType, Form, Item, Protocol
from planner.participants.records import Kind

PARTICIPANT, VISIT, ARM = "participant", "visit", "arm"
NONE_WORDS = frozenset({"none", "no", "0"})

_HEADER = re.compile(
    r"(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"(?:\[(?P<index>[^\[\]]*)\]\.(?P<sub>[A-Za-z][A-Za-z0-9_]*))?"
    r"\s*(?:\[(?P<unit>[^\[\]]+)\])?"
)


@frozen
class KeyColumn:
    """``participant``, ``visit`` or ``arm``."""

    name: str


@frozen
class ItemColumn:
    """An item of a non-repeating form (``index`` ``None``) or of one record of a log form.

    ``factor`` converts a value given in the header's unit to the item's unit.
    """

    form: Form
    item: Item
    index: int | None = None
    factor: float | None = None

    @property
    def rule_name(self) -> str:
        """The name rules use: ``age``, or ``prior_therapy.failed`` in a log form."""
        return self.item.name if self.index is None else f"{self.form.id}.{self.item.name}"


@frozen
class FormColumn:
    """A repeating form named on its own: ``none`` there means no records."""

    form: Form


@frozen
class NoteColumn:
    """A column whose header starts with ``#``: kept out of the data on purpose."""

    header: str


Column = KeyColumn | ItemColumn | FormColumn | NoteColumn


class HeaderError(ValueError):
    """A header or key that names nothing the protocol collects; the message says what to write."""


class Layout:
    """The keys, items and log forms one protocol accepts in a candidate or observation file."""

    def __init__(self, protocol: Protocol, kind: Kind) -> None:
        self.protocol = protocol
        self.kind = kind
        self.keys: tuple[str, ...] = (PARTICIPANT,) if kind == "candidates" else (PARTICIPANT, VISIT, ARM)
        self.required: tuple[str, ...] = (PARTICIPANT,) if kind == "candidates" else (PARTICIPANT, VISIT)
        self.items: dict[str, tuple[Form, Item]] = {}
        self.logs: dict[str, Form] = {}
        for form in protocol.dictionary.forms:
            if form.repeating:
                self.logs[form.id] = form
            else:
                for it in form.items:
                    self.items.setdefault(it.name, (form, it))
        self.codelists: dict[str, Codelist] = {c.id: c for c in protocol.dictionary.codelists}
        self.derived = {d.id: d for d in protocol.derivations}
        self.visits = {v.id for v in protocol.schedule.visits}
        self.arms = {a.id for a in protocol.arms}

    def codelist(self, item: Item) -> Codelist | None:
        """The codelist of a coded item (``None`` when the protocol lacks it)."""
        return self.codelists.get(item.codelist) if item.codelist else None

    # -- headers ------------------------------------------------------------

    def column(self, header: str, *, indexed: bool = True) -> Column:
        """What ``header`` names, or :class:`HeaderError` saying why it names nothing.

        With ``indexed=False`` (JSON keys) ``form[n].item`` is refused: JSON
        gives a log form as a list under the form id.
        """
        text = header.strip()
        if text.startswith("#"):
            return NoteColumn(text)
        m = _HEADER.fullmatch(text)
        if m is None:
            raise HeaderError(f"cannot read this header: write an item name such as 'age', 'anc [10^9/L]' or "
                              f"'prior_therapy[1].failed'{self._suggest(text)}")
        name, index, sub, unit = m["name"], m["index"], m["sub"], m["unit"]
        if index is None:
            if name in self.keys and unit is None:
                return KeyColumn(name)
            if name in self.items:
                owner, plain = self.items[name]
                return ItemColumn(owner, plain, None, self._factor(plain, unit))
            if name in self.logs and unit is None:
                return FormColumn(self.logs[name])
            raise HeaderError(self._unknown(name))
        if not indexed:
            raise HeaderError(f"give log form {name!r} as a list of records under the key {name!r}, "
                              f"not as {text!r}")
        log = self.logs.get(name)
        if log is None:
            raise HeaderError(f"{name!r} is not a repeating form of this protocol"
                              f"{self._listing('repeating forms', self.logs)}")
        if not index.isdigit() or int(index) < 1:
            raise HeaderError(f"the record number in [{index}] must be a whole number from 1")
        found = next((i for i in log.items if i.name == sub), None)
        if found is None:
            raise HeaderError(f"form {name!r} has no item {sub!r}{self._listing('its items', [i.name for i in log.items])}")
        return ItemColumn(log, found, int(index), self._factor(found, unit))

    def log_column(self, form: Form, key: str) -> ItemColumn:
        """The item ``key`` names inside one record of ``form`` (JSON), or :class:`HeaderError`."""
        m = _HEADER.fullmatch(key.strip())
        it = None if m is None or m["index"] is not None else next(
            (i for i in form.items if i.name == m["name"]), None)
        if m is None or it is None:
            raise HeaderError(f"form {form.id!r} has no item {key!r}{self._listing('its items', [i.name for i in form.items])}")
        return ItemColumn(form, it, 0, self._factor(it, m["unit"]))

    def _factor(self, it: Item, unit: str | None) -> float | None:
        if unit is None:
            return None
        unit = unit.strip()
        target = it.unit if isinstance(it.unit, str) else None
        if it.type is not DataType.DECIMAL:
            raise HeaderError(f"only decimal items take a unit in the header; {it.name!r} is {it.type.value}")
        if target is None:
            raise HeaderError(f"item {it.name!r} has no declared unit in the protocol: remove '[{unit}]'")
        if not units.is_known(unit):
            close = units.suggest(unit)
            raise HeaderError(f"unknown unit {unit!r}" + (f"; did you mean {', '.join(map(repr, close))}?" if close else ""))
        if unit == target:
            return None
        if not units.is_known(target) or not units.convertible(unit, target):
            raise HeaderError(f"{unit!r} cannot be converted to {it.name!r}'s unit {target!r}")
        return units.factor(unit, target)

    def _unknown(self, name: str) -> str:
        if name in self.derived:
            d = self.derived[name]
            if d.method is not None:
                inputs = list(d.bindings().values())
            else:
                inputs = sorted(d.expression.refs()) if d.expression is not None else []
            shown = ", ".join(inputs[:6]) + (", …" if len(inputs) > 6 else "")
            return (f"{name!r} is derived by the protocol ({d.label}), not read from the file: "
                    f"give its inputs instead ({shown})")
        if name in (VISIT, ARM):
            return f"{name!r} belongs in observation files (monitor), not in candidate files (screen)"
        for form in self.logs.values():
            if any(i.name == name for i in form.items):
                return f"{name!r} is an item of the repeating form {form.id!r}: write '{form.id}[1].{name}'"
        return f"no item {name!r} in the protocol's data dictionary{self._suggest(name)}"

    def _suggest(self, text: str) -> str:
        names = [*self.keys, *self.items, *self.logs]
        folded = {n.casefold(): n for n in names}
        if text.casefold() in folded:
            return f"; did you mean {folded[text.casefold()]!r}?"
        close = difflib.get_close_matches(text, names, n=3, cutoff=0.7)
        return f"; did you mean {', '.join(map(repr, close))}?" if close else ""

    @staticmethod
    def _listing(what: str, names: Iterable[str]) -> str:
        listed = list(names)
        return f" ({what}: {', '.join(listed)})" if listed else ""
