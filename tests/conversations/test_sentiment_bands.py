"""One definition of sentiment bands: the analyser, the list filter, the overview and the analytics page agree."""
from __future__ import annotations

import re

import pytest

from dashboard.analytics.operations import figures, last_days
from dashboard.conversations.analysis.offline import analyze
from dashboard.conversations.analysis.result import Turn
from dashboard.conversations.sentiment import band
from dashboard.extensions import db
from tests import factories

# Scores on both sides of each boundary, including ones a looser threshold (0.05) would call positive.
SCORES = {0.1: "neutral", 0.2: "neutral", 0.21: "positive", 0.6: "positive", -0.2: "neutral", -0.25: "negative"}


@pytest.mark.parametrize(("score", "expected"), SCORES.items())
def test_a_score_falls_in_one_band(score, expected):
    assert band(score) == expected


def test_the_analyser_names_the_band_of_its_own_score():
    result = analyze([Turn(0, "visitor", "This is terrible, I am very angry and upset."),
                      Turn(1, "agent", "I am sorry to hear that.")])
    assert result.sentiment < -0.2
    assert "tone was negative" in result.sentiment_justification


def test_overview_analytics_and_list_filter_count_the_same_bands(login_as, customer):
    agent = factories.make_agent(customer)
    by_band: dict[str, set[int]] = {"negative": set(), "neutral": set(), "positive": set()}
    for score, expected in SCORES.items():
        conversation = factories.make_conversation(customer, agent)
        conversation.analysis.sentiment = score
        factories.count_in_rollups(conversation)  # the analysis stored: the rollups count its band
        by_band[expected].add(conversation.session_id)
    db.session.commit()

    totals = figures(last_days(customer.customer_id, 30))
    assert totals.bands == {name: len(ids) for name, ids in by_band.items()}
    assert totals.positive_share == round(100 * len(by_band["positive"]) / len(SCORES))

    client = login_as(customer)
    for name, ids in by_band.items():
        page = client.get(f"/conversations/?sentiment={name}").get_data(as_text=True)
        assert {int(i) for i in re.findall(r'href="/conversations/(\d+)"', page)} == ids, name
