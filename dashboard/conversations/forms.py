"""The conversations list's filters, read from the query string and validated like any form."""
from __future__ import annotations

import re
from datetime import date

from wtforms import BooleanField, DateField, HiddenField, SearchField, SelectChoice, SelectField
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from dashboard.conversations import sentiment
from dashboard.conversations.analysis import taxonomy
from dashboard.conversations.search import ORDER, Filters
from dashboard.forms import Form
from dashboard.pagination import InvalidCursor, decode_cursor
from dashboard.templating import customer_zone

LABEL = re.compile(r"[\w .&/-]{1,64}")


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _choices(anything: str, options: dict[str, str]) -> list[SelectChoice]:
    """An "any" option (no filter) followed by the options, value → label."""
    return [SelectChoice("", anything)] + [SelectChoice(value, label) for value, label in options.items()]


class ConversationFilterForm(Form):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = SearchField("Search messages", validators=[Optional(), Length(max=200)])
    agent = SelectField("Agent", choices=[], default="")
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    channel = SelectField("Channel", default="", choices=_choices("Any channel", {"voice": "Voice", "chat": "Chat"}))
    status = SelectField("Status", default="", choices=_choices("Any status", {"active": "Active", "ended": "Ended"}))
    sentiment = SelectField("Sentiment", default="", choices=_choices("Any sentiment", sentiment.LABELS))
    intent = SelectField("Intent", default="", choices=_choices("Any intent", {
        name: _label(name) for name in [*taxonomy.INTENTS, taxonomy.FALLBACK_INTENT]}))
    category = SelectField("Category", default="", choices=_choices("Any category", {
        name: _label(name) for name in taxonomy.CATEGORIES}))
    over_limit = BooleanField("Over the plan limit")
    cursor = HiddenField(validators=[Optional()])
    via = HiddenField(validators=[Optional(), AnyOf(["analytics", "overview"])])  # the page whose chart linked here

    def __init__(self, formdata, agents: list[tuple[int, str]]):
        super().__init__(formdata)
        self.agent.choices = _choices("Any agent", {str(agent_id): name for agent_id, name in agents})
        # An analysis by the LLM may name an intent or category outside the taxonomy; the analytics charts link
        # to them, so such a value (a plain label) is offered too rather than refused.
        for field in (self.intent, self.category):
            value = field.data
            if value and value not in {choice.value for choice in field.choices} and LABEL.fullmatch(value):
                field.choices = [*field.choices, SelectChoice(value, _label(value))]

    def validate_cursor(self, field):
        try:
            decode_cursor(field.data, ORDER)
        except InvalidCursor:
            raise ValidationError("This page link is not valid.") from None

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date is before the start date.")

    def filters(self) -> Filters:
        return Filters(
            agent_id=int(self.agent.data) if self.agent.data else None,
            start=self.start.data, end=self.end.data, channel=self.channel.data or None,
            status=self.status.data or None, sentiment=self.sentiment.data or None,
            intent=self.intent.data or None, category=self.category.data or None,
            over_limit=bool(self.over_limit.data), q=(self.q.data or "").strip() or None, zone=customer_zone(),
        )

    def query_args(self) -> dict:
        """The active filters as query-string arguments (for links that keep them)."""
        values = {name: self[name].data for name in ("q", "agent", "channel", "status", "sentiment", "intent",
                                                     "category", "via")}
        values.update(start=self.start.data, end=self.end.data, over_limit="y" if self.over_limit.data else None)
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if v}

    def chart_filters(self) -> list[str]:
        """The filters a chart's link set, in words ("Mar 01 – Mar 30", "Voice", …), when it came from a chart."""
        if not self.via.data:
            return []
        words = []
        if self.start.data or self.end.data:
            words.append(" – ".join(d.strftime("%b %d, %Y") for d in (self.start.data, self.end.data) if d))
        for name in ("agent", "channel", "status", "sentiment", "intent", "category"):
            if self[name].data:
                labels = {choice[0]: choice[1] for choice in self[name].iter_choices()}
                words.append(f"{self[name].label.text}: {labels.get(self[name].data, self[name].data)}")
        return words
