"""Candidate files read by DuckDB itself — CSV, JSON lines, Parquet — and XLSX through the reference reader.

For each format: a generated population reads and screens as the reference
reads and screens it, nobody dropped; and a file with planted errors (an
unknown column, an unparsable value, a repeated participant) gives every
problem, one line each, with the reference's wording and place.
"""

from __future__ import annotations

import csv
import io
import json
import random

import pytest
from participant_files import xlsx_of
from population import candidates_csv

from planner.participants import InputError, read_candidates, screen
from planner.participants.duck import DuckScreener, connect, load_path, participants
from planner.participants.duck_json import load_json_lines


def json_lines_of(data: bytes, seed: int = 0) -> bytes:
    """The wide CSV as JSON lines: logs as lists (``[]`` for none), some values as JSON numbers and booleans."""
    rng = random.Random(seed)
    out = []
    for row in csv.DictReader(io.StringIO(data.decode())):
        obj: dict[str, object] = {}
        logs: dict[str, dict[int, dict[str, object]]] = {}
        nones = set()
        for key, value in row.items():
            if "[" in key:
                form, rest = key.split("[", 1)
                k, item = rest.split("].", 1)
                if value != "":
                    logs.setdefault(form, {}).setdefault(int(k), {})[item] = _typed_json(value, rng)
            elif key.startswith("#"):
                continue
            elif value == "none":
                nones.add(key)
            elif value != "" or rng.random() < 0.3:
                obj[key] = None if value == "" else (value if key == "participant" else _typed_json(value, rng))
        for form in {k.split("[", 1)[0] for k in row if "[" in k}:
            if form in logs:
                obj[form] = [r for _, r in sorted(logs[form].items())]
            elif form in nones:
                obj[form] = []
            elif rng.random() < 0.3:
                obj[form] = None
        out.append(json.dumps(obj))
    return ("\n".join(out) + "\n").encode()


def _typed_json(value: str, rng: random.Random) -> object:
    if rng.random() < 0.5:
        return value
    if value in ("yes", "true", "y"):
        return True
    if value in ("no", "false", "n"):
        return False
    try:
        return int(value)
    except ValueError:
        return value


def parquet_of(con, data: bytes, tmp_path, name: str = "c.parquet") -> str:
    """The CSV as a Parquet file, every column text, written by DuckDB (no pyarrow)."""
    src = tmp_path / "src.csv"
    src.write_bytes(data)
    out = tmp_path / name
    con.execute(f"COPY (SELECT * FROM read_csv('{src}', all_varchar=true, header=true)) TO '{out}' (FORMAT parquet)")
    return str(out)


def problems(protocol, path: str, source: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_path(protocol, path, source)
    return [str(p) for p in exc.value.problems]


def reference_problems(protocol, data: bytes, source: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        read_candidates(protocol, data, source)
    return [str(p) for p in exc.value.problems]


# -- a generated population, every format ---------------------------------------------------------


def test_json_lines_are_read_by_duckdb_as_the_reference_reads_them(dbt, tmp_path):
    data = json_lines_of(candidates_csv(dbt, 3_000, seed=31), seed=31)
    path = tmp_path / "g.jsonl"
    path.write_bytes(data)
    table = load_json_lines(dbt, str(path), "g.jsonl", connect())
    assert table is not None, "read by DuckDB, not handed to the reference"
    want = read_candidates(dbt, data, "g.jsonl")
    assert 3_000 == len(want.participants) == len(participants(table))  # nobody dropped
    assert [given(p) for p in want.participants] == [given(p) for p in participants(table)]
    assert screen(dbt, want) == DuckScreener(dbt).screen(table)


def given(p):
    """A participant's given facts: JSON leaves absent keys out, a table has a NULL cell; both mean not given."""
    return (p.id, p.row, {k: v for k, v in p.values.items() if v is not None},
            {k: v for k, v in p.logs.items() if v is not None})


def test_parquet_is_read_by_duckdb_as_the_reference_reads_the_same_csv(dbt, tmp_path):
    data = candidates_csv(dbt, 3_000, seed=32)
    path = parquet_of(connect(), data, tmp_path, "g.parquet")
    table = load_path(dbt, path, "g.csv")
    want = read_candidates(dbt, data, "g.csv")
    assert want.participants == participants(table)
    assert screen(dbt, want) == DuckScreener(dbt).screen(table)


def test_typed_parquet_columns_are_converted_like_their_text(dbt, tmp_path):
    con = connect()
    out = tmp_path / "typed.parquet"
    con.execute(f"COPY (SELECT * FROM (VALUES ('D1', 54, 'F', false, 'RA'), ('D2', NULL, 'M', NULL, 'PsA')) "
                f"t(participant, age, sex, pregnant, diagnosis)) TO '{out}' (FORMAT parquet)")
    got = participants(load_path(dbt, str(out), "typed.parquet"))
    want = read_candidates(dbt, b"participant,age,sex,pregnant,diagnosis\nD1,54,F,no,RA\nD2,,M,,PsA\n", "t.csv")
    assert want.participants == got


def test_xlsx_goes_through_the_reference_reader(dbt, tmp_path):
    rows = [["participant", "age", "sex"], ["D1", 54, "F"], ["D2", 30, "M"]]
    path = tmp_path / "c.xlsx"
    path.write_bytes(xlsx_of(rows))
    assert read_candidates(dbt, path.read_bytes(), "c.xlsx").participants == participants(
        load_path(dbt, str(path), "c.xlsx"))


# -- planted errors, one line each --------------------------------------------------------------

PLANTED_CSV = (b"participant,agee,sex,prior_therapy[1].failed\n"
               b"D1,54,F,yes\n"
               b"D2,40,female,maybe\n"
               b"D1,33,M,no\n")


def test_csv_with_planted_errors(dbt, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(PLANTED_CSV)
    expected = [
        "c.csv, row 1, column 'agee': no item 'agee' in the protocol's data dictionary; did you mean 'age'?",
        "c.csv, row 3, column 'sex': 'female' is not in codelist SEX (M, F); did you mean 'F'?",
        "c.csv, row 3, column 'prior_therapy[1].failed': expected yes/no (also y/n, true/false, 1/0), got 'maybe'",
        "c.csv, row 4, column 'participant': participant 'D1' appears twice (rows 2 and 4): give one row per "
        "participant",
    ]
    assert expected == problems(dbt, str(path), "c.csv")
    assert expected == reference_problems(dbt, PLANTED_CSV, "c.csv")


def test_parquet_with_planted_errors(dbt, tmp_path):
    path = parquet_of(connect(), PLANTED_CSV, tmp_path)
    assert [
        "c.parquet, row 1, column 'agee': no item 'agee' in the protocol's data dictionary; did you mean 'age'?",
        "c.parquet, row 3, column 'sex': 'female' is not in codelist SEX (M, F); did you mean 'F'?",
        "c.parquet, row 3, column 'prior_therapy[1].failed': expected yes/no (also y/n, true/false, 1/0), got "
        "'maybe'",
        "c.parquet, row 4, column 'participant': participant 'D1' appears twice (rows 2 and 4): give one row per "
        "participant",
    ] == problems(dbt, path, "c.parquet")


PLANTED_JSONL = (b'{"participant": "D1", "agee": 54, "sex": "F", "prior_therapy": [{"failed": true}]}\n'
                 b'{"participant": "D2", "age": 40, "sex": "female", "prior_therapy": [{"failed": "maybe"}]}\n'
                 b'{"participant": "D1", "age": 33, "sex": "M", "age": 34}\n'
                 b'{"participant": "D4", "age": "forty"}\n')


def test_json_lines_with_planted_errors(dbt, tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(PLANTED_JSONL)
    expected = [
        "c.jsonl, record 1, key 'agee': no item 'agee' in the protocol's data dictionary; did you mean 'age'?",
        "c.jsonl, record 2, key 'sex': 'female' is not in codelist SEX (M, F); did you mean 'F'?",
        "c.jsonl, record 2, key 'prior_therapy[1].failed': expected yes/no (also y/n, true/false, 1/0), got "
        "'maybe'",
        "c.jsonl, record 3, key 'age': given more than once in the same object: keep one",
        "c.jsonl, record 3, key 'participant': participant 'D1' appears twice (records 1 and 3): give one row per "
        "participant",
        "c.jsonl, record 4, key 'age': expected a whole number, got 'forty'",
    ]
    got = problems(dbt, str(path), "c.jsonl")
    assert reference_problems(dbt, PLANTED_JSONL, "c.jsonl") == got
    assert expected == got


def test_a_value_error_alone_in_json_lines_is_found_on_the_duckdb_path(dbt, tmp_path):
    """No structural problem: DuckDB reads the file, the converter refuses a value, the reference words it."""
    data = b'{"participant": "D1", "age": 54}\n{"participant": "D2", "age": 12.5}\n'
    path = tmp_path / "v.jsonl"
    path.write_bytes(data)
    got = problems(dbt, str(path), "v.jsonl")
    assert reference_problems(dbt, data, "v.jsonl") == got
    assert 1 == len(got) and got[0].startswith("v.jsonl, record 2, key 'age': ")


def test_invalid_json_on_a_line_is_reported_with_its_line(dbt, tmp_path):
    data = b'{"participant": "D1"}\n{"participant": "D2",}\n'
    path = tmp_path / "bad.jsonl"
    path.write_bytes(data)
    got = problems(dbt, str(path), "bad.jsonl")
    assert 1 == len(got) and got[0].startswith("bad.jsonl, record 2: invalid JSON at column ")


def test_xlsx_with_planted_errors(dbt, tmp_path):
    rows = [list(r.split(",")) for r in PLANTED_CSV.decode().splitlines()]
    data = xlsx_of(rows)
    path = tmp_path / "c.xlsx"
    path.write_bytes(data)
    got = problems(dbt, str(path), "c.xlsx")
    assert reference_problems(dbt, data, "c.xlsx") == got
    assert 4 == len(got)
    assert "c.xlsx, row 1, column 'agee'" in got[0] and "did you mean 'age'?" in got[0]
    assert "appears twice (rows 2 and 4)" in got[3]


# -- through the command line --------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet", ".csv"])
def test_both_engines_screen_each_format_alike_on_the_command_line(dbt, tmp_path, capsys, suffix):
    from planner.cli import main

    data = candidates_csv(dbt, 300, seed=33)
    path = tmp_path / f"g{suffix}"
    if suffix == ".jsonl":
        path.write_bytes(json_lines_of(data, seed=33))
    elif suffix == ".parquet":
        path = tmp_path / parquet_of(connect(), data, tmp_path, "g.parquet")
    else:
        path.write_bytes(data)
    outputs = []
    for engine in ("duckdb", "python"):
        assert 0 == main(["screen", "dbt-refractory", str(path), "--json", "--engine", engine])
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert 300 == len(outputs[0]["candidates"])


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_a_planted_error_exits_2_with_one_line_each(dbt, tmp_path, capsys, suffix):
    from planner.cli import main

    path = tmp_path / f"c{suffix}"
    if suffix == ".jsonl":
        path.write_bytes(PLANTED_JSONL)
    else:
        parquet_of(connect(), PLANTED_CSV, tmp_path, path.name)
    assert 2 == main(["screen", "dbt-refractory", str(path)])
    err = capsys.readouterr().err.splitlines()
    assert (6 if suffix == ".jsonl" else 4) == len(err)
    assert all(line.startswith(f"error: {path}, ") for line in err)
    assert "Traceback" not in "\n".join(err)


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_record_given_with_no_values_counts_as_the_reference_counts_it(dbt, tmp_path, suffix):
    """JSON can give a log record with no values (``[{}]``); the wide layout cannot, so the table says it is there."""
    objects = [{"participant": "D1", "diagnosis": "PsA", "sex": "M", "prior_therapy": [{}]},
               {"participant": "D2", "diagnosis": "PsA", "sex": "M",
                "prior_therapy": [{"failed": True, "mechanism_class": "TNF"}, {}, {"failed": None}]},
               {"participant": "D3", "diagnosis": "RA", "sex": "F", "prior_therapy": [{"failed": True}, {"agent": None}]}]
    data = (json.dumps(objects) if suffix == ".json" else "\n".join(json.dumps(o) for o in objects) + "\n").encode()
    path = tmp_path / f"c{suffix}"
    path.write_bytes(data)
    want = screen(dbt, read_candidates(dbt, data, path.name))
    got = DuckScreener(dbt).screen(load_path(dbt, str(path), path.name))
    assert want == got
    assert "failed" == str(want.results[0].criteria[3].status)  # one record, no class: fewer than two classes
