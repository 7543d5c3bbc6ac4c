"""The action handler (the seed's name): what the turn runner imports.

The marker grammar is documented in ``services/actions/markers.py``."""

from __future__ import annotations

from .actions.calculator import Calculation, calculate
from .actions.guards import (
    fact_named_by,
    fact_supported_by,
    fact_to_forget,
    forget_requested,
    search_skip_reason,
)
from .actions.handler import ActionHandler, ActionPorts, ActionRound, Correction
from .actions.markers import (
    EFFECT_KINDS,
    RETRIEVAL_KINDS,
    Marker,
    neutralise,
    parse_markers,
    strip_markers,
)
from .actions.stream_filter import MarkerStreamFilter

__all__ = [
    "EFFECT_KINDS",
    "RETRIEVAL_KINDS",
    "ActionHandler",
    "ActionPorts",
    "ActionRound",
    "Calculation",
    "Correction",
    "Marker",
    "MarkerStreamFilter",
    "calculate",
    "fact_named_by",
    "fact_supported_by",
    "fact_to_forget",
    "forget_requested",
    "neutralise",
    "parse_markers",
    "search_skip_reason",
    "strip_markers",
]
