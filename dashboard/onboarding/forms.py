"""The onboarding forms of its own (the business profile form is auth's, shared with Settings)."""
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from dashboard.forms import Form


class AgentNameForm(Form):
    name = StringField("Agent name", filters=[lambda v: v.strip() if v else v],
                       validators=[DataRequired(), Length(min=2, max=100)])
