"""The Graphviz DOT export of decision pathways."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import attrs
import pytest
from test_pdf_sample import sample_protocol

from exports import FORMATS
from exports.dot import NoPathwayError, export_dot, label, quote, write
from planner.model import NodeKind, Pathway, PathwayEdge, PathwayNode

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _unquote(body: str) -> str:
    """The inverse of DOT string escaping, for the escapes :func:`quote` writes."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), body)


@pytest.fixture(scope="module")
def dot() -> str:
    return export_dot(sample_protocol()).decode("utf-8")


def _statements(dot: str) -> tuple[list[str], list[str]]:
    lines = [ln.strip() for ln in dot.splitlines()]
    nodes = [ln for ln in lines if re.match(r'^"[^"]+" \[', ln)]
    edges = [ln for ln in lines if " -> " in ln and not ln.startswith("//")]
    return nodes, edges


def test_every_node_and_edge_has_an_explicit_fontcolor(dot: str) -> None:
    nodes, edges = _statements(dot)
    assert 5 == len(nodes) and 5 == len(edges)
    for statement in nodes + edges:
        assert re.search(r'fontcolor="#[0-9A-F]{6}"', statement), statement


def test_every_edge_has_labeldistance_2_5(dot: str) -> None:
    _, edges = _statements(dot)
    assert all("labeldistance=2.5" in e for e in edges)
    assert "labeldistance=2.5" in next(ln for ln in dot.splitlines() if ln.strip().startswith("edge ["))


def test_fontcolor_contrasts_with_the_fill(dot: str) -> None:
    nodes, _ = _statements(dot)
    start = next(n for n in nodes if n.startswith('"start"'))
    decision = next(n for n in nodes if n.startswith('"which"'))
    assert 'fillcolor="#202124"' in start and 'fontcolor="#FFFFFF"' in start
    assert 'fillcolor="#FBBC05"' in decision and 'fontcolor="#202124"' in decision


def test_labels_are_quoted_and_escaped(dot: str) -> None:
    strings = [_unquote(m.group(1)) for m in _STRING.finditer(dot)]
    assert 'x<y & "one"' in strings
    assert 'Dual therapy (TNF-α + IL-17\n"blockers")' in strings
    assert "≥ 2 classes failed" in strings
    assert r'"a \"quoted\" back\\slash\nnew line"' == quote('a "quoted" back\\slash\nnew line')
    assert '"one two\\nthree"' == label("one two three", 8)


def test_output_is_deterministic_utf8(dot: str) -> None:
    assert dot.encode("utf-8") == export_dot(sample_protocol())
    assert dot.startswith("// sample-study version 1.2: Options after iguratimod failure")
    assert dot.rstrip().endswith("}")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_file(dot: str) -> None:
    done = subprocess.run(["dot", "-Tsvg"], input=dot.encode("utf-8"), capture_output=True, check=False)
    assert 0 == done.returncode, done.stderr.decode()
    svg = done.stdout.decode("utf-8")
    assert "x&lt;y &amp; &quot;one&quot;" in svg or "x&lt;y &amp; \"one\"" in svg


def test_several_pathways_become_clusters_with_unique_ids() -> None:
    p = sample_protocol()
    second = Pathway("other", "Other pathway", nodes=(
        PathwayNode("start", "Start", NodeKind.START), PathwayNode("end", "End", NodeKind.OUTCOME)),
        edges=(PathwayEdge("start", "end", "go"),))
    text = export_dot(attrs.evolve(p, pathways=(*p.pathways, second))).decode()
    assert 'subgraph "cluster_after_failure"' in text and 'subgraph "cluster_other"' in text
    assert '"other.start" -> "other.end"' in text
    assert '"after_failure.start" -> "after_failure.which"' in text


def test_a_protocol_without_pathway_is_refused() -> None:
    with pytest.raises(NoPathwayError, match="no decision pathway"):
        export_dot(attrs.evolve(sample_protocol(), pathways=()))


def test_registry_and_write_interface() -> None:
    buf = io.BytesIO()
    assert FORMATS["dot"].load().write(sample_protocol(), buf) is None
    assert buf.getvalue() == export_dot(sample_protocol())
    assert "sample-study-pathway.dot" == FORMATS["dot"].filename("sample-study")
    with pytest.raises(TypeError):
        write(sample_protocol(), io.BytesIO(), colour="red")


def test_shipped_pathway_exports() -> None:
    from protocols import REGISTRY

    with_pathway = [pid for pid, build in REGISTRY.items() if build().pathways]
    assert ["dbt-refractory", "ssc-digital-ulcer"] == sorted(with_pathway)  # the seed's pathway
    for pid in with_pathway:
        nodes, edges = _statements(export_dot(REGISTRY[pid]()).decode())
        assert nodes and edges
        assert all("fontcolor=" in s for s in nodes + edges)
