"""The analytics page's filters, read from the query string (so a report is a link): a period of the last 7, 30
or 90 days or a custom range of up to a year, an agent and a channel."""
from __future__ import annotations

from datetime import date, timedelta

from wtforms import DateField, SelectChoice, SelectField
from wtforms.validators import Optional

from dashboard.analytics.operations import MAX_DAYS, Scope, today
from dashboard.forms import Form

PERIODS = (7, 30, 90)
CUSTOM = "custom"


class ReportForm(Form):
    class Meta:
        csrf = False  # a GET report changes nothing

    days = SelectField("Period", default="30", choices=[
        *(SelectChoice(str(n), f"Last {n} days") for n in PERIODS), SelectChoice(CUSTOM, "Custom range")])
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    agent = SelectField("Agent", default="", choices=[])
    channel = SelectField("Channel", default="", choices=[
        SelectChoice("", "Any channel"), SelectChoice("voice", "Voice"), SelectChoice("chat", "Chat")])

    def __init__(self, formdata, customer_id: int, agents: list[tuple[int, str]]):
        if formdata is not None and formdata.get("days") not in (*map(str, PERIODS), CUSTOM, None):
            formdata = formdata.copy()
            formdata.pop("days")  # an unknown period falls back to 30 days, as links from before did
        if formdata is not None and (formdata.get("start") or formdata.get("end")) and not formdata.get("days"):
            formdata = formdata.copy()
            formdata["days"] = CUSTOM
        super().__init__(formdata)
        self.customer_id = customer_id
        self.agent.choices = [SelectChoice("", "Any agent"),
                              *(SelectChoice(str(agent_id), name) for agent_id, name in agents)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid or self.days.data != CUSTOM:
            return valid
        # A custom range needs both days, in order, at most a year apart (Optional() stops field validators).
        if not self.start.data:
            self.start.errors = [*self.start.errors, "Choose the first day of the range."]
        if not self.end.data:
            self.end.errors = [*self.end.errors, "Choose the last day of the range."]
        elif self.start.data and self.end.data < self.start.data:
            self.end.errors = [*self.end.errors, "The last day is before the first day."]
        elif self.start.data and (self.end.data - self.start.data).days + 1 > MAX_DAYS:
            self.end.errors = [*self.end.errors, f"A range can be at most {MAX_DAYS} days long."]
        return not (self.start.errors or self.end.errors)

    def scope(self) -> Scope:
        filters = {"agent_id": int(self.agent.data) if self.agent.data else None,
                   "channel": self.channel.data or None}
        if self.days.data == CUSTOM:
            return Scope(self.customer_id, self.start.data, self.end.data, **filters)
        end = today(self.customer_id)
        return Scope(self.customer_id, end - timedelta(days=int(self.days.data or 30) - 1), end, **filters)

    def query_args(self) -> dict:
        """The filters as query-string arguments (for the period's links)."""
        values = {"days": self.days.data, "agent": self.agent.data, "channel": self.channel.data}
        if self.days.data == CUSTOM:
            values.update(start=self.start.data, end=self.end.data)
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if v}
