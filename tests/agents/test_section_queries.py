"""A builder section's HTMX POST loads and renders only that section: its SQL statements stay few."""
import pytest

from dashboard.extensions import db
from tests import factories
from tests.querycount import counting_queries

HX = {"HX-Request": "true"}

# Statements each section's save may send: session and user look-up, the agent, the section's own
# data and plan check, the write, and rendering that one section. When every section's POST rendered
# the whole page it took 18 (details) to 25 (adding a web page).
BOUND = 12
# Adding a web page also checks the plan's quota (billing's usage aggregates) and, with jobs inline
# as here, runs the sync job (reads the source and agent, writes the status twice); the durable job row
# adds three (its insert, the claim with its lease, marking it done). Teams added four: the signed-in member
# (looked up again by the inline job's request context) and an audit record for each of the two changes.
BOUNDS = {"knowledge web": 24}


def section_posts(agent, source_id):
    return {
        "details": ("details", {"name": "Front Desk", "description": "Answers the phone"}),
        "prompt": ("prompt", {"prompt_id": agent.prompt_id, "temperature": "0.5"}),
        "voice": ("voice", {"voice": "Mark"}),
        "widget": ("widget", {"bot_name": "Ava", "color": "#112233", "position": "bottom-left",
                              "greeting": "Hello", "launcher_text": "Talk"}),
        "knowledge web": ("knowledge/web", {"url": "https://93.184.215.14/faq", "name": "FAQ"}),
        "knowledge delete": (f"knowledge/{source_id}/delete", {}),
    }


@pytest.mark.parametrize("section", ["details", "prompt", "voice", "widget", "knowledge web", "knowledge delete"])
def test_a_section_post_sends_few_queries(signed_in, agent, section):
    factories.make_app_catalog_entry(slug="slack")
    source = factories.make_knowledge_source(agent)
    db.session.commit()
    path, data = section_posts(agent, source.knowledge_source_id)[section]
    with counting_queries() as statements:
        response = signed_in.post(f"/agents/{agent.agent_id}/{path}", headers=HX, data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    print(f"{section}: {len(statements)} statements")
    assert len(statements) <= BOUNDS.get(section, BOUND), "\n".join(statements)
