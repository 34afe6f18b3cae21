"""The data dictionary: codelists, items and forms (ODM ItemDef/FormDef, CDASH)."""

from __future__ import annotations

import enum

from attrs import field, frozen

from planner.model.values import TBC, Range, identifier, known_unit, non_empty, tuple_field, unique


class DataType(enum.StrEnum):
    """The type of a collected value (ODM DataType, simplified)."""

    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"
    DATE = "date"
    BOOLEAN = "boolean"
    CODED = "coded"


@frozen
class Term:
    """One permitted value of a codelist: the stored code and what it means."""

    code: str = field(validator=non_empty())
    decode: str = field(validator=non_empty())


@frozen
class Codelist:
    """A named list of permitted coded values (ODM CodeList)."""

    id: str = field(validator=identifier())
    name: str = field(validator=non_empty())
    terms: tuple[Term, ...] = tuple_field(validator=unique(lambda t: t.code, "code"))
    source: str | None = None

    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)


def _unit_or_tbc(inst: object, attribute: object, value: str | TBC | None) -> None:
    if isinstance(value, str):
        known_unit()(inst, attribute, value)  # type: ignore[arg-type]


@frozen
class Item:
    """One piece of collected data (ODM ItemDef).

    ``name`` is the variable name used in rule expressions and on the CRF
    (CDASH variable name where a CDASH domain applies, in ``cdash``).
    ``unit`` and ``range`` may be "to be confirmed" where the sources do not
    give them (e.g. the scale of an arthritis score the paper does not state).
    """

    name: str = field(validator=identifier())
    label: str = field(validator=non_empty())
    type: DataType
    unit: str | TBC | None = field(default=None, validator=_unit_or_tbc)
    range: Range | TBC | None = None
    codelist: str | None = None
    required: bool = True
    cdash: str | None = None
    guidance: str | None = None
    source: str | None = None

    def __attrs_post_init__(self) -> None:
        from planner.model.values import FieldError

        if self.type is DataType.CODED and self.codelist is None:
            raise FieldError("codelist", f"item {self.name!r} is coded: name its codelist")
        if self.type is not DataType.CODED and self.codelist is not None:
            raise FieldError("codelist", f"item {self.name!r} is {self.type.value}, not coded: remove 'codelist' or set type: coded")
        numeric = self.type in (DataType.INTEGER, DataType.DECIMAL)
        if isinstance(self.range, Range) and not numeric:
            raise FieldError("range", f"item {self.name!r} is {self.type.value}: only integer and decimal items take a range")
        if numeric and isinstance(self.range, Range) and self.range.high is not None and self.range.high < 0:
            from planner import units

            if isinstance(self.unit, str) and units.is_known(self.unit) and units.non_negative(self.unit):
                raise FieldError("range", f"item {self.name!r} is in {self.unit}, which cannot be negative, but its range "
                                          f"ends at {self.range.high}; correct the range or the unit")

    @property
    def accepted(self) -> Range | None:
        """The values an entry of this item may take: its range, and never below zero for a quantity that
        cannot be negative (:func:`planner.units.non_negative`: a count, a concentration, a duration …).

        Every reader (screening files, observation files, CRF read-back) and the
        CRF's cell validation use this one answer.
        """
        from planner import units

        declared = self.range if isinstance(self.range, Range) else None
        if self.type not in (DataType.INTEGER, DataType.DECIMAL) or not isinstance(self.unit, str):
            return declared
        if not units.is_known(self.unit) or not units.non_negative(self.unit):
            return declared
        if declared is None:
            return Range(0, None)
        return declared if declared.low is not None else Range(0, declared.high)


@frozen
class Form:
    """A group of items collected together (ODM FormDef; a CDASH domain where one applies).

    A ``repeating`` form is a log with any number of records per participant
    (adverse events, prior therapies); rules reach its items as
    ``form.item`` inside ``count(...)``.
    """

    id: str = field(validator=identifier())
    name: str = field(validator=non_empty())
    items: tuple[Item, ...] = tuple_field(validator=unique(lambda i: i.name, "item name"))
    domain: str | None = None
    repeating: bool = False
    description: str | None = None


@frozen
class DataDictionary:
    """All codelists and forms of a protocol."""

    forms: tuple[Form, ...] = tuple_field(validator=unique(lambda f: f.id, "form id"))
    codelists: tuple[Codelist, ...] = tuple_field(validator=unique(lambda c: c.id, "codelist id"))

    def form(self, form_id: str) -> Form | None:
        return next((f for f in self.forms if f.id == form_id), None)

    def codelist(self, codelist_id: str) -> Codelist | None:
        return next((c for c in self.codelists if c.id == codelist_id), None)

    def items(self) -> dict[str, tuple[Form, Item]]:
        """Every item by the name a rule uses: ``name`` or ``form.name`` in a log form."""
        out: dict[str, tuple[Form, Item]] = {}
        for f in self.forms:
            for it in f.items:
                out[f"{f.id}.{it.name}" if f.repeating else it.name] = (f, it)
        return out
