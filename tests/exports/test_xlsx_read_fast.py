"""The fast reader of filled CRFs gives exactly what openpyxl's read-only reader gives, or leaves the workbook to it.

Each test reads the same workbook with ``CrfReader(engine="fast")`` (the fast
reader alone: a workbook it does not handle raises ``Unsupported``) and with
``engine="openpyxl"``, and compares the entered values with their types and
the reports. Workbooks are the filled CRFs of test_xlsx_read.py, edited with
openpyxl (dates as raw serial numbers, the 1904 epoch, duration formats,
formulas) or part by part in the zip package (shared strings, rich text,
namespace prefixes, comments, other encodings, unusual cell references), and,
when LibreOffice is installed, re-saved by LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from test_xlsx_read import DAY0, blank, correct_filling, filled_correctly, planted_dbt

from exports.xlsx import plan
from exports.xlsx.fastread import Unsupported
from exports.xlsx.fill import DATE, fill
from exports.xlsx.read import CrfReader, Unreadable, read_crf
from exports.xlsx.results import Entries
from exports.xlsx.xmlparts import PLAIN, QUALIFIED, parse_cells
from planner.model import Protocol
from protocols import REGISTRY

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def typed(entries: Entries) -> dict[str, Any]:
    """Every entered value with its type and coordinate (``1 == 1.0 == True`` would hide a difference)."""
    def cell(c: Any) -> tuple[Any, str, str]:
        return c.value, type(c.value).__name__, c.coordinate

    return {
        "cover": {k: cell(c) for k, c in entries.cover.items()},
        "answers": {k: cell(c) for k, c in entries.answers.items()},
        "forms": {f: {v: {n: cell(c) for n, c in cells.items()} for v, cells in by.items()}
                  for f, by in entries.forms.items()},
        "logs": {f: [(row, {n: cell(c) for n, c in rec.items()}) for row, rec in recs]
                 for f, recs in entries.logs.items()},
        "metadata": entries.metadata,
    }


def same_both_ways(protocol: Protocol, data: bytes) -> Entries:
    """Read ``data`` with each reader (the fast one may not fall back); both must agree. Returns the entries."""
    fast, slow = CrfReader(protocol, engine="fast"), CrfReader(protocol, engine="openpyxl")
    entries = fast.entries(data)
    assert typed(entries) == typed(slow.entries(data))
    assert fast.read(data) == slow.read(data)
    assert {"fast": 2} == fast.used
    return entries


def falls_back(protocol: Protocol, data: bytes) -> None:
    """The fast reader declines ``data``; the default reader then gives openpyxl's report."""
    with pytest.raises(Unsupported):
        CrfReader(protocol, engine="fast").read(data)
    auto = CrfReader(protocol)
    assert auto.read(data) == CrfReader(protocol, engine="openpyxl").read(data)
    assert {"openpyxl": 1} == auto.used


def edited(data: bytes, values: dict[tuple[str, int, int], Any], *, formats: dict[tuple[str, int, int], str] | None
           = None, epoch: dt.datetime | None = None) -> bytes:
    """``data`` with cell values (and number formats, or the workbook's epoch) set through openpyxl."""
    wb = load_workbook(io.BytesIO(data))
    for (title, row, col), value in values.items():
        wb[title].cell(row, col).value = value
    for (title, row, col), code in (formats or {}).items():
        wb[title].cell(row, col).number_format = code
    if epoch is not None:
        wb.epoch = epoch
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_part(data: bytes, title: str) -> str:
    """The part of a sheet in a workbook saved by openpyxl (``xl/worksheets/sheetN.xml``, in workbook order)."""
    return f"xl/worksheets/sheet{load_workbook(io.BytesIO(data), read_only=True).sheetnames.index(title) + 1}.xml"


def rewritten(data: bytes, edits: dict[str, Callable[[bytes], bytes]]) -> bytes:
    """``data`` with some of its parts rewritten (a part not there yet is created from ``b""``)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist() + [n for n in edits if n not in source.namelist()]
        for name in names:
            part = source.read(name) if name in source.namelist() else b""
            target.writestr(name, edits[name](part) if name in edits else part)
    return out.getvalue()


def with_cell(ref: str, xml: str) -> Callable[[bytes], bytes]:
    """A part edit replacing cell ``ref`` by ``xml``."""
    def edit(part: bytes) -> bytes:
        new, n = re.subn(rb'<c r="' + ref.encode() + rb'"(?:\s[^>]*?)?(?:/>|>.*?</c>)', xml.encode(), part,
                         count=1, flags=re.S)
        assert n == 1, ref
        return new
    return edit


def place(protocol: Protocol, name: str, visit: str) -> tuple[str, int, int]:
    found = plan(protocol).item_cell(name, visit)
    assert found is not None
    return found


# -- the shipped studies, correct and with planted errors ----------------------------------------


@pytest.mark.parametrize("pid", list(REGISTRY))
def test_filled_crfs_read_the_same_with_both_readers(pid):
    same_both_ways(REGISTRY[pid](), filled_correctly(pid))


def test_planted_errors_read_the_same_with_both_readers():
    protocol, data = planted_dbt()
    same_both_ways(protocol, data)


def test_one_reader_reads_many_workbooks_as_each_alone_and_read_crf_is_the_same():
    """A reader keeps what workbooks share (package structure, where rows end): it must not carry values over."""
    protocol, planted = planted_dbt()
    books = [filled_correctly("dbt-refractory"), planted, blank("dbt-refractory"), filled_correctly("dbt-refractory")]
    reader = CrfReader(protocol)
    assert [reader.read(b) for b in books] == [CrfReader(protocol, engine="openpyxl").read(b) for b in books]
    assert {"fast": 4} == reader.used
    assert read_crf(protocol, planted) == reader.read(io.BytesIO(planted))  # a stream reads like bytes


# -- dates and numbers ---------------------------------------------------------------------------


def test_dates_are_serial_numbers_converted_as_openpyxl_converts_them():
    """1900 epoch with Excel's leap-year quirk: serial 60 is the non-existent 29 February 1900."""
    protocol = REGISTRY["dbt-refractory"]()
    labs = plan(protocol).sheet_of("lb")
    assert labs is not None
    serials = dict(zip([c.key for c in labs.columns], [1, 59, 60, 61, 45000.75], strict=False))
    assert 5 == len(serials)
    dates = {(labs.title, 7, c.col): serials[c.key] for c in labs.columns}  # row 7: the date of assessment
    entries = same_both_ways(protocol, edited(filled_correctly("dbt-refractory"), dates))
    read = [entries.forms["lb"][key][DATE].value for key in serials]
    assert [dt.datetime(1900, 1, 1), dt.datetime(1900, 2, 28), dt.datetime(1900, 2, 28),  # 60: as openpyxl reads it
            dt.datetime(1900, 3, 1), dt.datetime(2023, 3, 15, 18, 0)] == read


def test_dates_of_a_1904_workbook_and_durations_and_numbers_in_date_cells():
    protocol = REGISTRY["dbt-refractory"]()
    day0 = ("Cover", 15, 2)
    age = place(protocol, "age", "screening")
    tjc = place(protocol, "tjc28", "baseline")
    data = edited(filled_correctly("dbt-refractory"), {day0: 0.5, age: 1.5, tjc: 3},
                  formats={age: "[h]:mm:ss", tjc: "yyyy-mm-dd"}, epoch=CALENDAR_MAC_1904)
    entries = same_both_ways(protocol, data)
    assert dt.time(12, 0) == entries.cover["anchor"].value  # under one day: a time of day, as openpyxl reads it
    assert dt.timedelta(days=1.5) == entries.forms["dm"]["screening"]["age"].value
    assert dt.datetime(1904, 1, 4) == entries.forms["das28"]["baseline"]["tjc28"].value


def test_a_serial_number_beyond_any_date_is_left_to_openpyxl():
    protocol = REGISTRY["cia-tnf-tof-igu"]()
    with pytest.warns(UserWarning, match="outside the limits for dates"):
        falls_back(protocol, edited(filled_correctly("cia-tnf-tof-igu"), {("Cover", 15, 2): 10 ** 7}))


def test_numbers_booleans_errors_and_text_cells():
    protocol = REGISTRY["dbt-refractory"]()
    data = filled_correctly("dbt-refractory")
    title, row, col = place(protocol, "tjc28", "baseline")
    ref = f"{get_column_letter(col)}{row}"
    for xml, value in [(f'<c r="{ref}" s="5"><v>1.5E1</v></c>', 15.0), (f'<c r="{ref}" t="b"><v>1</v></c>', True),
                       (f'<c r="{ref}" t="e"><v>#N/A</v></c>', "#N/A"), (f'<c r="{ref}" t="str"><v>7</v></c>', "7"),
                       (f'<c r="{ref}" s=""><v>12</v></c>', 12), (f'<c r="{ref}" t="n"><v></v></c>', None)]:
        entries = same_both_ways(protocol, rewritten(data, {sheet_part(data, title): with_cell(ref, xml)}))
        cell = entries.forms["das28"]["baseline"].get("tjc28")
        assert value == (cell.value if cell else None)
        assert type(value) is type(cell.value if cell else None)


# -- strings --------------------------------------------------------------------------------------


def test_inline_rich_text_joins_its_runs_and_leaves_out_phonetic_text():
    protocol = REGISTRY["dbt-refractory"]()
    data = filled_correctly("dbt-refractory")
    title, row, col = place(protocol, "sex", "screening")
    ref = f"{get_column_letter(col)}{row}"
    xml = (f'<c r="{ref}" t="inlineStr"><is><r><t>M</t></r><r><rPr><b/></rPr><t xml:space="preserve">ale </t></r>'
           f'<rPh sb="0" eb="1"><t>x</t></rPh></is></c>')
    entries = same_both_ways(protocol, rewritten(data, {sheet_part(data, title): with_cell(ref, xml)}))
    assert "Male " == entries.forms["dm"]["screening"]["sex"].value


def test_shared_strings_as_openpyxl_reads_them():
    protocol = REGISTRY["dbt-refractory"]()
    data = filled_correctly("dbt-refractory")
    sex, diagnosis = place(protocol, "sex", "screening"), place(protocol, "diagnosis", "screening")
    strings = (b'<sst xmlns="' + MAIN + b'" count="3" uniqueCount="3"><si><t>F</t></si>'
               b'<si><r><t>R</t></r><r><rPr><i/></rPr><t>A</t></r></si><si><t>a_x005F_x000D_b</t></si></sst>')

    def manifest(part: bytes) -> bytes:
        override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
        return part.replace(b"</Types>", override.encode() + b"</Types>")

    def cell(at: tuple[str, int, int], index: int) -> Callable[[bytes], bytes]:
        ref = f"{get_column_letter(at[2])}{at[1]}"
        return with_cell(ref, f'<c r="{ref}" t="s"><v>{index}</v></c>')

    site = '<c r="B13" t="s"><v>2</v></c>'
    book = rewritten(data, {"[Content_Types].xml": manifest, "xl/sharedStrings.xml": lambda _: strings,
                            sheet_part(data, sex[0]): cell(sex, 0), sheet_part(data, diagnosis[0]): cell(diagnosis, 1),
                            sheet_part(data, "Cover"): with_cell("B13", site)})
    entries = same_both_ways(protocol, book)
    assert "F" == entries.forms["dm"]["screening"]["sex"].value
    assert "RA" == entries.forms["dx"]["screening"]["diagnosis"].value
    assert "a_x000D_b" == entries.cover["site"].value


# -- parts written as other programs write them ----------------------------------------------------


def test_sheet_parts_written_other_ways_read_the_same():
    """Prefixed tags, a comment, attributes in other namespaces, another encoding, a repeated row number."""
    protocol = REGISTRY["dbt-refractory"]()
    filling = attrs.evolve(correct_filling("dbt-refractory"), site="Hôpital Saint-Éloi – Montpellier")
    data = fill(blank("dbt-refractory"), plan(protocol), filling)
    cover, labs = sheet_part(data, "Cover"), sheet_part(data, "Safety laboratory")

    def prefixed(part: bytes) -> bytes:
        part = part.replace(b'xmlns="' + MAIN + b'"', b'xmlns:x="' + MAIN + b'"', 1)
        return re.sub(rb"<(/?)(?!x:)([A-Za-z]\w*)", rb"<\1x:\2", part)

    def commented(part: bytes) -> bytes:
        return part.replace(b"<sheetData>", b"<!-- </sheetData> --><sheetData>", 1)

    def excel_rows(part: bytes) -> bytes:
        ns = b' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"'
        part = part.replace(b"<worksheet ", b"<worksheet" + ns + b" ", 1)
        return part.replace(b"<row ", b'<row x14ac:dyDescent="0.25" ')

    def latin1(part: bytes) -> bytes:
        text = part.decode("utf-8")
        return b'<?xml version="1.0" encoding="ISO-8859-1"?>\n' + text.encode("latin-1", "xmlcharrefreplace")

    def repeated_row(part: bytes) -> bytes:  # a second row 12: openpyxl takes the first
        first = re.search(rb'<row r="12".*?</row>', part, flags=re.S)
        assert first is not None
        return part.replace(first.group(0), first.group(0) + first.group(0).replace(b">100<", b">1<"), 1)

    for edit in (prefixed, commented, excel_rows, latin1, repeated_row):
        book = rewritten(data, {cover: edit, labs: edit})
        entries = same_both_ways(protocol, book)
        assert "Hôpital Saint-Éloi – Montpellier" == entries.cover["site"].value, edit.__name__


def test_the_cell_data_is_parsed_alone_when_that_is_safe():
    data = filled_correctly("cia-tnf-tof-igu")
    part = zipfile.ZipFile(io.BytesIO(data)).read(sheet_part(data, "Cover"))
    cells, names = parse_cells(part)
    assert names is PLAIN and cells is not None and cells.tag == "sheetData"
    cells, names = parse_cells(part.replace(b"<sheetData>", b"<!-- x --><sheetData>"))
    assert names is QUALIFIED and cells is not None
    early, _ = parse_cells(part, last_row=15)
    assert early is not None and len(early) < len(cells)


# -- what the fast reader leaves to openpyxl --------------------------------------------------------


def test_formulas_and_unusual_references_in_entry_cells_are_left_to_openpyxl():
    protocol = REGISTRY["dbt-refractory"]()
    data = filled_correctly("dbt-refractory")
    title, row, col = place(protocol, "tjc28", "baseline")
    falls_back(protocol, edited(data, {(title, row, col): "=2+2"}))
    ref = f"{get_column_letter(col)}{row}"
    part = sheet_part(data, title)
    falls_back(protocol, rewritten(data, {part: with_cell(ref, f'<c r="{ref[0]}0{row}"><v>9</v></c>')}))
    falls_back(protocol, rewritten(data, {part: with_cell(ref, '<c><v>9</v></c>')}))
    falls_back(protocol, rewritten(data, {part: with_cell(ref, f'<c r="{ref}" t="d"><v>2026-01-05</v></c>')}))


def test_damaged_files_are_unreadable_with_the_same_message():
    data = blank("cia-tnf-tof-igu")
    protocol = REGISTRY["cia-tnf-tof-igu"]()
    for damaged in (data[: len(data) // 2], b"name,value\nanc,3\n"):
        messages = []
        for engine in ("fast", "openpyxl", "auto"):
            with pytest.raises(Unreadable) as caught:
                CrfReader(protocol, engine=engine).read(damaged)
            messages.append(str(caught.value))
        assert len(set(messages)) == 1, messages


# -- LibreOffice --------------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: cannot re-save a CRF with it")
def test_a_crf_resaved_by_libreoffice_is_read_by_the_fast_reader_the_same(tmp_path):
    """LibreOffice writes shared strings, relative part names, XML declarations and its own styles."""
    protocol, planted = planted_dbt()
    later = edited(planted, {("Cover", 15, 2): DAY0 + dt.timedelta(days=1)})
    src, out, profile = tmp_path / "src", tmp_path / "out", tmp_path / "profile"
    src.mkdir()
    (src / "planted.xlsx").write_bytes(later)
    assert SOFFICE is not None
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--calc",
                           "--convert-to", "xlsx", "--outdir", str(out), str(src / "planted.xlsx")],
                          capture_output=True, text=True, timeout=240)
    assert 0 == proc.returncode, proc.stderr
    resaved = (out / "planted.xlsx").read_bytes()
    assert b"xl/sharedStrings.xml" in resaved
    entries = same_both_ways(protocol, resaved)
    assert dt.datetime.combine(DAY0 + dt.timedelta(days=1), dt.time()) == entries.cover["anchor"].value
    assert {f.code for f in read_crf(protocol, resaved).findings} == {f.code for f in read_crf(protocol, later).findings}
