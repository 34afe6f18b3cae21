"""Random draws that are the same on every machine and every Python version: SHA-256 in counter mode.

Python's ``random`` module guarantees only that ``random()`` repeats for a
seed ("Notes on Reproducibility" in its documentation); the algorithms that
turn the stream into integers and shuffles "are subject to change across
Python versions" (``randrange`` changed in Python 3.2). NumPy's ``Generator``
is an optional extra here. So each draw is built from primitives whose
results are fixed by standards:

* a *word* is the first 8 bytes, read big-endian, of the SHA-256 (FIPS 180-4)
  of the UTF-8 JSON text ``["protocol-planner/allocation/v1", seed, *label,
  counter]`` written without spaces, where ``label`` names what is drawn
  (stratum, block, purpose) and ``counter`` counts the words drawn under it;
* an integer below ``k`` is a word ``w`` taken as ``w mod k`` when
  ``w < 2**64 - (2**64 mod k)``, and otherwise the next word is drawn
  (rejection sampling, so every integer is exactly equally likely);
* a shuffle is Fisher–Yates from the last position down: for ``i`` from
  ``n - 1`` to ``1``, swap position ``i`` with position ``below(i + 1)``.

Because each block has its own label, a block's content depends only on the
seed, its stratum and its number, never on how many blocks were drawn before.
Changing anything here changes every list: the golden-list test in
``tests/test_randomise.py`` guards it, and :data:`STREAM` names the
construction in every allocation key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Final, TypeVar

T = TypeVar("T")

STREAM: Final = "protocol-planner/allocation/v1"
"""The name of this construction, written into every allocation key."""

STREAM_TEXT: Final = ("SHA-256 in counter mode (first 8 bytes big-endian per word), unbiased integers by "
                      "rejection, Fisher-Yates shuffle")
"""One line describing the construction, for the key's settings."""

_SPAN: Final = 2**64

Label = tuple[str | int, ...]


class Draws:
    """The draws for one ``label`` under one ``seed``: :meth:`below` and :meth:`shuffled` use them in turn."""

    def __init__(self, seed: int, label: Label) -> None:
        self._prefix = json.dumps([STREAM, seed, *label], ensure_ascii=False, separators=(",", ":"))[:-1]
        self._counter = 0

    def word(self) -> int:
        """The next 64-bit word."""
        text = f"{self._prefix},{self._counter}]"
        self._counter += 1
        return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")

    def below(self, k: int) -> int:
        """An integer in ``0 … k-1``, each exactly equally likely."""
        if k < 1:
            raise ValueError(f"cannot draw below {k}")
        limit = _SPAN - _SPAN % k
        while True:
            w = self.word()
            if w < limit:
                return w % k

    def shuffled(self, items: Sequence[T]) -> list[T]:
        """A Fisher–Yates shuffle of a copy of ``items``."""
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.below(i + 1)
            out[i], out[j] = out[j], out[i]
        return out
