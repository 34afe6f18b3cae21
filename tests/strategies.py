"""Hypothesis strategies: rule expressions, typed conditions with records, whole protocols.

- :func:`expressions` draws arbitrary valid expression trees (any node kind,
  nested), for the text round trip ``parse(to_text(e)) == e``. Given ``names``
  and ``log_forms`` it only refers to those, so a protocol can use it for rules
  that resolve against its own data dictionary.
- :func:`conditions` and :func:`records` draw *typed* rules and the participant
  records to evaluate them on, for ``evaluate(e, r).value == compile_rule(e)(r)``;
  :func:`count_rules` and :func:`counted_records` do the same for rules on
  counts over records with unknowns inside (counts known only between two ends).
- :func:`protocols` draws small but complete :class:`Protocol` objects of every
  study kind, with optional parts present or absent, "to be confirmed" values
  where a field takes one, awkward unicode text, and rules over generated items.

Two product bugs are steered around here (see tests/test_roundtrip.py, "known
product bugs", where each has a strict-xfail reproduction):

- a string literal containing a number followed by ``[...]`` is mangled by the
  unit pre-processing of :func:`planner.expr.parse`; string literals avoid it;
- PyYAML turns U+0085 (NEL) into a space on the way back; text avoids it.

Names also avoid Python keywords and ``true``/``false``: the model accepts them
as item names, but no rule text can refer to them (reported, also with an xfail).
"""

from __future__ import annotations

import keyword
import re
import string
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st

from planner import limits
from planner.expr.nodes import And, Arith, Between, Cmp, Count, Expr, In, Lit, Not, Or, Ref
from planner.model import (
    TBC,
    Action,
    AnimalDetails,
    Arm,
    ArmType,
    Blinding,
    Category,
    ClinicalPopulation,
    Codelist,
    Criterion,
    CtcaeGrading,
    CtcaeTerm,
    DataDictionary,
    DataType,
    Derivation,
    Endpoint,
    Epoch,
    EpochType,
    Form,
    Frequency,
    Intervention,
    Item,
    Level,
    Masking,
    Mechanism,
    MonitoringRule,
    NodeKind,
    Objective,
    Pathway,
    PathwayEdge,
    PathwayNode,
    PowerTest,
    Procedure,
    Protocol,
    Quantity,
    Randomisation,
    RandomisationMethod,
    Range,
    Reference,
    Role,
    Route,
    SampleSize,
    Schedule,
    Sex,
    Statistics,
    Status,
    Strategy,
    StudyKind,
    Term,
    Timing,
    Visit,
    Window,
)
from planner.units import UNITS, non_negative

T = TypeVar("T")

# -- text -------------------------------------------------------------------------

#: Text that has bitten YAML, JSON, CSV/Excel or rule printers before.
AWKWARD_TEXT: tuple[str, ...] = (
    "IL-1β", "TNF-α ≥ 10 µg/kg", "<", "a < b & c > d", "<b>bold</b>", '"quoted"', "it's", "'", '"', "\\",
    "=SUM(A1:A3)", "=", "+1", "-1", "@cmd", "line one\nline two", "trailing newline\n", " leading space",
    "trailing space ", "tab\there", "yes", "no", "null", "~", "true", "1.0", "1e3", "0x10", "2024-01-31",
    "#not a comment", "- dash", "key: value", "{tbc: x}", "[1, 2]", "*alias", "&anchor", "!tag", "%pct", "|", ">",
    "°C", "日本語", "🧪", "\u2028", "€", "Ω", "…",
)

_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x85")  # NEL: PyYAML bug, see above
_PLAIN_TEXT = st.text(_CHARS, min_size=1, max_size=12)


_TEXT = st.one_of(st.sampled_from(AWKWARD_TEXT), _PLAIN_TEXT, st.just(""))
_NONBLANK = st.one_of(st.sampled_from(AWKWARD_TEXT), _PLAIN_TEXT).filter(lambda s: bool(s.strip()))
_TBC = st.builds(TBC, _NONBLANK)


def texts() -> st.SearchStrategy[str]:
    """Any text (may be blank)."""
    return _TEXT


def nonblank() -> st.SearchStrategy[str]:
    """Text with something other than white space (the model's ``non_empty``)."""
    return _NONBLANK


def tbc() -> st.SearchStrategy[TBC]:
    return _TBC


def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.one_of(st.none(), strategy)


def or_tbc(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | TBC]:
    return st.one_of(strategy, _TBC)


# -- names ------------------------------------------------------------------------

RESERVED = frozenset(keyword.kwlist) | {"true", "false"}
_NAME_TAIL = st.text(string.ascii_letters + string.digits + "_", max_size=6)
#: Names a rule may use: model identifiers that are also Python names.
NAMES: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(("age", "hb", "anc", "date", "count", "count_distinct", "TJC28", "x", "A1", "match", "type")),
    st.builds(lambda head, tail: head + tail, st.sampled_from(string.ascii_letters), _NAME_TAIL),
).filter(lambda n: n not in RESERVED)
#: Slugs (protocol ids).
SLUGS: st.SearchStrategy[str] = st.from_regex(r"\A[a-z0-9]{1,6}(?:[-_][a-z0-9]{1,4}){0,2}\Z")


def unique_names(min_size: int = 0, max_size: int = 3, exclude: Sequence[str] = ()) -> st.SearchStrategy[list[str]]:
    return st.lists(NAMES.filter(lambda n: n not in exclude), min_size=min_size, max_size=max_size, unique=True)


# -- expressions ------------------------------------------------------------------

CMP_OPS = ("<", "<=", ">", ">=", "==", "!=")
ARITH_OPS = ("+", "-", "*", "/")
_UNIT_NAMES = tuple(UNITS)
# What the unit pre-processing of parse() would treat as ``9[unit]`` (bug, see module doc).
_LOOKS_LIKE_UNIT = re.compile(r"\d\s*\[")

INTS = st.integers(min_value=-(10**6), max_value=10**6)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
# Numbers a protocol may hold (its documents and its rule text): finite, at most NUMBER_MAGNITUDE.
# Records (data) keep the whole float range.
LIMITED_FLOATS = st.floats(min_value=-limits.NUMBER_MAGNITUDE, max_value=limits.NUMBER_MAGNITUDE)
LIMITED_INTS = st.integers(min_value=-int(limits.NUMBER_MAGNITUDE), max_value=int(limits.NUMBER_MAGNITUDE))
LIT_STRINGS = texts().filter(lambda s: not _LOOKS_LIKE_UNIT.search(s))


def literals(big_ints: bool = True) -> st.SearchStrategy[Lit]:
    """A literal of every scalar type; numbers sometimes with a unit."""
    num = st.one_of(INTS, LIMITED_FLOATS, LIMITED_INTS) if big_ints else st.one_of(INTS, LIMITED_FLOATS)
    return st.one_of(
        st.builds(Lit, num, optional(st.sampled_from(_UNIT_NAMES))),
        st.builds(Lit, LIT_STRINGS),
        st.builds(Lit, st.booleans()),
        st.builds(Lit, st.dates()),
    )


def _junction(kind: type[And] | type[Or], terms: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.lists(terms, min_size=2, max_size=3).map(lambda ts: kind(tuple(ts)))


def _tree(leaves: st.SearchStrategy[Expr], max_leaves: int) -> st.SearchStrategy[Expr]:
    def extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        return st.one_of(
            st.builds(Cmp, st.sampled_from(CMP_OPS), children, children),
            _junction(And, children),
            _junction(Or, children),
            st.builds(Not, children),
            st.builds(In, children, st.lists(literals(), max_size=3).map(tuple)),
            st.builds(Between, children, children, children, st.booleans(), st.booleans()),
            st.builds(Arith, st.sampled_from(ARITH_OPS), children, children),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


# Trees are drawn once over placeholder names (``n0``… for items, ``f0``… for
# repeating forms, ``F.i0``… for an item of the enclosing count's form) and then
# bound to real names: building a fresh recursive strategy per dictionary would
# make every example slow.
_SLOTS = 6
_PLACE_REFS = st.integers(0, _SLOTS - 1).map(lambda k: Ref(f"n{k}"))
_PLACE_ROW_REFS = st.integers(0, _SLOTS - 1).map(lambda k: Ref(f"F.i{k}"))
_PLACE_WHERE = _tree(st.one_of(literals(), _PLACE_ROW_REFS, _PLACE_ROW_REFS, _PLACE_REFS), max_leaves=4)
_PLACE_COUNTS = st.builds(Count, st.integers(0, _SLOTS - 1).map(lambda k: f"f{k}"), optional(_PLACE_WHERE),
                          optional(st.integers(0, _SLOTS - 1).map(lambda k: f"i{k}")))
_PLACE_TREES = {n: _tree(st.one_of(literals(), _PLACE_REFS, _PLACE_COUNTS), max_leaves=n) for n in (6, 10)}


def _bind(e: Expr, names: Sequence[str], logs: Mapping[str, Sequence[str]], form: str | None = None) -> Expr:
    """Replace placeholder names by real ones (a reference with nothing to name becomes a literal)."""
    def pick(seq: Sequence[str], slot: str) -> str:
        return seq[int(slot.lstrip("nfi")) % len(seq)]

    if isinstance(e, Ref):
        if e.name.startswith("F.") and form is not None and logs[form]:
            return Ref(f"{form}.{pick(logs[form], e.name[2:])}")
        if e.name.startswith("n") and names:
            return Ref(pick(names, e.name))
        return Lit(True)
    if isinstance(e, Count):
        if not logs:
            return Lit(0)
        name = pick(sorted(logs), e.form)
        distinct = pick(logs[name], e.distinct) if e.distinct is not None and logs[name] else None
        where = None if e.where is None else _bind(e.where, names, logs, name)
        return Count(name, where, distinct)
    if isinstance(e, (And, Or)):
        return type(e)(tuple(_bind(t, names, logs, form) for t in e.terms))
    if isinstance(e, In):
        return In(_bind(e.subject, names, logs, form), e.options)
    if isinstance(e, Lit):
        return e
    changes = {a.name: _bind(getattr(e, a.name), names, logs, form)
               for a in attrs.fields(type(e)) if isinstance(getattr(e, a.name), Expr)}
    return attrs.evolve(e, **changes)


def expressions(
    names: Sequence[str] | None = None,
    log_forms: Mapping[str, Sequence[str]] | None = None,
    *,
    max_leaves: int = 10,
) -> st.SearchStrategy[Expr]:
    """Arbitrary valid rule-expression trees.

    ``names`` are the names top-level references may use and ``log_forms``
    maps each repeating form to its item names (for ``count(form)``,
    ``count_distinct(form.item)`` and ``form.item`` inside ``where=``). Left
    out, both are drawn at random; an empty collection means "none".
    ``max_leaves`` is 6 or 10.
    """
    trees = _PLACE_TREES[max_leaves]
    if names is not None and log_forms is not None:
        fixed_names, fixed_logs = tuple(names), {f: tuple(i) for f, i in log_forms.items()}
        return trees.map(lambda e: _bind(e, fixed_names, fixed_logs))
    name_pool = unique_names(1, 4) if names is None else st.just(tuple(names))
    log_pool = st.dictionaries(NAMES, unique_names(1, 3), max_size=2) if log_forms is None else st.just(log_forms)
    return st.tuples(trees, name_pool, log_pool).map(lambda t: _bind(*t))


# -- typed conditions and records (for evaluate == compile_rule) -----------------

#: Participant-level items by the kind of value they hold.
BOOL_ITEMS = ("pregnant", "consent", "smoker")
NUM_ITEMS = ("age", "hb", "anc")
ANY_ITEMS = ("sex", "onset", "note")
#: Repeating forms: ``{form: (bool items, number items, any items)}``.
LOGS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "ae": (("serious", "infection"), ("grade",), ("term",)),
    "cm": (("failed",), ("dose",), ("mechanism",)),
}


def _operands(depth: int, bools: tuple[str, ...], nums: tuple[str, ...], anys: tuple[str, ...],
              logs: bool) -> st.SearchStrategy[Expr]:
    """Values to compare: numbers (with arithmetic and counts), items of any type, literals."""
    return st.one_of(_numeric(depth, nums, logs), st.sampled_from(anys).map(Ref), literals(big_ints=False),
                     st.sampled_from(bools).map(Ref))


def _numeric(depth: int, nums: tuple[str, ...], logs: bool) -> st.SearchStrategy[Expr]:
    base: list[st.SearchStrategy[Expr]] = [
        st.sampled_from(nums).map(Ref),
        st.builds(Lit, st.one_of(INTS, LIMITED_FLOATS), optional(st.sampled_from(_UNIT_NAMES))),
    ]
    if logs:
        base.append(_typed_count(max(depth - 1, 0)))
    if depth <= 0:
        return st.one_of(base)
    sub = _numeric(depth - 1, nums, logs)
    return st.one_of(*base, st.builds(Arith, st.sampled_from(ARITH_OPS), sub, sub))


def _typed_count(depth: int) -> st.SearchStrategy[Expr]:
    def one(form: str) -> st.SearchStrategy[Expr]:
        b, n, a = LOGS[form]

        def q(names: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(f"{form}.{x}" for x in names)

        where = _conditions(min(depth, 1), q(b), q(n), q(a), logs=False)
        return st.builds(Count, st.just(form), optional(where), optional(st.sampled_from(b + n + a)))

    return st.one_of([one(form) for form in sorted(LOGS)])


def _conditions(depth: int, bools: tuple[str, ...], nums: tuple[str, ...], anys: tuple[str, ...],
                logs: bool) -> st.SearchStrategy[Expr]:
    ops = _operands(depth, bools, nums, anys, logs)
    base = st.one_of(
        st.sampled_from(bools).map(Ref),
        st.builds(Lit, st.booleans()),
        st.builds(Cmp, st.sampled_from(CMP_OPS), ops, ops),
        st.builds(In, ops, st.lists(literals(big_ints=False), max_size=3).map(tuple)),
        st.builds(Between, ops, ops, ops, st.booleans(), st.booleans()),
    )
    if depth <= 0:
        return base
    sub = _conditions(depth - 1, bools, nums, anys, logs)
    return st.one_of(base, st.builds(Not, sub), _junction(And, sub), _junction(Or, sub))


def conditions(depth: int = 3) -> st.SearchStrategy[Expr]:
    """Well-typed rules: ``and``/``or``/``not`` only over truth values, arithmetic only over numbers.

    Items are those of :data:`BOOL_ITEMS`, :data:`NUM_ITEMS`, :data:`ANY_ITEMS`
    and the logs in :data:`LOGS`; comparisons may still mix types (``sex < 3``).
    """
    return _conditions(depth, BOOL_ITEMS, NUM_ITEMS, ANY_ITEMS, logs=True)


_ANY_VALUE = st.one_of(st.none(), st.booleans(), INTS, FLOATS, st.sampled_from(("M", "F", "", "a", "IL-1β")),
                       texts(), st.dates())
_BOOL_VALUE = st.one_of(st.none(), st.booleans())
_NUM_VALUE = st.one_of(st.none(), INTS, FLOATS, st.sampled_from((0, 0.0, -0.0, 1, 1e-300)))


def _row(bools: Sequence[str], nums: Sequence[str], anys: Sequence[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping with each name present (with a value of its kind, or ``None``) or absent."""
    optional_keys = {**{b: _BOOL_VALUE for b in bools}, **{n: _NUM_VALUE for n in nums},
                     **{a: _ANY_VALUE for a in anys}}
    return st.fixed_dictionaries({}, optional=optional_keys)


def records() -> st.SearchStrategy[dict[str, Any]]:
    """Participant records for :func:`conditions`: items of matching-ish types, sometimes missing or ``None``."""
    logs = {form: st.lists(_row(*kinds), max_size=3) for form, kinds in LOGS.items()}
    return st.tuples(_row(BOOL_ITEMS, NUM_ITEMS, ANY_ITEMS), st.fixed_dictionaries({}, optional=logs)).map(
        lambda parts: {**parts[0], **parts[1]})


_SMALL = st.integers(0, 4).map(Lit)


def count_rules() -> st.SearchStrategy[Expr]:
    """Rules on counts (:data:`LOGS`), for records whose ``where`` or counted item may be unknown.

    Counts (and sums or differences of them) are compared with small numbers
    and with each other, tested for membership and ranges, and read for
    their truth — so an unknown count meets every operation.
    """
    counts = _typed_count(1)
    operand = st.one_of(counts, st.builds(Arith, st.sampled_from(("+", "-")), counts, st.one_of(counts, _SMALL)))
    atom = st.one_of(
        st.builds(Cmp, st.sampled_from(CMP_OPS), operand, st.one_of(_SMALL, operand)),
        st.builds(Cmp, st.sampled_from(CMP_OPS), _SMALL, operand),
        st.builds(In, operand, st.lists(_SMALL, max_size=4).map(tuple)),
        st.builds(Between, operand, _SMALL, st.one_of(_SMALL, operand), st.booleans(), st.booleans()),
        operand,
    )
    return st.one_of(atom, st.builds(Not, atom), _junction(And, atom), _junction(Or, atom))


def counted_records() -> st.SearchStrategy[dict[str, Any]]:
    """Records for :func:`count_rules`: every log recorded, with up to five records whose items are often missing."""
    logs = {form: st.lists(_row(*kinds), max_size=5) for form, kinds in LOGS.items()}
    return st.tuples(_row(BOOL_ITEMS, NUM_ITEMS, ANY_ITEMS), st.fixed_dictionaries(logs)).map(
        lambda parts: {**parts[0], **parts[1]})


def units_of() -> st.SearchStrategy[dict[str, str | None]]:
    """Units of the numeric items, as :attr:`Resolution.unit_of` gives them."""
    return st.fixed_dictionaries({}, optional={n: optional(st.sampled_from(_UNIT_NAMES)) for n in NUM_ITEMS})


# -- protocol parts -----------------------------------------------------------------
# Every strategy is built once at import; the composites below only draw from
# them (building strategies per example made each protocol cost ~0.2 s).

_REF_KEYS = st.sampled_from(("chen2023", "ctcae5", "label"))  # reference keys some values cite
_OPT_REF = optional(_REF_KEYS)
_OPT_TEXT = optional(_TEXT)
_TEXT_OR_TBC = or_tbc(_TEXT)
_OPT_TEXT_OR_TBC = optional(_TEXT_OR_TBC)
_TEXT_TUPLE = st.lists(_NONBLANK, max_size=2).map(tuple)
_NUMBER = st.one_of(st.integers(-1000, 10**6), LIMITED_FLOATS)
_UNIT = st.sampled_from(_UNIT_NAMES)
_INDEX = st.integers(0, 7)
_INDICES = st.lists(_INDEX, max_size=3, unique=True)


def _pick(draw: st.DrawFn, seq: Sequence[T]) -> T:
    return seq[draw(_INDEX) % len(seq)]


def _picks(draw: st.DrawFn, seq: Sequence[T]) -> tuple[T, ...]:
    """Up to three distinct elements of ``seq`` (none if it is empty)."""
    return tuple(dict.fromkeys(seq[i % len(seq)] for i in draw(_INDICES))) if seq else ()


def _names(draw: st.DrawFn, lo: int, hi: int, taken: set[str] | None = None) -> list[str]:
    """``lo``..``hi`` distinct names, none in ``taken`` (which is updated)."""
    taken = set() if taken is None else taken
    out: list[str] = []
    for n in draw(st.lists(NAMES, min_size=lo, max_size=hi)):
        if n in taken or n in out:
            if len(out) >= lo:
                continue
            n = next(f"{n}{k}" for k in range(1, 100) if f"{n}{k}" not in taken and f"{n}{k}" not in out)
        out.append(n)
    taken.update(out)
    return out


def _range(a: int | float | None, b: int | float | None) -> Range:
    if a is not None and b is not None and a > b:
        a, b = b, a
    return Range(a, b)


_QUANTITY = st.builds(Quantity, _NUMBER, _UNIT, _OPT_REF, st.booleans())
_RANGE = st.builds(_range, optional(_NUMBER), optional(_NUMBER))
_FLOAT01 = st.floats(min_value=0.0, max_value=1.0)
_WINDOW = optional(or_tbc(st.builds(Window, st.integers(0, 30), st.integers(0, 30), _OPT_REF)))
_DAY = or_tbc(st.integers(-60, 400))
_DURATION = optional(or_tbc(st.integers(1, 1000)))
_UNIT_OR_TBC = optional(or_tbc(_UNIT))
_RANGE_OR_TBC = optional(or_tbc(_RANGE))
_OPT_TBC = optional(_TBC)
_DOMAIN = optional(st.sampled_from(("DM", "LB", "AE", "CM")))
_CDASH = optional(st.sampled_from(("AGE", "SEX", "LBORRES", "AETERM")))
_TERMS = st.lists(_NONBLANK, min_size=1, max_size=3, unique=True)


def quantities() -> st.SearchStrategy[Quantity]:
    return _QUANTITY


def ranges() -> st.SearchStrategy[Range]:
    return _RANGE


def _item(draw: st.DrawFn, name: str, codelists: Sequence[str]) -> Item:
    types = [t for t in DataType if t is not DataType.CODED or codelists]
    kind = _pick(draw, types)
    numeric = kind in (DataType.INTEGER, DataType.DECIMAL)
    unit, rng = draw(_UNIT_OR_TBC if numeric else _OPT_TBC), draw(_RANGE_OR_TBC if numeric else _OPT_TBC)
    if isinstance(rng, Range) and rng.high is not None and rng.high < 0 and isinstance(unit, str) and non_negative(unit):
        unit = None  # a quantity that cannot be negative with a range below zero is refused by Item
    return Item(
        name=name,
        label=draw(_NONBLANK),
        type=kind,
        unit=unit,
        range=rng,
        codelist=_pick(draw, codelists) if kind is DataType.CODED else None,
        required=draw(st.booleans()),
        cdash=draw(_CDASH),
        guidance=draw(_OPT_TEXT),
        source=draw(_OPT_REF),
    )


def _dictionary(draw: st.DrawFn) -> DataDictionary:
    """One to three forms (item names unique across forms), maybe repeating ones, maybe codelists."""
    codelists = tuple(
        Codelist(cid, draw(_NONBLANK), tuple(Term(code, draw(_NONBLANK)) for code in draw(_TERMS)), draw(_OPT_REF))
        for cid in _names(draw, 0, 2)
    )
    codelist_ids = [c.id for c in codelists]
    item_names: set[str] = set()
    forms = []
    for i, fid in enumerate(_names(draw, 1, 3)):
        names = _names(draw, 1, 3, item_names)
        forms.append(Form(fid, draw(_NONBLANK), tuple(_item(draw, n, codelist_ids) for n in names),
                          domain=draw(_DOMAIN), repeating=i > 0 and draw(st.booleans()),
                          description=draw(_OPT_TEXT)))
    return DataDictionary(forms=tuple(forms), codelists=codelists)


def _schedule(draw: st.DrawFn, form_ids: Sequence[str]) -> Schedule:
    epochs = tuple(Epoch(e, draw(_NONBLANK), draw(st.sampled_from(EpochType))) for e in _names(draw, 1, 2))
    epoch_ids = [e.id for e in epochs]
    visits = tuple(
        Visit(v, draw(_NONBLANK), _pick(draw, epoch_ids), draw(_DAY), draw(_WINDOW),
              forms=_picks(draw, form_ids), source=draw(_OPT_REF))
        for v in _names(draw, 0, 3)
    )
    return Schedule(draw(_NONBLANK), epochs, visits, duration_days=draw(_DURATION), duration_source=draw(_OPT_REF))


_INTERVENTION = st.builds(
    Intervention,
    agent=_NONBLANK,
    mechanisms=st.lists(st.sampled_from(Mechanism), min_size=1, max_size=2, unique=True).map(tuple),
    role=st.sampled_from(Role),
    dose=optional(or_tbc(_QUANTITY)),
    route=optional(or_tbc(st.sampled_from(Route))),
    frequency=optional(or_tbc(st.sampled_from(Frequency))),
    duration=optional(or_tbc(_QUANTITY)),
    notes=_OPT_TEXT,
    source=_OPT_REF,
)
_INTERVENTIONS = st.lists(_INTERVENTION, max_size=2).map(tuple)
_PLANNED_SIZE = optional(or_tbc(st.integers(1, 500)))
_TEXTS = st.lists(_TEXT, max_size=2).map(tuple)


def _arms(draw: st.DrawFn) -> tuple[Arm, ...]:
    return tuple(
        Arm(a, draw(_NONBLANK), draw(st.sampled_from(ArmType)), draw(_NONBLANK), planned_size=draw(_PLANNED_SIZE),
            size_source=draw(_OPT_REF), interventions=draw(_INTERVENTIONS), safety_notes=draw(_TEXTS),
            allocation_ratio=draw(st.integers(1, 3)))
        for a in _names(draw, 0, 3)
    )


_POPULATION = st.builds(ClinicalPopulation, _NONBLANK, _TEXT_TUPLE, _TEXT_TUPLE, or_tbc(_TEXT_TUPLE),
                          _RANGE_OR_TBC, _OPT_TEXT_OR_TBC)
_ANIMALS = st.builds(
    AnimalDetails,
    species=_NONBLANK, strain=_NONBLANK, sex=st.sampled_from(Sex), total=st.integers(0, 200),
    experimental_unit=or_tbc(_NONBLANK), age=or_tbc(_QUANTITY), weight_g=or_tbc(_RANGE), supplier=_TEXT_OR_TBC,
    housing=_TEXT_OR_TBC, husbandry=_TEXT_OR_TBC, humane_endpoints=or_tbc(_TEXT_TUPLE),
    acclimatisation=_OPT_TEXT_OR_TBC, source=_OPT_REF,
)
_MOSTLY = st.integers(0, 3).map(bool)  # present three times in four; shrinks to absent
_PROCEDURES = st.lists(st.builds(Procedure, _NONBLANK, _NONBLANK, _NONBLANK, optional(or_tbc(st.integers(-30, 120))),
                                 _TEXTS, _OPT_REF), max_size=2, unique_by=lambda pr: pr.id).map(tuple)
_STRATEGY = optional(st.builds(Strategy, _TEXT, _TEXT, _TEXT, _OPT_REF))
_SAMPLE_SIZE = optional(st.builds(
    SampleSize, or_tbc(st.integers(1, 2000)), _TEXT_OR_TBC, optional(or_tbc(st.floats(0.01, 3.0))),
    optional(or_tbc(_FLOAT01)), optional(_FLOAT01), optional(or_tbc(st.sampled_from(PowerTest))),
    optional(st.integers(2, 6)), optional(or_tbc(_FLOAT01)), _OPT_REF, _OPT_REF,
    st.lists(st.integers(2, 4), max_size=3).map(tuple)))
_RANDOMISATION = optional(st.builds(
    Randomisation, or_tbc(st.sampled_from(RandomisationMethod)), _TEXT, optional(or_tbc(st.integers(2, 12))),
    _TEXT_TUPLE, optional(or_tbc(st.integers(0, 2**31))), _OPT_TEXT_OR_TBC, _OPT_REF,
    st.lists(st.integers(2, 12), max_size=3, unique=True).map(tuple), optional(_NONBLANK), optional(or_tbc(_NONBLANK))))
_BLINDING = optional(st.builds(Blinding, or_tbc(st.sampled_from(Masking)), _TEXT_OR_TBC, _TEXT_TUPLE))
_STATISTICS = optional(st.builds(Statistics, _TEXT_OR_TBC, _OPT_TEXT_OR_TBC, _OPT_TEXT_OR_TBC, _OPT_TEXT_OR_TBC,
                                 _OPT_TEXT_OR_TBC))
_FREQUENCY = st.one_of(st.just("at every scheduled visit"), _TEXT, _TBC)
_RISKS = st.lists(st.sampled_from(("serious_infection", "neutropenia")), max_size=2, unique=True).map(tuple)
_GRADING = st.builds(lambda term, item, uln, grade: CtcaeGrading(
    term, item, f"{item}_uln" if uln and term in (CtcaeTerm.ALT_INCREASED, CtcaeTerm.AST_INCREASED) else None, grade),
    st.sampled_from(CtcaeTerm), st.sampled_from(("anc", "alt", "hb")), st.booleans(),
    st.one_of(st.none(), st.integers(1, 5)))
_CTCAE = st.lists(_GRADING, max_size=2, unique_by=lambda g: g.term).map(tuple)
_DERIVED_UNIT = optional(st.sampled_from(("score", "count", "points")))
_METHOD = st.sampled_from(("das28_crp", "mrss_total"))
_VERSION = st.one_of(st.sampled_from(("0.1", "1.0", "1.10", "2")), _NONBLANK)
_DOI = optional(st.just("10.1000/xyz123"))
_PMID = optional(st.just("12345678"))
_URL = optional(st.just("https://example.org/a?b=c&d=é"))


def _pathways(draw: st.DrawFn) -> tuple[Pathway, ...]:
    if not draw(st.booleans()):
        return ()
    nodes = tuple(PathwayNode(n, draw(_NONBLANK), draw(st.sampled_from(NodeKind)), draw(_STRATEGY))
                  for n in _names(draw, 1, 3))
    ids = [n.id for n in nodes]
    edges = tuple(PathwayEdge(_pick(draw, ids), _pick(draw, ids), draw(_OPT_TEXT)) for _ in range(draw(_INDEX) % 4))
    return (Pathway(draw(NAMES), draw(_NONBLANK), nodes, edges, draw(_OPT_REF)),)


@st.composite
def protocols(draw: st.DrawFn, kind: StudyKind | None = None) -> Protocol:
    """A small, valid protocol of any study kind whose rules refer to its own items.

    Ids and names are identifiers (the protocol id a slug), unique within
    their tuple; objective, endpoint, criterion and monitoring ids are unique
    across the protocol; visits name existing epochs and forms; endpoints
    measure an item or a derivation; every rule resolves.
    """
    kind = draw(st.sampled_from(StudyKind)) if kind is None else kind
    dd = _dictionary(draw)
    schedule = _schedule(draw, [f.id for f in dd.forms])
    arms = _arms(draw)
    item_names = list(dd.items())
    derivation_ids = _names(draw, 0, 2)
    rule_names = item_names + derivation_ids
    rule = expressions(rule_names, {f.id: [i.name for i in f.items] for f in dd.forms if f.repeating}, max_leaves=6)

    def derivation(did: str) -> Derivation:
        by_method = draw(st.booleans())
        return Derivation(
            did, draw(_NONBLANK), unit=draw(_DERIVED_UNIT),
            method=draw(_METHOD) if by_method else None,
            inputs=tuple(f"p_{n.replace('.', '_')}={n}" for n in _picks(draw, item_names)) if by_method else (),
            expression=None if by_method else draw(rule),
            definition=draw(_OPT_TEXT_OR_TBC), source=draw(_OPT_REF))

    visit_ids = [v.id for v in schedule.visits]
    taken: set[str] = set()

    def endpoint(eid: str) -> Endpoint:
        return Endpoint(eid, draw(st.sampled_from(Level)), draw(_NONBLANK), measure=_pick(draw, rule_names),
                        timepoints=draw(_TBC) if draw(st.booleans()) else _picks(draw, visit_ids),
                        change_from_baseline=draw(st.booleans()), comparison=draw(_OPT_TEXT_OR_TBC),
                        success=draw(optional(or_tbc(rule))), source=draw(_OPT_REF))

    objectives = tuple(Objective(o, draw(st.sampled_from(Level)), draw(_NONBLANK),
                                 tuple(endpoint(e) for e in _names(draw, 0, 2, taken)))
                       for o in _names(draw, 0, 2, taken))
    eligibility = tuple(Criterion(c, draw(st.sampled_from(Category)), draw(_TEXT), draw(optional(rule)),
                                  draw(st.booleans()), draw(_OPT_REF))
                        for c in _names(draw, 0, 3, taken)) if kind.clinical else ()
    monitoring = tuple(
        MonitoringRule(m, draw(_NONBLANK), draw(rule), draw(st.sampled_from(Action)), draw(_NONBLANK),
                       timing=draw(st.sampled_from(Timing)), arms=_picks(draw, [a.id for a in arms]),
                       risks=draw(_RISKS), frequency=draw(_FREQUENCY), ctcae=draw(_CTCAE), source=draw(_OPT_REF))
        for m in _names(draw, 0, 2, taken)
    )
    references = tuple(Reference(k, draw(_NONBLANK), doi=draw(_DOI), pmid=draw(_PMID), url=draw(_URL),
                                 note=draw(_OPT_TEXT))
                       for k in _names(draw, 0, 2))
    return Protocol(
        id=draw(SLUGS),
        title=draw(_NONBLANK),
        short_title=draw(_NONBLANK),
        version=draw(_VERSION),
        date=draw(st.dates()),
        status=draw(st.sampled_from(Status)),
        kind=kind,
        sponsor=draw(_TEXT_OR_TBC),
        investigator=draw(_TEXT_OR_TBC),
        rationale=draw(_NONBLANK),
        design=draw(_NONBLANK),
        schedule=schedule,
        dictionary=dd,
        population=draw(_POPULATION) if kind.clinical and draw(_MOSTLY) else None,
        animals=draw(_ANIMALS) if not kind.clinical and draw(_MOSTLY) else None,
        procedures=() if kind.clinical else draw(_PROCEDURES),
        arms=arms,
        objectives=objectives,
        derivations=tuple(derivation(d) for d in derivation_ids),
        eligibility=eligibility,
        monitoring=monitoring,
        sample_size=draw(_SAMPLE_SIZE),
        randomisation=draw(_RANDOMISATION),
        blinding=draw(_BLINDING),
        statistics=draw(_STATISTICS),
        pathways=_pathways(draw),
        references=references,
    )
