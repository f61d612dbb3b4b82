"""The models, the migrations and the seed agree, table by table."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from dashboard.database import in_models
from dashboard.extensions import db
from tests import factories

SEED_TABLES = {
    "customer": {"customer_id", "cognito_id", "name", "email", "phone", "stripe_customer_id"},
    "plan": {"plan_id", "name", "description", "cadence", "cost_usd", "plan_access_id"},
    "plan_access": {"plan_access_id", "max_call_minutes", "max_text_messages", "customize_bot_color",
                    "customize_bot_avatar", "customize_bot_voice", "customize_bot_name", "send_emails",
                    "max_file_uploads", "max_web_sources", "call_recordings"},
    "contract": {"contract_id", "customer_id", "plan_id", "plan_access_id", "expiry_date", "refreshed_date"},
    "agent": {"agent_id", "name", "description", "brand_info", "customer_id", "prompt_id", "prompt_override",
              "temperature", "corpus_id", "voice", "ui_config"},
    "prompt_template": {"id", "name", "description"},
    "prompt": {"prompt_id", "name", "description", "content", "prompt_template_id"},
    "visitor": {"visitor_id", "name", "phone", "email"},
    "session": {"session_id", "visitor_id", "ultravox_call_id", "agent_id", "is_active", "ended_at", "created_at",
                "call_minutes_used", "text_messages_used"},
    "message": {"message_id", "session_id", "role", "content", "timestamp"},
    "analytics": {"analytics_id", "session_id", "call_summary", "intent", "sentiment", "sentiment_justification",
                  "category", "category_description", "action", "created_at", "sentiment_detailed"},
    "email": {"email_pk", "email_body", "sender_email", "email_subject", "customer_id", "agent_id", "created_at",
              "updated_at", "is_active"},
    "email_log": {"email_log_id", "visitor_id", "agent_id", "session_id", "recipient_email", "sent_at", "email_pk",
                  "customer_id"},
    "custom_tool": {"custom_tool_id", "agent_id", "name", "description", "http_method", "static_params",
                    "dynamic_params", "url"},
    "third_party_app": {"third_party_app_id", "name", "description", "icon", "slug", "prompt_id", "is_coming_soon"},
    "third_party_oauth": {"third_party_oauth_id", "access_token", "refresh_token", "expiry", "third_party_app_id",
                          "agent_id", "additional_data"},
}


def test_migrations_and_models_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": in_models})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_flask_db_migrate_would_write_nothing(app):
    """`flask db check` runs autogenerate as `flask db migrate` does (migrations/env.py): it proposed dropping the
    search structures the triggers keep (session_search, message.content_tsv, message_fts) before env.py left
    them out."""
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"


def test_every_seed_table_has_every_seed_column(app):
    inspector = inspect(db.engine)
    for table, columns in SEED_TABLES.items():
        present = {c["name"] for c in inspector.get_columns(table)}
        assert columns <= present, (table, columns - present)


def test_every_foreign_key_is_indexed(app):
    inspector = inspect(db.engine)
    for table in inspector.get_table_names():
        indexed = {tuple(ix["column_names"][:1]) for ix in inspector.get_indexes(table)}
        indexed |= {tuple(uq["column_names"][:1]) for uq in inspector.get_unique_constraints(table)}
        indexed.add(tuple(inspector.get_pk_constraint(table)["constrained_columns"][:1]))
        for fk in inspector.get_foreign_keys(table):
            assert tuple(fk["constrained_columns"][:1]) in indexed, (table, fk["constrained_columns"])


def test_postgresql_uses_jsonb_and_timestamptz(app):
    if db.engine.dialect.name != "postgresql":
        return
    columns = {c["name"]: c for c in inspect(db.engine).get_columns("agent")}
    assert type(columns["ui_config"]["type"]).__name__ == "JSONB"
    assert columns["created_at"]["type"].timezone is True


def test_customer_names_are_unique_case_insensitively(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from tests.factories import make_customer

    make_customer(name="Acme Dental")
    with pytest.raises(IntegrityError):
        make_customer(name="ACME dental")
    db.session.rollback()


def test_at_most_one_prompt_is_the_default(app):
    factories.make_prompt(is_default=True)
    factories.make_prompt()
    db.session.commit()
    with pytest.raises(IntegrityError):
        factories.make_prompt(is_default=True)
    db.session.rollback()
