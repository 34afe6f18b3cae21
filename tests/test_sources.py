"""What a user reads cites the studies' own references, never a file of ours they do not have.

The shipped studies were built from source documents and literature notes that
stay with the project; a reader of a dump, a check report or a PDF protocol has
only the protocol's reference list and ``docs/sources.md``. So no user-facing
text may point at ``REFERENCE.md``, ``RISKS.md``, "seed 002" or a ``.py``
module, and ``docs/sources.md`` must account for every reference each study
lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from exports.pdf.content import build
from planner.checks import REGISTRY as CHECKS
from planner.checks import check
from planner.serialize import dump
from protocols import REGISTRY

ROOT = Path(__file__).parents[1]
IDS = list(REGISTRY)
FILE_CITATION = re.compile(r"REFERENCE\.md|RISKS\.md|seed 00\d|\.py\b", re.IGNORECASE)


def _citations(text: str) -> list[str]:
    """Each file citation in ``text``, with a little context to find it by."""
    return [text[max(m.start() - 40, 0):m.end() + 20] for m in FILE_CITATION.finditer(text)]


def _strings(obj: object) -> Iterator[str]:
    """Every string inside a tree of attrs instances, tuples, lists and dicts."""
    if isinstance(obj, str):
        yield obj
    elif attrs.has(type(obj)):
        for a in attrs.fields(type(obj)):
            yield from _strings(getattr(obj, a.name))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(obj, (tuple, list)):
        for v in obj:
            yield from _strings(v)


@pytest.mark.parametrize("pid", IDS)
def test_the_dumped_study_cites_no_project_file(pid: str) -> None:
    assert [] == _citations(dump(REGISTRY[pid]()))


@pytest.mark.parametrize("pid", IDS)
def test_check_findings_on_the_study_cite_no_project_file(pid: str) -> None:
    report = check(REGISTRY[pid]())
    assert [] == [(f.code, c) for f in report.findings for c in _citations(f"{f.message} | {f.hint}")]


def test_no_check_template_or_description_cites_a_project_file() -> None:
    # Templates cover findings the shipped studies do not raise; the description is docs/checks.md.
    found = [(c.code, hit) for c in CHECKS
             for hit in _citations(" | ".join((c.title, c.message, c.hint, c.description)))]
    assert [] == found


@pytest.mark.parametrize("pid", IDS)
def test_the_pdf_content_cites_no_project_file(pid: str) -> None:
    doc = build(REGISTRY[pid]())
    assert [] == [c for s in _strings(doc) for c in _citations(s)]


def test_the_sources_page_accounts_for_every_reference_of_every_shipped_study() -> None:
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    assert [] == _citations(text)
    missing = [(pid, r.key) for pid in IDS for r in REGISTRY[pid]().references if f"`{r.key}`" not in text]
    assert [] == missing
    assert [] == [pid for pid in IDS if f"`{pid}`" not in text]


def test_the_readme_links_the_sources_page() -> None:
    more = next(paragraph for paragraph in (ROOT / "README.md").read_text(encoding="utf-8").split("\n\n")
                if paragraph.startswith("More:"))
    assert "(docs/sources.md)" in more
