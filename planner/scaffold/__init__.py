"""Starting protocols for ``protocol-planner new``: one commented YAML template per kind of study.

Each template validates and checks with no errors: every value an author
cannot know yet is "to be confirmed" with a reason, so the check report lists
what is left to decide. :func:`starting_protocol` fills in the id, title and
date; it touches no files (the command line writes them).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from typing import Final

KINDS: Final = ("clinical", "observational", "preclinical")
"""The kinds of starting protocol: a clinical trial, an observational cohort, an animal experiment."""


class ScaffoldError(ValueError):
    """A name or kind a starting protocol cannot be made from."""


def protocol_id(name: str) -> str:
    """The protocol id for a study name: lower-case words joined by '-' (``"My RA trial"`` → ``my-ra-trial``)."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    if not words or not words[0][0].isalpha():
        raise ScaffoldError(f"{name!r}: a study name must start with a letter (it becomes the protocol id)")
    return "-".join(words)


def starting_protocol(kind: str, name: str, date: dt.date) -> str:
    """The YAML text of a starting protocol of ``kind`` called ``name``."""
    if kind not in KINDS:
        raise ScaffoldError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    title = " ".join(name.split())
    text = resources.files("planner.scaffold").joinpath(f"{kind}.yaml").read_text(encoding="utf-8")
    # json.dumps gives a double-quoted scalar YAML reads back exactly, whatever the title holds.
    return (text.replace("__ID__", protocol_id(name)).replace("__TITLE__", json.dumps(title, ensure_ascii=False))
            .replace("__DATE__", date.isoformat()))
