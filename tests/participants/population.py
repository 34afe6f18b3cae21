"""A generated candidate population for any protocol: valid cells, blanks, repeated records, "none" columns.

The CSV uses the documented wide layout (``prior_therapy[2].failed``), every
item of the protocol's non-repeating forms and three records of each
repeating form. About one cell in five is blank, records come and go, and a
log form's own column says ``none`` for some candidates without records, so
every path of three-valued logic is taken.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

from planner.model import DataType, Item, Protocol, Range
from planner.participants.layout import Layout

RECORDS = 3


def _value(it: Item, codes: dict[str, tuple[str, ...]], rng: random.Random) -> str:
    if it.type is DataType.BOOLEAN:
        return rng.choice(("yes", "no", "y", "n", "true", "0"))
    if it.type is DataType.CODED:
        return rng.choice(codes.get(it.codelist or "", ("X",)))
    if it.type is DataType.DATE:
        return (dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(2000))).isoformat()
    if it.type is DataType.TEXT:
        return rng.choice(("a", "b", "text with, comma"))
    low, high = 0.0, 90.0
    if isinstance(it.range, Range):
        low = it.range.low if it.range.low is not None else 0
        high = it.range.high if it.range.high is not None else low + 90
    if it.type is DataType.INTEGER:
        return str(rng.randint(int(low), int(high)))
    return f"{rng.uniform(low, high):.1f}"


def candidates_csv(protocol: Protocol, n: int, seed: int = 0, blank: float = 0.2) -> bytes:
    """``n`` candidates (``C00001``…) for ``protocol`` as CSV bytes; the same arguments give the same file."""
    rng = random.Random(seed)
    layout = Layout(protocol, "candidates")
    codes = {c.id: c.codes() for c in protocol.dictionary.codelists}
    plain = [it for _, it in layout.items.values()]
    header = ["participant", *(it.name for it in plain)]
    for form in layout.logs.values():
        header.append(form.id)
        header += [f"{form.id}[{k}].{it.name}" for k in range(1, RECORDS + 1) for it in form.items]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for i in range(1, n + 1):
        row = [f"C{i:05d}"]
        row += ["" if rng.random() < blank else _value(it, codes, rng) for it in plain]
        for form in layout.logs.values():
            present = [rng.random() < 0.6 for _ in range(RECORDS)]
            row.append("none" if not any(present) and rng.random() < 0.5 else "")
            for k in range(RECORDS):
                row += ["" if not present[k] or rng.random() < blank / 2 else _value(it, codes, rng)
                        for it in form.items]
        w.writerow(row)
    return out.getvalue().encode()
