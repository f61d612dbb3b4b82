"""The JSON API accepts only live API keys, scoped to their customer."""
from dashboard.auth.api_keys import create_api_key, revoke_api_key
from dashboard.extensions import db
from dashboard.models import ApiKey


def test_api_needs_a_bearer_key(client):
    response = client.get("/api/v1/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "API key" in response.get_json()["detail"]


def test_a_live_key_is_accepted_and_its_use_recorded(client, customer):
    key, secret = create_api_key(customer, "Zapier")
    db.session.commit()
    assert client.get("/api/v1/", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    db.session.refresh(key)
    assert key.last_used_at is not None
    assert secret not in (key.key_hash, key.prefix) and key.key_hash != secret


def test_revoked_and_forged_keys_are_refused(client, customer):
    key, secret = create_api_key(customer, "Old")
    revoke_api_key(key)
    db.session.commit()
    for bad in (secret, secret[:-1] + "x", "acx_nothing", "Basic abc"):
        assert client.get("/api/v1/", headers={"Authorization": f"Bearer {bad}"}).status_code == 401
    assert db.session.get(ApiKey, key.api_key_id).revoked_at is not None
