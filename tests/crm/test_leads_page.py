"""The Leads page lists, searches and pages leads with their match counts in constant queries."""
from dashboard.extensions import db
from tests import factories
from tests.querycount import counting_queries


def test_leads_page_searches_and_counts_matches(login_as, customer, other_customer):
    ann = factories.make_lead(customer, status="active")
    ann.first_name, ann.email = "Ann", "ann@example.com"
    factories.make_lead(customer, email="bob@example.com")
    factories.make_lead(other_customer, email="theirs@example.com")
    service = factories.make_service(customer)
    factories.make_match(customer, ann, service)
    db.session.commit()
    client = login_as(customer)
    html = client.get("/leads/").get_data(as_text=True)
    assert "ann@example.com" in html and "bob@example.com" in html and "theirs@example.com" not in html
    fragment = client.get("/leads/?q=ann", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "ann@example.com" in fragment and "bob@example.com" not in fragment and "<html" not in fragment
    assert "No leads match" in client.get("/leads/?q=zzz").get_data(as_text=True)


def test_leads_page_queries_do_not_grow_with_leads(login_as, customer):
    client = login_as(customer)
    service = factories.make_service(customer)
    factories.make_match(customer, factories.make_lead(customer), service)
    db.session.commit()
    with counting_queries() as few:
        client.get("/leads/")
    for _ in range(15):
        factories.make_match(customer, factories.make_lead(customer), service)
    db.session.commit()
    with counting_queries() as many:
        client.get("/leads/")
    assert len(many) == len(few)
