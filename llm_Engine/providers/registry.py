"""Model alias → (provider, upstream model name)."""

from __future__ import annotations

from dataclasses import dataclass

from llm_Engine.errors import ModelNotFound
from llm_Engine.providers.base import Provider
from llm_Engine.settings import ModelRoute


@dataclass
class Route:
    alias: str
    provider: Provider
    upstream_model: str
    kind: str = "chat"
    tools_enabled: bool = True  # native tool calling not turned off for this alias

    @property
    def tools(self) -> bool:
        """Whether requests with ``tools`` are taken (capabilities.tools)."""
        return self.kind == "chat" and self.tools_enabled and self.provider.supports_tools


class ProviderRegistry:
    """Finds the provider behind a model name.

    A name is an alias (`qwen2.5-coder-0.5b-instruct`, `default`, `openai`, ...), or
    `<alias>/<model>` to reach any model of a remote alias's upstream (`openai/gpt-4o`)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.default_chat: str | None = None
        self.default_embedding: str | None = None

    def add(
        self,
        alias: str,
        provider: Provider,
        upstream_model: str,
        kind: str = "chat",
        tools: bool = True,
    ) -> None:
        self.routes[alias] = Route(alias, provider, upstream_model, kind, tools)
        if kind == "chat" and self.default_chat is None:
            self.default_chat = alias
        if kind == "embedding" and self.default_embedding is None:
            self.default_embedding = alias

    def resolve(self, name: str, kind: str = "chat") -> Route:
        if name == "default":
            default = self.default_chat if kind == "chat" else self.default_embedding
            if default is not None:
                return self.routes[default]
        route = self.routes.get(name)
        if route is None and "/" in name:
            prefix, _, model = name.partition("/")
            base = self.routes.get(prefix)
            if base is not None and base.provider.kind not in ("llama", "minilm"):
                route = Route(name, base.provider, model, base.kind, base.tools_enabled)
        if route is None or route.kind != kind:
            what = "chat model" if kind == "chat" else "embedding model"
            known = ", ".join(a for a, r in self.routes.items() if r.kind == kind) or "none"
            raise ModelNotFound(
                f"The {what} '{name}' does not exist. Available: {known}.",
                param="model",
            )
        return route

    def resolve_any(self, name: str) -> Route:
        """Resolve a name that may be a chat or an embedding model."""
        route = self.routes.get(name)
        return self.resolve(name, route.kind if route else "chat")

    def providers(self) -> list[Provider]:
        unique: dict[int, Provider] = {id(r.provider): r.provider for r in self.routes.values()}
        return list(unique.values())

    async def aclose(self) -> None:
        for provider in self.providers():
            await provider.aclose()


def build_remote(route: ModelRoute, timeout: float, retries: int) -> Provider:
    key = route.resolved_key()
    if route.provider == "openai":
        from llm_Engine.providers.openai_compat import OpenAICompatibleProvider

        return OpenAICompatibleProvider(route.base_url, key, timeout, retries)
    if route.provider == "anthropic":
        from llm_Engine.providers.anthropic_messages import AnthropicProvider

        return AnthropicProvider(route.base_url, key, timeout, retries)
    if route.provider == "gemini":
        from llm_Engine.providers.gemini import GeminiProvider

        return GeminiProvider(route.base_url, key, timeout, retries)
    raise ValueError(f"provider {route.provider!r} is not a remote provider")
