"""Checks of an ODM 1.3.2 file by the standard's own tools: the CDISC XSD (shipped in odmlib) and odmlib's OID checks.

Each function returns one line per problem (empty when the file passes), so
tests and the command line can show them all.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def schema() -> Any:
    """The CDISC ODM 1.3.2 XML schema, from the XSD files that ship inside odmlib (``odmlib/schemas/odm/1.3.2``)."""
    import xmlschema
    from odmlib import schema_manager

    return xmlschema.XMLSchema(schema_manager.get_schema_path("odm", "1.3.2"))


def schema_errors(xml: bytes) -> list[str]:
    """Every way ``xml`` breaks the ODM 1.3.2 schema, one line each with the element's path."""
    from xmlschema.exceptions import XMLResourceParseError

    try:
        return [f"{e.path}: {e.reason}" for e in schema().iter_errors(xml.decode("utf-8"))]
    except XMLResourceParseError as exc:
        return [f"not well-formed XML: {exc}"]


def load(xml: bytes) -> Any:
    """The file loaded by odmlib into its ODM 1.3.2 object model."""
    from odmlib import loader, odm_loader

    ld = loader.ODMLoader(odm_loader.XMLODMLoader(model_package="odm_1_3_2", ns_uri="http://www.cdisc.org/ns/odm/v1.3"))
    ld.load_odm_string(xml.decode("utf-8"))
    return ld.load_odm()


def odmlib_problems(xml: bytes) -> list[str]:
    """odmlib's own validation of the loaded file: element order, OID uniqueness and every Ref naming a Def."""
    from odmlib.oid_generator import create_oid_checker

    odm = load(xml)
    checker = create_oid_checker("odm_1_3_2")
    return [str(e) for e in odm.validate(collect_errors=True, oid_checker=checker)]
