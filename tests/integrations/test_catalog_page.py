"""The integrations page lists the catalog and this customer's connected agents only."""
from dashboard.extensions import db
from tests import factories
from tests.querycount import counting_queries


def test_catalog_shows_connections_of_this_customer_only(login_as, customer, other_customer):
    slack = factories.make_app_catalog_entry(slug="slack")
    factories.make_app_catalog_entry(slug="shopify", coming_soon=True)
    factories.make_connection(factories.make_agent(customer, name="Front Desk"), slack)
    factories.make_connection(factories.make_agent(other_customer, name="Their Secret Agent"), slack)
    db.session.commit()
    html = login_as(customer).get("/integrations/").get_data(as_text=True)
    assert "Front Desk" in html and "Their Secret Agent" not in html
    assert "Coming soon" in html and "Connected" in html


def test_catalog_queries_do_not_grow_with_connections(login_as, customer):
    client = login_as(customer)
    apps = [factories.make_app_catalog_entry() for _ in range(3)]
    db.session.commit()
    with counting_queries() as few:
        client.get("/integrations/")
    for app in apps:
        factories.make_connection(factories.make_agent(customer), app)
    db.session.commit()
    with counting_queries() as many:
        client.get("/integrations/")
    assert len(many) == len(few)
