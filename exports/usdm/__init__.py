"""CDISC USDM 4.0: the study as a digital protocol (JSON), from the same model as every other document.

:func:`document` builds the study as USDM objects (:mod:`exports.usdm.study`,
classes in :mod:`exports.usdm.model`); :func:`to_bytes` writes them as UTF-8
JSON. :mod:`exports.usdm.validate` checks a file with the ``usdm4`` package
(its pydantic model, the USDM 4.0 JSON schema it ships, and its rule library);
the tests run all three on every shipped study and on generated protocols.
See docs/export-usdm.md for what is written and what is not.
"""

from __future__ import annotations

import json
from typing import IO, Any

from planner.model import Protocol


def document(protocol: Protocol) -> Any:
    """The USDM ``Wrapper`` object of ``protocol`` (:class:`exports.usdm.model.Wrapper`)."""
    from exports.usdm.study import Builder

    return Builder(protocol).wrapper()


def data(protocol: Protocol) -> dict[str, Any]:
    """The USDM JSON of ``protocol`` as plain dicts and lists."""
    from exports.usdm.model import as_json_data

    return as_json_data(document(protocol))


def to_bytes(protocol: Protocol) -> bytes:
    """The USDM JSON of ``protocol``, UTF-8, indented, ending in a newline (the same bytes for the same protocol)."""
    return (json.dumps(data(protocol), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write(protocol: Protocol, stream: IO[bytes]) -> None:
    stream.write(to_bytes(protocol))
