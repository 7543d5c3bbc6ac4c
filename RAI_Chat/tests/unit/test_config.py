import pytest

from RAI_Chat.backend.config import (
    DEFAULT_JWT_SECRET_KEY,
    DEFAULT_SECRET_KEY,
    ConfigError,
    Settings,
    load_settings,
)

GOOD = "g" * 48


def production(**values) -> Settings:
    return Settings(flask_env="production", **values).completed()


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({}, "SECRET_KEY"),
        ({"secret_key": DEFAULT_SECRET_KEY, "jwt_secret_key": GOOD}, "SECRET_KEY"),
        ({"secret_key": GOOD}, "JWT_SECRET_KEY"),
        ({"secret_key": GOOD, "jwt_secret_key": DEFAULT_JWT_SECRET_KEY}, "JWT_SECRET_KEY"),
        ({"secret_key": GOOD, "jwt_secret_key": "short"}, "JWT_SECRET_KEY"),
        ({"secret_key": GOOD, "jwt_secret_key": GOOD, "cors_origins": "*"}, "CORS_ORIGINS"),
    ],
)
def test_production_refuses_unsafe_settings_naming_the_variable(values, named):
    with pytest.raises(ConfigError, match=named):
        production(**values).validate_for_environment()


def test_production_refuses_default_secrets_from_the_environment(monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", DEFAULT_SECRET_KEY)
    monkeypatch.setenv("JWT_SECRET_KEY", GOOD)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings()


def test_production_refuses_an_app_without_secrets(monkeypatch, tmp_path):
    from RAI_Chat.backend.app import create_app

    for var in ("SECRET_KEY", "JWT_SECRET_KEY"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(Settings(flask_env="production", database_url=f"sqlite:///{tmp_path / 'p.db'}"))


def test_production_accepts_real_secrets():
    settings = production(secret_key=GOOD, jwt_secret_key=GOOD + "x", cors_origins="https://a.b")
    settings.validate_for_environment()
    assert settings.cors_origin_list == ["https://a.b"]
    assert settings.environment == "production"


@pytest.mark.parametrize(
    ("env", "named"),
    [("production", "production"), ("testing", "testing"), ("", "development")],
)
def test_flask_env_selects_the_environment(monkeypatch, env, named):
    monkeypatch.setenv("FLASK_ENV", env)
    monkeypatch.setenv("SECRET_KEY", GOOD)
    monkeypatch.setenv("JWT_SECRET_KEY", GOOD)
    assert load_settings().environment == named


def test_testing_defaults_yield_to_explicit_settings():
    testing = Settings(flask_env="testing").completed()
    assert (testing.jobs_mode, testing.ratelimit_enabled) == ("immediate", False)
    assert testing.secret_key and len(testing.secret_key) >= 32
    chosen = Settings(flask_env="testing", jobs_mode="inprocess", ratelimit_enabled=True)
    assert (chosen.completed().jobs_mode, chosen.completed().ratelimit_enabled) == (
        "inprocess",
        True,
    )


def test_defaults_follow_the_seed(monkeypatch):
    for var in ("DATABASE_URL", "LLM_API_URL", "JWT_ACCESS_TOKEN_EXPIRES", "EMBEDDING_API_URL"):
        monkeypatch.delenv(var, raising=False)
    settings = Settings(flask_env="testing").completed()
    assert settings.jwt_access_token_expires == 86400
    assert settings.llm_api_url == "http://localhost:6301"
    assert settings.embedding_url == "http://localhost:6301"
    assert settings.database_url.endswith("backend/instance/rai_chat.db")
    assert Settings(llm_api_url="http://e:1/").llm_api_url == "http://e:1"
