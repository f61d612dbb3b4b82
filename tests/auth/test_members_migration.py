"""The members migration on a database with rows: each business's sign-in becomes its owner member, nobody loses access."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from dashboard import create_app
from dashboard.extensions import db
from tests import factories
from tests.conftest import own_database

BEFORE = "5d5ff02b4f4a"


@pytest.fixture
def old_database(tmp_path):
    """A database of its own, migrated only up to the revision before members."""
    with own_database(tmp_path / "old.sqlite3", prefix="angelcx_members") as url:
        yield url


def test_existing_sign_ins_become_owner_members_and_keep_working(old_database, tmp_path):
    from flask_migrate import downgrade, upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": old_database, "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "SECRET_KEY": "test-secret-key-0123456789"})
    with app.app_context():
        upgrade(revision=BEFORE)
        password_hash = factories._PASSWORD_HASH
        db.session.execute(text(
            "INSERT INTO customer (name, email, password_hash, cognito_id, onboarding_step, created_at, updated_at) "
            "VALUES ('Old Local', 'old@example.com', :hash, NULL, 'done', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
            "('Old Cognito', 'cog@example.com', NULL, 'sub-old', 'done', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"hash": password_hash})
        local_id = db.session.execute(text("SELECT customer_id FROM customer WHERE email = 'old@example.com'")).scalar()
        db.session.execute(text(
            "INSERT INTO login_session (customer_id, token_hash, created_at, last_seen_at) "
            "VALUES (:c, :h, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"c": local_id, "h": "a" * 64})
        db.session.execute(text(
            "INSERT INTO api_key (customer_id, name, prefix, key_hash, created_at) "
            "VALUES (:c, 'Zapier', 'acx_0000', :h, CURRENT_TIMESTAMP)"), {"c": local_id, "h": "b" * 64})
        db.session.commit()

        upgrade()
        members = db.session.execute(text(
            "SELECT customer_id, name, email, role, cognito_id, password_hash FROM member ORDER BY email")).all()
        cognito_id = db.session.execute(text("SELECT customer_id FROM customer WHERE email = 'cog@example.com'")).scalar()
        assert [tuple(m) for m in members] == [
            (cognito_id, "Old Cognito", "cog@example.com", "owner", "sub-old", None),
            (local_id, "Old Local", "old@example.com", "owner", None, password_hash),
        ]
        owner_id = db.session.execute(text("SELECT member_id FROM member WHERE customer_id = :c"), {"c": local_id}).scalar()
        assert db.session.execute(text("SELECT member_id FROM login_session")).scalar() == owner_id
        assert db.session.execute(text("SELECT member_id FROM api_key")).scalar() == owner_id
        # customer.cognito_id still names the owner's Cognito identity
        assert db.session.execute(text("SELECT cognito_id FROM customer WHERE customer_id = :c"),
                                  {"c": cognito_id}).scalar() == "sub-old"
        db.session.commit()

    # The owner signs in with the password the business had.
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "old@example.com", "password": factories.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/agents/").status_code == 200

    with app.app_context():
        downgrade(revision=BEFORE)
        assert db.session.execute(text("SELECT password_hash FROM customer WHERE customer_id = :c"),
                                  {"c": local_id}).scalar() == password_hash
        db.session.remove()
        db.engine.dispose()
