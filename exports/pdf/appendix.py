"""What the appendix lists: every value not yet confirmed and the check findings."""

from __future__ import annotations

from collections.abc import Iterable

from exports.pdf.blocks import FindingRow, TbcItem
from planner.checks.engine import Finding
from planner.model import Protocol
from planner.model.unconfirmed import unconfirmed


def collect_tbc(protocol: Protocol) -> tuple[TbcItem, ...]:
    """Every value not yet confirmed, in model order: fields "to be confirmed" and
    quantities marked ``verify`` (from a secondary source).

    The list is the model's own (:func:`planner.model.unconfirmed.unconfirmed`),
    the same the checks and the CRF cover sheet list.
    """
    return tuple(TbcItem(u.path, u.place, u.description, u.verify) for u in unconfirmed(protocol))


def finding_rows(findings: Iterable[Finding]) -> tuple[FindingRow, ...]:
    """Check findings as the document lists them: errors first, registry order within a severity."""
    rank = {"error": 0, "warning": 1, "info": 2}
    rows = [FindingRow(code=f.code, severity=f.severity.value, area=f.area.value, path=f.path,
                       message=f.message, hint=f.hint) for f in findings]
    return tuple(sorted(rows, key=lambda r: rank.get(r.severity, 3)))


def collect_findings(protocol: Protocol) -> tuple[FindingRow, ...]:
    """Run the planner checks and return their findings for Appendix B."""
    from planner.checks import check

    return finding_rows(check(protocol).findings)


def fold_unconfirmed(findings: tuple[FindingRow, ...], tbc: tuple[TbcItem, ...],
                     ) -> tuple[tuple[tuple[str, str, int], ...], tuple[FindingRow, ...]]:
    """Split the findings into those Appendix A already lists and the rest.

    A finding of a "to be confirmed" or "verify" check
    (:data:`planner.checks.UNCONFIRMED_CODES`) at the path of an Appendix A
    item says no more than that item, so it is counted, not repeated: the
    first part is ``(code, title, count)`` per such check, in code order. Every
    other finding — also one of those checks at a path Appendix A does not
    list, such as an endpoint whose visit day is to be confirmed — is in the
    second part, in the given order.
    """
    from planner.checks import REGISTRY, UNCONFIRMED_CODES

    listed = {x.path for x in tbc}
    counts: dict[str, int] = {}
    rest: list[FindingRow] = []
    for f in findings:
        if f.code in UNCONFIRMED_CODES and f.path in listed:
            counts[f.code] = counts.get(f.code, 0) + 1
        else:
            rest.append(f)
    folded = tuple((code, REGISTRY[code].title if code in REGISTRY else code, n)
                   for code, n in sorted(counts.items()))
    return folded, tuple(rest)
