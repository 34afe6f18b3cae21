"""Command ``sample-size``: a protocol's sample size, detectable effect or power, with statsmodels.

:mod:`planner.sizing` decides what is solved and where each input comes
from; this module only prints it (or its JSON) and, with ``--curve``, writes
the power curve through the overwrite guard. An input the calculation needs
and the protocol does not give is one ``$.sample_size…`` line on stderr,
exit 2.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from planner.cli.common import BadInput, print_json, resolve_protocol
from planner.cli.guard import FORCE_HELP, claim

if TYPE_CHECKING:
    from pathlib import Path

    from planner.sizing import Sizing

CURVE_SUFFIXES = (".svg", ".png")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sample-size", help="calculate the sample size, detectable effect or power (statsmodels)",
        description="Calculate a protocol's sample size with statsmodels: the number per group and in total "
                    "after attrition, the smallest effect it detects, or its power — whichever of the three "
                    "the protocol leaves open, or the one --solve names. Each input is printed with where it "
                    "comes from; values the protocol leaves to be confirmed are said to be. See "
                    "docs/sample-size.md.")
    p.add_argument("protocol", metavar="ID|PATH")
    p.add_argument("--solve", choices=("n", "effect", "power"),
                   help="what to solve for: n (the number), effect (the detectable effect) or power; default "
                        "the one the protocol does not give")
    p.add_argument("--json", action="store_true", help="print the calculation as JSON")
    p.add_argument("--curve", metavar="FILE.svg|FILE.png",
                   help="also draw the power curve (power against n and against effect size) to an SVG or PNG "
                        "file")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.set_defaults(handler=cmd_sample_size)


def cmd_sample_size(args: argparse.Namespace) -> int:
    from pathlib import Path

    from planner.power import PowerError
    from planner.sizing import SOLVE, for_protocol

    curve = Path(args.curve) if args.curve else None
    if curve is not None and curve.suffix.lower() not in CURVE_SUFFIXES:
        raise BadInput(f"--curve {args.curve}: name a file ending in .svg or .png")
    protocol = resolve_protocol(args.protocol, names=False)  # a rule's undefined name does not touch the numbers
    source = args.protocol
    try:
        sizing = for_protocol(protocol, SOLVE[args.solve] if args.solve else None)
    except PowerError as exc:
        raise BadInput([f"{source}: {line}" for line in exc.problems]) from None
    data = _curve_bytes(sizing, curve) if curve is not None else None
    if args.json:
        print_json(_json(sizing, str(curve) if curve else None))
    else:
        print(report(sizing), end="")
    if curve is not None and data is not None:
        with claim([curve], force=args.force) as out:
            out.write(curve, data)
        if not args.json:
            print(f"wrote the power curve to {curve}")
    return 0


def _json(s: Sizing, curve: str | None) -> dict[str, object]:
    from planner.sizing import to_json

    data = to_json(s)
    if curve is not None:
        data["curve"] = curve
    return data


def _curve_bytes(s: Sizing, path: Path) -> bytes:
    from exports import power_curve

    try:
        return power_curve.svg(s) if path.suffix.lower() == ".svg" else power_curve.png(s)
    except power_curve.NoRenderer as exc:
        raise BadInput(f"--curve {path}: {exc}") from None


def _per_group(values: tuple[int, ...], arms: tuple[str, ...]) -> str:
    if arms:
        return ", ".join(f"{a} {n}" for a, n in zip(arms, values, strict=True))
    return " + ".join(map(str, values))


def report(s: Sizing) -> str:
    """The calculation as the command prints it: inputs with their sources, method, result."""
    from planner.power import Solved

    c = s.calculation
    width = max(len(g.name) for g in s.given)
    lines = [f"{s.protocol_id}: sample size, solving for the {c.solved.value}", "inputs:"]
    for g in s.given:
        lines.append(f"  {g.name:<{width}}  {g.value} — {g.source} ({g.path})")
    lines.append(f"method: {s.method}")
    lines.append("result:")
    if c.solved is Solved.EFFECT:
        lines.append(f"  detectable effect  {s.index} = {c.effect_size:.3f} "
                     f"(Cohen's small, medium, large: {', '.join(f'{x:g}' for x in s.cohen)})")
    elif c.solved is Solved.POWER:
        lines.append(f"  power              {c.power:.3f}")
    lines.append(f"  analysed per group {_per_group(c.analysed, s.arms)}; total {c.total}")
    lines.append(f"  enrolled per group {_per_group(c.enrolled, s.arms)}; total {c.total_enrolled} "
                 f"(attrition {c.attrition:g})")
    if c.solved is Solved.N and s.target is not None and s.target != c.total_enrolled:
        lines.append(f"  the protocol's target is {s.target} ({'fewer' if s.target < c.total_enrolled else 'more'} "
                     f"than calculated; see check DES004/DES016)")
    unconfirmed = [g.name for g in s.given if not g.confirmed]
    if unconfirmed:
        lines.append(f"to be confirmed: {', '.join(unconfirmed)} — the result holds only for the values above")
    return "\n".join(lines) + "\n"
