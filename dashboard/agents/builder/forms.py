"""Forms of the builder's own sections: an agent's details and its prompt."""
from __future__ import annotations

from wtforms import BooleanField, DecimalField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from dashboard.forms import Form


class AgentForm(Form):
    name = StringField("Name", validators=[DataRequired("Give the agent a name."), Length(max=100)])
    description = StringField("Description", validators=[Optional(), Length(max=500)])
    brand_info = TextAreaField("Brand information", validators=[Optional(), Length(max=2000)],
                               description="What the agent should know about your business: tone, hours, offer.")
    creates_leads = BooleanField("Add visitors who leave an email or phone number to Leads")


class PromptForm(Form):
    prompt_id = SelectField("Prompt from the library", coerce=int, validate_choice=True)
    prompt_override = TextAreaField("Your own prompt", validators=[Optional(), Length(max=20000)],
                                    description="When filled in, this replaces the library prompt.")
    temperature = DecimalField("Temperature", places=2, validators=[
        InputRequired("Enter a temperature between 0 and 1."),
        NumberRange(min=0, max=1, message="Temperature must be between 0 and 1.")])

    def __init__(self, *args, library=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.library = list(library)
        # Grouped by prompt template (rendered as <optgroup>s).
        choices = [SelectChoice(0, "None: use my own prompt", optgroup="No library prompt")]
        choices += [SelectChoice(prompt.prompt_id, prompt.name,
                                 optgroup=prompt.template.name if prompt.template else "Other") for prompt in self.library]
        self.prompt_id.choices = choices

    def validate_prompt_id(self, field):
        if not field.data and not (self.prompt_override.data or "").strip():
            raise ValidationError("Choose a library prompt or write your own.")
