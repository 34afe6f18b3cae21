"""Each cell becomes its item's type, or a message that says what was expected."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.model import Codelist, DataType, Item, Range, Term
from planner.participants.cells import CellError, convert

SEX = Codelist("SEX", "Sex", (Term("M", "Male"), Term("F", "Female")))
INT = Item("age", "Age", DataType.INTEGER)
DEC = Item("hb", "Haemoglobin", DataType.DECIMAL, unit="g/dL")
BOOL = Item("pregnant", "Pregnant", DataType.BOOLEAN)
DATE = Item("start", "Start", DataType.DATE)
CODED = Item("sex", "Sex", DataType.CODED, codelist="SEX")
TEXT = Item("term", "Term", DataType.TEXT)
GRADE = Item("grade", "CTCAE grade", DataType.INTEGER, range=Range(1, 5))


@pytest.mark.parametrize("raw", ["yes", "YES", "Yes", "y", "Y", "true", "TRUE", "1", " yes ", True, 1, 1.0])
def test_true_spellings(raw):
    assert convert(raw, BOOL) is True


@pytest.mark.parametrize("raw", ["no", "NO", "n", "N", "false", "False", "0", False, 0])
def test_false_spellings(raw):
    assert convert(raw, BOOL) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "ja", 2, dt.date(2024, 1, 1)])
def test_other_booleans_are_refused_with_the_accepted_words(raw):
    with pytest.raises(CellError, match="expected yes/no"):
        convert(raw, BOOL)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_blank_is_missing_for_every_type(raw):
    for item in (INT, DEC, BOOL, DATE, CODED, TEXT):
        assert convert(raw, item, SEX) is None


def test_integers():
    assert 54 == convert("54", INT)
    assert 54 == convert(54.0, INT)  # an XLSX number
    assert -3 == convert("-3", INT)
    for bad, words in (("54.5", "whole number"), (54.5, "whole number"), ("fifty", "whole number"), (True, "whole")):
        with pytest.raises(CellError, match=words):
            convert(bad, INT)


def test_decimals_with_a_point_not_a_comma():
    assert 7.6 == convert("7.6", DEC)
    assert 1000.0 == convert("1e3", DEC)
    assert 12.0 == convert(12, DEC)
    with pytest.raises(CellError, match=r"decimal point.*write 7\.6"):
        convert("7,6", DEC)
    for bad in ("nan", "inf", float("nan"), "12 g/dL"):
        with pytest.raises(CellError):
            convert(bad, DEC)


def test_decimals_convert_from_the_header_unit():
    assert 1100.0 == convert("1.1", DEC, factor=1000.0)  # not 1100.0000000000002


def test_dates_are_iso_or_spreadsheet_dates():
    assert dt.date(2026, 3, 2) == convert("2026-03-02", DATE)
    assert dt.date(2026, 3, 2) == convert(dt.datetime(2026, 3, 2), DATE)
    with pytest.raises(CellError, match="YYYY-MM-DD"):
        convert("02/03/2026", DATE)
    with pytest.raises(CellError, match="not a calendar date"):
        convert("2026-02-30", DATE)
    with pytest.raises(CellError, match="time of day"):
        convert(dt.datetime(2026, 3, 2, 14, 30), DATE)


def test_codes_must_be_in_the_codelist_with_a_suggestion():
    assert "F" == convert("F", CODED, SEX)
    with pytest.raises(CellError, match=r"'female' is not in codelist SEX \(M, F\); did you mean 'F'\?"):
        convert("female", CODED, SEX)
    with pytest.raises(CellError, match=r"did you mean 'M'\?"):
        convert("m", CODED, SEX)
    with pytest.raises(CellError, match="not in codelist"):
        convert("X", CODED, SEX)


def test_text_keeps_what_was_written():
    assert "pneumonia" == convert(" pneumonia ", TEXT)
    assert "101" == convert(101.0, TEXT)


def test_values_outside_the_declared_range_are_refused():
    assert 5 == convert("5", GRADE)
    with pytest.raises(CellError, match="outside the item's range 1–5"):
        convert("7", GRADE)
