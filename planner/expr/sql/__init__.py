"""The SQL backend of rule expressions and formula trees: sqlglot ASTs, rendered per dialect, run on DuckDB.

* :class:`SqlCompiler` (:mod:`.compile`) writes one expression as a sqlglot
  expression over a table whose columns are the items;
* :func:`select` and :func:`render` (:mod:`.query`) make one ``SELECT`` of
  many expressions per row, and its text in a dialect (:data:`DIALECTS`);
* :class:`DuckDB` (:mod:`.engine`) loads records as a typed table and runs
  the query embedded.

Unknown is ``NULL``; a construct the backend cannot write raises
:class:`Unexpressible`. Needs the ``sql`` extra (sqlglot, duckdb).
"""

from __future__ import annotations

try:
    import sqlglot  # noqa: F401 - imported first, to name the extra when it is missing
except ImportError as err:  # pragma: no cover - the test extra installs it
    raise ImportError("the SQL backend needs sqlglot: pip install 'protocol-planner[sql]'") from err

from planner.expr.sql.compile import LogColumns, SqlCompiler, Unexpressible
from planner.expr.sql.engine import COLUMN_TYPES, DuckDB
from planner.expr.sql.query import DIALECTS, NUMERIC_TRUTHS, Output, render, select

__all__ = ["COLUMN_TYPES", "DIALECTS", "NUMERIC_TRUTHS", "DuckDB", "LogColumns", "Output", "SqlCompiler", "Unexpressible",
           "render", "select"]
