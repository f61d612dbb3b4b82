"""The one base for every form: WTForms' built-in messages ("This field is required.") become the product's.

Every form subclasses `Form` (a page form, with CSRF) or `Subform` (rows inside a FieldList/FormField, or a
JSON body). Their meta gives each field a `gettext` that turns every message WTForms or Flask-WTF would write
into one that says what to do, naming the field ("Fill in “Business name”."); a message a form sets itself
("Give the agent a name.") is left as it is. A message nobody wrote wording for becomes "Check “Label” and try
again.", so no default message reaches a page (tests/core/test_form_messages.py walks every form).
"""
from __future__ import annotations

import wtforms
from flask_wtf import FlaskForm
from wtforms.meta import DefaultMeta

STALE_PAGE = "This page was open too long or came from elsewhere: reload it and try again."
# WTForms' (and Flask-WTF's file validators') message -> the product's; "{label}" is the field's label. The
# %(…)s placeholders are the ones the validators fill in afterwards.
MESSAGES = {
    "This field is required.": "Fill in “{label}”.",
    "Invalid email address.": "Enter an email address like name@example.com.",
    "Invalid URL.": "Enter a full web address, like https://example.com.",
    "Invalid input.": "Check the format of “{label}”.",
    "Invalid IP address.": "Enter an IP address, like 203.0.113.7.",
    "Invalid Mac address.": "Enter a MAC address, like 00:1a:2b:3c:4d:5e.",
    "Invalid UUID.": "Enter a UUID, like 123e4567-e89b-12d3-a456-426614174000.",
    "Field must be equal to %(other_name)s.": "Type the same as in “%(other_label)s”.",
    "Field must be at least %(min)d character long.": "Use at least %(min)d character for “{label}”.",
    "Field must be at least %(min)d characters long.": "Use at least %(min)d characters for “{label}”.",
    "Field cannot be longer than %(max)d character.": "Keep “{label}” to %(max)d character.",
    "Field cannot be longer than %(max)d characters.": "Keep “{label}” to %(max)d characters or fewer.",
    "Field must be exactly %(max)d character long.": "Use exactly %(max)d character for “{label}”.",
    "Field must be exactly %(max)d characters long.": "Use exactly %(max)d characters for “{label}”.",
    "Field must be between %(min)d and %(max)d characters long.":
        "Use %(min)d to %(max)d characters for “{label}”.",
    "Number must be at least %(min)s.": "Enter %(min)s or more for “{label}”.",
    "Number must be at most %(max)s.": "Enter %(max)s or less for “{label}”.",
    "Number must be between %(min)s and %(max)s.": "Enter a number from %(min)s to %(max)s for “{label}”.",
    "Invalid value, must be one of: %(values)s.": "Choose one of: %(values)s.",
    "Invalid value, can't be any of: %(values)s.": "Use something other than %(values)s.",
    "This field cannot be edited.": "“{label}” cannot be changed here.",
    "This field is disabled and cannot have a value.": "“{label}” cannot be changed here.",
    "Not a valid integer value.": "Enter a whole number for “{label}”, like 12.",
    "Not a valid decimal value.": "Enter a number for “{label}”, like 12.50.",
    "Not a valid float value.": "Enter a number for “{label}”, like 12.5.",
    "Not a valid datetime value.": "Enter a date and time for “{label}”, like 2026-01-31 14:30.",
    "Not a valid date value.": "Enter a date for “{label}”, like 2026-01-31.",
    "Not a valid time value.": "Enter a time for “{label}”, like 14:30.",
    "Not a valid week value.": "Enter a week for “{label}”, like 2026-W05.",
    "Not a valid month value.": "Enter a month for “{label}”, like 2026-01.",
    "Not a valid choice.": "Choose one of the options offered for “{label}”.",
    "Invalid Choice: could not coerce.": "Choose one of the options offered for “{label}”.",
    "Invalid choice(s): one or more data inputs could not be coerced.":
        "Choose only options offered for “{label}”.",
    "'%(value)s' is not a valid choice for this field.": "Choose one of the options offered for “{label}”.",
    "'%(value)s' are not valid choices for this field.": "Choose only options offered for “{label}”.",
    "Choices cannot be None.": "Choose one of the options offered for “{label}”.",
    "File does not have an approved extension: {extensions}": "Choose a file of one of these kinds: {extensions}.",
    "File does not have an approved extension.": "Choose a file of one of the kinds listed for “{label}”.",
    "Date must be at least %(min)s.": "Choose %(min)s or later for “{label}”.",
    "Date must be at most %(max)s.": "Choose %(max)s or earlier for “{label}”.",
    "Date must be between %(min)s and %(max)s.": "Choose a date from %(min)s to %(max)s for “{label}”.",
    "Invalid field name '%s'.": "Check “{label}” and try again.",
    "CSRF failed.": STALE_PAGE,
    "CSRF token expired.": STALE_PAGE,
    "CSRF token missing.": STALE_PAGE,
    "Invalid CSRF Token.": STALE_PAGE,
    "The CSRF token is missing.": STALE_PAGE,
    "The CSRF token is invalid.": STALE_PAGE,
    "The CSRF token has expired.": STALE_PAGE,
}
FALLBACK = "Check “{label}” and try again."


class ProductMessages:
    """The `gettext`/`ngettext` WTForms asks for a field's messages, answering in the product's words."""

    def __init__(self, label: str):
        # A label's own % would be read as a placeholder by the validators that fill them in.
        self.label = label.replace("%", " percent")

    def gettext(self, string: str) -> str:
        wording = MESSAGES.get(string)
        if wording is None:
            # Flask-WTF's file size message carries its limits in {braces}; anything unknown gets the fallback.
            wording = "Choose a smaller file for “{label}”." if string.startswith("File must be") else FALLBACK
        return wording.replace("{label}", self.label)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def _label_of(unbound_field, name: str) -> str:
    label = unbound_field.kwargs.get("label")
    if label is None and unbound_field.args:
        label = unbound_field.args[0]
    return str(label) if label else name.replace("_", " ").capitalize()


class ProductMeta:
    """Binds each field with its own ProductMessages (the form-wide translations know no field)."""

    def bind_field(self, form, unbound_field, options):
        options = dict(options, translations=ProductMessages(_label_of(unbound_field, options.get("name", ""))))
        return unbound_field.bind(form=form, **options)

    def get_translations(self, form):
        return ProductMessages("this field")


class Form(FlaskForm):
    """A page's form (CSRF from Flask-WTF) whose messages are the product's."""

    class Meta(ProductMeta, FlaskForm.Meta):
        pass


class Subform(wtforms.Form):
    """Rows inside a FieldList/FormField, or a JSON body's fields, with the product's messages."""

    class Meta(ProductMeta, DefaultMeta):
        pass

