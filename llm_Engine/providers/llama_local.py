"""The embedded local model: llama.cpp through llama-cpp-python on a GGUF file."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from llm_Engine.errors import BadRequest, ContextLengthExceeded, EngineError
from llm_Engine.gate import GenerationGate
from llm_Engine.providers.base import ChatDelta, ChatParams, Provider, TokenCount, Usage

log = logging.getLogger("llm_Engine.llama")

_DONE = object()


class ModelLoadError(RuntimeError):
    """The GGUF file is missing or cannot be loaded; the message says what to do."""


def load_llama(path: Path, n_ctx: int, n_threads: int, n_batch: int) -> Any:
    if not path.is_file():
        raise ModelLoadError(
            f"model file not found: {path}\n"
            "Run `python -m llm_Engine.install` to assemble the default model, "
            "or set LLM_MODEL_PATH to a GGUF file."
        )
    from llama_cpp import Llama

    try:
        return Llama(
            model_path=str(path),
            n_ctx=n_ctx,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            n_batch=n_batch,
            verbose=False,
        )
    except (ValueError, RuntimeError, OSError) as exc:
        raise ModelLoadError(
            f"cannot load model file {path}: {exc}\n"
            "The file is not a valid GGUF model (truncated or corrupt?). "
            "Run `python -m llm_Engine.install` again, or point LLM_MODEL_PATH at another file."
        ) from exc


class LlamaProvider(Provider):
    """Serves one GGUF model. Generation runs in a worker thread feeding an asyncio queue;
    the same `Llama` object is reused, so llama.cpp keeps the KV cache of the longest
    common prompt prefix between turns."""

    kind = "llama"

    def __init__(self, llm: Any, gate: GenerationGate) -> None:
        from llama_cpp import llama_chat_format

        self.llm = llm
        self.gate = gate
        self.n_ctx = llm.n_ctx()
        self._grammars: dict[str, Any] = {}
        vocab = llm._model
        eos_id = llm.token_eos()
        bos_id = llm.token_bos()
        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelLoadError("the GGUF file has no chat template (tokenizer.chat_template)")
        self.stop_ids = {eos_id}
        eot_id = vocab.token_eot() if hasattr(vocab, "token_eot") else -1
        if eot_id >= 0:
            self.stop_ids.add(eot_id)
        self.formatter = llama_chat_format.Jinja2ChatFormatter(
            template=template,
            eos_token=vocab.token_get_text(eos_id) if eos_id >= 0 else "",
            bos_token=vocab.token_get_text(bos_id) if bos_id >= 0 else "",
            stop_token_ids=sorted(self.stop_ids),
        )

    # --- prompt -------------------------------------------------------------------------

    def prompt_tokens(self, messages: list[dict[str, str]]) -> tuple[list[int], list[str]]:
        """The prompt as the model sees it (its own chat template), and the template's stops."""
        result = self.formatter(messages=messages)
        tokens = self.llm.tokenize(
            result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
        )
        stops = result.stop if isinstance(result.stop, list) else [result.stop]
        return tokens, [s for s in stops if s]

    def _budget(self, n_prompt: int, max_tokens: int | None) -> int:
        room = self.n_ctx - n_prompt
        wanted = max_tokens if max_tokens is not None else room
        if room <= 0 or wanted > room:
            raise ContextLengthExceeded(
                f"This model's maximum context length is {self.n_ctx} tokens. However, you "
                f"requested {n_prompt + wanted} tokens ({n_prompt} in the messages, {wanted} "
                "in the completion). Please reduce the length of the messages or completion.",
                param="messages",
            )
        return wanted

    async def count_tokens(
        self, model: str, text: str | None, messages: list[dict[str, str]] | None
    ) -> TokenCount:
        if messages:
            return TokenCount(count=len(self.prompt_tokens(messages)[0]))
        return TokenCount(count=len(self.llm.tokenize((text or "").encode("utf-8"), add_bos=False)))

    # --- generation ---------------------------------------------------------------------

    def _grammar(self, schema: dict) -> Any:
        """llama.cpp's grammar for a JSON schema (built once per schema: ~ms, but reused)."""
        from llama_cpp import LlamaGrammar

        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            try:
                grammar = LlamaGrammar.from_json_schema(key, verbose=False)
            except Exception as exc:
                raise BadRequest(f"response_format: unusable JSON schema ({exc})") from exc
            if len(self._grammars) >= 64:
                self._grammars.clear()
            self._grammars[key] = grammar
        return self._grammars[key]

    async def stream_chat(self, params: ChatParams) -> AsyncIterator[ChatDelta]:
        try:
            tokens, template_stops = self.prompt_tokens(params.messages)
        except Exception as exc:  # a template may raise on unusual role orders
            raise BadRequest(f"cannot apply the model's chat template: {exc}") from exc
        max_tokens = self._budget(len(tokens), params.max_tokens)
        leave = await self.gate.enter()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        cancel = threading.Event()
        generated = [0]

        def stop_criterion(_ids: Any, _logits: Any) -> bool:
            # called once per sampled token, before llama-cpp-python looks at it
            generated[0] += 1
            return cancel.is_set()

        kwargs = {
            "prompt": tokens,
            "max_tokens": max_tokens,
            "stop": params.stop + template_stops,
            "seed": params.seed,
            "stream": True,
            "stopping_criteria": _criteria(stop_criterion),
        }
        if params.temperature is not None:
            kwargs["temperature"] = params.temperature
        if params.top_p is not None:
            kwargs["top_p"] = params.top_p
        if params.json_schema is not None:
            kwargs["grammar"] = self._grammar(params.json_schema)
        worker = threading.Thread(
            target=self._generate, args=(kwargs, loop, queue, cancel, leave), daemon=True
        )
        try:
            worker.start()
        except BaseException:
            leave()
            raise
        finish = "stop"
        try:
            while True:
                item = await queue.get()
                texts: list[str] = []
                while True:  # take everything already produced: one delta, not many
                    if item is _DONE or isinstance(item, BaseException):
                        break
                    text, reason = item
                    texts.append(text)
                    finish = reason or finish
                    if queue.empty():
                        item = None
                        break
                    item = queue.get_nowait()
                if texts and any(texts):
                    yield ChatDelta(text="".join(texts))
                if isinstance(item, BaseException):
                    raise EngineError(f"local model failed: {item}") from item
                if item is _DONE:
                    break
            # llama-cpp-python samples one token more than it returns (the end-of-turn token,
            # or the one after max_tokens), and the criterion sees each sampled token
            completion = generated[0] - 1
            yield ChatDelta(finish_reason=finish, usage=Usage(len(tokens), max(0, completion)))
        finally:
            cancel.set()

    def _generate(
        self,
        kwargs: dict[str, Any],
        loop: asyncio.AbstractEventLoop,
        queue: asyncio.Queue[Any],
        cancel: threading.Event,
        leave: Callable[[], None],
    ) -> None:
        def send(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is gone: nobody is listening any more
                cancel.set()

        try:
            chunks = self.llm.create_completion(**kwargs)
            try:
                for chunk in chunks:
                    if cancel.is_set():
                        break
                    choice = chunk["choices"][0]
                    send((choice["text"], choice["finish_reason"]))
            finally:
                chunks.close()
        except Exception as exc:
            log.exception("generation failed")
            send(exc)
        finally:
            send(_DONE)
            try:
                loop.call_soon_threadsafe(leave)
            except RuntimeError:
                leave()


def _criteria(fn: Callable[[Any, Any], bool]) -> Any:
    from llama_cpp import StoppingCriteriaList

    return StoppingCriteriaList([fn])
