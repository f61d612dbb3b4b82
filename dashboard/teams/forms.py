"""Forms for inviting people, changing a member's role and accepting an invitation."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

ROLE_CHOICES = [("viewer", "Viewer: reads conversations, analytics and leads"),
                ("editor", "Editor: agents, email templates and leads"),
                ("admin", "Admin: everything but ownership"),
                ("owner", "Owner: everything, billing and ownership")]


class InviteForm(FlaskForm):
    email = EmailField("Email", filters=[lambda v: v.strip().lower() if v else v],
                       validators=[DataRequired(), Email(), Length(max=255)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="viewer")
    transcripts_hidden = BooleanField("Hide conversation content (sees analytics only)")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    transcripts_hidden = BooleanField("Hide conversation content")


class AcceptForm(FlaskForm):
    name = StringField("Your name", filters=[lambda v: v.strip() if v else v],
                       validators=[DataRequired(), Length(min=2, max=255)])
    password = PasswordField("Choose a password", validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField("Repeat the password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")])
