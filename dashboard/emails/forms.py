"""The email template form."""
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from dashboard.emails.operations import PLACEHOLDER_PATTERN, PLACEHOLDERS
from dashboard.forms import Form


class EmailTemplateForm(Form):
    email_subject = StringField("Subject", validators=[DataRequired(), Length(max=500)])
    sender_email = EmailField("Sender address", validators=[DataRequired(), Email(), Length(max=255)])
    agent_id = SelectField("Sent by agent", coerce=int, validate_choice=True)
    email_body = TextAreaField("Body", validators=[DataRequired(), Length(max=20000)])
    send_html = BooleanField("Also send a formatted version: the body is read as Markdown (**bold**, lists, links)",
                             default=False)
    is_active = BooleanField("Active (agents send it after conversations)", default=True)

    def validate_email_body(self, field):
        unknown = set(PLACEHOLDER_PATTERN.findall(field.data or "")) - set(PLACEHOLDERS)
        if unknown:
            raise ValidationError(
                f"Unknown placeholder(s): {', '.join(sorted(unknown))}. Use {', '.join('{{' + p + '}}' for p in PLACEHOLDERS)}."
            )


class TestEmailForm(Form):
    """Where to send a template filled with sample values."""

    address = EmailField("Send a test to", validators=[DataRequired(), Email(), Length(max=255)])
