"""Billing's usage lines: label, bar and figure in one grid, so every bar starts and ends at the same place and
each line's label, bar and figure sit on one row, at 1280 and at 390 px wide."""
from __future__ import annotations

import pytest

from dashboard.extensions import db
from tests import factories
from tests.e2e.conftest import sign_in


@pytest.mark.parametrize("width", [1280, 390])
def test_usage_bars_line_up_and_each_line_is_one_row(browser, live_server, screenshot, width):
    customer = factories.make_customer(with_contract=False)
    plan = factories.make_plan(name="Growth Monthly", cost="149.00", max_call_minutes=12000, max_text_messages=100,
                               max_members=3)
    factories.make_contract(customer, plan)
    agent = factories.make_agent(customer)
    for _ in range(3):
        factories.make_conversation(customer, agent, messages=4)
    db.session.commit()
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 500 else 800})
    page = context.new_page()
    try:
        sign_in(page, live_server, customer.email, factories.PASSWORD)
        page.goto(f"{live_server}/billing/")
        screenshot(page, f"billing-usage-{width}")
        lines = page.locator(".meter")
        assert lines.count() >= 4
        boxes = []
        for index in range(lines.count()):
            line = lines.nth(index)
            # (The selectors also find the label and figure of the old layout, a head row above the bar, so this test
            # measured that layout failing, not a missing class.)
            label, bar, figure = (line.locator(part).first.bounding_box() for part in (
                ":is(.meter-label, .meter-head strong)", ".bar", ":is(.meter-figure, .meter-head > span)"))
            boxes.append((label, bar, figure))
        bar_lefts = {round(bar["x"]) for _, bar, _ in boxes}
        bar_widths = {round(bar["width"]) for _, bar, _ in boxes}
        figure_rights = {round(figure["x"] + figure["width"]) for _, _, figure in boxes}
        assert len(bar_lefts) == 1 and len(bar_widths) == 1 and len(figure_rights) == 1, boxes
        for label, bar, figure in boxes:
            middle = bar["y"] + bar["height"] / 2
            for part in (label, figure):  # the bar's middle lies within the label's and the figure's line
                assert part["y"] <= middle <= part["y"] + part["height"], (label, bar, figure)
            assert label["x"] + label["width"] <= bar["x"] and bar["x"] + bar["width"] <= figure["x"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing pushes the page sideways
    finally:
        context.close()
