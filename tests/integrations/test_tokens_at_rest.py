"""Tokens at rest: Fernet under TOKEN_ENCRYPTION_KEY, and `flask integrations rotate-key` moving them to a new key."""
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from dashboard import encryption
from dashboard.config import ConfigError, load_config
from dashboard.extensions import db
from dashboard.models import ThirdPartyOAuth
from dashboard.webhooks_out import signing
from tests import factories


def test_rotate_key_reencrypts_tokens_and_webhook_secrets_under_the_new_key(app, customer):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app.config["TOKEN_ENCRYPTION_KEY"] = old
    connection = factories.make_connection(factories.make_agent(customer))
    endpoint = factories.make_webhook_endpoint(customer)
    db.session.commit()
    stored_before = db.session.execute(text("SELECT access_token FROM third_party_oauth")).scalar_one()
    assert "at-plain" not in stored_before and Fernet(old.encode()).decrypt(stored_before.encode()) == b"at-plain"

    app.config["TOKEN_ENCRYPTION_KEY"] = f"{new},{old}"  # the new key first; the old one still reads
    result = app.test_cli_runner().invoke(args=["integrations", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "3 stored secret(s) re-encrypted" in result.output

    app.config["TOKEN_ENCRYPTION_KEY"] = new  # the old key dropped: everything still reads
    db.session.expire_all()
    row = db.session.get(ThirdPartyOAuth, connection.third_party_oauth_id)
    assert encryption.decrypt(row.access_token) == "at-plain" and encryption.decrypt(row.refresh_token) == "rt-plain"
    assert signing.decrypt(db.session.scalars(select(type(endpoint).secret_encrypted)).one()) == "whsec_test"
    app.config["TOKEN_ENCRYPTION_KEY"] = old
    with pytest.raises(encryption.InvalidToken):
        encryption.decrypt(row.access_token)


def test_rotate_key_with_a_missing_old_key_changes_nothing(app, customer):
    old = Fernet.generate_key().decode()
    app.config["TOKEN_ENCRYPTION_KEY"] = old
    factories.make_connection(factories.make_agent(customer))
    db.session.commit()
    before = db.session.execute(text("SELECT access_token FROM third_party_oauth")).scalar_one()
    app.config["TOKEN_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    result = app.test_cli_runner().invoke(args=["integrations", "rotate-key"])
    assert result.exit_code != 0 and "not readable by any key" in result.output
    assert db.session.execute(text("SELECT access_token FROM third_party_oauth")).scalar_one() == before


def test_key_settings_are_checked_at_start(monkeypatch, tmp_path):
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEY", f"{Fernet.generate_key().decode()},not-a-key")
    with pytest.raises(ConfigError, match="TOKEN_ENCRYPTION_KEY must be a Fernet key"):
        load_config(tmp_path)
    monkeypatch.delenv("TOKEN_ENCRYPTION_KEY")
    monkeypatch.setenv("INTEGRATION_SLACK_CLIENT_ID", "abc")
    with pytest.raises(ConfigError, match="INTEGRATION_SLACK_CLIENT_SECRET must be set"):
        load_config(tmp_path)
    monkeypatch.setenv("INTEGRATION_SLACK_CLIENT_SECRET", "shh")
    assert load_config(tmp_path)["INTEGRATION_CLIENTS"] == {"SLACK": {"client_id": "abc", "client_secret": "shh"}}
