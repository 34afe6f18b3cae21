"""The examples in the docs run, and the YAML example equals the Python one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from planner.serialize import load

ROOT = Path(__file__).parents[1]


def blocks(path: Path, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def run_python(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(code, "<docs>", "exec"), namespace)  # noqa: S102 - our own documentation, in a test
    return namespace


def test_authoring_guide_python_and_yaml_examples_agree():
    doc = ROOT / "docs" / "authoring.md"
    (python,) = blocks(doc, "python")
    (yaml_text,) = blocks(doc, "yaml")
    protocol = run_python(python)["protocol"]
    assert protocol == load(yaml_text, "yaml")


def test_readme_author_tour_runs(capsys):
    (python,) = blocks(ROOT / "README.md", "python")
    run_python(python)
    assert "anc < 1000[/mm3] and not pregnant" in capsys.readouterr().out
