"""The Voice section's form: the chosen voice (checked against the catalog by operations)."""
from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from dashboard.forms import Form


class VoiceForm(Form):
    voice = StringField("Voice", validators=[DataRequired("Choose a voice."), Length(max=255)])
