"""A turn's actions are saved with its answer: reopening the chat shows what was remembered
(the scripted model and the stack of ``test_actions_through_the_api``)."""

from ..chat_helpers import stream_turn
from .test_actions_through_the_api import model, stack, user  # noqa: F401 - fixtures


def test_what_an_answer_remembered_is_there_when_the_chat_is_reopened(model, user):  # noqa: F811
    model.play("Nice to meet you, Jordan! [REMEMBER: name is Jordan]")
    events = stream_turn(user, "Hi, my name is Jordan.")
    done = events[-1][1]
    assert done["type"] == "done"
    reopened = user.http.get(f"/api/session/{done['session_id']}", headers=user.headers).json()
    answer = next(m for m in reopened["messages"] if m["id"] == done["assistant_message_id"])
    assert [(a["action"], a["input"], a["outcome"]) for a in answer["actions"]] == [
        ("remember", ["name is Jordan"], "ok")
    ]
    assert answer["stopped"] is False
