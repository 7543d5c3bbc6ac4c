"""A fake OpenAI upstream that answers each chat request with the next reply of a script
(the last one repeats), for multi-round turns."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from llm_Engine.testing.fake_upstreams import FakeOpenAI


class ScriptedOpenAI(FakeOpenAI):
    def __init__(self) -> None:
        super().__init__()
        self.script: list[list[str]] = []
        self.echo = False  # with no script: repeat the last message the model was sent
        self.chat_requests: list[dict[str, Any]] = []

    def play(self, *replies: str | list[str]) -> None:
        """Each reply is a text (streamed word by word) or a list of pieces."""
        self.script = [r if isinstance(r, list) else _words(r) for r in replies]
        self.echo = False
        self.chat_requests.clear()

    async def _record(self, request: Request) -> dict[str, Any]:
        body = await super()._record(request)
        if request.url.path.endswith("/chat/completions"):
            if self.script:
                turn = min(len(self.chat_requests), len(self.script) - 1)
                self.chunks = self.script[turn]
            elif self.echo:
                self.chunks = _words(body["messages"][-1]["content"])
            self.reply = "".join(self.chunks or [])
            self.chat_requests.append(body)
        return body


def _words(text: str) -> list[str]:
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]
