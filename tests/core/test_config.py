"""Configuration comes from the environment, and a malformed value stops start-up naming the variable."""
import pytest

from dashboard.config import ConfigError, load_config


@pytest.mark.parametrize(("name", "value"), [
    ("DATABASE_URL", "mysql://root@localhost/db"),
    ("DATABASE_URL", "not a url at all"),
    ("REDIS_URL", "http://127.0.0.1:6379"),
    ("STRIPE_API_BASE", "ftp://stripe.example"),
    ("COGNITO_ISSUER", "cognito"),
    ("MAIL_PORT", "twenty-five"),
    ("MAIL_USE_TLS", "maybe"),
    ("TOKEN_ENCRYPTION_KEY", "too-short"),
    ("SECRET_KEY", "short"),
    ("STORAGE_URL", "s3.example.com"),
    ("STORAGE_BUCKET", "Not_A_Bucket"),
    ("STORAGE_ACCESS_KEY_ID", "AKIAEXAMPLE"),  # without its secret
])
def test_malformed_setting_stops_start_up_naming_the_variable(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_config(tmp_path)


def test_secret_key_is_generated_once_into_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path)["SECRET_KEY"]
    second = load_config(tmp_path)["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_database_defaults_to_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'angelcx.sqlite3'}"


def test_postgresql_url_is_accepted(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/angelcx")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-key-0123456789")
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


@pytest.mark.parametrize("url", ["postgresql+psycopg://postgres@127.0.0.1:5432/angelcx", "postgres://db.example/x"])
def test_start_up_on_postgresql_refuses_a_generated_secret_key(monkeypatch, tmp_path, url):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY must be set when DATABASE_URL is PostgreSQL"):
        load_config(tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_storage_url_without_a_bucket_stops_start_up_naming_the_bucket(monkeypatch, tmp_path):
    monkeypatch.setenv("STORAGE_URL", "http://127.0.0.1:9000")
    with pytest.raises(ConfigError, match="STORAGE_BUCKET must be set when STORAGE_URL is"):
        load_config(tmp_path)


def test_every_reserved_setting_is_listed_in_env_example():
    from pathlib import Path

    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    for name in ("COGNITO_ISSUER", "COGNITO_CLIENT_ID", "COGNITO_CLIENT_SECRET", "COGNITO_DOMAIN",
                 "STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET", "ULTRAVOX_API_KEY",
                 "ULTRAVOX_API_BASE", "ULTRAVOX_WEBHOOK_SECRET", "REDIS_URL", "MAIL_SERVER", "MAIL_PORT",
                 "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_TLS", "TOKEN_ENCRYPTION_KEY", "SECRET_KEY",
                 "DATABASE_URL", "DEMO_PASSWORD", "STORAGE_URL", "STORAGE_BUCKET", "STORAGE_REGION",
                 "STORAGE_ACCESS_KEY_ID", "STORAGE_SECRET_ACCESS_KEY"):
        assert f"{name}=" in example, name


def test_the_analysis_uses_the_chat_model_unless_told_otherwise(monkeypatch, tmp_path):
    monkeypatch.setenv("CHAT_LLM_URL", "https://llm.example/v1/")
    monkeypatch.setenv("CHAT_LLM_API_KEY", "sk-chat")
    monkeypatch.setenv("CHAT_LLM_MODEL", "chat-model")
    config = load_config(tmp_path)
    assert (config["CHAT_LLM_URL"], config["CHAT_IDLE_MINUTES"]) == ("https://llm.example/v1", 15)
    assert (config["ANALYSIS_LLM_URL"], config["ANALYSIS_LLM_API_KEY"], config["ANALYSIS_LLM_MODEL"]) == (
        "https://llm.example/v1", "sk-chat", "chat-model")
    monkeypatch.setenv("ANALYSIS_LLM_URL", "https://other.example/v1")
    monkeypatch.setenv("ANALYSIS_LLM_API_KEY", "sk-analysis")
    monkeypatch.setenv("ANALYSIS_LLM_MODEL", "analysis-model")
    config = load_config(tmp_path)
    assert (config["ANALYSIS_LLM_URL"], config["ANALYSIS_LLM_API_KEY"], config["ANALYSIS_LLM_MODEL"]) == (
        "https://other.example/v1", "sk-analysis", "analysis-model")
    monkeypatch.setenv("CHAT_LLM_URL", "ftp://llm.example")
    with pytest.raises(ConfigError, match="CHAT_LLM_URL"):
        load_config(tmp_path)
