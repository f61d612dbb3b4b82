"""The Knowledge section's forms: a web page to add, a file to upload."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import StringField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional

from dashboard.forms import Form


class WebSourceForm(Form):
    name = StringField("Name", validators=[Optional(), Length(max=255)])
    url = URLField("Web page", validators=[DataRequired("Enter the page's address."), Length(max=2000),
                                           URL(message="Enter a full https:// address.")])


class FileSourceForm(Form):
    file = FileField("File", description="PDF, Word (.docx), text, Markdown or CSV, up to 5 MB.")
