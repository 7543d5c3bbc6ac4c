"""Removes markers from a streamed answer as it arrives, holding back only what could still
turn out to be a marker."""

from __future__ import annotations

from collections.abc import Callable

from .markers import Marker, could_become_marker, marker_at


class MarkerStreamFilter:
    """``feed(piece)`` returns the text that can be shown now; ``flush()`` the rest at the
    end. Markers found so far are in ``markers`` (spans relative to the whole answer).

    For any split of a text into pieces, the concatenated output equals
    ``strip_markers(text)`` and ``markers`` equals ``parse_markers(text)``. At most
    ``MAX_MARKER_LEN`` characters are ever held back, and only from a "[" that could
    still open a marker.

    ``render`` (optional) returns the text shown in place of a marker -- e.g. the result
    of a calculation -- or None to show nothing."""

    def __init__(self, render: Callable[[Marker], str | None] | None = None):
        self.markers: list[Marker] = []
        self._render = render
        self._pending = ""  # text not yet released; starts at a "[" when not empty
        self._offset = 0  # position of _pending in the whole answer

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
                    out.append(self._render(found) or "")
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
        return "".join(out)
