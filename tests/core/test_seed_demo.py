"""`flask seed-demo` loads a living demo, and running it again changes nothing."""
from sqlalchemy import func, select

from dashboard.extensions import db
from dashboard.models import (
    Agent,
    Analysis,
    Contract,
    Conversation,
    Customer,
    CustomTool,
    EmailLog,
    EmailTemplate,
    Message,
    Plan,
    Prompt,
    PromptTemplate,
    ThirdPartyApp,
    Visitor,
)


def counts():
    models = (Customer, Plan, Prompt, PromptTemplate, ThirdPartyApp, Agent, CustomTool, Visitor, Conversation,
              Message, Analysis, EmailTemplate, EmailLog, Contract)
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def test_seed_demo_is_idempotent_and_fills_every_page(app, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "demo@example.com" in first.output and "demo-password-for-tests" in first.output
    before = counts()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert counts() == before

    assert before["Customer"] == 2
    assert before["Plan"] == 6  # three tiers, monthly and yearly
    assert before["Agent"] == 4
    assert before["Conversation"] == 1700
    assert 250 <= db.session.scalar(select(func.count()).select_from(Visitor).join(Customer).where(
        Customer.email == "demo@example.com")) <= 350
    assert before["Message"] > before["Conversation"] * 10  # multi-turn
    assert before["Analysis"] >= before["Conversation"] - 6  # all but the few still active
    assert before["EmailLog"] > 0
    assert db.session.scalar(select(func.count()).where(ThirdPartyApp.is_coming_soon)) >= 1
    # The demo business can chat at once (its first agent chats; its plan includes text messages).
    demo_agents = db.session.scalars(select(Agent).join(Customer).where(Customer.email == "demo@example.com")
                                     .order_by(Agent.agent_id)).all()
    assert demo_agents[0].channels == "both" and demo_agents[0].offers_chat


def test_scale_tops_conversations_up(app, monkeypatch):
    from dashboard.demo.conversations import ensure_conversations
    from dashboard.demo.seed import seed_demo

    seed_demo("pw-for-tests-123", scale=1, echo=lambda *_: None)
    demo = db.session.scalars(select(Customer).where(Customer.email == "demo@example.com")).one()
    assert ensure_conversations(demo.customer_id, 1600, seed=1) == 100
    assert ensure_conversations(demo.customer_id, 1600, seed=1) == 0


def test_the_demo_signs_in_with_the_printed_password_and_its_send_log_holds_what_its_templates_send(
        app, monkeypatch):
    """One seeding (several seconds on PostgreSQL) for both: the password printed without DEMO_PASSWORD signs
    in, and each logged subject is its template filled for its conversation, as the follow-up job would send it."""
    from dashboard.emails.sending import render_template_for

    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    password = result.output.split("password: ")[1].split()[0]
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "demo@example.com", "password": password})
    assert response.status_code == 302
    assert "Sunrise Dental" in client.get("/").get_data(as_text=True)

    entries = db.session.scalars(select(EmailLog).order_by(EmailLog.email_log_id)).all()
    assert entries
    for entry in entries:
        template = db.session.get(EmailTemplate, entry.email_pk)
        conversation = db.session.get(Conversation, entry.session_id)
        assert entry.subject == render_template_for(template, conversation).subject
    visitor = db.session.get(Visitor, entries[0].visitor_id)
    assert entries[0].subject.endswith(f", {visitor.name}")  # the demo template greets the visitor by name
