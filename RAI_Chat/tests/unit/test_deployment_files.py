"""docker-compose.yml, Dockerfile and .dockerignore stay consistent with the code: every
environment variable the compose file sets is one the API or the engine actually reads."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from llm_Engine.settings import EngineSettings
from RAI_Chat.backend.config import Settings

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
API_SETTINGS = {name.upper() for name in Settings.model_fields}
ENGINE_SETTINGS = {
    EngineSettings.model_config["env_prefix"] + name.upper() for name in EngineSettings.model_fields
}
# Read outside the settings models: where, and the variable.
READ_ELSEWHERE = {
    "RAI_DATA_DIR": "llm_Engine/paths.py",
}


def environment(service: str) -> dict[str, str]:
    env = COMPOSE["services"][service].get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


@pytest.mark.parametrize(
    ("service", "known"),
    [("api", API_SETTINGS), ("engine", ENGINE_SETTINGS)],
)
def test_every_compose_variable_is_a_setting_of_its_service(service, known):
    unknown = set(environment(service)) - known - set(READ_ELSEWHERE)
    assert not unknown, f"{service} sets variables nothing reads: {sorted(unknown)}"


@pytest.mark.parametrize(("variable", "path"), READ_ELSEWHERE.items())
def test_variables_read_outside_the_settings_are_really_read(variable, path):
    assert f'"{variable}"' in (ROOT / path).read_text()


def test_the_api_is_wired_to_postgres_redis_and_the_engine():
    api = environment("api")
    assert api["FLASK_ENV"] == "production"
    assert api["DATABASE_URL"].startswith("postgresql://") and "@postgres:" in api["DATABASE_URL"]
    assert api["REDIS_URL"].startswith("redis://redis:")
    engine = environment("engine")
    assert api["LLM_API_URL"] == f"http://engine:{engine['LLM_API_PORT']}"
    assert api["LLM_API_KEY"] == engine["LLM_API_KEY"]
    for secret in ("SECRET_KEY", "JWT_SECRET_KEY"):
        assert ":?" in api[secret], f"{secret} must be required, not defaulted"
    assert f"{api['RAI_API_PORT']}:{api['RAI_API_PORT']}" in COMPOSE["services"]["api"]["ports"][0]
    depends = COMPOSE["services"]["api"]["depends_on"]
    assert set(depends) == {"postgres", "redis", "engine"}
    assert api["PROMETHEUS_MULTIPROC_DIR"] in COMPOSE["services"]["api"]["tmpfs"]


def test_the_defaults_in_compose_match_the_settings_defaults():
    assert Settings.model_fields["rai_api_port"].default == int(environment("api")["RAI_API_PORT"])
    assert EngineSettings.model_fields["api_port"].default == int(
        environment("engine")["LLM_API_PORT"]
    )


def test_the_dockerfile_runs_modules_that_exist_and_ignores_local_state():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"RAI_Chat.backend.wsgi"' in dockerfile
    assert (ROOT / "RAI_Chat/backend/wsgi.py").is_file()
    command = COMPOSE["services"]["engine"]["command"]
    assert (ROOT / command[1]).is_file()
    assert "python -m llm_Engine.install" in dockerfile
    assert (ROOT / "llm_Engine/install.py").is_file()
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".venv", "data", "RAI_Chat/backend/instance", "RAI_Chat/frontend/node_modules"):
        assert path in ignored
