"""Webhooks are found from Settings."""


def test_settings_links_to_the_webhooks_page(login_as, customer):
    client = login_as(customer)
    settings = client.get("/settings/").get_data(as_text=True)
    assert 'href="/settings/webhooks/"' in settings
    assert client.get("/settings/webhooks/").status_code == 200
