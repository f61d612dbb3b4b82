"""The lead and service forms (and each row of a CSV import): text fields turned into the API's JSON document and
checked by the same JSON Schemas and rules as the API, each problem shown beside its field."""
from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField, TextAreaField

from dashboard.crm.operations import duplicate_email, range_problems
from dashboard.crm.schemas import CONTACT_TIMES, LEAD_CREATE, SERVICE, SERVICE_LEVELS, STATUSES
from dashboard.errors import field_problem, schema_problems
from dashboard.forms import Form

_levels = [SelectChoice("", "—")] + [SelectChoice(level, level.title()) for level in SERVICE_LEVELS]
_statuses = [SelectChoice(s, s.title()) for s in STATUSES]

# Each form field and CSV column: the JSON Pointer of the value it fills in the API's document.
LEAD_FIELDS = {
    "first_name": "/contact/first_name", "last_name": "/contact/last_name", "email": "/contact/email",
    "phone": "/contact/phone", "status": "/status", "score": "/score",
    "service_types": "/preferences/service_types", "price_min": "/preferences/price_range/min",
    "price_max": "/preferences/price_range/max", "locations": "/preferences/locations",
    "service_level_min": "/preferences/service_level/min", "service_level_max": "/preferences/service_level/max",
    "preferred_contact_time": "/engagement/preferred_contact_time",
}
SERVICE_FIELDS = {
    "type": "/type", "status": "/status", "price": "/details/price", "duration": "/details/duration",
    "category": "/details/category", "service_level": "/details/service_level",
    "description": "/details/description", "address": "/location/address", "city": "/location/city",
    "state": "/location/state", "zip": "/location/zip", "features": "/features",
}
LISTS = {"service_types", "locations", "features"}
INTEGERS = {"score", "duration"}
NUMBERS = {"price_min", "price_max", "price"}


class LeadForm(Form):
    first_name = StringField("First name")
    last_name = StringField("Last name")
    email = StringField("Email")
    phone = StringField("Phone", description="International format, e.g. +14155550123")
    status = SelectField("Status", choices=_statuses, default="active")
    score = StringField("Score (0–100)", default="0")
    service_types = StringField("Service types", description="Comma-separated, e.g. consulting, support")
    price_min = StringField("Lowest price")
    price_max = StringField("Highest price")
    locations = StringField("Locations", description="Comma-separated: cities, states or zip codes")
    service_level_min = SelectField("Service level from", choices=_levels, default="")
    service_level_max = SelectField("Service level to", choices=_levels, default="")
    preferred_contact_time = SelectField("Preferred contact time",
                                         choices=[SelectChoice("", "—")] + [SelectChoice(t, t.title()) for t in CONTACT_TIMES], default="")


class ServiceForm(Form):
    type = StringField("Type", description="e.g. consulting")
    status = SelectField("Status", choices=_statuses, default="active")
    price = StringField("Price")
    duration = StringField("Duration (minutes)")
    category = StringField("Category", description="Services of one type and category are compared")
    service_level = SelectField("Service level", choices=_levels, default="")
    description = TextAreaField("Description")
    address = StringField("Address")
    city = StringField("City")
    state = StringField("State")
    zip = StringField("Zip")
    features = StringField("Features", description="Comma-separated")


def document_from(values: dict, fields: dict) -> tuple[dict, list[dict]]:
    """The JSON document the text `values` fill (blank ones left out), and the problems of converting them."""
    document: dict = {}
    problems = []
    for name, pointer in fields.items():
        text = (values.get(name) or "").strip()
        if not text:
            continue
        parts = pointer.strip("/").split("/")
        value: object = text
        if name in LISTS:
            value = [item.strip() for item in text.split(",") if item.strip()]
        elif name in INTEGERS or name in NUMBERS:
            try:
                value = int(text) if name in INTEGERS else float(text)
            except ValueError:
                problems.append(field_problem(parts, "must be a whole number" if name in INTEGERS else "must be a number"))
                continue
        target = document
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return document, problems


def lead_problems(customer_id: int, document: dict, lead_id: int | None) -> list[dict]:
    problems = schema_problems(LEAD_CREATE, document) + range_problems(document)
    email = (document.get("contact") or {}).get("email")
    if not problems and duplicate_email(customer_id, email, lead_id):
        problems.append(field_problem(("contact", "email"), "another lead already has this email"))
    return problems


def service_problems(document: dict) -> list[dict]:
    return schema_problems(SERVICE, document)


def show_problems(form: Form, fields: dict, problems: list[dict]) -> None:
    """Put each problem beside the form field whose value it is about (else at the top of the form)."""
    by_pointer = {pointer: name for name, pointer in fields.items()}
    form.form_errors = []
    for problem in problems:
        path = problem["path"]
        name = by_pointer.get(path) or next((n for p, n in by_pointer.items() if path.startswith(p + "/")), None)
        if name is None and path in ("", "/contact"):
            name = "first_name" if "first_name" in problem["message"] else None
        if name is None:
            form.form_errors.append(problem["message"])
        else:
            field = getattr(form, name)
            field.errors = [*field.errors, problem["message"]] if isinstance(field.errors, list) else [problem["message"]]


def lead_values(lead) -> dict:
    """A lead's current values as the form's text."""
    preferences = lead.preferences or {}
    prices, levels = preferences.get("price_range") or {}, preferences.get("service_level") or {}
    return {"first_name": lead.first_name, "last_name": lead.last_name, "email": lead.email, "phone": lead.phone,
            "status": lead.status, "score": str(lead.score),
            "service_types": ", ".join(preferences.get("service_types") or []),
            "price_min": _number(prices.get("min")), "price_max": _number(prices.get("max")),
            "locations": ", ".join(preferences.get("locations") or []),
            "service_level_min": levels.get("min", ""), "service_level_max": levels.get("max", ""),
            "preferred_contact_time": (lead.engagement or {}).get("preferred_contact_time", "")}


def service_values(service) -> dict:
    details, location = service.details or {}, service.location or {}
    return {"type": service.type, "status": service.status, "price": _number(details.get("price")),
            "duration": _number(details.get("duration")), "category": details.get("category", ""),
            "service_level": details.get("service_level", ""), "description": details.get("description", ""),
            "address": location.get("address", ""), "city": location.get("city", ""),
            "state": location.get("state", ""), "zip": location.get("zip", ""),
            "features": ", ".join(service.features or [])}


def _number(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)
