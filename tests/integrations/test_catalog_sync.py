"""`flask catalog sync FILE`: catalog.yaml checked with error paths, loaded idempotently, removed apps retired."""
from pathlib import Path

import yaml
from sqlalchemy import func, select

from dashboard.extensions import db
from dashboard.models import Plan, Prompt, PromptTemplate, ThirdPartyApp, ThirdPartyOAuth
from tests import factories

CATALOG = Path(__file__).resolve().parents[2] / "catalog.yaml"


def counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Plan, Prompt, PromptTemplate, ThirdPartyApp)}


def sync(app, path):
    return app.test_cli_runner().invoke(args=["catalog", "sync", str(path)])


def test_the_shipped_catalog_loads_once_and_again_changes_nothing(app):
    first = sync(app, CATALOG)
    assert first.exit_code == 0, first.output
    assert "apps: 8 added" in first.output
    before = counts()
    assert before["Plan"] == 6 and before["ThirdPartyApp"] == 8
    again = sync(app, CATALOG)
    assert again.exit_code == 0, again.output
    assert "apps: 8 unchanged" in again.output and "plans: 6 unchanged" in again.output
    assert counts() == before
    calendar = db.session.scalars(select(ThirdPartyApp).where(ThirdPartyApp.slug == "google-calendar")).one()
    assert calendar.oauth["pkce"] is True and calendar.actions == ["checkAvailability", "createEvent"]
    assert calendar.icon == "icons/google-calendar.svg" and calendar.prompt.name == "Google Calendar"
    assert db.session.scalars(select(Prompt.name).where(Prompt.is_default)).all() == ["General assistant"]
    assert db.session.scalar(select(Plan.lookup_key).where(Plan.name == "Growth Yearly")) == "growth_yearly"


def test_an_app_removed_from_the_file_is_retired_not_deleted_and_comes_back(app, tmp_path, customer):
    assert sync(app, CATALOG).exit_code == 0
    slack = db.session.scalars(select(ThirdPartyApp).where(ThirdPartyApp.slug == "slack")).one()
    factories.make_connection(factories.make_agent(customer), slack)
    db.session.commit()
    data = yaml.safe_load(CATALOG.read_text())
    data["apps"] = [entry for entry in data["apps"] if entry["slug"] != "slack"]
    data["plans"] = [plan for plan in data["plans"] if plan["name"] != "Scale"]
    smaller = tmp_path / "catalog.yaml"
    smaller.write_text(yaml.safe_dump(data))
    result = sync(app, smaller)
    assert result.exit_code == 0, result.output
    assert "1 retired" in result.output and "2 withdrawn" in result.output
    db.session.expire_all()
    assert slack.is_retired and db.session.scalar(select(func.count()).select_from(ThirdPartyOAuth)) == 1
    assert not db.session.scalar(select(Plan.is_active).where(Plan.name == "Scale Monthly"))
    assert sync(app, CATALOG).exit_code == 0
    db.session.expire_all()
    assert not slack.is_retired and db.session.scalar(select(Plan.is_active).where(Plan.name == "Scale Monthly"))


def test_an_invalid_catalog_names_each_mistake_by_path_and_writes_nothing(app, tmp_path):
    data = yaml.safe_load(CATALOG.read_text())
    data["apps"][0]["oauth"]["token_url"] = "not a url"
    data["apps"][1]["actions"] = ["saveContact", "deleteEverything"]
    data["apps"][2]["icon"] = "icons/missing.svg"
    data["apps"][3]["coming_soon"] = False  # offered, so it needs oauth, a prompt and actions
    data["plans"][0]["prices"]["monthly"] = 49
    data["prompt_templates"][1]["prompts"][0]["default"] = True  # a second default
    broken = tmp_path / "catalog.yaml"
    broken.write_text(yaml.safe_dump(data))
    result = sync(app, broken)
    assert result.exit_code != 0
    assert "nothing was changed" in result.output
    assert "apps/0/oauth/token_url: 'not a url' does not match" in result.output
    assert "apps/3: 'oauth' is a required property" in result.output
    assert "plans/0/prices/monthly: 49 is not of type 'string'" in result.output
    assert counts() == {"Plan": 0, "Prompt": 0, "PromptTemplate": 0, "ThirdPartyApp": 0}
    # With the schema satisfied, the checks across entries speak.
    data = yaml.safe_load(CATALOG.read_text())
    data["apps"][1]["actions"] = ["saveContact", "deleteEverything"]
    data["apps"][2]["icon"] = "icons/missing.svg"
    data["prompt_templates"][1]["prompts"][0]["default"] = True
    data["apps"].append(dict(data["apps"][0]))
    broken.write_text(yaml.safe_dump(data))
    result = sync(app, broken)
    assert "apps/1/actions/1: unknown action 'deleteEverything' (known: addContactNote, saveContact)" in result.output
    assert "apps/2/icon: no file static/icons/missing.svg" in result.output
    assert "exactly one prompt must be `default: true`, found 2" in result.output
    assert "apps/8/slug: 'google-calendar' appears twice" in result.output
    broken.write_text("apps: [\n  - {slug: x")
    result = sync(app, broken)
    assert "line 2" in result.output and "not valid YAML" in result.output
    assert counts()["ThirdPartyApp"] == 0
