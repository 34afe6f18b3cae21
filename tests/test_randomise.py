"""Allocation lists: the stream, the golden lists, balance, strata, ratios, the blinded list and the command."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from exports import allocation as tables
from exports.envelopes import envelopes
from planner.allocation import (
    AllocationError,
    Choices,
    Draws,
    Method,
    balance,
    generate,
    plan,
)
from planner.cli import main
from planner.model import Protocol, Randomisation, RandomisationMethod
from protocols import REGISTRY

BLOCKS, STRATIFIED = RandomisationMethod.PERMUTED_BLOCK, RandomisationMethod.STRATIFIED_BLOCK


def two_arm(method: RandomisationMethod = BLOCKS, *, ratios: tuple[int, int] = (1, 1), **kwargs: object) -> Protocol:
    """dbt-refractory (two arms) with a randomisation stated in full, for tests."""
    p = REGISTRY["dbt-refractory"]()
    arms = tuple(attrs.evolve(a, allocation_ratio=r) for a, r in zip(p.arms, ratios, strict=True))
    return attrs.evolve(p, arms=arms, randomisation=Randomisation(method, "Test randomisation.", **kwargs))


# -- the stream ----------------------------------------------------------------------


def test_a_word_is_the_sha256_of_the_documented_text():
    text = '["protocol-planner/allocation/v1",1,"x",0]'
    expected = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    assert expected == Draws(1, ("x",)).word()
    assert 3993354162037842851 == expected  # computed once; pins hashlib and the text format


@given(st.integers(1, 50), st.integers(0, 2**40))
def test_below_stays_below(k, seed):
    assert 0 <= Draws(seed, ("t",)).below(k) < k


def test_shuffles_are_uniform_over_many_seeds():
    """The six orders of a block AABB over 1 200 seeds: chi-square with 5 df below 20.52 (α = 0.001)."""
    counts = Counter(tuple(Draws(seed, ("t",)).shuffled("AABB")) for seed in range(1200))
    assert 6 == len(counts)
    expected = 1200 / 6
    chi2 = sum((c - expected) ** 2 / expected for c in counts.values())
    assert chi2 < 20.52


# -- golden lists --------------------------------------------------------------------


def test_golden_list_permuted_blocks_of_four():
    """Seed 20260101, blocks of 4, two arms. Checked by hand: each block of four has two of each arm."""
    a = generate(plan(two_arm(block_size=4, seed=20260101), Choices(n=12)))
    t, b = "tnf_il17_23", "biologic_jak"
    assert [b, t, b, t, b, t, t, b, b, t, b, t] == [x.share.arm_id for x in a.assignments]
    assert [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3] == [x.block for x in a.assignments]


def test_golden_list_rats_by_cage():
    """The shipped rat study, cages of five (cage size given, as the protocol leaves it open), seed 2026.

    Checked by hand: each cage holds one rat of each of the five groups.
    """
    p = plan(REGISTRY["cia-tnf-tof-igu"](), Choices(Method.BLOCKS, 2026, None, (5,), "cage"))
    a = generate(p)
    first_two_cages = ["igu", "model", "tof", "normal", "tof_igu", "tof_igu", "normal", "model", "tof", "igu"]
    assert first_two_cages == [x.share.arm_id for x in a.assignments[:10]]
    assert ("A12", "A17", "A05", "A24", "A07") == a.processing_order[:5]
    assert 40 == len(a.assignments) and 8 == a.assignments[-1].block
    assert sorted(a.processing_order) == sorted(a.assessment_order) == [x.code for x in a.assignments]


# -- balance, strata and ratios ------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(ratios=st.tuples(st.integers(1, 3), st.integers(1, 3)), sizes=st.lists(st.integers(1, 3), min_size=1,
       max_size=3, unique=True), blocks=st.integers(1, 6), seed=st.integers(0, 10**15))
def test_every_complete_block_is_exactly_in_ratio(ratios, sizes, blocks, seed):
    unit = sum(ratios)
    block_sizes = tuple(unit * s for s in sizes)
    p = two_arm(ratios=ratios, block_sizes=block_sizes, seed=seed)
    n = unit * blocks * (1 if len(sizes) > 1 else sizes[0])
    a = generate(plan(p, Choices(n=n)))
    rows = balance(a)
    assert all(r.balanced for r in rows)
    assert len(a.assignments) >= n
    per_block = Counter(x.block for x in a.assignments)
    assert all(size in block_sizes for size in per_block.values())


def test_stratified_lists_one_per_combination_each_balanced():
    p = two_arm(STRATIFIED, block_size=4, strata=("sex", "diagnosis"), seed=7)
    a = generate(plan(p, Choices(n=8)))
    assert 6 * 8 == len(a.assignments)
    assert list(range(1, 49)) == [x.sequence for x in a.assignments]
    by_stratum = Counter(x.stratum.label for x in a.assignments)
    assert {"sex = M; diagnosis = RA": 8, "sex = F; diagnosis = axSpA": 8}.items() <= by_stratum.items()
    assert 6 == len(by_stratum)
    assert all(r.balanced for r in balance(a))


def test_strata_draw_independently():
    a = generate(plan(two_arm(STRATIFIED, block_size=4, strata=("sex",), seed=7), Choices(n=40)))
    lists = {}
    for x in a.assignments:
        lists.setdefault(x.stratum.label, []).append(x.share.arm_id)
    assert lists["sex = M"] != lists["sex = F"]


def test_allocation_ratio_two_to_one():
    a = generate(plan(two_arm(ratios=(2, 1), block_size=6, seed=11), Choices(n=30)))
    assert {"tnf_il17_23": 20, "biologic_jak": 10} == Counter(x.share.arm_id for x in a.assignments)
    for block in range(1, 6):
        members = Counter(x.share.arm_id for x in a.assignments if x.block == block)
        assert {"tnf_il17_23": 4, "biologic_jak": 2} == members


def test_simple_randomisation_follows_the_ratio_roughly():
    a = generate(plan(two_arm(RandomisationMethod.SIMPLE, ratios=(3, 1), seed=5), Choices(n=4000)))
    share = Counter(x.share.arm_id for x in a.assignments)["tnf_il17_23"] / 4000
    assert 0.72 < share < 0.78  # 0.75 ± 5 standard errors


# -- reproducibility -----------------------------------------------------------------


def test_same_plan_same_list_other_seed_other_list():
    p = two_arm(block_size=4, seed=3)
    first, again = generate(plan(p, Choices(n=40))), generate(plan(p, Choices(n=40)))
    assert first == again and first.digest() == again.digest()
    other = generate(plan(attrs.evolve(p, randomisation=attrs.evolve(p.randomisation, seed=4)), Choices(n=40)))
    assert [x.share for x in first.assignments] != [x.share for x in other.assignments]


def test_a_longer_list_keeps_the_earlier_blocks():
    p = two_arm(block_sizes=(2, 4, 6), seed=3)
    short, long = generate(plan(p, Choices(n=20))), generate(plan(p, Choices(n=60)))
    assert short.assignments == long.assignments[:len(short.assignments)]


# -- what the protocol must give -----------------------------------------------------


@pytest.mark.parametrize(("protocol", "choices", "expected"), [
    (REGISTRY["ssc-digital-ulcer"](), Choices(), "does not randomise"),
    (REGISTRY["cia-tnf-tof-igu"](), Choices(seed=1), "method is to be confirmed"),
    (REGISTRY["cia-tnf-tof-igu"](), Choices(Method.BLOCKS, 1), "block size is not stated"),
    (REGISTRY["cia-tnf-tof-igu"](), Choices(Method.BLOCKS, block_sizes=(5,)), "seed is to be confirmed"),
    (REGISTRY["dbt-refractory"](), Choices(Method.SIMPLE, 1), "number to allocate is to be confirmed"),
    (two_arm(block_size=4, seed=3), Choices(seed=4, n=8), "the protocol states the seed (3)"),
    (two_arm(block_size=4, seed=3), Choices(n=10), "10 is not a multiple of the block size 4"),
    (two_arm(ratios=(2, 1), block_size=4, seed=3), Choices(n=8), "block size 4 is not a multiple of 3"),
    (two_arm(STRATIFIED, block_size=4, strata=("agee",), seed=3), Choices(n=8), "'agee' is not an item"),
    (two_arm(STRATIFIED, block_size=4, strata=("age",), seed=3), Choices(n=8), "'age' is an item of type integer"),
    (two_arm(STRATIFIED, block_size=4, seed=3), Choices(n=8), "names no strata"),
    (two_arm(block_size=4, strata=("sex",), seed=3), Choices(n=8), "lists strata (sex) but the method"),
])
def test_gaps_are_named_never_filled(protocol, choices, expected):
    with pytest.raises(AllocationError) as caught:
        plan(protocol, choices)
    assert any(expected in line for line in caught.value.problems), caught.value.problems


# -- the blinded list and the other outputs ------------------------------------------


def _cells(table):
    header, rows = table
    return [*header, *(str(v) for row in rows for v in row)]


@pytest.mark.parametrize("allocation", [
    generate(plan(two_arm(STRATIFIED, block_size=4, strata=("sex",), seed=9), Choices(n=8))),
    generate(plan(REGISTRY["cia-tnf-tof-igu"](), Choices(Method.BLOCKS, 9, None, (5,), "cage"))),
], ids=["stratified", "rats"])
def test_blinded_list_reveals_no_arm_and_no_block_size(allocation):
    cells = _cells(tables.blinded_table(allocation))
    arms = {x for s in allocation.plan.shares for x in (s.arm_id, s.arm_name)}
    assert not arms & set(cells)
    assert not any("arm" in h or "block" in h for h in tables.blinded_table(allocation)[0])
    assert allocation.digest() not in tables.blinded_csv(allocation).decode("utf-8-sig")
    book = load_workbook(io.BytesIO(tables.blinded_xlsx(allocation)))
    assert ["Blinded list", "About"] == book.sheetnames
    xlsx_cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert not arms & xlsx_cells
    assert not any(allocation.digest() in v for v in xlsx_cells)
    about = [row[0].value for row in book["About"].iter_rows(min_row=2)]
    assert ["study", "protocol", "protocol version", "sequence numbers in the list", "what this is"] == about
    listed = [tuple(c.value for c in row) for row in book["Blinded list"].iter_rows()]
    header, rows = tables.blinded_table(allocation)
    assert [header, *rows] == listed  # the workbook is the blinded table, cell for cell
    key = tables.key_csv(allocation).decode("utf-8-sig")
    assert allocation.digest() in key and allocation.plan.shares[0].arm_name in key


def test_envelopes_one_per_sequence_number_arm_inside():
    a = generate(plan(two_arm(block_size=4, seed=3), Choices(n=8)))
    pages = envelopes(a)
    assert [f"{i:03d}" for i in range(1, 9)] == [e.number for e in pages]
    assert [x.share.arm_name for x in a.assignments] == [e.arm for e in pages]


def test_text_is_escaped_in_csv_and_xlsx():
    p = two_arm(block_size=4, seed=3)
    p = attrs.evolve(p, arms=(attrs.evolve(p.arms[0], name="=HYPERLINK(\"http://x\")"), p.arms[1]))
    a = generate(plan(p, Choices(n=4)))
    rows = list(csv.reader(io.StringIO(tables.key_csv(a).decode("utf-8-sig"))))
    assert any(cell == "'=HYPERLINK(\"http://x\")" for row in rows for cell in row)
    book = load_workbook(io.BytesIO(tables.key_xlsx(a)))
    cells = [c for row in book["Allocation key"].iter_rows() for c in row if str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


# -- the command ---------------------------------------------------------------------

RATS = ["randomise", "cia-tnf-tof-igu", "--method", "blocks", "--block-by", "cage", "--block-size", "5",
        "--seed", "2026"]


def test_command_writes_the_six_files_and_never_replaces_them(tmp_path, capsys):
    out = tmp_path / "rand"
    assert 0 == main([*RATS, "-o", str(out)])
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert ["cia-tnf-tof-igu-allocation-key.csv", "cia-tnf-tof-igu-allocation-key.xlsx",
            "cia-tnf-tof-igu-balance.csv", "cia-tnf-tof-igu-blinded-list.csv", "cia-tnf-tof-igu-blinded-list.xlsx",
            "cia-tnf-tof-igu-envelopes.pdf"] == names
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert 1 == main([*RATS, "-o", str(out)])  # the same list again: still refused, it may be in use
    err = capsys.readouterr().err
    assert "cia-tnf-tof-igu-allocation-key.csv: not overwritten" in err and "nothing was written" in err
    assert before == {p.name: p.read_bytes() for p in out.iterdir()}
    assert 0 == main([*RATS, "-o", str(out), "--force", "--seed", "2026"])
    backups = [p for p in out.iterdir() if ".backup-" in p.name]
    assert 6 == len(backups)
    key = next(p for p in backups if p.name.startswith("cia-tnf-tof-igu-allocation-key.backup-") and
               p.suffix == ".csv")
    assert before["cia-tnf-tof-igu-allocation-key.csv"] == key.read_bytes()


@pytest.mark.parametrize(("args", "expected"), [
    (["nope"], "nope: no such protocol id or file"),
    (["ssc-digital-ulcer"], "does not randomise"),
    (["cia-tnf-tof-igu", "--seed", "abc"], "--seed 'abc': give a whole number"),
    (["cia-tnf-tof-igu", "--seed", "-3"], "--seed '-3': give a whole number"),
    (["cia-tnf-tof-igu", "--seed", "1", "--method", "blocks", "--block-size", "5", "--n", "42"],
     "42 is not a multiple of the block size 5; give --n 40 or 45"),
    (["cia-tnf-tof-igu", "--seed", "1", "--method", "blocks", "--block-size", "4,4"], "listed twice"),
    (["dbt-refractory", "--seed", "1"], "give --method"),
])
def test_command_bad_input_is_one_line_exit_2(tmp_path, capsys, args, expected):
    assert 2 == main(["randomise", *args, "-o", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert expected in err
    assert all(line.startswith("error: ") for line in err.splitlines())
    assert "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_key_records_what_was_given_on_the_command_line(tmp_path):
    assert 0 == main([*RATS, "-o", str(tmp_path)])
    book = load_workbook(Path(tmp_path, "cia-tnf-tof-igu-allocation-key.xlsx"))
    settings_rows = {r[0]: (r[1], r[2]) for r in book["Settings"].iter_rows(min_row=2, values_only=True)}
    assert ("2026", "given on the command line") == settings_rows["seed"]
    assert ("0.1", "the protocol") == settings_rows["protocol version"]
    assert settings_rows["random stream"][0].startswith("protocol-planner/allocation/v1")


def test_a_protocol_file_with_ratios_and_a_seed_needs_no_options(tmp_path, capsys):
    from planner.serialize import dump

    source = tmp_path / "two-to-one.yaml"
    source.write_text(dump(two_arm(ratios=(2, 1), block_sizes=(3, 6), seed=42), "yaml"), encoding="utf-8")
    assert 0 == main(["randomise", str(source), "-o", str(tmp_path / "out"), "--n", "30"])
    assert "ratio 2:1; every block in ratio" in capsys.readouterr().out
    balance_rows = list(csv.reader(io.StringIO(
        (tmp_path / "out" / "dbt-refractory-balance.csv").read_text(encoding="utf-8-sig"))))
    assert all("yes" == row[-1] for row in balance_rows[1:])


def test_the_python_example_in_the_docs_runs():
    import re

    text = (Path(__file__).parents[1] / "docs" / "randomisation.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    exec(compile(code, "<docs/randomisation.md>", "exec"), {})  # noqa: S102 - our own documentation


def test_envelope_text_is_printed_as_written_never_as_markup():
    from pypdf import PdfReader

    from exports.envelopes import write

    p = two_arm(block_size=4, seed=3)
    p = attrs.evolve(p, arms=(attrs.evolve(p.arms[0], name="<b>TNF</b> & <font color=red>IL-17</font>"),
                              attrs.evolve(p.arms[1], name="x" * 5000)))
    a = generate(plan(p, Choices(n=4)))
    buf = io.BytesIO()
    write(a, buf)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(buf.getvalue())).pages)
    assert "<b>TNF</b> & <font color=red>IL-17</font>" in text
    assert "[truncated, see the protocol source]" in text  # the 5 000-character name is cut, not run off the page
