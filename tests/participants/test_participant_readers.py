"""Reading CSV, XLSX and JSON into typed participants; every problem reported with its place."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from participant_files import csv_of, xlsx_of

from planner.participants import InputError, detect_format, read_candidates, read_observations

HEADER = ("participant,age,sex,diagnosis,prior_therapy,prior_therapy[1].agent,prior_therapy[1].mechanism_class,"
          "prior_therapy[1].failed,prior_therapy[2].mechanism_class,prior_therapy[2].failed")


def problems(protocol, data, source="c.csv", kind="candidates"):
    reader = read_candidates if kind == "candidates" else read_observations
    with pytest.raises(InputError) as exc:
        reader(protocol, data, source)
    return [str(p) for p in exc.value.problems]


def test_csv_gives_typed_values_and_repeated_records(dbt, engine):
    sheet = engine.read(dbt, csv_of(HEADER, "P01,54,F,RA,,adalimumab,TNF,yes,IL6,n"), "c.csv")
    (p,) = sheet.participants
    assert ("P01", 2) == (p.id, p.row)
    assert {"age": 54, "sex": "F", "diagnosis": "RA"} == dict(p.values)
    assert ({"agent": "adalimumab", "mechanism_class": "TNF", "failed": True},
            {"agent": None, "mechanism_class": "IL6", "failed": False}) == p.logs["prior_therapy"]
    assert {"age", "prior_therapy", "prior_therapy.failed", "prior_therapy.mechanism_class"} <= sheet.items


def test_blank_records_are_not_recorded_and_none_means_no_records(dbt, engine):
    sheet = engine.read(dbt, csv_of(HEADER, "P01,54,F,RA,,,,,,", "P02,40,M,PsA,none,,,,,",
                                        "P03,40,M,PsA,NONE,,,,,"), "c.csv")
    assert [None, (), ()] == [p.logs["prior_therapy"] for p in sheet.participants]
    assert None is sheet.participants[0].record()["prior_therapy"]


def test_none_with_records_and_other_words_in_the_form_column_are_problems(dbt, engine):
    got = engine.problems(dbt, csv_of(HEADER, "P01,54,F,RA,none,x,TNF,yes,,", "P02,54,F,RA,some,,,,,"))
    assert ["c.csv, row 2, column 'prior_therapy': says 'none' but the row gives 1 prior_therapy record(s)",
            "c.csv, row 3, column 'prior_therapy': write 'none' when there are no prior_therapy records, or leave "
            "it blank; got 'some'"] == got


def test_a_record_gap_is_fine_and_records_keep_their_order(dbt, engine):
    header = "participant,prior_therapy[3].mechanism_class,prior_therapy[1].mechanism_class"
    (p,) = engine.read(dbt, csv_of(header, "P01,JAK,TNF"), "c.csv").participants
    assert ["TNF", "JAK"] == [r["mechanism_class"] for r in p.logs["prior_therapy"]]


def test_unknown_columns_are_reported_with_what_to_write_instead(dbt, engine):
    header = ("participant,agee,Age,ra_2010_score,failed,visit,prior_therapy[0].agent,prior_therapy[1].dose,"
              "dx[1].diagnosis,age [kg],sex [mg],hb [g/L],anc [furlong],hb [mm/h],#notes ok")
    got = engine.problems(dbt, csv_of(header, "P01" + "," * 14))
    assert [
        "c.csv, row 1, column 'agee': no item 'agee' in the protocol's data dictionary; did you mean 'age'?",
        "c.csv, row 1, column 'Age': no item 'Age' in the protocol's data dictionary; did you mean 'age'?",
        "c.csv, row 1, column 'ra_2010_score': 'ra_2010_score' is derived by the protocol (2010 ACR/EULAR RA "
        "classification score), not read from the file: give its inputs instead (ra_joints, ra_serology, "
        "ra_acute_phase, ra_duration)",
        "c.csv, row 1, column 'failed': 'failed' is an item of the repeating form 'prior_therapy': write "
        "'prior_therapy[1].failed'",
        "c.csv, row 1, column 'visit': 'visit' belongs in observation files (monitor), not in candidate files (screen)",
        "c.csv, row 1, column 'prior_therapy[0].agent': the record number in [0] must be a whole number from 1",
        "c.csv, row 1, column 'prior_therapy[1].dose': form 'prior_therapy' has no item 'dose' (its items: agent, "
        "mechanism_class, failed)",
        "c.csv, row 1, column 'dx[1].diagnosis': 'dx' is not a repeating form of this protocol (repeating forms: "
        "prior_therapy, ae, cm, ex)",
        "c.csv, row 1, column 'age [kg]': only decimal items take a unit in the header; 'age' is integer",
        "c.csv, row 1, column 'sex [mg]': only decimal items take a unit in the header; 'sex' is coded",
        "c.csv, row 1, column 'anc [furlong]': unknown unit 'furlong'",
        "c.csv, row 1, column 'hb [mm/h]': 'mm/h' cannot be converted to 'hb''s unit 'g/dL'",
    ] == got


def test_a_unit_in_the_header_converts_to_the_item_unit(dbt):
    header = "participant,visit,anc [10^9/L],hb [g/L],alt [U/L]"
    (p,) = read_observations(dbt, csv_of(header, "P01,week4_8,0.8,76,35"), "o.csv").participants
    assert {"anc": 800.0, "hb": 7.6, "alt": 35.0} == dict(p.values)


def test_unparsable_values_are_all_reported_with_row_and_column(dbt, engine):
    got = engine.problems(dbt, csv_of(HEADER, "P01,fifty,female,RA,,x,TNF,maybe,IL6,yes", "P02,40,M,Psa,,,,,,"))
    assert [
        "c.csv, row 2, column 'age': expected a whole number, got 'fifty'",
        "c.csv, row 2, column 'sex': 'female' is not in codelist SEX (M, F); did you mean 'F'?",
        "c.csv, row 2, column 'prior_therapy[1].failed': expected yes/no (also y/n, true/false, 1/0), got 'maybe'",
        "c.csv, row 3, column 'diagnosis': 'Psa' is not in codelist DX (RA, PsA, axSpA); did you mean 'PsA'?",
    ] == got


def test_duplicate_participants_are_reported_at_each_repeat(dbt, engine):
    got = engine.problems(dbt, csv_of("participant,age", "P01,50", "P02,51", "P01,52", "P01,53"))
    assert ["c.csv, row 4, column 'participant': participant 'P01' appears twice (rows 2 and 4): give one row per "
            "participant",
            "c.csv, row 5, column 'participant': participant 'P01' appears twice (rows 2 and 5): give one row per "
            "participant"] == got


def test_observations_are_unique_per_participant_and_visit(dbt, engine):
    data = csv_of("participant,visit,anc", "P01,screening,3000", "P01,week4_8,800", "P01,week4_8,900")
    assert ["o.csv, row 4, column 'participant': participant 'P01' at visit 'week4_8' appears twice (rows 3 and 4): "
            "give one row per participant and visit"] == engine.problems(dbt, data, "o.csv", "observations")


def test_observation_keys_are_required_and_checked(dbt, engine):
    assert ["o.csv, row 1: no 'visit' column: the first row must name the columns, including 'visit'"] == engine.problems(
        dbt, csv_of("participant,anc", "P01,3000"), "o.csv", "observations")
    got = engine.problems(dbt, csv_of("participant,visit,arm,anc", ",week4_8,,1", "P02,week 4,,1", "P03,month3,jak,1"),
                   "o.csv", "observations")
    assert [
        "o.csv, row 2, column 'participant': participant is empty: every row needs one",
        "o.csv, row 3, column 'visit': unknown visit 'week 4' (the protocol's visits: baseline, end, month3, "
        "screening, week4_8); did you mean 'week4_8'?",
        "o.csv, row 4, column 'arm': unknown arm 'jak' (the protocol's arms: biologic_jak, tnf_il17_23)",
    ] == got


def test_blank_rows_are_passed_over_but_stray_values_and_headers_are_not(dbt, engine):
    sheet = engine.read(dbt, csv_of("participant,age", "P01,50", ",", "", "P02,51"), "c.csv")
    assert ["P01", "P02"] == [p.id for p in sheet.participants]
    got = engine.problems(dbt, csv_of("participant,age,,sex", "P01,50,x,F,extra"))
    assert ["c.csv, row 1, column 'C': a column without a header: name it, or start it with '#' for notes",
            "c.csv, row 2, column 'E': a value in a column without a header: name the column or clear it"] == got


def test_the_same_item_twice_is_a_problem(dbt, engine):
    got = engine.problems(dbt, csv_of("participant,anc,anc [10^9/L],age,age", "P01,1,1,2,2"), "o.csv")
    assert ["o.csv, row 1, column 'anc [10^9/L]': the same data as column 'anc': give each item once",
            "o.csv, row 1, column 'age': the same data as column 'age': give each item once"] == got


def test_note_columns_are_kept_out_and_said_so(dbt, engine):
    sheet = engine.read(dbt, csv_of("participant,#site,age", "P01,Shanghai,50"), "c.csv")
    assert {"age": 50} == dict(sheet.participants[0].values)
    assert ("'#site' is a note (it starts with '#'): not read",) == sheet.notes


def test_semicolon_csv_and_byte_order_mark(dbt, engine):
    data = "\ufeffparticipant;age;sex\nP01;50;F\n".encode()
    (p,) = engine.read(dbt, data, "c.csv").participants
    assert {"age": 50, "sex": "F"} == dict(p.values)


def test_unreadable_files(dbt, engine):
    assert ["c.csv: not UTF-8 text (byte 13): save the file as 'CSV UTF-8'"] == engine.problems(
        dbt, "participant\nMüller\n".encode("latin-1"))
    assert ["c.csv: the file is empty: the first row must name the columns"] == engine.problems(dbt, b"")
    assert ["c.json: invalid JSON at line 1, column 2: Expecting value"] == engine.problems(dbt, b"[x]", "c.json")
    assert ['c.json: expected a list of records: [{"participant": "P01", ...}, ...]'] == engine.problems(
        dbt, b'{"participant": "P01"}', "c.json")
    assert ["c.xlsx: not a readable XLSX workbook (BadZipFile: File is not a zip file)"] == engine.problems(
        dbt, b"not a zip", "c.xlsx")
    assert ["c.txt: unknown file format: use a .csv, .xlsx, .json or .jsonl file (or .parquet with the DuckDB "
            "engine)"] == engine.problems(dbt, b"a,b", "c.txt")


def test_format_detection():
    assert "csv" == detect_format("x.CSV")
    assert "xlsx" == detect_format("upload", b"PK\x03\x04rest")
    assert "json" == detect_format("upload", b"\n [ {}]")
    assert None is detect_format("upload", b"participant,age")


# -- JSON -----------------------------------------------------------------


def test_json_nests_records_and_tells_none_from_not_recorded(dbt, engine):
    doc = [
        {"participant": "P01", "age": 54, "sex": "F", "pregnant": False,
         "prior_therapy": [{"agent": "adalimumab", "mechanism_class": "TNF", "failed": True},
                           {"mechanism_class": "IL17", "failed": "yes"}]},
        {"participant": 2, "age": "40", "prior_therapy": []},
        {"participant": "P03", "prior_therapy": None},
        {"participant": "P04"},
    ]
    sheet = engine.read(dbt, json.dumps(doc).encode(), "c.json")
    p1, p2, p3, p4 = sheet.participants
    assert "record" == sheet.unit
    assert {"age": 54, "sex": "F", "pregnant": False} == dict(p1.values)
    assert ({"agent": "adalimumab", "mechanism_class": "TNF", "failed": True},
            {"agent": None, "mechanism_class": "IL17", "failed": True}) == p1.logs["prior_therapy"]
    assert ("2", 40, ()) == (p2.id, p2.values["age"], p2.logs["prior_therapy"])
    assert None is p3.logs["prior_therapy"]
    assert "prior_therapy" not in p4.logs and None is p4.record().get("prior_therapy")


def test_json_problems_name_the_record_and_key_path(dbt, engine):
    text = ('[{"participant": "P01", "age": 54, "age": 55, "agee": 1, "prior_therapy[1].failed": true,'
            ' "prior_therapy": [{"failed": "maybe", "dose": 5}, "TNF"]},'
            ' {"age": 50}, 7, {"participant": "P01", "sex": "X", "prior_therapy": "none"}]')
    assert [
        "c.json, record 1, key 'age': given more than once in the same object: keep one",
        "c.json, record 1, key 'agee': no item 'agee' in the protocol's data dictionary; did you mean 'age'?",
        "c.json, record 1, key 'prior_therapy[1].failed': give log form 'prior_therapy' as a list of records under "
        "the key 'prior_therapy', not as 'prior_therapy[1].failed'",
        "c.json, record 1, key 'prior_therapy[1].failed': expected yes/no (also y/n, true/false, 1/0), got 'maybe'",
        "c.json, record 1, key 'prior_therapy[1].dose': form 'prior_therapy' has no item 'dose' (its items: agent, "
        "mechanism_class, failed)",
        "c.json, record 1, key 'prior_therapy[2]': expected an object with prior_therapy items, got 'TNF'",
        "c.json, record 2: no 'participant' key: every record needs one",
        'c.json, record 3: expected an object such as {"participant": "P01", ...}',
        "c.json, record 4, key 'sex': 'X' is not in codelist SEX (M, F)",
        "c.json, record 4, key 'prior_therapy': expected a list of prior_therapy records ([] when there are none), "
        "got 'none'",
        "c.json, record 4, key 'participant': participant 'P01' appears twice (records 1 and 4): give one row per "
        "participant",
    ] == engine.problems(dbt, text.encode(), "c.json")


# -- XLSX -----------------------------------------------------------------


def test_xlsx_reads_typed_cells_like_the_csv(dbt, engine):
    rows = [HEADER.split(","), [101, 54.0, "F", "RA", None, "adalimumab", "TNF", True, "IL6", "no"]]
    (p,) = engine.read(dbt, xlsx_of(rows), "c.xlsx").participants
    (q,) = engine.read(dbt, csv_of(HEADER, "101,54,F,RA,,adalimumab,TNF,yes,IL6,no"), "c.csv").participants
    assert ("101", 54) == (p.id, p.values["age"])
    assert (p.values, p.logs) == (q.values, q.logs)


def test_xlsx_dates_and_the_named_worksheet(dbt):
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.worksheets[0].append(["not", "this"])
    ws = book.create_sheet("Observations")
    ws.append(["participant", "visit", "ae[1].term", "ae[1].start", "ae[1].serious"])
    ws.append(["P01", "week4_8", "pneumonia", dt.datetime(2027, 3, 2), "yes"])
    buf = io.BytesIO()
    book.save(buf)
    (p,) = read_observations(dbt, buf.getvalue(), "o.xlsx").participants
    assert dt.date(2027, 3, 2) == p.logs["ae"][0]["start"]


def test_xlsx_problems_use_sheet_rows_and_formulas_without_values_are_reported(dbt, engine):
    got = engine.problems(dbt, xlsx_of([["participant", "age", "sex"], ["P01", "=40+14", "F"], ["P02", "old", "F"]]),
                   "c.xlsx")
    assert ["c.xlsx, row 2, column 'B': formula =40+14 has no saved value: open and save the file in a spreadsheet "
            "program, or paste values"] == got
    got = engine.problems(dbt, xlsx_of([["participant", "age", "sex"], ["P01", 40, "F"], ["P02", "old", "F"]]), "c.xlsx")
    assert ["c.xlsx, row 3, column 'age': expected a whole number, got 'old'"] == got
