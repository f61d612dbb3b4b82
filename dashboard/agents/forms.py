"""Forms of the agent builder: details, prompt, voice, widget and knowledge sources."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DecimalField, SelectChoice, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from dashboard.agents.widget import POSITIONS


class AgentForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give the agent a name."), Length(max=100)])
    description = StringField("Description", validators=[Optional(), Length(max=500)])
    brand_info = TextAreaField("Brand information", validators=[Optional(), Length(max=2000)],
                               description="What the agent should know about your business: tone, hours, offer.")


class PromptForm(FlaskForm):
    prompt_id = SelectField("Prompt from the library", coerce=int, validate_choice=True)
    prompt_override = TextAreaField("Your own prompt", validators=[Optional(), Length(max=20000)],
                                    description="When filled in, this replaces the library prompt.")
    temperature = DecimalField("Temperature", places=2, validators=[
        InputRequired("Enter a temperature between 0 and 1."),
        NumberRange(min=0, max=1, message="Temperature must be between 0 and 1.")])

    def __init__(self, *args, library=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Grouped by prompt template (rendered as <optgroup>s).
        choices = [SelectChoice(0, "None: use my own prompt", optgroup="No library prompt")]
        choices += [SelectChoice(prompt.prompt_id, prompt.name,
                                 optgroup=prompt.template.name if prompt.template else "Other") for prompt in library]
        self.prompt_id.choices = choices

    def validate_prompt_id(self, field):
        if not field.data and not (self.prompt_override.data or "").strip():
            raise ValidationError("Choose a library prompt or write your own.")


class VoiceForm(FlaskForm):
    voice = StringField("Voice", validators=[DataRequired("Choose a voice."), Length(max=255)])


class WidgetForm(FlaskForm):
    bot_name = StringField("Bot name", validators=[Optional(), Length(max=60)])
    color = StringField("Colour", validators=[Optional(), Regexp(r"^#[0-9a-fA-F]{6}$",
                                                                message="Use a colour like #4b3fd6.")])
    avatar = FileField("Avatar image", description="PNG, JPEG, GIF or WebP, up to 1 MB.")
    # An https image elsewhere, or an avatar uploaded here (kept when the form is saved again).
    avatar_url = URLField("…or an avatar URL", validators=[Optional(), Length(max=500), Regexp(
        r"^(https://[^\s\"'<>]+|/agents/avatars/\d+_[0-9a-f]{32}\.(png|jpe?g|gif|webp))$",
        message="Enter a full https:// URL.")])
    position = SelectField("Position", choices=[SelectChoice(p, p.replace("-", " ").capitalize()) for p in POSITIONS])
    greeting = StringField("Greeting", validators=[Optional(), Length(max=200)])
    launcher_text = StringField("Launcher text", validators=[Optional(), Length(max=40)])


class WebSourceForm(FlaskForm):
    name = StringField("Name", validators=[Optional(), Length(max=255)])
    url = URLField("Web page", validators=[DataRequired("Enter the page's address."), Length(max=2000),
                                           URL(message="Enter a full https:// address.")])


class FileSourceForm(FlaskForm):
    file = FileField("File", description="PDF, Word (.docx), text, Markdown or CSV, up to 5 MB.")
