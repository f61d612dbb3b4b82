"""The Voice section's form: the chosen voice (checked against the catalog by operations)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class VoiceForm(FlaskForm):
    voice = StringField("Voice", validators=[DataRequired("Choose a voice."), Length(max=255)])
