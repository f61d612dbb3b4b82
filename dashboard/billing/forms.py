"""Forms for the billing pages: the cadence switch and the Checkout return's query string."""
from wtforms import IntegerField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from dashboard.forms import Form


class QueryForm(Form):
    """Read from the query string, so no CSRF token: nothing here changes state."""

    class Meta:
        csrf = False


class CadenceForm(QueryForm):
    cadence = RadioField("Billing", choices=[SelectChoice("monthly", "Monthly"), SelectChoice("yearly", "Yearly")], default="monthly",
                         validators=[Optional()])


class CheckoutReturnForm(QueryForm):
    session_id = StringField("Checkout session", validators=[
        DataRequired("The link is missing its checkout session."), Length(max=255),
        Regexp(r"^cs_[A-Za-z0-9_]+$", message="That is not a Stripe checkout session id."),
    ])
    attempt = IntegerField("Attempt", default=0, validators=[Optional(), NumberRange(min=0, max=1000)])
