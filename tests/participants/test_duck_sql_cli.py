"""``screen --sql DIALECT`` prints the screening query; ``--engine`` chooses DuckDB or the reference.

The printed query parses back in its dialect (sqlglot), and on DuckDB it
gives, for every candidate, the reference's status of each criterion it
holds and the reference's verdict with the criteria it cannot hold counted
as unknown — exactly the reference's verdict when it holds them all.
"""

from __future__ import annotations

import argparse

import attrs
import pytest
import sqlglot
from population import candidates_csv

from planner.cli import participants as cli
from planner.cli.common import BadInput
from planner.participants import read_candidates, screen
from planner.participants.duck import PID, load
from planner.participants.sqlscreen import sql_name

WAREHOUSES = ("duckdb", "postgres", "spark", "bigquery", "snowflake", "tsql")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch, request):
    monkeypatch.chdir(request.config.rootpath)


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="protocol-planner")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def printed(capsys, *argv: str) -> str:
    assert 0 == run("screen", *argv)
    return capsys.readouterr().out


def test_an_unknown_dialect_is_a_usage_error_listing_the_valid_ones():
    with pytest.raises(BadInput) as exc:
        run("screen", "dbt-refractory", "--sql", "oracle9")
    line = str(exc.value.problems[0]) if hasattr(exc.value, "problems") else str(exc.value)
    assert "unknown dialect 'oracle9'" in line
    for d in WAREHOUSES:
        assert d in line


def test_the_command_line_exits_2_for_an_unknown_dialect():
    from planner.cli import main

    assert 2 == main(["screen", "dbt-refractory", "--sql", "nosuch"])


def test_candidates_are_required_without_sql():
    with pytest.raises(BadInput, match="CANDIDATES"):
        run("screen", "dbt-refractory")


@pytest.mark.parametrize("dialect", WAREHOUSES)
def test_the_printed_query_parses_back_in_its_dialect(capsys, dialect):
    assert 0 == run("screen", "dbt-refractory", "docs/examples/candidates-dbt.csv", "--sql", dialect)
    text, err = capsys.readouterr()
    tree = sqlglot.parse_one(text, read=dialect)
    assert text.rstrip("\n") == tree.sql(dialect=dialect, pretty=True)
    assert "prior_therapy_2_mechanism_class" in text  # the count is in the query, over the record columns
    assert "ra_serology" in text  # and the 2010 RA score, from its formula tree
    assert "not in this query (" not in text and "" == err  # every criterion is in it


def test_without_a_file_the_query_reads_every_item_and_the_records_asked_for(capsys):
    text = printed(capsys, "dbt-refractory", "--sql", "postgres", "--records", "5")
    assert "prior_therapy_5_failed BOOLEAN" in text
    assert "prior_therapy_6_failed" not in text
    sqlglot.parse_one(text, read="postgres")


def _run_on_duckdb(protocol, data: bytes, text: str) -> dict[str, tuple[str, ...]]:
    """The printed query over the typed candidates, renamed as the query expects: participant → statuses, verdict."""
    table = load(protocol, data, "generated.csv")
    con = table.connection
    con.execute("ALTER TABLE candidates RENAME TO typed")
    renamed = ", ".join(f'"{n}" AS "{sql_name(n)}"' for n in table.columns)
    con.execute(f'CREATE VIEW candidates AS SELECT "{PID}" AS participant, {renamed} FROM typed')
    names = [d[0] for d in con.execute(text).description]
    assert ["participant", *(c.id for c in protocol.eligibility), "verdict"] == names
    return {row[0]: tuple(row[1:]) for row in con.execute(text).fetchall()}


def _expected(protocol, data: bytes, gaps: set[str]) -> dict[str, tuple[str, ...]]:
    """The reference's statuses and verdict, with the criteria not in the query as the query shows them."""
    out = {}
    for s in screen(protocol, read_candidates(protocol, data, "generated.csv")).results:
        statuses = ["not in this query" if r.id in gaps else str(r.status) for r in s.criteria]
        if "failed" in statuses:
            verdict = "ineligible"
        elif "unknown" in statuses or "not in this query" in statuses:
            verdict = "incomplete"
        else:
            verdict = "eligible"
        out[s.participant] = (*statuses, verdict)
    return out


@pytest.mark.parametrize("protocol_id", ["dbt-refractory", "ssc-digital-ulcer"])
def test_on_duckdb_the_printed_query_gives_the_reference_statuses_and_verdicts(capsys, tmp_path, protocol_id):
    """Counts over records and derived scores (the 2010 RA and 2013 SSc scores) included: nothing left out."""
    from protocols import REGISTRY

    protocol = REGISTRY[protocol_id]()
    data = candidates_csv(protocol, 3_000, seed=21)
    path = tmp_path / "generated.csv"
    path.write_bytes(data)
    text = printed(capsys, protocol_id, str(path), "--sql", "duckdb")
    got, want = _run_on_duckdb(protocol, data, text), _expected(protocol, data, set())
    assert want == got
    assert {"eligible", "ineligible", "incomplete"} == {v[-1] for v in want.values()}


def test_a_criterion_the_query_cannot_hold_is_named_and_counted_as_unknown(capsys, dbt, tmp_path):
    """A count used in arithmetic is not written in SQL: that criterion is left out, and the verdicts stay safe."""
    from planner.expr import parse
    from planner.model import Category, Criterion
    from planner.participants.sqlscreen import printed as print_query
    from planner.participants.sqlscreen import screening_query

    extra = Criterion("E9", Category.EXCLUSION, "More than two prior therapies.",
                      rule=parse("count(prior_therapy) + 1 > 3"))
    protocol = attrs.evolve(dbt, eligibility=(*dbt.eligibility, extra))
    data = candidates_csv(protocol, 3_000, seed=22)
    table = load(protocol, data, "generated.csv")
    query = screening_query(protocol, dict(table.columns), dict(table.logs))
    assert ["E9"] == [cid for cid, _ in query.gaps]
    text = print_query(query, "duckdb")
    assert "E9: count(prior_therapy) + 1 > 3" in text or "E9: count(prior_therapy)" in text
    got, want = _run_on_duckdb(protocol, data, text), _expected(protocol, data, {"E9"})
    assert want == got
    reference = {s.participant: s.verdict.value for s in screen(protocol, read_candidates(protocol, data, "g.csv")).results}
    for pid, row in got.items():  # never eligible or ineligible where the reference is not
        assert row[-1] == reference[pid] or row[-1] == "incomplete"


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_both_engines_print_the_same_screening(capsys, engine):
    assert 0 == run("screen", "dbt-refractory", "docs/examples/candidates-dbt.csv", "--json", "--engine", engine)
    out = capsys.readouterr().out
    assert 0 == run("screen", "dbt-refractory", "docs/examples/candidates-dbt.csv", "--json", "--engine", "python")
    assert out == capsys.readouterr().out
