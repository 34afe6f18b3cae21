"""DuckDB screening gives what the reference gives, for every candidate: verdict, criteria, missing items.

The shipped example files and a generated population (blanks everywhere,
repeated records that come and go, "none" columns) are screened on both
engines; the reports must be equal, candidate by candidate, down to each
criterion's status, explanation and missing items.
"""

from __future__ import annotations

import pytest
from conftest import EXAMPLES
from population import candidates_csv

from planner.participants import read_candidates, screen
from planner.participants.duck import DuckScreener, load
from planner.participants.duck import read_candidates as duck_read


def both(protocol, data, source):
    reference = screen(protocol, read_candidates(protocol, data, source))
    duckdb = DuckScreener(protocol).screen(load(protocol, data, source))
    return reference, duckdb


def assert_same(reference, duckdb):
    assert len(reference.results) == len(duckdb.results)
    for want, got in zip(reference.results, duckdb.results, strict=True):
        assert want == got, want.participant
    assert reference == duckdb


@pytest.mark.parametrize(("protocol_id", "name"), [("dbt-refractory", "candidates-dbt.csv"),
                                                   ("ssc-digital-ulcer", "candidates-ssc.json")])
def test_the_shipped_examples(protocol_id, name):
    from protocols import REGISTRY

    protocol = REGISTRY[protocol_id]()
    assert_same(*both(protocol, (EXAMPLES / name).read_bytes(), name))


def test_ten_thousand_generated_candidates_with_gaps_and_repeated_records(dbt):
    data = candidates_csv(dbt, 10_000, seed=15)
    reference, duckdb = both(dbt, data, "generated.csv")
    counts = reference.summary()
    assert all(counts[v] > 100 for v in counts), counts  # every verdict is exercised
    assert any(r.missing for r in reference.results)
    assert_same(reference, duckdb)


@pytest.mark.parametrize("protocol_id", ["ssc-digital-ulcer", "cia-tnf-tof-igu"])
def test_generated_candidates_of_the_other_protocols(protocol_id):
    from protocols import REGISTRY

    protocol = REGISTRY[protocol_id]()
    assert_same(*both(protocol, candidates_csv(protocol, 2_000, seed=3), "generated.csv"))


def test_the_typed_table_reads_back_as_the_reference_reads(dbt):
    data = candidates_csv(dbt, 2_000, seed=4)
    assert read_candidates(dbt, data, "g.csv") == duck_read(dbt, data, "g.csv")
