"""Hostile text in every output format: each format cleans or escapes text in one place (issue 19).

The protocols are the shipped studies with every text field evolved (control
characters, lone surrogates, U+FFFE/FFFF, Markdown and HTML, DOT escapes,
over-long text); a field the loader rightly refuses so changed (an
identifier, a rule, a unit) is left as shipped. Each output must then be a
valid file of its format that shows the text as written, as far as the
format can hold it.
"""

from __future__ import annotations

import copy
import csv
import html
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import attrs
import openpyxl
import pytest

import exports.xlsx as xlsx
from exports import dot
from exports.xlsx import text as xlsx_text
from planner import cleantext, serialize
from planner.checks import check
from planner.checks.engine import Area, Finding, Report, Severity
from planner.checks.markdown import escape, report_markdown
from planner.model import Protocol
from planner.participants import spreadsheet
from planner.serialize import LoadError
from protocols import REGISTRY
from tests.hostile.harness import ROOT, assert_clean, run_limited

CONTROL = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)))
"""Every character below U+0020 that XML 1.0 forbids."""
NONCHARS = "\ud800 lone high, lone low \udfff, pair \ud83d\ude00, \ufffe and \uffff"
"""Lone surrogates (JSON may carry them), a surrogate pair, and the two non-characters XML forbids."""
HOSTILE = (
    CONTROL,
    NONCHARS,
    "\n# Owned\n<script>alert(1)</script> <img src=x onerror=alert(1)>",
    "a | b ` c \\ d [x](javascript:alert(1)) ![i](http://e/x.png) &#60;b&#62; &amp;",
    '"quoted" back\\slash \\N \\l <b>bold</b>\r\nnext line',
    "=HYPERLINK(\"http://e\") " + "long " * 70,
)
"""Suffixes for text fields, one after another; the last makes every message pass Excel's limits."""


# -- generating hostile protocols ---------------------------------------------------------


def _leaves(data: Any, path: str = "$") -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _leaves(value, f"{path}[{i}]")
    elif isinstance(data, str):
        yield path


def _update(data: Any, path: str, change: Callable[[str], str]) -> None:
    steps = [key or int(index) for key, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path[1:])]
    for step in steps[:-1]:
        data = data[step]
    data[steps[-1]] = change(data[steps[-1]])


def evolve(protocol: Protocol, suffixes: tuple[str, ...]) -> Protocol:
    """``protocol`` with a hostile suffix on every text field the loader accepts one on."""
    data = serialize.unstructure(protocol)
    kept: set[str] = set()
    for _ in range(10):
        changed = copy.deepcopy(data)
        for n, path in enumerate(p for p in _leaves(data) if p not in kept):
            suffix = suffixes[n % len(suffixes)]
            _update(changed, path, lambda s, suffix=suffix: s + suffix)  # type: ignore[misc]
        try:
            return serialize.structure(changed)
        except LoadError as exc:
            refused = {line.split(":")[0] for line in exc.problems}
            assert refused - kept, exc.problems
            kept |= refused
    raise AssertionError("the loader kept refusing evolved fields")


@cache
def hostile(pid: str, variant: int) -> Protocol:
    """Shipped protocol ``pid`` with hostile text: variant 0 rotates all suffixes, 1.. each one alone."""
    suffixes = HOSTILE if variant == 0 else (HOSTILE[variant - 1],)
    return evolve(REGISTRY[pid](), suffixes)


CASES = [(pid, v) for pid in REGISTRY for v in (0, 1, 2)]


# -- XML parts ----------------------------------------------------------------------------


def assert_valid_workbook(data: bytes) -> openpyxl.Workbook:
    """Every XML part parses as XML 1.0, and openpyxl loads the workbook."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                try:
                    ElementTree.fromstring(z.read(name))
                except ElementTree.ParseError as exc:
                    raise AssertionError(f"{name}: {exc}") from None
    return openpyxl.load_workbook(io.BytesIO(data))


# -- 1. the CRF workbook ------------------------------------------------------------------


@pytest.mark.parametrize(("pid", "variant"), CASES)
def test_crf_with_hostile_text_is_a_valid_workbook(pid: str, variant: int) -> None:
    buf = io.BytesIO()
    xlsx.write(hostile(pid, variant), buf, participant_id=f"P{CONTROL}\ud800=1")
    wb = assert_valid_workbook(buf.getvalue())
    titles = [ws.title for ws in wb.worksheets]
    assert len({t.lower() for t in titles}) == len(titles)
    for title in titles:
        assert 1 <= cleantext.units(title) <= 31 and not re.search(r"[\\*?:/\[\]]", title), title
        assert title.lower() != "history" and not title.startswith("'") and not title.endswith("'")
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            for value, limit in ((dv.prompt, 255), (dv.error, 225), (dv.promptTitle, 32), (dv.errorTitle, 32)):
                assert value is None or cleantext.units(value) <= limit, (ws.title, value)


def test_crf_replaces_what_xml_cannot_hold_and_marks_what_it_cuts() -> None:
    buf = io.BytesIO()
    xlsx.write(hostile("ssc-digital-ulcer", 0), buf)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("\ufffd" in v for v in cells)  # replaced, not silently dropped
    assert any("\U0001f600" in v for v in cells)  # a surrogate pair is joined into its character
    buf = io.BytesIO()
    xlsx.write(hostile("ssc-digital-ulcer", len(HOSTILE)), buf)  # every field long
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    dvs = [dv for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    assert any(dv.prompt.endswith("…") and 255 == len(dv.prompt) for dv in dvs)


def test_one_cleaner_for_the_crf() -> None:
    every = CONTROL + "\udfff\ud800\ufffe\uffff"  # low before high: two lone surrogates
    assert "\ufffd" * len(every) == xlsx_text.clean(every)
    assert "a\U0001f600b" == xlsx_text.clean("a\ud83d\ude00b")
    assert "tab\tline\nreturn\r" == xlsx_text.clean("tab\tline\nreturn\r")
    assert "x" * 254 + "…" == xlsx_text.clean("x" * 300, xlsx_text.PROMPT_MAX)
    assert "x" * 31 + "…" == xlsx_text.clean("x\x01" * 40, xlsx_text.DV_TITLE_MAX).replace("\ufffd", "x")
    assert 255 == cleantext.units(xlsx_text.clean("\U0001f600" * 200, 255))  # Excel counts UTF-16 units
    assert '"a""\ufffd"' == xlsx_text.formula_string('a"\x01')
    assert "A && B\ufffd" == xlsx_text.header_text("A & B\x07")


# -- 5. one sheet-title rule set ----------------------------------------------------------

TITLES = ["History", "HISTORY", "", "   ", "'quoted'", "a[b]:c*d?e/f\\g", "x" * 40, "Screening", "SCREENING",
          "tab\tline\nbreak", "nul\x00bell\x07", "\ud800", "\U0001f600" * 20]


def test_both_workbooks_share_one_title_function() -> None:
    assert xlsx_text.clean_title is cleantext.clean_title and xlsx_text.TitleBook is cleantext.TitleBook
    assert not hasattr(spreadsheet, "clean_title")


def test_results_workbook_titles_follow_excel_rules() -> None:
    table = (("participant",), [("x",)])
    wb = assert_valid_workbook(spreadsheet.xlsx_bytes([(t, table) for t in TITLES]))
    titles = [ws.title for ws in wb.worksheets]
    book = cleantext.TitleBook()
    assert [book.take(t) for t in TITLES] == titles
    assert len({t.lower() for t in titles}) == len(titles)
    for title in titles:
        assert 1 <= cleantext.units(title) <= 31 and title.lower() != "history", title
        assert not re.search(r"[\\*?:/\[\]\x00-\x1f]", title), title


def test_results_workbook_cells_with_hostile_text() -> None:
    rows: list[tuple[object, ...]] = [(f"P{i}{s}", i, -3.5, s) for i, s in enumerate(HOSTILE)]
    rows += [("\ud800\ufffe\uffff", None, 2, "=1+1")]
    wb = assert_valid_workbook(spreadsheet.xlsx_bytes([("Screening", (("participant", "row", "value", "text"), rows))]))
    ws = wb.worksheets[0]
    assert -3.5 == ws.cell(2, 3).value and ws.cell(2, 3).data_type == "n"
    last = ws.cell(len(rows) + 1, 4)
    assert "=1+1" == last.value and "s" == last.data_type and last.quotePrefix


# -- 3. CSV -------------------------------------------------------------------------------

LEADS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = ("1+1", "HYPERLINK(\"http://e\",\"x\")", "cmd|' /C calc'!A0", "SUM(A1:A2)", "3.5", "")


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))


def test_csv_neutralises_text_that_a_spreadsheet_would_run() -> None:
    texts = [lead + payload for lead in LEADS for payload in PAYLOADS]
    numbers: list[object] = [-3.5, -1, 0, 2, 1e-9, -2.5e10]
    plain = ["ordinary", "a=b", "x-1", " =leading space", "'already", "", "ünïcode"]
    rows: list[tuple[object, ...]] = [(t, n, p) for t, n, p in zip(texts, numbers * 6, plain * 6, strict=False)]
    header = ("text", "number", "plain")
    back = _csv_rows(spreadsheet.csv_bytes((header, rows)))
    assert list(header) == back[0]
    for (t, n, p), got in zip(rows, back[1:], strict=True):
        assert ["'" + str(t), str(n), p] == got


def test_csv_keeps_numbers_and_blank_cells() -> None:
    rows: list[tuple[object, ...]] = [(-3.5, None, True, -7)]
    assert [["-3.5", "", "True", "-7"]] == _csv_rows(spreadsheet.csv_bytes((("a", "b", "c", "d"), rows)))[1:]


def test_csv_is_valid_utf8_with_lone_surrogates() -> None:
    back = _csv_rows(spreadsheet.csv_bytes((("a",), [("x\ud800y",), ("\udfff=1",)])))
    assert [["x\ufffdy"], ["\ufffd=1"]] == back[1:]


def _candidates(tmp: Path, ids: list[str]) -> Path:
    rows = list(csv.reader((ROOT / "docs/examples/candidates-dbt.csv").open(newline="", encoding="utf-8")))
    out = [rows[0]] + [[pid, *rows[1 + i % (len(rows) - 1)][1:]] for i, pid in enumerate(ids)]
    path = tmp / "candidates.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(out)
    return path


def test_screen_csv_output_neutralises_formula_ids(tmp_path: Path) -> None:
    ids = ['=HYPERLINK("http://e","y")', "+SUM(1,2)", "-2+3", "@SUM(A1)", "ordinary"]
    out = tmp_path / "out.csv"
    outcome = run_limited(["screen", "dbt-refractory", str(_candidates(tmp_path, ids)), "-o", str(out)])
    assert_clean(outcome)
    got = [row[0] for row in _csv_rows(out.read_bytes())[1:]]
    assert ["'" + i for i in ids[:-1]] + ["ordinary"] == got


def test_monitor_csv_output_neutralises_formula_ids(tmp_path: Path) -> None:
    rows = list(csv.reader((ROOT / "docs/examples/observations-dbt.csv").open(newline="", encoding="utf-8")))
    leads = ["=1+1", "@A1", "+A2", "-A3+1"]
    originals = sorted({r[0] for r in rows[1:]})
    ids = {pid: f"{leads[i % len(leads)]}-{i}" for i, pid in enumerate(originals)}
    source = tmp_path / "obs.csv"
    with source.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([rows[0]] + [[ids[r[0]], *r[1:]] for r in rows[1:]])
    out = tmp_path / "out.csv"
    assert_clean(run_limited(["monitor", "dbt-refractory", str(source), "-o", str(out)]))
    got = {row[0] for row in _csv_rows(out.read_bytes())[1:]}
    assert {"'" + i for i in ids.values()} == got


# -- the CLI on a hostile protocol file ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "dot"])
def test_export_of_a_hostile_protocol_file(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "hostile.json"  # ASCII JSON carries control characters and lone surrogates as escapes
    source.write_text(json.dumps(serialize.unstructure(hostile("dbt-refractory", 0))), encoding="ascii")
    assert_clean(run_limited(["export", str(source), "--to", fmt, "-o", str(tmp_path / "out")], seconds=10))
    (written,) = (tmp_path / "out").glob(f"*.{fmt}")
    if fmt == "xlsx":
        assert_valid_workbook(written.read_bytes())
    else:
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", written.read_text(encoding="utf-8"))


# -- 2. the Markdown check report ---------------------------------------------------------

TITLES_MD = [
    "Title\n# Owned",
    "Title\r\n## Owned\r\n",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "# Heading first",
    "> quoted",
    "- listed",
    "1. numbered",
    "---",
    "[r]: http://evil.example",
    "x [link](javascript:alert(1)) ![img](http://e/x.png)",
    "a | b | c",
    "`code` and \\` and \\",
    "<!-- comment --> <http://autolink.example>",
    "&lt;script&gt; &#60;b&#62;",
    "\ud800 lone",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.comments: list[str] = []
        self.paragraphs: list[str] = []
        self._in_p = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "p":
            self._in_p = True
            self.paragraphs.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_p = self._in_p and tag != "p"

    def handle_data(self, data: str) -> None:
        if self._in_p:
            self.paragraphs[-1] += data

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


_SAFE_TAGS = {"h1", "p", "strong", "table", "thead", "tbody", "tr", "th", "td", "code"}


def _render(text: str) -> _Tags:
    markdown = pytest.importorskip("markdown")
    parser = _Tags()
    parser.feed(markdown.markdown(text, extensions=["tables"]))
    return parser


def _shown(text: str) -> str:
    return " ".join(cleantext.encodable(text).split())


def _hostile_findings(texts: list[str]) -> tuple[Finding, ...]:
    return tuple(Finding(f"X{n:03}", Severity.WARNING, Area.DESIGN, f"$.x['{t}']", t, t) for n, t in enumerate(texts))


@pytest.mark.parametrize("title", TITLES_MD)
def test_markdown_report_shows_hostile_text_and_adds_no_markup(title: str) -> None:
    protocol = attrs.evolve(REGISTRY["cia-tnf-tof-igu"](), title=title)
    findings = _hostile_findings(TITLES_MD)
    page = _render(report_markdown(protocol, Report(protocol.id, protocol.version, findings)))
    assert set(page.tags) <= _SAFE_TAGS, page.tags
    assert 1 == page.tags.count("h1") and not page.comments
    assert 1 + len(findings) == page.tags.count("tr")
    assert 5 * len(findings) == page.tags.count("td")
    assert _shown(title) == " ".join(page.paragraphs[0].split())


def test_markdown_escape_leaves_ordinary_text_unchanged() -> None:
    for build in REGISTRY.values():
        protocol = build()
        report = check(protocol)
        for text in (protocol.id, protocol.version, protocol.title,
                     *(t for f in report.findings for t in (f.code, f.message, f.hint))):
            assert text == escape(text)
        assert all(f"`{f.path}`" == escape(f.path, code=True) for f in report.findings)


def test_markdown_code_span_survives_backticks() -> None:
    page = _render(f"x {escape('a`b``c|d', code=True)} y")
    assert ["p", "code"] == page.tags


# -- 4. DOT -------------------------------------------------------------------------------

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_LABEL = re.compile(r'\blabel="((?:[^"\\]|\\.)*)"')


def _graphviz_shows(body: str) -> str:
    """What Graphviz shows for a quoted label: DOT's ``\\"``, the label escapes, then HTML entities."""
    text = re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nlr" else m[1], body)
    return html.unescape(text)


def _dot_expected(text: str) -> str:
    # label() wraps at word boundaries: compare without white space.
    return "".join(cleantext.xml_chars(text).split())


@pytest.mark.parametrize(("pid", "variant"), [c for c in CASES if REGISTRY[c[0]]().pathways])
def test_dot_labels_show_hostile_text_as_written(pid: str, variant: int) -> None:
    protocol = hostile(pid, variant)
    out = dot.export_dot(protocol).decode("utf-8")
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", out)
    for line in out.splitlines():  # every string closes on its line: nothing leaks into the statement
        assert line.lstrip().startswith("//") or '"' not in _STRING.sub("", line), line
    wanted = {_dot_expected(pw.title) for pw in protocol.pathways}
    wanted |= {_dot_expected(n.label) for pw in protocol.pathways for n in pw.nodes}
    wanted |= {_dot_expected(e.label) for pw in protocol.pathways for e in pw.edges if e.label}
    shown = {"".join(_graphviz_shows(m[1]).split()) for m in _LABEL.finditer(out)}
    assert wanted == shown


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("pid", [pid for pid in REGISTRY if REGISTRY[pid]().pathways])
def test_graphviz_renders_hostile_labels_as_valid_svg(pid: str) -> None:
    done = subprocess.run(["dot", "-Tsvg"], input=dot.export_dot(hostile(pid, 0)), capture_output=True,
                          check=False, timeout=60)
    assert 0 == done.returncode, done.stderr.decode()
    svg = ElementTree.fromstring(done.stdout)
    texts = "".join("".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")).split())
    for written in ("&#60;b&#62;", "&amp;", "<b>bold</b>", '"quoted" back\\slash \\N \\l', "\ufffd"):
        assert "".join(written.split()) in texts


def test_a_crf_whose_version_holds_control_characters_reads_back() -> None:
    """The workbook stores the version as its text gate cleaned it; read-back compares it the same way."""
    import io

    import attrs

    from exports.xlsx import write
    from exports.xlsx.read import read_crf
    from protocols import REGISTRY

    protocol = attrs.evolve(REGISTRY["ssc-digital-ulcer"](), version="1.0\x01\x1b draft")
    buffer = io.BytesIO()
    write(protocol, buffer)
    report = read_crf(protocol, buffer.getvalue())
    assert report is not None
