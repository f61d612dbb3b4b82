"""Every page has an icon: the SVG linked from the page frame, and /favicon.ico (asked by browsers anyway) leads to it."""
from __future__ import annotations

import re
from xml.etree import ElementTree


def test_favicon_ico_leads_to_the_icon_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].endswith("/static/favicon.svg")
    assert "max-age" in response.headers["Cache-Control"]
    icon = client.get(response.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert ElementTree.fromstring(icon.data).tag == "{http://www.w3.org/2000/svg}svg"


def test_pages_link_the_icon(client, login_as, customer):
    for page in (client.get("/auth/login"), login_as(customer).get("/")):
        [href] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page.get_data(as_text=True))
        assert client.get(href).status_code == 200
