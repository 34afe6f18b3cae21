"""Graphviz DOT of a protocol's decision pathway(s), for people who edit it by hand.

``write(protocol, stream)`` writes UTF-8 DOT; :func:`export_dot` returns the
bytes. One pathway becomes one ``digraph``; several become clusters of one
digraph (node ids then carry the pathway id, so they stay unique).

Readability, as the pathway's source (Smolecule 2026) advises: every node and
every edge has an explicit ``fontcolor`` chosen for contrast with its fill (light text on the dark and
blue fills, dark text on yellow and on the white background), and every edge
has ``labeldistance=2.5``. Graphviz applies ``labeldistance`` to head and tail
labels; it is set on every edge so that a head or tail label added by hand
starts clear of the arrow. The node colours are those of the PDF figure
(:data:`exports.pdf.figures.NODE_COLOURS`, repeated here so this module needs
no reportlab).

Every string (labels, tooltips, ids) is written by :func:`quote`, the one
escaping function: a double-quoted DOT string — never an HTML-like ``<…>``
label, so ``<`` and ``>`` are plain characters — with backslashes and double
quotes escaped, line breaks as ``\\n``, an ``&`` that would start an entity
(Graphviz decodes ``&amp;`` and ``&#60;`` in plain labels too) written as
``&amp;``, and characters XML 1.0 cannot hold (control characters, lone
surrogates) replaced by ``�``, since the usual next step is SVG.
Long labels are wrapped at word boundaries.
"""

from __future__ import annotations

import io
import re
import textwrap
from typing import IO, Final

from planner.cleantext import xml_chars
from planner.model import Pathway, PathwayNode, Protocol

BACKGROUND = "#FFFFFF"
INK = "#202124"
EDGE = "#5F6368"
FONT = "DejaVu Sans"
LABEL_DISTANCE = 2.5
_ENTITY: Final = re.compile(r"&(?=#?[0-9A-Za-z]+;)")

#: Fill, text colour and shape per node kind.
NODE_STYLE: dict[str, tuple[str, str, str]] = {
    "start": ("#202124", "#FFFFFF", "box"),
    "decision": ("#FBBC05", "#202124", "hexagon"),
    "strategy": ("#1A73E8", "#FFFFFF", "box"),
    "outcome": ("#188038", "#FFFFFF", "box"),
}


class NoPathwayError(ValueError):
    """The protocol has no decision pathway to write."""


def quote(text: str) -> str:
    """A DOT double-quoted string that Graphviz shows as ``text``: see the module's docstring."""
    body = _ENTITY.sub("&amp;", xml_chars(text)).replace("\\", "\\\\").replace('"', '\\"')
    body = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{body}"'


def label(text: str, width: int = 28) -> str:
    """A quoted label wrapped at ``width`` characters (explicit line breaks are kept).

    Characters XML cannot hold become ``�`` before wrapping, so a control character is neither a line
    break (``str.splitlines`` takes ``\\x0b``, ``\\x1c`` … for one) nor white space the wrapping drops.
    """
    lines = [w for part in xml_chars(text).splitlines() or [""] for w in (textwrap.wrap(part, width) or [""])]
    return quote("\n".join(lines))


def _comment(text: str) -> str:
    """Text for a ``//`` comment: on one line, only characters XML 1.0 can hold."""
    return " ".join(xml_chars(text).split())


def _attrs(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{k}={v}" for k, v in pairs)


def _node(n: PathwayNode, node_id: str, source: str | None) -> str:
    fill, ink, shape = NODE_STYLE.get(n.kind.value, ("#F1F3F4", INK, "box"))
    pairs = [("label", label(n.label)), ("shape", shape), ("fillcolor", quote(fill)), ("color", quote(fill)),
             ("fontcolor", quote(ink))]
    if n.strategy is not None:
        s = n.strategy
        tip = f"Disease context: {s.disease_context}\nEfficacy: {s.efficacy}\nSafety: {s.safety}"
        if s.source or source:
            tip += f"\nSource: {s.source or source}"
        pairs.append(("tooltip", quote(tip)))
    return f"{quote(node_id)} [{_attrs(pairs)}];"


def _pathway_lines(pw: Pathway, prefix: str, indent: str) -> list[str]:
    def nid(node_id: str) -> str:
        return f"{prefix}{node_id}"

    source = f"; source: {_comment(pw.source)}" if pw.source else ""
    out = [f"{indent}// {len(pw.nodes)} nodes, {len(pw.edges)} edges{source}"]
    out += [f"{indent}{_node(n, nid(n.id), pw.source)}" for n in pw.nodes]
    for e in pw.edges:
        pairs = [("fontcolor", quote(INK)), ("color", quote(EDGE)), ("labeldistance", f"{LABEL_DISTANCE}")]
        if e.label:
            pairs.insert(0, ("label", label(e.label, 24)))
        out.append(f"{indent}{quote(nid(e.source))} -> {quote(nid(e.target))} [{_attrs(pairs)}];")
    return out


def render(protocol: Protocol) -> str:
    """The DOT text for every pathway of the protocol."""
    pathways = protocol.pathways
    if not pathways:
        raise NoPathwayError(f"protocol {protocol.id!r} has no decision pathway to export as DOT")
    single = len(pathways) == 1
    name = pathways[0].id if single else protocol.id
    title = pathways[0].title if single else f"Decision pathways of {protocol.short_title}"
    graph = _attrs([("label", label(title, 60)), ("labelloc", "t"), ("fontname", quote(FONT)), ("fontsize", "14"),
                    ("fontcolor", quote(INK)), ("bgcolor", quote(BACKGROUND)), ("rankdir", "TB"),
                    ("nodesep", "0.4"), ("ranksep", "0.5")])
    node = _attrs([("shape", "box"), ("style", quote("rounded,filled")), ("fontname", quote(FONT)),
                   ("fontsize", "11"), ("margin", quote("0.15,0.08"))])
    edge = _attrs([("fontname", quote(FONT)), ("fontsize", "9"), ("fontcolor", quote(INK)), ("color", quote(EDGE)),
                   ("labeldistance", f"{LABEL_DISTANCE}")])
    lines = [
        f"// {_comment(protocol.id)} version {_comment(protocol.version)}: {_comment(title)}",
        "// Written by protocol-planner (export --to dot). Render with: dot -Tsvg FILE -o FILE.svg",
        f"digraph {quote(name)} {{",
        f"  graph [{graph}];",
        f"  node [{node}];",
        f"  edge [{edge}];",
    ]
    if single:
        lines += _pathway_lines(pathways[0], "", "  ")
    else:
        for pw in pathways:
            lines.append(f"  subgraph {quote('cluster_' + pw.id)} {{")
            cluster = _attrs([("label", label(pw.title, 60)), ("fontcolor", quote(INK)), ("color", quote(EDGE))])
            lines.append(f"    graph [{cluster}];")
            lines += _pathway_lines(pw, f"{pw.id}.", "    ")
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write(protocol: Protocol, stream: IO[bytes], **options: object) -> None:
    """Write the DOT of the protocol's decision pathway(s) to a binary stream (UTF-8).

    Raises :class:`NoPathwayError` when the protocol has no pathway.
    """
    if options:
        raise TypeError(f"the dot export takes no options (got {', '.join(sorted(options))})")
    stream.write(render(protocol).encode("utf-8"))


def export_dot(protocol: Protocol) -> bytes:
    """The DOT file as bytes."""
    buf = io.BytesIO()
    write(protocol, buf)
    return buf.getvalue()
