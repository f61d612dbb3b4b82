"""The onboarding forms of its own (the business profile form is auth's, shared with Settings)."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class AgentNameForm(FlaskForm):
    name = StringField("Agent name", filters=[lambda v: v.strip() if v else v],
                       validators=[DataRequired(), Length(min=2, max=100)])
