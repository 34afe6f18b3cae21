"""CDISC ODM 1.3.2: the study's metadata for an EDC system (OpenClinica 3, Rave, Castor, REDCap's ODM import).

:func:`document` builds the ODM as :mod:`odmlib` objects (:mod:`exports.odm.metadata`);
:func:`write` serialises it with odmlib. :mod:`exports.odm.validate` checks
a file against the CDISC XSD that ships in odmlib and with odmlib's own OID
checks; the tests run both on every shipped study. Rules and scores carry
FormalExpressions written by :mod:`planner.expr.formal` (XPath 3.1 over
ClinicalData, see docs/odm.md).
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from planner.model import Protocol

ODM_VERSION = "1.3.2"


def document(protocol: Protocol, *, created: dt.datetime | None = None) -> Any:
    """The odmlib ``ODM`` object of ``protocol``'s metadata (a Snapshot of Granularity Metadata)."""
    from odmlib.odm_1_3_2 import model as odm

    from exports.odm.metadata import Builder, creation_time
    from planner.cleantext import xml_chars

    return odm.ODM(FileOID=xml_chars(f"{protocol.id}.{protocol.version}.metadata"), FileType="Snapshot", Granularity="Metadata",
                 CreationDateTime=creation_time(protocol, created), ODMVersion=ODM_VERSION,
                 SourceSystem="protocol-planner", Study=[Builder(protocol).study()])


def to_bytes(protocol: Protocol, *, created: dt.datetime | None = None) -> bytes:
    """The ODM XML of ``protocol``, UTF-8 with an XML declaration."""
    xml: str = document(protocol, created=created).to_xml_string()
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + xml.encode("utf-8") + b"\n"


def write(protocol: Protocol, stream: IO[bytes], *, created: dt.datetime | None = None) -> None:
    stream.write(to_bytes(protocol, created=created))
