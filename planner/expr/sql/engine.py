"""Running the query on DuckDB, embedded: records in as a typed table, one answer per record out.

Records go in column by column, without pandas or Arrow: each column is one
list parameter, cast to a typed array and unnested (``INSERT INTO t SELECT
UNNEST(CAST(? AS BIGINT[])), …``), so a batch costs one statement per
:data:`CHUNK` records. (Converting Python lists is DuckDB's cost here, about
4 s for a million records of five items; files are better read by DuckDB
itself.) Column types come from the items' data types
(:data:`COLUMN_TYPES`); a key column keeps the records' order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from planner.expr.sql.compile import sql_type
from planner.expr.sql.query import Output, render, select
from planner.model import DataType, Item

if TYPE_CHECKING:
    import duckdb

COLUMN_TYPES: dict[DataType, str] = {
    DataType.INTEGER: "BIGINT",
    DataType.DECIMAL: "DOUBLE",
    DataType.BOOLEAN: "BOOLEAN",
    DataType.DATE: "DATE",
    DataType.TEXT: "VARCHAR",
    DataType.CODED: "VARCHAR",
}
"""The SQL type of each item's column."""

CHUNK = 100_000
"""Records per ``INSERT``: the lists a statement holds stay bounded however large the batch."""

KEY = "__record"
"""The key column: each record's position in the batch (no item name starts with an underscore)."""


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection; a missing package names the extra to install."""
    try:
        import duckdb
    except ImportError as err:  # pragma: no cover - the test extra installs it
        raise ImportError("the SQL backend runs on DuckDB: pip install 'protocol-planner[sql]'") from err
    return duckdb.connect()


class DuckDB:
    """Evaluate expressions over batches of records on one DuckDB connection (made here, or given)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection | None = None, table: str = "records") -> None:
        self.connection = connection if connection is not None else connect()
        self.table = table

    def load(self, items: Mapping[str, Item], records: Sequence[Mapping[str, Any]]) -> None:
        """Replace the table with ``records``: a key column and one typed column per item (absent is NULL)."""
        if KEY in items:
            raise ValueError(f"an item may not be called {KEY!r}, the key column")
        table = exp.Table(this=exp.to_identifier(self.table, quoted=True))
        schema = exp.Schema(this=table, expressions=[
            exp.ColumnDef(this=exp.to_identifier(name, quoted=True), kind=sql_type(column_type))
            for name, column_type in [(KEY, "BIGINT"), *((n, COLUMN_TYPES[it.type]) for n, it in items.items())]])
        create = exp.Create(this=schema, kind="TABLE", replace=True, properties=exp.Properties(
            expressions=[exp.TemporaryProperty()]))
        self.connection.execute(render(create))
        types = ["BIGINT", *(COLUMN_TYPES[it.type] for it in items.values())]
        unnest = [exp.Unnest(expressions=[exp.Cast(this=exp.Placeholder(), to=sql_type(t, array=True))])
                  for t in types]
        insert = render(exp.insert(exp.select(*unnest, copy=False), table, copy=False))
        for start in range(0, len(records), CHUNK):
            chunk = records[start:start + CHUNK]
            columns = [list(range(start, start + len(chunk)))]
            columns += [[_cell(r.get(n), it) for r in chunk] for n, it in items.items()]
            self.connection.execute(insert, columns)

    def run(self, query: exp.Select, items: Mapping[str, Item],
            records: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        """Load ``records`` and run ``query`` (from :meth:`select`): per record, in order, its output columns."""
        self.load(items, records)
        rows = self.connection.execute(render(query)).fetchall()
        return [row[1:] for row in rows]

    def select(self, outputs: Sequence[Output], items: Mapping[str, Item], today: dt.date | None = None) -> exp.Select:
        """The query of ``outputs`` over this runner's table, keyed by record (raises ``Unexpressible``)."""
        return select(outputs, items, self.table, KEY, today)

    def evaluate(self, outputs: Sequence[Output], items: Mapping[str, Item], records: Sequence[Mapping[str, Any]],
                 today: dt.date | None = None) -> list[tuple[Any, ...]]:
        """Per record, in order, one answer per output (``None`` unknown)."""
        return self.run(self.select(outputs, items, today), items, records)

def _cell(value: Any, item: Item) -> Any:
    """A record's value as its column holds it (a whole number in a decimal item as a float)."""
    if value is not None and item.type is DataType.DECIMAL and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
