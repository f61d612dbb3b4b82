"""`next` after sign-in only ever leads to a path on this site."""
from tests import factories

OPEN_REDIRECTS = [
    "//evil.com",
    "///evil.com",
    "////evil.com/path",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "https://evil.com/",
    "http://evil.com",
    "https:evil.com",
    "http:/evil.com",
    "https://app@evil.com",
    "//app@evil.com",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.com",
    "@evil.com",
    "\t//evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r\n/evil.com",
    " //evil.com",
    "%2F%2Fevil.com",
    "/%2F/evil.com",
    "/%5Cevil.com",
    "%2f%2fevil.com",
    "/%09/evil.com",
    "https%3A%2F%2Fevil.com",
    "\u3000//evil.com",
    "/\u3000/evil.com",
    "/\x7f/evil.com",
]


def _lands_on(app, customer, target: str) -> str:
    """Where a fresh browser lands after signing in with ?next=target."""
    response = app.test_client().post("/auth/login", query_string={"next": target},
                                      data={"email": customer.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return response.headers["Location"]


def test_sign_in_never_redirects_to_another_site(make_app, db, customer):
    # One test walks every payload: a test (and its database reset) per payload would be 30 times slower.
    db.session.commit()
    app = make_app()  # not pushed: every request signs in afresh
    escaped = {target: _lands_on(app, customer, target) for target in OPEN_REDIRECTS}
    assert escaped == dict.fromkeys(OPEN_REDIRECTS, "/")


def test_local_paths_are_kept(make_app, db, customer):
    db.session.commit()
    app = make_app()
    local = ["/agents/", "/conversations/?agent=3&page=2", "/settings/#api-keys", "/leads/?q=caf%C3%A9"]
    assert [_lands_on(app, customer, target) for target in local] == local


def test_a_signed_in_visit_to_the_sign_in_page_also_ignores_foreign_next(login_as, customer):
    client = login_as(customer)
    assert client.get("/auth/login?next=//evil.com").headers["Location"] == "/"
