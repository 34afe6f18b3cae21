"""Benchmark: PDF export speed against raw platypus on the same story.

A synthetic protocol of about 100 pages (many criteria, monitoring rules,
forms and a schedule wide enough for landscape pages) is exported in two
ways, alternately, in the same process:

* **export** — what ``export --to pdf`` does: build the content, the story,
  and lay it out with ``multiBuild`` (a second pass for the table of
  contents), the numbered canvas ("Page X of Y") and headers and footers;
* **raw** — platypus alone laying out the same story (a fresh copy built
  beforehand, outside the timing) in one ``build`` pass on the same page
  templates, with a plain canvas and no decoration.

Both report pages per second; the ratio export/raw is the cost of the
renderer's features on top of platypus. Each figure is the median of the
runs, with the spread (minimum–maximum) beside it.

Run: ``python benchmarks/bench_pdf.py [--runs 5] [--scale 1.0]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.platypus import BaseDocTemplate  # noqa: E402

from exports.pdf.content import build  # noqa: E402
from exports.pdf.render import make_story, page_templates, render  # noqa: E402
from exports.pdf.story import KeepWithFollower  # noqa: E402
from planner.expr import item, q  # noqa: E402
from planner.model import (  # noqa: E402
    TBC,
    Action,
    Arm,
    ArmType,
    Category,
    ClinicalPopulation,
    Criterion,
    CtcaeGrading,
    CtcaeTerm,
    DataDictionary,
    DataType,
    Endpoint,
    Epoch,
    EpochType,
    Form,
    Frequency,
    Intervention,
    Item,
    Level,
    Mechanism,
    MonitoringRule,
    Objective,
    Protocol,
    Quantity,
    Reference,
    Route,
    Schedule,
    Status,
    StudyKind,
    Visit,
    Window,
)

LOREM = ("Participants with active disease despite IL-1β and TNF-α blockade, ANC ≥ 1.5 × 10⁹/L, platelets "
         "≥ 100 × 10³/µL and ALT < 3 × ULN at screening, as judged by the investigator")


def synthetic_protocol(scale: float = 1.0) -> Protocol:
    """A large protocol: sizes grow with ``scale`` (1.0 gives about 100 pages)."""
    n_forms, n_items, n_criteria, n_rules = int(68 * scale), 12, int(205 * scale), int(225 * scale)
    forms = tuple(
        Form(f"form{i}", f"Assessment form {i}", domain="LB", items=tuple(
            Item(f"v{i}_{j}", f"Measurement {j} of form {i} (µmol/L, ≥ 0)", DataType.DECIMAL, unit="µmol/L",
                 guidance=LOREM if j % 4 == 0 else None)
            for j in range(n_items)))
        for i in range(n_forms))
    visits = tuple(
        Visit(f"v{k}", f"Visit {k}", "trt" if k else "scr", k * 14, Window(2, 2) if k else TBC("screening window"),
              forms=tuple(f.id for i, f in enumerate(forms) if (i + k) % 3 != 0 or k == 0))
        for k in range(24))
    criteria = tuple(
        Criterion(f"c{i}", Category.INCLUSION if i % 2 else Category.EXCLUSION, f"{LOREM} (criterion {i}; x<y and y>z)",
                  rule=item(f"v{i % n_forms}_{i % n_items}") < q(1.0, "10^9/L"), source="ref1")
        for i in range(n_criteria))
    rules = tuple(
        MonitoringRule(f"m{i}", f"Parameter {i} ≤ threshold", item(f"v{i % n_forms}_1") >= 3 * item(f"v{i % n_forms}_2"),
                       Action.INTERRUPT if i % 2 else Action.NOTIFY, f"Interrupt and repeat within 72 h; {LOREM}.",
                       ctcae=(CtcaeGrading(CtcaeTerm.NEUTROPHIL_COUNT_DECREASED, f"v{i % n_forms}_1", grade=3),),
                       source="ref2")
        for i in range(n_rules))
    objectives = tuple(
        Objective(f"o{i}", Level.PRIMARY if i == 0 else Level.SECONDARY, f"Objective {i}: {LOREM}.", endpoints=tuple(
            Endpoint(f"e{i}_{j}", Level.SECONDARY, f"Endpoint {j}: change in measurement {j}", f"v0_{j}",
                     timepoints=("v12",), change_from_baseline=True) for j in range(4)))
        for i in range(int(20 * scale)))
    arms = tuple(
        Arm(f"arm{i}", f"Arm {i}", ArmType.EXPERIMENTAL, LOREM, planned_size=30, interventions=(
            Intervention("tofacitinib", (Mechanism.JAK,), dose=Quantity(5, "mg"), route=Route.ORAL,
                         frequency=Frequency.BID),
            Intervention("iguratimod", (Mechanism.IGURATIMOD,), dose=TBC("dose"), route=Route.ORAL,
                         frequency=Frequency.QD)))
        for i in range(4))
    return Protocol(
        id="synthetic", title="A large synthetic protocol for the PDF benchmark", short_title="Synthetic",
        version="1.0", date=dt.date(2024, 1, 1), status=Status.DRAFT, kind=StudyKind.CLINICAL_INTERVENTIONAL,
        sponsor="Benchmark", investigator=TBC("investigator"), rationale=LOREM, design=LOREM,
        schedule=Schedule("first dose", epochs=(Epoch("scr", "Screening", EpochType.SCREENING),
                                                Epoch("trt", "Treatment", EpochType.TREATMENT)), visits=visits),
        dictionary=DataDictionary(forms=forms), population=ClinicalPopulation(LOREM),
        arms=arms, objectives=objectives, eligibility=criteria, monitoring=rules,
        references=(Reference("ref1", "Reference one."), Reference("ref2", "Reference two.")),
    )


def _export(p: Protocol) -> tuple[float, int]:
    t0 = time.perf_counter()
    pages = render(build(p, run_checks=False), io.BytesIO())
    return time.perf_counter() - t0, pages


def _raw(p: Protocol) -> tuple[float, int]:
    doc = build(p, run_checks=False)
    story = make_story(doc)  # built outside the timing: raw platypus only lays it out
    plain = BaseDocTemplate(io.BytesIO(), pagesize=A4, invariant=1, keepTogetherClass=KeepWithFollower)
    plain.addPageTemplates(page_templates())  # same frames and sizes, no header or footer
    t0 = time.perf_counter()
    plain.build(story)
    return time.perf_counter() - t0, int(plain.page)


def _spread(xs: list[float]) -> str:
    return f"{statistics.median(xs):8.1f}  ({min(xs):.1f}–{max(xs):.1f})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args(argv)
    p = synthetic_protocol(args.scale)
    _export(p)  # warm up: font loading, imports
    exp: list[float] = []
    raw: list[float] = []
    ratio: list[float] = []
    pages = raw_pages = 0
    for _ in range(args.runs):
        t_exp, pages = _export(p)
        t_raw, raw_pages = _raw(p)
        exp.append(pages / t_exp)
        raw.append(raw_pages / t_raw)
        ratio.append(exp[-1] / raw[-1])
    print(f"synthetic protocol: {pages} pages (raw layout: {raw_pages}), {args.runs} runs, median (min–max)")
    print(f"export   pages/s {_spread(exp)}")
    print(f"raw      pages/s {_spread(raw)}")
    print(f"ratio export/raw {statistics.median(ratio):8.2f}  ({min(ratio):.2f}–{max(ratio):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
