import pytest

from RAI_Chat.backend.config import (
    DEFAULT_JWT_SECRET_KEY,
    DEFAULT_SECRET_KEY,
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    Settings,
    TestingConfig,
    get_config,
)

GOOD = "g" * 48


def production(**values) -> ProductionConfig:
    return ProductionConfig(Settings(**values))


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
        production(**values).validate()


def test_production_accepts_real_secrets():
    config = production(secret_key=GOOD, jwt_secret_key=GOOD + "x", cors_origins="https://a.b")
    config.validate()
    assert config.CORS_ORIGINS == ["https://a.b"]
    assert not config.DEBUG


@pytest.mark.parametrize(
    ("env", "cls"),
    [("production", ProductionConfig), ("testing", TestingConfig), ("", DevelopmentConfig)],
)
def test_flask_env_selects_the_configuration(monkeypatch, env, cls, tmp_path):
    monkeypatch.setenv("FLASK_ENV", env)
    monkeypatch.setenv("SECRET_KEY", GOOD)
    monkeypatch.setenv("JWT_SECRET_KEY", GOOD)
    assert type(get_config()) is cls


def test_defaults_follow_the_seed(monkeypatch):
    for var in ("DATABASE_URL", "LLM_API_URL", "JWT_ACCESS_TOKEN_EXPIRES"):
        monkeypatch.delenv(var, raising=False)
    config = TestingConfig(Settings())
    assert config.JWT_ACCESS_TOKEN_EXPIRES == 86400
    assert config.LLM_API_URL == "http://localhost:6301"
    assert config.SQLALCHEMY_DATABASE_URI.endswith("backend/instance/rai_chat.db")
