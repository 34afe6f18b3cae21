"""Decision pathways: a small labelled graph (treatment options after failure)."""

from __future__ import annotations

import enum

from attrs import field, frozen

from planner.model.values import identifier, non_empty, tuple_field, unique


class NodeKind(enum.StrEnum):
    START = "start"
    DECISION = "decision"
    STRATEGY = "strategy"
    OUTCOME = "outcome"


@frozen
class Strategy:
    """What the source says about a treatment strategy (a row of the source's table of strategies)."""

    disease_context: str
    efficacy: str
    safety: str
    source: str | None = None


@frozen
class PathwayNode:
    id: str = field(validator=identifier())
    label: str = field(validator=non_empty())
    kind: NodeKind
    strategy: Strategy | None = None


@frozen
class PathwayEdge:
    source: str
    target: str
    label: str | None = None


@frozen
class Pathway:
    """A directed graph of labelled nodes and edges."""

    id: str = field(validator=identifier())
    title: str = field(validator=non_empty())
    nodes: tuple[PathwayNode, ...] = tuple_field(validator=unique(lambda n: n.id, "node id"))
    edges: tuple[PathwayEdge, ...] = tuple_field()
    source: str | None = None

    def node(self, node_id: str) -> PathwayNode | None:
        return next((n for n in self.nodes if n.id == node_id), None)
