"""The events of a chat turn (``schemas/events.py``): what each constructor gives is what a
client reads back (live or replayed from the database), and nothing else is an event."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from RAI_Chat.backend.schemas.events import (
    ActionEvent,
    DoneEvent,
    ErrorEvent,
    MessageStatus,
    SessionEvent,
    StatusEvent,
    TokenEvent,
    done_event,
    error_event,
    parse_event,
    status_event,
    token_event,
)

IDS = {"session_id": "s1", "user_message_id": "u1", "assistant_message_id": "a1"}
WEB = {"title": "Example", "url": "https://example.org/"}
PASSAGE = {
    "kind": "document",
    "title": "notes.pdf",
    "document_id": "d1",
    "chunk_id": "c1",
    "filename": "notes.pdf",
    "page": None,
    "heading": None,
    "n": 2,
}

EVENTS = [
    SessionEvent(**IDS).event(),
    status_event("Thinking…"),
    token_event("Hel"),
    ActionEvent(
        action="web_search",
        input=["weather"],
        outcome="ok",
        detail="1 results",
        results=1,
        sources=[WEB],
    ).event(),
    ActionEvent(
        action="correct", input=["a", "b"], outcome="ok", detail="", fact="b", corrected=None
    ).event(),
    done_event(
        response="Hello",
        status=MessageStatus.complete,
        usage={"prompt_tokens": 5, "completion_tokens": 2},
        sources=[WEB, PASSAGE],
        actions=[ActionEvent(action="calculate", input=["1+1"], outcome="ok").event()],
        decision={"tool": "none", "design": "classifier", "ms": 0.4},
        **IDS,
    ),
    error_event("The engine is unavailable", partial="Hel", **IDS),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e["type"])
def test_an_event_survives_json_and_parsing_unchanged(event):
    stored = json.loads(json.dumps(event))  # as the database and the SSE frame keep it
    assert stored == event
    assert parse_event(stored).event() == event


def test_each_event_is_its_own_model_by_type():
    models = [type(parse_event(e)) for e in EVENTS]
    assert models == [
        SessionEvent,
        StatusEvent,
        TokenEvent,
        ActionEvent,
        ActionEvent,
        DoneEvent,
        ErrorEvent,
    ]


def test_the_per_token_constructor_gives_what_the_model_gives():
    for text in ["", "Hel", "ünï [REMEMBER: x]", "\n\n_a note_"]:
        assert token_event(text) == TokenEvent(content=text).event()


def test_a_field_given_as_null_is_sent_and_an_unset_one_is_not():
    corrected = EVENTS[4]
    assert corrected["corrected"] is None and "results" not in corrected
    assert corrected["detail"] == ""  # a default other than null is always sent
    plain = ActionEvent(action="remember", input=["x"], outcome="ok").event()
    assert set(plain) == {"type", "action", "input", "outcome", "detail"}


def test_done_and_error_carry_no_server_only_field():
    done, error = EVENTS[5], EVENTS[6]
    assert "http_status" not in done and "http_status" not in error
    assert error["status"] == "error" and error["partial"] == "Hel"
    assert done["sources"] == [WEB, PASSAGE]  # a passage's null page stays as given


@pytest.mark.parametrize(
    "data",
    [
        {"type": "thinking", "message": "?"},  # unknown type
        {"message": "no type"},
        {"type": "token", "token": "x"},  # the field is ``content``
        {"type": "token", "content": "x", "http_status": 502},  # nothing extra
        {"type": "done", "response": "x", "status": "in_progress", **IDS},
        {"type": "action", "action": "remember", "input": [], "outcome": "maybe"},
        {"type": "error", "error": "x", "status": "complete", **IDS},
    ],
)
def test_what_is_not_an_event_is_refused(data):
    with pytest.raises(ValidationError):
        parse_event(data)


def test_a_done_event_needs_an_ended_status():
    for status in (MessageStatus.in_progress, MessageStatus.error):
        with pytest.raises(ValidationError):
            done_event(response="", status=status, **IDS)
    assert {s.value for s in MessageStatus} == {"in_progress", "complete", "interrupted", "error"}
    assert f"{MessageStatus.complete}" == "complete"  # a str enum: stored and logged as text


# --- the SSE frames (``api/sse.py``) ------------------------------------------------------

SSE_TEXTS = ["", "Hel", 'ünï "quoted" \\ [REMEMBER: x]', "\n\n_a note_", "tab\tand \u2028 ✓ 😀"]


def frames_of(body: str) -> list[tuple[int, dict]]:
    """What a client reads from an SSE body: (id, event) per frame."""
    out = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        if "data" in fields:
            out.append((int(fields["id"]), json.loads(fields["data"])))
    return out


@pytest.mark.parametrize("event", [*EVENTS, *(token_event(t) for t in SSE_TEXTS)])
def test_each_frame_carries_its_event_as_json_dumps_gives_it(event):
    from RAI_Chat.backend.api.sse import frame

    assert frame(7, event) == f"id: 7\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
    assert frames_of(frame(7, event)) == [(7, event)]


def test_events_that_waited_together_go_out_as_one_piece_in_order():
    from RAI_Chat.backend.api.sse import format_events

    tokens = [(i + 1, token_event(t)) for i, t in enumerate(SSE_TEXTS)]
    pieces = list(format_events([tokens[0], tokens[1:4], None, [tokens[4]]]))
    assert pieces[0] == "retry: 2000\n\n"
    assert len(pieces) == 5  # retry, one event, one batch of three, keep-alive, one batch
    assert pieces[3] == ": keep-alive\n\n"
    assert frames_of("".join(pieces)) == tokens
    assert frames_of(pieces[2]) == tokens[1:4]


def test_a_follower_gets_what_waited_in_one_batch_and_stops_at_the_end():
    from RAI_Chat.backend.services.turn_stream import TurnStream

    stream = TurnStream("m")
    for text in ("a", "b", "c"):
        stream.append(token_event(text))
    batches = stream.follow_batches(0)
    assert next(batches) == [(1, token_event("a")), (2, token_event("b")), (3, token_event("c"))]
    stream.append(token_event("d"))
    stream.append(error_event("failed", **IDS))
    stream.append(token_event("never sent"))  # nothing follows a terminal event
    assert list(batches) == [[(4, token_event("d")), (5, error_event("failed", **IDS))]]
    assert [seq for seq, _ in stream.follow(2)] == [3, 4, 5]
