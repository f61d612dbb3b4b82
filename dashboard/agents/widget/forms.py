"""The Widget section's form: bot name, colour, avatar, position, greeting and launcher text."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField, StringField, URLField
from wtforms.validators import Length, Optional, Regexp

from dashboard.agents.widget.config import CHANNELS, POSITIONS
from dashboard.forms import Form


class WidgetForm(Form):
    channels = SelectField("Visitors can", default="voice",
                           choices=[SelectChoice(key, label) for key, label in CHANNELS.items()])
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
