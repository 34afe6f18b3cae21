"""Checks of a USDM 4.0 file by the ``usdm4`` package: its pydantic model, the JSON schema it ships, its rule library.

Each function returns one line per problem (empty when the file passes), so
tests and the command line can show them all. ``usdm4`` is a test
dependency (GPL-3.0, and it requires Python 3.12 through ``cdisc-rules-engine``,
so it is installed without its dependencies: docs/export-usdm.md); nothing
else imports this module.

The rule library is run by :func:`rule_problems`, not by ``USDM4.validate``:
that reloads the CDISC terminology (about 10 s) for every file, and its
engine turns a rule that raises into an outcome a caller must look for.
Here the terminology is loaded once and a rule that raises is a problem
like any other.
"""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

ERROR = 40  # simple_error_log's level of an error (Errors.ERROR)


def _root() -> Path:
    import usdm4

    return Path(usdm4.__file__).parent


def model_problems(data: dict[str, Any]) -> list[str]:
    """Every way ``data`` fails to load into usdm4's pydantic model of USDM 4.0 (``usdm4.api.wrapper.Wrapper``)."""
    from pydantic import ValidationError
    from usdm4.api.wrapper import Wrapper

    try:
        Wrapper.model_validate(data)
    except ValidationError as exc:
        return [f"$.{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return []


@cache
def _schema_validator() -> Any:
    import jsonschema

    schema = json.loads((_root() / "rules/library/schema/usdm_v4-0-0.json").read_text(encoding="utf-8"))
    root = {"$ref": "#/components/schemas/Wrapper-Input", "components": schema["components"]}
    cls = jsonschema.validators.validator_for(root, default=jsonschema.Draft202012Validator)
    return cls(root)


def schema_problems(data: dict[str, Any]) -> list[str]:
    """Every way ``data`` breaks the USDM 4.0 JSON schema shipped in usdm4 (``rules/library/schema/usdm_v4-0-0.json``)."""
    from jsonschema.exceptions import best_match

    out = []
    for e in _schema_validator().iter_errors(data):
        while e.context:  # a study design is one of two classes: say what is wrong with the closer one
            e = best_match(e.context)
        out.append(f"{e.json_path}: {e.message[:300]}")
    return out


@cache
def rules() -> tuple[Any, ...]:
    """The rule classes of usdm4's library, as usdm4's own engine loads them."""
    from usdm4.rules.engine import RulesValidationEngine

    return tuple(RulesValidationEngine(str(_root()), "usdm4.rules.library").rules)


@cache
def _terminology() -> Any:
    from usdm4.ct.cdisc.library import Library

    ct = Library(str(_root()))
    ct.load()
    return ct


def rule_outcomes(data: dict[str, Any]) -> dict[str, list[tuple[int, str]]]:
    """``{rule id: [(level, message), …]}`` for every rule that did not pass; a rule that raised has level ERROR."""
    from usdm4.data_store.data_store import DataStore

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "study.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        store = DataStore(str(path))
        store.decompose()
        config = {"data": store, "ct": _terminology()}
        found: dict[str, list[tuple[int, str]]] = {}
        for cls in rules():
            rule = cls()
            try:
                if rule.validate(config):
                    continue
            except NotImplementedError:
                continue
            except Exception as exc:  # a rule that crashes is reported, never dropped
                found[rule._rule] = [(ERROR, f"the rule raised {type(exc).__name__}: {exc}")]
                continue
            found[rule._rule] = [(e.level, f"{e.location.to_dict().get('path', '')}: {e.message}")
                                 for e in rule.errors()._items]
    return found


def rule_problems(data: dict[str, Any], *, level: int = ERROR) -> list[str]:
    """One line per finding of usdm4's rule library at ``level`` or above (errors by default)."""
    return [f"{rule}: {message}" for rule, found in sorted(rule_outcomes(data).items())
            for lvl, message in found if lvl >= level]
