"""Forms for custom tools: the tool with its parameter rows, and the Test tool form built from its parameters."""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, SchemaError
from jsonschema.exceptions import ValidationError as SchemaValidationError
from wtforms import BooleanField, FieldList, FormField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from dashboard import safe_http
from dashboard.forms import Form, Subform
from dashboard.input_guard import HostileInput, load_json

NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
LOCATIONS = ("query", "path", "header", "body")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class StaticParamForm(Subform):
    name = StringField("Name", validators=[Optional(), Length(max=100)])
    location = SelectField("Location", choices=[SelectChoice(x) for x in LOCATIONS])
    value = StringField("Value", validators=[Optional(), Length(max=2000)])


class DynamicParamForm(Subform):
    name = StringField("Name", validators=[Optional(), Length(max=100)])
    location = SelectField("Location", choices=[SelectChoice(x) for x in LOCATIONS])
    schema = TextAreaField("JSON Schema", default='{"type": "string"}', validators=[Length(max=5000)])
    required = BooleanField("Required", default=True)

    def validate_schema(self, field):
        if not self.name.data:
            return
        field.parsed = parse_schema(field.data)


def json_object(text: str, empty: str, not_object: str) -> dict:
    """The JSON object `text` holds (`empty` stands in for blank text), or ValueError saying what is wrong."""
    try:
        data = load_json(text or empty)
    except HostileInput as error:
        raise ValueError(error.description) from None
    except ValueError as error:
        raise ValueError(f"This is not valid JSON: {error.msg} (line {error.lineno}).") from None
    if not isinstance(data, dict):
        raise ValueError(not_object)
    return data


def parse_schema(text: str) -> dict:
    """A JSON Schema (Draft 2020-12) from text, or ValidationError saying what is wrong."""
    try:
        schema = json_object(text, "{}", 'A JSON Schema is an object, like {"type": "string"}.')
    except ValueError as error:
        raise ValidationError(str(error)) from None
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise ValidationError(f"This is not a valid JSON Schema: {error.message}.") from None
    return schema


class ToolForm(Form):
    name = StringField("Name", validators=[
        DataRequired("Give the tool a name."),
        Regexp(NAME_PATTERN, message="Use 1–64 letters, digits, _ or - (no spaces).")],
        description="How the model calls it, e.g. check_availability.")
    description = TextAreaField("Description", validators=[DataRequired("Say what the tool does."), Length(max=2000)],
                                description="The model reads this to decide when to call the tool.")
    http_method = SelectField("Method", choices=[SelectChoice(x) for x in METHODS])
    url = StringField("URL", validators=[DataRequired("Enter the URL to call."), Length(max=2000)],
                      description="https only; {name} marks a path parameter, e.g. https://api.example.com/orders/{id}")
    static_params = FieldList(FormField(StaticParamForm), label="Static parameters")
    dynamic_params = FieldList(FormField(DynamicParamForm), label="Dynamic parameters")

    def __init__(self, *args, taken_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.taken_names = set(taken_names)

    def validate_name(self, field):
        if field.data in self.taken_names:
            raise ValidationError("This agent already has a tool with that name.")

    def validate_url(self, field):
        url = (field.data or "").strip()
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https" and not (parts.scheme == "http" and host in safe_http.allowed_hosts()):
            raise ValidationError("Use an https:// URL.")
        try:
            safe_http.check_url(PLACEHOLDER.sub("x", url))
        except safe_http.UnsafeURL as refused:
            raise ValidationError(refused.message) from None
        if "{" in parts.netloc or "}" in parts.netloc:
            raise ValidationError("Placeholders may only be used in the path, not in the host.")
        placeholders = set(PLACEHOLDER.findall(url))
        path_params = {row.form.name.data for rows in (self.static_params, self.dynamic_params) for row in rows
                       if row.form.name.data and row.form.location.data == "path"}
        if placeholders - path_params:
            raise ValidationError("Add a path parameter for each placeholder: "
                                  + ", ".join(f"{{{p}}}" for p in sorted(placeholders - path_params)) + ".")
        if path_params - placeholders:
            raise ValidationError("Put a placeholder in the URL for each path parameter: "
                                  + ", ".join(f"{{{p}}}" for p in sorted(path_params - placeholders)) + ".")

    def missing_path_params(self) -> list[str]:
        """The placeholders of the URL's path that no path parameter names yet (usable names only, each once)."""
        parts = urlsplit((self.url.data or "").strip())
        if "{" in parts.netloc or "}" in parts.netloc:
            return []  # placeholders in the host are refused when saving
        have = {row.form.name.data for rows in (self.static_params, self.dynamic_params) for row in rows
                if row.form.name.data and row.form.location.data == "path"}
        return [name for name in dict.fromkeys(PLACEHOLDER.findall(parts.path))
                if name not in have and re.fullmatch(NAME_PATTERN[1:-1], name)]

    def add_missing_path_params(self) -> list[str]:
        """Add a dynamic path parameter (a required string) for each placeholder of the URL's path that has none,
        filling blank rows first; the names added, for telling the customer (nothing is saved here)."""
        missing = self.missing_path_params()
        blank = [row.form for row in self.dynamic_params if not row.form.name.data]
        for name in missing:
            row = blank.pop(0) if blank else self.dynamic_params.append_entry().form
            row.name.data, row.location.data, row.required.data = name, "path", True
            row.schema.data = '{"type": "string"}'
        return missing

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        seen: set[tuple[str, str]] = set()
        for rows in (self.static_params, self.dynamic_params):
            for row in rows:
                name = row.form.name.data
                if not name:
                    if rows is self.static_params and row.form.value.data:
                        row.form.name.errors.append("Name this parameter, or clear its value.")
                        valid = False
                    continue
                if row.form.location.data == "header" and not HEADER_NAME.match(name):
                    row.form.name.errors.append("Use a valid header name (letters, digits, -).")
                    valid = False
                if rows is self.static_params and CONTROL.search(row.form.value.data or ""):
                    row.form.value.errors.append("The value may not contain line breaks or control characters.")
                    valid = False
                if (name, row.form.location.data) in seen:
                    row.form.name.errors.append("Another parameter has this name and location.")
                    valid = False
                seen.add((name, row.form.location.data))
        return valid

    def static_rows(self) -> list[dict]:
        return [{"name": r.form.name.data, "location": r.form.location.data, "value": r.form.value.data or ""}
                for r in self.static_params if r.form.name.data]

    def dynamic_rows(self) -> list[dict]:
        return [{"name": r.form.name.data, "location": r.form.location.data,
                 "schema": parse_schema(r.form.schema.data), "required": bool(r.form.required.data)}
                for r in self.dynamic_params if r.form.name.data]


def _schema_value(param: dict):
    """A validator that parses the typed text as the parameter's schema says and checks it against the schema."""
    schema = param.get("schema") or {}

    def check(form, field):
        text = (field.data or "").strip()
        field.parsed = None
        if not text:
            if param.get("required"):
                raise ValidationError("This parameter is required.")
            return
        value = text
        if schema.get("type") not in (None, "string"):
            try:
                value = load_json(text)
            except (ValueError, HostileInput):
                raise ValidationError(f"Enter a JSON {schema.get('type')}.") from None
        try:
            Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(value)
        except SchemaValidationError as error:
            raise ValidationError(f"Does not match the schema: {error.message}.") from None
        field.parsed = value

    return check


def tool_test_form(tool, formdata=None) -> Form:
    """A form with one field per dynamic parameter of `tool`."""

    class ToolTestForm(Form):
        pass

    for index, param in enumerate(tool.dynamic_params or []):
        schema = param.get("schema") or {}
        field = StringField(param["name"], description=schema.get("description") or json.dumps(schema),
                            validators=[_schema_value(param)])
        setattr(ToolTestForm, f"param_{index}", field)
    return ToolTestForm(formdata=formdata)
