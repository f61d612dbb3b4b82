"""Forms for inviting people, changing a member's role and accepting an invitation."""
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from dashboard.forms import Form

ROLE_CHOICES = [("viewer", "Viewer: reads conversations, analytics and leads"),
                ("editor", "Editor: agents, email templates and leads"),
                ("admin", "Admin: everything but ownership"),
                ("owner", "Owner: everything, billing and ownership")]


class InviteForm(Form):
    email = EmailField("Email", filters=[lambda v: v.strip().lower() if v else v],
                       validators=[DataRequired(), Email(), Length(max=255)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="viewer")
    transcripts_hidden = BooleanField("Hide conversation content (sees analytics only)")


class RoleForm(Form):
    role = SelectField("Role", choices=ROLE_CHOICES)
    transcripts_hidden = BooleanField("Hide conversation content")


class AcceptForm(Form):
    name = StringField("Your name", filters=[lambda v: v.strip() if v else v],
                       validators=[DataRequired(), Length(min=2, max=255)])
    password = PasswordField("Choose a password", validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField("Repeat the password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")])


def _new_password(label: str):
    return PasswordField(label, validators=[DataRequired("Choose a new password."),
                                            Length(min=10, max=200, message="Use 10 to 200 characters.")])


def _repeat():
    return PasswordField("Repeat the new password", validators=[
        DataRequired("Type the new password again."), EqualTo("password", "Type the same password in both fields.")])


class ForgotPasswordForm(Form):
    email = EmailField("Email", filters=[lambda v: v.strip().lower() if v else v],
                       validators=[DataRequired("Enter the email you sign in with."), Email(), Length(max=255)])


class ResetPasswordForm(Form):
    password = _new_password("New password")
    confirm = _repeat()


class ChangePasswordForm(Form):
    current = PasswordField("Current password", validators=[DataRequired("Enter your current password."),
                                                            Length(max=200)])
    password = _new_password("New password")
    confirm = _repeat()
