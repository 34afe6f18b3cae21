"""Hostile protocol documents (YAML, JSON) and rule text, up to and including ``check`` (issue 19).

Each class of input is generated in several instances: a few run the command
line under the harness's time and memory limits (a hang or a memory bomb
fails the test), the rest go through :func:`planner.serialize.parse_text` and
:func:`~planner.serialize.structure` in process. Every rejection is one
located line per problem.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from planner import limits
from planner.checks import check
from planner.expr import text as expr_text
from planner.expr.text import ExprError, parse
from planner.model.values import Quantity, Range
from planner.serialize import LoadError, load, parse_text, structure
from tests.hostile.harness import assert_clean, assert_rejected, run_limited

MINIMAL = Path(__file__).resolve().parents[1] / "cases" / "valid" / "minimal.yaml"
BASE_TEXT = MINIMAL.read_text(encoding="utf-8")
BASE: dict[str, Any] = yaml.safe_load(BASE_TEXT)


def _problems(text: str, fmt: str | None = None) -> list[str]:
    try:
        structure(parse_text(text, fmt))  # type: ignore[arg-type]
    except LoadError as exc:
        return exc.problems
    raise AssertionError("accepted")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def _with(steps: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """The minimal protocol with the value at ``steps`` replaced."""
    data = copy.deepcopy(BASE)
    parent: Any = data
    for step in steps[:-1]:
        parent = parent[step]
    parent[steps[-1]] = value
    return data


# -- 1. mapping keys that are not text ----------------------------------------------

PLACES = {"$": (), "$.arms[0]": ("arms", 0), "$.schedule.visits[1].window": ("schedule", "visits", 1, "window")}
KEYS = [("1", "key 1 is not text; write it in quotes"), ("null", "key null is not text"),
        ("~", "key ~ is not text"), ("true", "key true is not text"), ("1.5", "key 1.5 is not text"),
        ("[a, b]", "a list is used as a key"), ("{x: 1}", "a mapping is used as a key")]


def _with_key(place: str, raw: str) -> str:
    data = copy.deepcopy(BASE)
    target: Any = data
    for step in PLACES[place]:
        target = target[step]
    target["__KEY__"] = "x"
    return _yaml(data).replace("__KEY__", raw, 1)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize(("raw", "message"), KEYS)
def test_a_key_that_is_not_text_is_a_located_problem(place: str, raw: str, message: str) -> None:
    problems = _problems(_with_key(place, raw))
    assert 1 == len(problems), problems
    assert problems[0].startswith(f"{place}: {message}"), problems


def test_explicit_list_key_and_several_bad_keys_at_once_on_the_command_line(tmp_path: Path) -> None:
    text = BASE_TEXT.replace("  type: experimental\n", "  type: experimental\n  null: 1\n  ? [a, b]\n  : 2\n"
                             "  true: 3\n", 1)
    outcome = run_limited(["check", str(_write(tmp_path, "keys.yaml", text))])
    assert_rejected(outcome, "$.arms[0]: key null is not text", "$.arms[0]: a list is used as a key",
                    "$.arms[0]: key true is not text")
    assert 3 == len(outcome.err.splitlines())
    assert_rejected(run_limited(["check", str(_write(tmp_path, "k.yaml", _with_key("$", "1")))]),
                    "$: key 1 is not text; write it in quotes")


# -- 2. nesting -----------------------------------------------------------------------

def _deep(kind: str, levels: int) -> tuple[str, str]:
    """A document nested ``levels`` deep under ``x``, and the start of the path the problem names."""
    if kind == "yaml-flow-lists":
        return f"x: {'[' * levels}1{']' * levels}\n", "$.x[0][0]"
    if kind == "yaml-flow-maps":
        return f"x: {'{a: ' * levels}1{'}' * levels}\n", "$.x.a.a"
    if kind == "yaml-block":
        return "x:\n  " + "- " * levels + "1\n", "$.x[0][0]"
    if kind == "json-lists":
        return f'{{"x": {"[" * levels}1{"]" * levels}}}', "$.x[0][0]"
    assert kind == "json-maps"
    return '{"x": ' + '{"a": ' * levels + "1" + "}" * levels + "}", "$.x.a.a"


KINDS = ("yaml-flow-lists", "yaml-flow-maps", "yaml-block", "json-lists", "json-maps")


@pytest.mark.parametrize("levels", [limits.DEPTH + 1, 5_000, 10_000])
@pytest.mark.parametrize("kind", KINDS)
def test_deep_nesting_is_refused_at_the_depth_limit_with_a_path(kind: str, levels: int) -> None:
    text, path = _deep(kind, levels)
    with pytest.raises(LoadError) as info:
        parse_text(text)
    [line] = info.value.problems
    assert line.startswith(path) and f"nested more than {limits.DEPTH} levels deep" in line, line


@pytest.mark.parametrize("kind", ["yaml-flow-lists", "yaml-block", "json-maps"])
def test_deep_nesting_on_the_command_line(tmp_path: Path, kind: str) -> None:
    text, path = _deep(kind, 10_000)
    doc = _write(tmp_path, "deep.json" if kind.startswith("json") else "deep.yaml", text)
    assert_rejected(run_limited(["check", str(doc)]), f"{path}", "levels deep")


def test_nesting_at_the_limit_is_read() -> None:
    text, _ = _deep("json-lists", limits.DEPTH - 1)
    assert isinstance(parse_text(text), dict)
    text, _ = _deep("yaml-flow-lists", limits.DEPTH - 1)
    assert isinstance(parse_text(text), dict)


def test_aliases_inside_aliases_count_their_full_depth() -> None:
    chain = "".join(f"c{i}: &c{i} " + "[" * 40 + (f"*c{i - 1}" if i else "1") + "]" * 40 + "\n" for i in range(4))
    with pytest.raises(LoadError) as info:
        parse_text(chain)
    assert "$.c1" in info.value.problems[0] and "levels deep" in info.value.problems[0]


# -- 3. YAML alias bombs ----------------------------------------------------------------

def _reused_text(times: int, chars: int = 1_000_000) -> str:
    return BASE_TEXT + f"x: &big {'a' * chars}\njunk:\n" + "- *big\n" * times


def _laughs(levels: int, width: int = 10) -> str:
    out = "l0: &l0 [" + ", ".join(["lol"] * width) + "]\n"
    for i in range(1, levels):
        out += f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]\n"
    return BASE_TEXT + out


BOMBS = {"1 MB text 2000 times": _reused_text(2000), "50 kB text 400 times": _reused_text(400, 50_000),
         "billion laughs": _laughs(9), "wide laughs": _laughs(4, 200)}


@pytest.mark.parametrize("name", BOMBS)
def test_an_alias_bomb_is_refused_before_anything_is_built(name: str) -> None:
    with pytest.raises(LoadError) as info:
        parse_text(BOMBS[name])
    assert "counting every use of its aliases the document holds more than" in info.value.problems[-1]
    assert info.value.problems[-1].startswith(("$.junk[", "$.l")), info.value.problems


@pytest.mark.parametrize(("command", "name"), [("check", "1 MB text 2000 times"), ("check", "billion laughs"),
                                               ("pdf", "1 MB text 2000 times"), ("build", "billion laughs")])
def test_an_alias_bomb_on_the_command_line(tmp_path: Path, command: str, name: str) -> None:
    doc = str(_write(tmp_path, "bomb.yaml", BOMBS[name]))
    args = {"check": ["check", doc], "pdf": ["export", doc, "--to", "pdf", "-o", str(tmp_path / "out")],
            "build": ["build", doc, "-o", str(tmp_path / "out")]}[command]
    assert_rejected(run_limited(args), "counting every use of its aliases")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.pdf"))


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(LoadError) as info:
        parse_text(BASE_TEXT + "r: &r [1, *r]\n")
    assert ["$.r[1]: the alias *r is used inside the value it names; write the value out"] == info.value.problems


def test_a_few_aliases_are_still_fine() -> None:
    text = BASE_TEXT.replace("sponsor: Example Hospital", "sponsor: &who Example Hospital")
    text = text.replace("population:\n  description: Adults", "population:\n  description: *who\n  x_: Adults")
    assert {"sponsor": "Example Hospital"}.items() <= parse_text(text).items()


# -- 4. duplicate keys in JSON ------------------------------------------------------------

@pytest.mark.parametrize(("steps", "key", "path"), [
    ((), "status", "$"), (("schedule",), "anchor", "$.schedule"), (("arms", 1), "name", "$.arms[1]"),
    (("dictionary", "forms", 0, "items", 1), "label", "$.dictionary.forms[0].items[1]"),
])
def test_a_duplicate_json_key_is_refused_with_its_path_and_lines(steps: tuple[str | int, ...], key: str,
                                                                  path: str) -> None:
    data = copy.deepcopy(BASE)
    target: Any = data
    for step in steps:
        target = target[step]
    target["__DUP__"] = "again"
    text = _json(data).replace('"__DUP__"', json.dumps(key), 1)
    problems = _problems(text)
    assert 1 == len(problems), problems
    assert problems[0].startswith(f"{path}: not valid JSON: duplicate key {key!r} (first on line "), problems
    assert ", column " in problems[0]


def test_keys_equal_once_unescaped_are_duplicates() -> None:
    text = _json(BASE).replace('"status": "draft"', '"status": "draft", "st\\u0061tus": "final"', 1)
    assert any("duplicate key 'status'" in p for p in _problems(text))


def test_duplicate_json_key_on_the_command_line(tmp_path: Path) -> None:
    text = _json(BASE).replace('"status": "draft"', '"status": "draft",\n "status": "final"', 1)
    assert_rejected(run_limited(["check", str(_write(tmp_path, "dup.json", text))]),
                    "$: not valid JSON: duplicate key 'status'")


# -- 5. numbers -------------------------------------------------------------------------

NUMBER_PLACES = {"$.arms[0].interventions[0].dose.value": ("arms", 0, "interventions", 0, "dose", "value"),
                 "$.dictionary.forms[1].items[0].range.high": ("dictionary", "forms", 1, "items", 0, "range", "high"),
                 "$.schedule.duration_days": ("schedule", "duration_days")}
JSON_NUMBERS = [("NaN", "is not a finite number"), ("Infinity", "is not a finite number"),
                ("-Infinity", "is not a finite number"), ("1e400", "is not a finite number"),
                ("1e16", "is too large a number"), ("-12345678901234567", "is too large a number"),
                ("9" * 5000, "number too long: 5000 digits"), ("0." + "1" * 40, "number too long: 41 digits")]
YAML_NUMBERS = [(".nan", "is not a finite number"), (".inf", "is not a finite number"),
                ("-.Inf", "is not a finite number"), ("1.0e+400", "is not a finite number"),
                ("10000000000000000", "is too large a number"), ("9" * 5000, "number too long: 5000 digits")]


@pytest.mark.parametrize("place", NUMBER_PLACES)
@pytest.mark.parametrize(("literal", "message"), JSON_NUMBERS)
def test_a_json_number_out_of_bounds_is_refused_with_its_path(place: str, literal: str, message: str) -> None:
    text = _json(_with(NUMBER_PLACES[place], "__N__")).replace('"__N__"', literal)
    problems = _problems(text)
    assert [p for p in problems if p.startswith(f"{place}: ") and message in p], problems


@pytest.mark.parametrize("place", NUMBER_PLACES)
@pytest.mark.parametrize(("literal", "message"), YAML_NUMBERS)
def test_a_yaml_number_out_of_bounds_is_refused_with_its_path(place: str, literal: str, message: str) -> None:
    text = _yaml(_with(NUMBER_PLACES[place], "__N__")).replace("__N__", literal)
    problems = _problems(text)
    assert [p for p in problems if p.startswith(f"{place}: ") and message in p], problems


def test_numbers_out_of_bounds_on_the_command_line(tmp_path: Path) -> None:
    text = _json(_with(NUMBER_PLACES["$.arms[0].interventions[0].dose.value"], "__N__")).replace('"__N__"', "NaN")
    assert_rejected(run_limited(["check", str(_write(tmp_path, "nan.json", text))]),
                    "$.arms[0].interventions[0].dose.value: NaN is not a finite number")
    text = _yaml(_with(NUMBER_PLACES["$.dictionary.forms[1].items[0].range.high"], "__N__"))
    assert_rejected(run_limited(["check", str(_write(tmp_path, "inf.yaml", text.replace("__N__", ".inf")))]),
                    "$.dictionary.forms[1].items[0].range.high: .inf is not a finite number")


@pytest.mark.parametrize(("rule", "column", "message"), [
    ("age >= " + "9" * 5000, 8, "number too long: 5000 digits"),
    ("age >= 18 and hb < " + "1" * 31 + "[g/dL]", 20, "number too long: 31 digits"),
    ("age >= 1e400", 8, "1e400 is not a finite number"),
    ("hb < 1e400[g/dL]", 6, "1e400 is not a finite number"),
    ("age > -1e16", 8, "1e16 is too large a number"),
])
def test_a_number_in_rule_text_out_of_bounds_is_refused_at_its_column(rule: str, column: int, message: str) -> None:
    with pytest.raises(ExprError) as info:
        parse(rule)
    assert column == info.value.column and message in info.value.message, str(info.value)


def test_long_digits_in_a_string_literal_are_text() -> None:
    assert '"' + "9" * 100 + '"' in str(parse('x == "' + "9" * 100 + '"'))


def test_a_long_number_in_a_rule_on_the_command_line(tmp_path: Path) -> None:
    text = BASE_TEXT.replace("rule: age >= 18", "rule: age >= " + "9" * 5000, 1)
    outcome = run_limited(["check", str(_write(tmp_path, "digits.yaml", text))])
    assert_rejected(outcome, "$.eligibility[0].rule: bad rule", "column 8: number too long: 5000 digits")
    assert "ends too early" not in outcome.err
    assert len(outcome.err) < 1000  # the rule is shown cut short, not in full


@pytest.mark.parametrize("make", [lambda: Quantity(float("nan"), "mg"), lambda: Range(0, float("inf")),
                                  lambda: Range(float("-inf"), None)])
def test_a_protocol_written_in_python_refuses_nan_and_infinity(make: Any) -> None:
    with pytest.raises(ValueError, match="is not a finite number"):
        make()


# -- 6. long rules, and check in linear time -------------------------------------------

def _long_rule(chars: int) -> str:
    terms, size = [], 0
    while size < chars - 20:
        term = f"age >= {len(terms) % 90}"
        terms.append(term)
        size += len(term) + 5
    return " and ".join(terms)


@pytest.mark.parametrize("chars", [limits.RULE_CHARS + 1, 50_000, limits.TEXT_CHARS - 100])
def test_a_rule_past_the_limit_is_refused(chars: int) -> None:
    rule = _long_rule(chars + 40)
    assert len(rule) >= chars
    problems = _problems(BASE_TEXT.replace("rule: age >= 18", f"rule: {rule}", 1))
    assert 1 == len(problems), problems
    assert problems[0].startswith("$.eligibility[0].rule: bad rule ")
    assert f"the rule is {len(rule)} characters long, more than the limit of {limits.RULE_CHARS}" in problems[0]
    assert len(problems[0]) < 600


def test_check_prints_a_long_rule_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = _long_rule(12_000)
    protocol = load(BASE_TEXT.replace("rule: age >= 18", f"rule: {rule}", 1))
    nodes = sum(1 for _ in protocol.eligibility[0].rule.walk())  # type: ignore[union-attr]
    printed = 0
    original = expr_text.to_text

    def counting(e: Any) -> str:
        nonlocal printed
        printed += 1
        return original(e)

    monkeypatch.setattr(expr_text, "to_text", counting)
    check(protocol)
    assert printed < 20 * nodes, (printed, nodes)  # it was once per conjunct: about 1 000 times the rule


def test_check_of_a_rule_just_under_the_limit_is_within_the_bar(tmp_path: Path) -> None:
    rule = _long_rule(limits.RULE_CHARS)
    assert limits.RULE_CHARS - 30 < len(rule) <= limits.RULE_CHARS
    doc = _write(tmp_path, "long.yaml", BASE_TEXT.replace("rule: age >= 18", f"rule: {rule}", 1))
    assert_clean(run_limited(["check", str(doc)]), 0, 1)


# -- 7. size of the file and of one text --------------------------------------------------

def test_a_file_past_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    big = _write(tmp_path, "big.yaml", BASE_TEXT + "#" * (limits.PROTOCOL_BYTES + 1) + "\n")
    assert_rejected(run_limited(["check", str(big)]), f"more than the limit of {limits.PROTOCOL_BYTES}")
    sparse = tmp_path / "sparse.json"
    with sparse.open("wb") as fh:
        fh.truncate(4 * 1024**3)  # 4 GB of nothing: read no further than the limit
    assert_rejected(run_limited(["check", str(sparse)]), "$: the document is 4294967296 bytes")


def test_text_past_the_size_limit_is_refused() -> None:
    with pytest.raises(LoadError, match="more than the limit"):
        parse_text(" " * (limits.PROTOCOL_BYTES + 1) + "{}")
    with pytest.raises(LoadError, match="more than the limit"):
        parse_text("a: " + "é" * (limits.PROTOCOL_BYTES // 2 + 1))  # characters under, bytes over


TEXT_PLACES = {"$.title": ("title",), "$.eligibility[1].text": ("eligibility", 1, "text"),
               "$.dictionary.codelists[0].terms[1].decode": ("dictionary", "codelists", 0, "terms", 1, "decode")}


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("place", TEXT_PLACES)
def test_a_text_past_the_limit_is_a_located_problem(place: str, fmt: str) -> None:
    data = _with(TEXT_PLACES[place], "x" * (limits.TEXT_CHARS + 1))
    problems = _problems(_yaml(data) if fmt == "yaml" else _json(data), fmt)
    assert [f"{place}: text of {limits.TEXT_CHARS + 1} characters, more than the limit of {limits.TEXT_CHARS}; "
            "shorten it or move the detail to a reference"] == problems


def test_long_text_on_the_command_line(tmp_path: Path) -> None:
    doc = _write(tmp_path, "title.json", _json(_with(("title",), "t" * 200_000)))
    assert_rejected(run_limited(["check", str(doc)]), "$.title: text of 200000 characters")


def test_an_odd_unknown_key_cannot_break_the_one_line_report() -> None:
    problems = _problems(_yaml(_with(("sponsor\nerror: fake",), 1)))
    assert 1 == len(problems) and problems[0].startswith('$["sponsor\\nerror: fake"]: unknown key; '), problems
