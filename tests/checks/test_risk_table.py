"""The risk table holds to the sourced risk reference it was read from, row by row.

Each row of ``planner/checks/data/risks.yaml`` names its section and the start
of its row in the reference (``shared/domain/RISKS.md``, beside the checkout);
its source ids must all be in that row's source cell, every number of its limits
in the row's text, and each source's grade as the register gives it. Changing
a threshold or a source id alone makes :func:`problems` report it.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from planner.checks.risks import Limit, Risk, RiskTable, RiskTableError, load, table

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "domain" / "RISKS.md"
_ID = re.compile(r"\b([A-Z])(\d{1,2})\b")
_RANGE = re.compile(r"\b([A-Z])(\d{1,2})\s*[–-]\s*\1?(\d{1,2})\b")


def _text() -> str:
    if not REFERENCE.exists():
        pytest.skip(f"the risk reference is not beside this checkout ({REFERENCE})")
    return REFERENCE.read_text(encoding="utf-8")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def sections(text: str) -> dict[str, list[list[str]]]:
    """Table rows (as cells) by section heading."""
    out: dict[str, list[list[str]]] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            out[current] = []
        elif line.startswith("|") and current and not set(line) <= set("|-: "):
            out[current].append(_cells(line))
    return out


def ids(cell: str) -> set[str]:
    """Source ids of a cell, ranges such as ``S9–S12`` expanded."""
    found = {f"{a}{n}" for a, n in _ID.findall(cell)}
    for letter, low, high in _RANGE.findall(cell):
        found |= {f"{letter}{n}" for n in range(int(low), int(high) + 1)}
    return found


def _normal(text: str) -> str:
    return re.sub(r"(?<=\d)[,\u202f ](?=\d{3}\b)", "", text)


def _row(rows: dict[str, list[list[str]]], section: str, start: str) -> list[str] | None:
    heading = next((h for h in rows if h.startswith(section)), None)
    if heading is None:
        return None
    return next((r for r in rows[heading] if r[0].replace("**", "").startswith(start.replace("**", ""))), None)


def _limit_numbers(limit: Limit) -> list[float]:
    return [v for v in (limit.below, limit.above, limit.above_uln) if v is not None]


def _risk_problems(t: RiskTable, rows: dict[str, list[list[str]]], section: str, where: str, r: Risk) -> list[str]:
    row = _row(rows, section, r.row)
    if row is None and not r.found:
        row = _row(rows, "12. Coverage summary", r.row)
        return [] if row is not None and "✘" in " ".join(row) else [f"{where}: no NOT FOUND row '{r.row}'"]
    if row is None:
        return [f"{where}: no row starting '{r.row}' in section '{section}'"]
    out = [f"{where}: source {i} is not in the row's sources" for i in r.sources if i not in ids(row[-1])]
    if not r.found and not re.search(r"NOT (FOUND|READ)", " ".join(row)):
        out.append(f"{where}: marked not found, but the row says it was found")
    text = _normal(" ".join(row))
    for limit in r.limits:
        out.extend(f"{where}: limit value {v:g} is not in the row" for v in _limit_numbers(limit)
                   if not re.search(rf"(?<![\d.]){re.escape(f'{v:g}')}(?![\d])", text))
    return out


def problems(t: RiskTable, text: str) -> list[str]:
    """Every way the table departs from the reference ``text``."""
    rows = sections(text)
    register = {r[0]: r[2] for h, rs in rows.items() if h.startswith("Source register") for r in rs if len(r) >= 3}
    out = [f"source {i}: grade {s.grade.value}, the register says {register.get(i)}"
           for i, s in t.sources.items() if register.get(i) != s.grade.value]
    for m, entry in t.classes.items():
        for r in entry.risks:
            out.extend(_risk_problems(t, rows, entry.section, f"{m.value}.{r.key}", r))
    for w in t.warnings:
        row = _row(rows, w.section, w.row)
        out.extend([f"warning {w.id}: no row '{w.row}'"] if row is None else
                   [f"warning {w.id}: source {i} is not in the row" for i in w.sources if i not in ids(row[-1])])
    for c in t.contraindications:
        row = _row(rows, c.section, c.row)
        out.extend([f"contraindication {c.id}: no row '{c.row}'"] if row is None else
                   [f"contraindication {c.id}: source {i} is not in the row" for i in c.sources
                    if i not in ids(row[-1])])
    return out


def test_every_row_holds_to_the_reference() -> None:
    assert [] == problems(table(), _text())


def test_every_drug_class_section_of_the_reference_is_in_the_table() -> None:
    numbered = {h.split(".")[0] for h in sections(_text()) if re.match(r"\d+\. ", h)}
    covered = {e.section.split(".")[0] for e in table().classes.values()}
    assert {str(n) for n in range(1, 11)} <= numbered
    assert {str(n) for n in range(1, 11)} == covered


def test_a_threshold_changed_alone_is_caught() -> None:
    t = table()
    m = next(m for m, e in t.classes.items() if any(r.key == "neutropenia" and r.limits for r in e.risks))
    entry = t.classes[m]
    risks = tuple(attrs.evolve(r, limits=(attrs.evolve(r.limits[0], below=750.0), *r.limits[1:]))
                  if r.key == "neutropenia" else r for r in entry.risks)
    changed = attrs.evolve(t, classes={**t.classes, m: attrs.evolve(entry, risks=risks)})
    assert any("limit value 750" in p for p in problems(changed, _text()))


def test_a_source_changed_alone_is_caught() -> None:
    t = table()
    m, entry = next(iter(t.classes.items()))
    first = attrs.evolve(entry.risks[0], sources=("T1",))
    changed = attrs.evolve(t, classes={**t.classes, m: attrs.evolve(entry, risks=(first, *entry.risks[1:]))})
    assert any("source T1 is not in the row" in p for p in problems(changed, _text()))


def test_the_loader_refuses_unknown_keys_and_unregistered_sources() -> None:
    data = {"labels": {"x": "x"}, "sources": {"Q1": {"grade": "L", "document": "d"}},
            "classes": {"JAK inhibitor": {"section": "1", "risks": [
                {"key": "x", "need": "rule", "row": "r", "text": "t", "sources": ["Q2"], "treshold": 1}]}}}
    with pytest.raises(RiskTableError, match="treshold"):
        load(data)
    del data["classes"]["JAK inhibitor"]["risks"][0]["treshold"]  # type: ignore[index]
    with pytest.raises(RiskTableError, match="source 'Q2' is not in the register"):
        load(data)


def test_a_finding_says_when_a_risk_rests_only_on_monographs() -> None:
    t = table()
    assert "label text" == t.basis(("S1", "S2"))
    assert t.basis(("K1", "K2")).startswith("only a monograph")
