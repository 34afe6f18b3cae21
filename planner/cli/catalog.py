"""Commands about protocols themselves: list, show, dump, validate."""

from __future__ import annotations

import argparse
from typing import Any

from planner.cli.common import check_input_file, emit, print_json, resolve_protocol
from planner.cli.guard import FORCE_HELP


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("list", help="list the shipped protocols")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", help="summarise a protocol (id or YAML/JSON file)")
    p.add_argument("protocol", metavar="ID|PATH")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("dump", help="write a protocol as canonical YAML or JSON")
    p.add_argument("protocol", metavar="ID|PATH")
    p.add_argument("--format", choices=("yaml", "json"), default="yaml")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE (atomically) instead of stdout; a FILE edited since is kept unless --force")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.set_defaults(handler=cmd_dump)

    p = sub.add_parser("validate", help="load a YAML/JSON protocol file and report every problem")
    p.add_argument("path", metavar="PATH")
    p.set_defaults(handler=cmd_validate)


def cmd_list(args: argparse.Namespace) -> int:
    from protocols import REGISTRY

    rows: list[dict[str, Any]] = []
    for _pid, build in REGISTRY.items():
        p = build()
        rows.append({"id": p.id, "title": p.title, "kind": p.kind.value, "version": p.version})
    if args.json:
        print_json(rows)
        return 0
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        print(f"{r['id']:<{width}}  v{r['version']:<6} {r['kind']:<30} {r['title']}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from planner.model import show

    p = resolve_protocol(args.protocol, names=False)
    lines = [
        f"{p.title}",
        f"  id {p.id} · version {p.version} · {p.date.isoformat()} · {p.status.value} · {p.kind.value}",
        f"  sponsor: {show(p.sponsor)}",
        f"  investigator: {show(p.investigator)}",
        f"  arms/groups: {len(p.arms)} · visits: {len(p.schedule.visits)} · forms: {len(p.dictionary.forms)}"
        f" · items: {sum(len(f.items) for f in p.dictionary.forms)}",
        f"  objectives: {len(p.objectives)} · criteria: {len(p.eligibility)} · monitoring rules: {len(p.monitoring)}",
    ]
    for arm in p.arms:
        size = show(arm.planned_size)
        agents = "; ".join(i.agent for i in arm.interventions) or "no intervention"
        lines.append(f"  - {arm.name} (n={size}): {agents}")
    print("\n".join(lines))
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    from planner.serialize import dump

    emit(dump(resolve_protocol(args.protocol, names=False), args.format), args.output, force=args.force)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    check_input_file(Path(args.path))
    p = resolve_protocol(args.path)
    print(f"{args.path}: ok — {p.id} v{p.version} ({p.kind.value})")
    return 0
