"""The page tour (tests/e2e/test_page_tour.py) walks every HTML page: each GET route in the URL map is toured or left
out with a reason, and what is left out is really not a page, so a page added later cannot slip past it."""
from dashboard.extensions import db
from tests.core.test_tenancy import SHARED, shared_value
from tests.e2e.tour import FRAGMENTS, NOT_HTML, arguments_for, get_rules, not_a_page, plan_visits, url_values


def test_every_get_route_is_toured_or_left_out_with_a_reason(app):
    toured = {visit.endpoint for visit in plan_visits(app)}
    for rule in get_rules(app):
        reason = not_a_page(rule)
        assert (rule.endpoint in toured) != bool(reason), f"{rule.rule} ({rule.endpoint}): toured and left out?"
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not (set(FRAGMENTS) | set(NOT_HTML)) - endpoints, "the tour leaves out endpoints that no longer exist"
    assert {"core.home", "agents.show", "settings.index", "auth.login", "onboarding.plan"} <= toured


def test_what_the_tour_leaves_out_is_not_a_page(app, login_as, customer):
    """A plain load of a left-out route answers no HTML page (a fragment: none to htmx), signed in with data."""
    client = login_as(customer)
    values = url_values(customer)
    db.session.commit()
    checked = 0
    for rule in get_rules(app):
        if not not_a_page(rule) or rule.endpoint == "static":
            continue
        shared = {arg: shared_value(app, arg) for arg in rule.arguments if arg in SHARED}
        owned = arguments_for(rule.endpoint, set(rule.arguments) - set(shared), values)
        url = app.url_map.bind("localhost").build(rule.endpoint, {**shared, **owned})
        headers = {"HX-Request": "true"} if rule.endpoint in FRAGMENTS else {}
        response = client.get(url, headers=headers)
        body = response.get_data(as_text=True)
        is_page = response.status_code == 200 and response.mimetype == "text/html" and "<html" in body.lower()
        assert not is_page, f"{url} ({rule.endpoint}) answers a page: tour it (tests/e2e/tour.py)"
        checked += 1
    assert checked > 30
