"""Settings, the providers file and model routing."""

from __future__ import annotations

import json

import pytest

from llm_Engine.errors import ModelNotFound
from llm_Engine.providers.openai_compat import OpenAICompatibleProvider
from llm_Engine.providers.registry import ProviderRegistry, build_remote
from llm_Engine.settings import (
    EngineSettings,
    ModelRoute,
    load_providers_file,
    routes_from_environment,
)


def test_settings_come_from_llm_prefixed_variables(monkeypatch) -> None:
    monkeypatch.setenv("LLM_API_PORT", "7000")
    monkeypatch.setenv("LLM_N_CTX", "4096")
    monkeypatch.setenv("LLM_API_KEY", "k")
    settings = EngineSettings()
    assert (settings.api_port, settings.n_ctx, settings.api_key) == (7000, 4096, "k")


@pytest.mark.parametrize("suffix", [".toml", ".json", ".yaml"])
def test_providers_file_maps_aliases_to_providers(tmp_path, suffix: str, monkeypatch) -> None:
    monkeypatch.setenv("MY_KEY", "from-env")
    entry = {
        "provider": "openai",
        "base_url": "http://127.0.0.1:11434/v1",
        "model": "llama3",
        "api_key_env": "MY_KEY",
    }
    path = tmp_path / f"providers{suffix}"
    if suffix == ".toml":
        path.write_text(
            '[models.ollama]\nprovider = "openai"\nbase_url = "http://127.0.0.1:11434/v1"'
            '\nmodel = "llama3"\napi_key_env = "MY_KEY"\n'
        )
    elif suffix == ".json":
        path.write_text(json.dumps({"ollama": entry}))
    else:
        path.write_text(
            "models:\n  ollama:\n" + "".join(f"    {k}: {v}\n" for k, v in entry.items())
        )
    route = load_providers_file(path)["ollama"]
    assert (route.provider, route.model, route.resolved_key()) == ("openai", "llama3", "from-env")


def test_sdk_variables_add_default_aliases() -> None:
    routes = routes_from_environment(
        {"OPENAI_API_KEY": "a", "ANTHROPIC_API_KEY": "b", "GEMINI_API_KEY": "c"}
    )
    assert sorted(routes) == ["anthropic", "gemini", "openai"]
    assert routes_from_environment({}) == {}


def test_names_resolve_to_aliases_defaults_and_prefixed_models() -> None:
    registry = ProviderRegistry()
    remote = build_remote(ModelRoute(provider="openai", model="gpt"), timeout=5, retries=0)
    assert isinstance(remote, OpenAICompatibleProvider)
    registry.add("openai", remote, "gpt")
    assert registry.resolve("default").alias == "openai"
    assert registry.resolve("openai/gpt-4o").upstream_model == "gpt-4o"
    with pytest.raises(ModelNotFound):
        registry.resolve("missing")
    with pytest.raises(ModelNotFound):
        registry.resolve("openai", "embedding")
