"""Removes markers from a streamed answer as it arrives, holding back only what could still
turn out to be a marker."""

from __future__ import annotations

import re
from collections.abc import Callable

from ...core.markers import Marker, could_become_marker, marker_at


class MarkerStreamFilter:
    """``feed(piece)`` returns the text that can be shown now; ``flush()`` the rest at the
    end. Markers found so far are in ``markers`` (spans relative to the whole answer).

    For any split of a text into pieces, the concatenated output equals
    ``strip_markers(text)`` and ``markers`` equals ``parse_markers(text)``. At most
    ``MAX_MARKER_LEN`` characters are ever held back, and only from a "[" that could
    still open a marker.

    ``render`` (optional) returns the text shown in place of a marker -- e.g. the result
    of a calculation -- or None to show nothing. With ``render``, a marker written where a
    value belongs ("You were born in [REMEMBER: 1979].") is never removed leaving a hole
    ("You were born in ."): when the text before it is inside a sentence and the text
    after it ends the sentence, what it stands for is shown in its place (the fact it
    remembers, the new value of a correction, "…" for a lookup whose results follow)."""

    def __init__(self, render: Callable[[Marker], str | None] | None = None):
        self.markers: list[Marker] = []
        self._render = render
        self._pending = ""  # text not yet released; starts at a "[" when not empty
        self._offset = 0  # position of _pending in the whole answer
        self._shown = ""  # the end of what was released, to tell a hole in a sentence

    @property
    def held(self) -> str:
        """What is held back right now."""
        return self._pending

    def feed(self, piece: str) -> str:
        self._pending += piece
        return self._scan(final=False)

    def flush(self) -> str:
        return self._scan(final=True)

    def _scan(self, final: bool) -> str:
        text, out, start = self._pending, [], 0
        pos = text.find("[")
        while pos != -1:
            marker = marker_at(text, pos)
            after = text[marker.span[1] :].lstrip(" ") if marker is not None else ""
            if marker is not None and self._render is not None and not final and not after:
                break  # what follows it tells whether it stands in a sentence
            if marker is not None:
                out.append(text[start:pos])
                base = self._offset
                found = Marker(
                    marker.kind,
                    marker.args,
                    marker.raw,
                    (base + marker.span[0], base + marker.span[1]),
                )
                self.markers.append(found)
                if self._render is not None:
                    shown = self._render(found)
                    if shown is None and _in_a_sentence(self._shown + "".join(out), after):
                        shown = stands_for(found)
                    out.append(shown or "")
                start = marker.span[1]
                pos = text.find("[", start)
            elif not final and could_become_marker(text[pos:]):
                break
            else:
                pos = text.find("[", pos + 1)
        keep_from = pos if pos != -1 else len(text)
        out.append(text[start:keep_from])
        self._pending = text[keep_from:]
        self._offset += keep_from
        released = "".join(out)
        self._shown = (self._shown + released)[-80:]
        return released


def _in_a_sentence(before: str, after: str) -> bool:
    """Text before a marker that has not ended its sentence, and text after it that ends
    it: the marker was written where a value belongs."""
    line = before.rsplit("\n", 1)[-1]
    return bool(re.search(r"\w[\w,%'’)]*\s*$", line)) and bool(re.match(r"[.!?,;:]", after))


def stands_for(marker: Marker) -> str:
    """What a marker written in a sentence stands for."""
    if marker.kind == "remember":
        return marker.args[0]
    if marker.kind == "correct":
        return marker.args[1].strip()
    return "…"
