"""One voice for form messages: no form shows WTForms' or Flask-WTF's default wording ("This field is required.").

The walk finds every form class the app defines (each subclass of wtforms.Form in a dashboard module), posts
it empty, with too-short, too-long and ill-typed values, and checks each message against every default message
WTForms and Flask-WTF can write (read from their source, so a new version's messages are checked too).
"""
from __future__ import annotations

import ast
import pathlib
import re
from types import SimpleNamespace

import flask_wtf
import wtforms
from werkzeug.datastructures import MultiDict

from dashboard.forms import Form, Subform
from tests import factories


def _default_messages() -> list[re.Pattern]:
    found = set()
    for package in (wtforms, flask_wtf):
        for path in pathlib.Path(package.__file__).parent.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                name = getattr(node, "func", None)
                name = getattr(name, "attr", getattr(name, "id", None))
                if isinstance(node, ast.Call) and name in ("gettext", "ngettext", "_"):
                    found.update(arg.value for arg in node.args
                                 if isinstance(arg, ast.Constant) and isinstance(arg.value, str))
    assert "This field is required." in found and len(found) > 30
    # "%(min)d" and "{extensions}" are filled in by the validator: they match any text.
    return [re.compile(re.sub(r"%\\\(\w+\\\)[sd]|\\\{\w+\\\}|%s", ".+", re.escape(text)) + "$") for text in found]


DEFAULTS = _default_messages()


def _all_form_classes() -> list[type]:
    found, pending = [], list(wtforms.Form.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("dashboard.") and cls not in (Form, Subform):
            found.append(cls)
    return found


def _build(cls, formdata):
    special = {
        "ReportForm": lambda: cls(formdata, customer_id=1, agents=[(1, "Ava")]),
        "ConversationFilterForm": lambda: cls(formdata, agents=[(1, "Ava")]),
    }
    form = special[cls.__name__]() if cls.__name__ in special else cls(formdata=formdata)
    for field in form:
        if getattr(field, "choices", ()) is None:  # choices the route fills in (the business's agents)
            field.choices = [("1", "Ava")]
    return form


def _messages(errors) -> list[str]:
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    return [m for value in errors for m in _messages(value)]


def _bad_values(form) -> list[dict]:
    """Formdata that trips each kind of check: empty, one character, far too long, not a number or date."""
    names = [field.name for field in form if field.type not in ("CSRFTokenField", "FieldList", "FormField")]
    return [{}, {name: "x" for name in names}, {name: "x" * 20001 for name in names},
            {name: "twelve" for name in names}, {name: "2026-13-45" for name in names}]


def _tool_test_form_class():
    from dashboard.agents.tools.forms import tool_test_form
    tool = SimpleNamespace(dynamic_params=[{"name": "guests", "schema": {"type": "integer"}},
                                           {"name": "day", "schema": {"type": "string", "format": "date"}}])
    return type(tool_test_form(tool)), tool


def test_every_form_class_uses_the_product_base(app):
    with app.test_request_context(method="POST"):
        classes = _all_form_classes()
    assert len(classes) >= 25
    strays = [f"{cls.__module__}.{cls.__name__}" for cls in classes if not issubclass(cls, Form | Subform)]
    assert strays == []


def test_no_form_shows_a_default_wtforms_message(app):
    from dashboard.agents.tools.forms import tool_test_form

    shown = {}
    with app.test_request_context(method="POST"):
        tool_test_class, tool = _tool_test_form_class()
        for cls in _all_form_classes():
            if cls.__name__ == tool_test_class.__name__:
                build = lambda data: tool_test_form(tool, formdata=data)  # noqa: E731
            else:
                build = lambda data, cls=cls: _build(cls, data)  # noqa: E731
            for values in _bad_values(build(MultiDict())):
                form = build(MultiDict(values))
                form.validate()
                for message in _messages(form.errors):
                    shown.setdefault(message, f"{cls.__module__}.{cls.__name__}")
    defaults = {message: where for message, where in shown.items() if any(p.match(message) for p in DEFAULTS)}
    assert defaults == {}
    assert len(shown) > 20  # the walk did trip the checks


def test_a_page_names_the_field_and_says_what_to_do(client, db):
    factories.make_customer()
    db.session.commit()
    page = client.post("/auth/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "This field is required." not in page
    assert "Fill in “Email”." in page and "Fill in “Password”." in page
    page = client.post("/auth/login", data={"email": "not-an-email", "password": "x"}).get_data(as_text=True)
    assert "Invalid email address." not in page
    assert "Enter an email address like name@example.com." in page


def test_a_message_a_form_chose_itself_is_kept(app):
    from dashboard.agents.tools.forms import ToolForm

    with app.test_request_context(method="POST"):
        form = ToolForm(formdata=MultiDict({"name": ""}))
        form.validate()
    assert form.name.errors == ["Give the tool a name."]
