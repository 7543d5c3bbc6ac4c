"""Turn an upstream provider's failure into the engine's OpenAI-style error."""

from __future__ import annotations

from llm_Engine.errors import (
    BadRequest,
    ContextLengthExceeded,
    EngineError,
    ModelNotFound,
    Overloaded,
    UpstreamAuthError,
    UpstreamError,
)

_CONTEXT_HINTS = (
    "context length",
    "context_length",
    "too long",
    "maximum context",
    "too many tokens",
)


def _retry_after(value: str | None) -> float:
    try:
        return max(1.0, float(value)) if value else 1.0
    except ValueError:
        return 1.0


def from_status(
    provider: str, status: int, message: str, retry_after: str | None = None
) -> EngineError:
    """Map an upstream HTTP status (and its message) to our error."""
    text = f"{provider} upstream: {message}"
    if status in (400, 413, 422):
        if any(hint in message.lower() for hint in _CONTEXT_HINTS):
            return ContextLengthExceeded(text, param="messages")
        return BadRequest(text)
    if status in (401, 403):
        return UpstreamAuthError(
            f"{provider} upstream rejected the engine's credentials ({status}): {message}. "
            "Check the API key configured for this model."
        )
    if status == 404:
        return ModelNotFound(text, param="model")
    if status in (429, 503, 529):
        return Overloaded(
            f"{provider} upstream is overloaded or rate-limited ({status}): {message}",
            retry_after=_retry_after(retry_after),
            retryable=True,
        )
    error = UpstreamError(f"{provider} upstream failed ({status}): {message}")
    error.retryable = status >= 500 or status == 408
    return error


def unreachable(provider: str, base_url: str | None, exc: BaseException) -> UpstreamError:
    where = f" at {base_url}" if base_url else ""
    return UpstreamError(
        f"cannot reach the {provider} upstream{where}: {type(exc).__name__}: {exc}",
        code="upstream_unreachable",
    )
