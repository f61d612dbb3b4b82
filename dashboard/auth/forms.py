"""Forms for signing in, the business profile and API keys."""
from zoneinfo import available_timezones

import phonenumbers
from wtforms import EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from dashboard.forms import Form


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=255)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


def e164_phone(form, field):
    """Accept a phone number in international form and keep it as E.164 (+14155550100)."""
    try:
        number = phonenumbers.parse(field.data, None)
    except phonenumbers.NumberParseException:
        raise ValidationError("Enter the number with its country code, e.g. +1 415 555 0100.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("This is not a valid phone number.")
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Every IANA zone the system knows, "Area/City" names first (the ones people look for), UTC at the top.
TIME_ZONES = ["UTC", *sorted(zone for zone in available_timezones() if "/" in zone and not zone.startswith(("Etc/", "SystemV/")))]


class ProfileForm(Form):
    name = StringField("Business name", filters=[lambda v: v.strip() if v else v],
                       validators=[DataRequired(), Length(min=2, max=255)])
    email = EmailField("Contact email", filters=[lambda v: v.strip().lower() if v else v],
                       validators=[DataRequired(), Email(), Length(max=255)])
    phone = TelField("Phone", validators=[Optional(strip_whitespace=True), Length(max=32), e164_phone])
    time_zone = SelectField("Time zone", default="UTC", choices=TIME_ZONES)


class ApiKeyForm(Form):
    name = StringField("Key name", filters=[lambda v: v.strip() if v else v],
                       validators=[DataRequired(), Length(max=100)])
