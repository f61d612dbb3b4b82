"""The Tools section and each custom tool's page: add, edit (parameters as rows), delete, and Test tool."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from dashboard.agents import bp
from dashboard.agents.builder.sections import section
from dashboard.agents.models import Agent, CustomTool
from dashboard.agents.tools import operations as tools
from dashboard.agents.tools.forms import ToolForm, tool_test_form
from dashboard.extensions import db
from dashboard.fragments import hx_redirect, render_page_or_fragment, wants_fragment
from dashboard.tenancy import get_owned_or_404


@section("tools", "Tools", 50)
def tools_context(agent: Agent) -> dict:
    """The section lists `agent.tools`; editing a tool happens on its own page."""
    return {}


def _form(agent: Agent, tool: CustomTool | None, submitted: bool) -> ToolForm:
    taken = [t.name for t in agent.tools if tool is None or t.custom_tool_id != tool.custom_tool_id]
    if submitted:
        return ToolForm(taken_names=taken)
    return ToolForm(formdata=None, data=tools.tool_form_data(tool), taken_names=taken)


def _edit_rows(form: ToolForm) -> bool:
    """Add or remove a parameter row when one of those buttons was pressed; True if so (nothing is saved)."""
    action = request.form.get("action", "save")
    if action in {"add_static", "add_dynamic"}:
        getattr(form, action[4:] + "_params").append_entry()
        return True
    if action.startswith("remove_"):
        kind, _, index = action[7:].rpartition("-")
        rows = getattr(form, f"{kind}_params", None)
        if rows is not None and index.isdigit() and int(index) < len(rows.entries):
            rows.entries.pop(int(index))
        return True
    return False


def _render(agent, tool, form, status=200, raw_json=None, added=()):
    test_form = tool_test_form(tool) if tool else None
    template = "agents/_tool_form.html" if wants_fragment() and request.method == "POST" else "agents/tool.html"
    return render_template(template, agent=agent, tool=tool, form=form, test_form=test_form,
                           raw_json=raw_json or tools.tool_json(tool), added_params=added), status


def _added_message(added: list[str]) -> str:
    names = ", ".join(f"{{{name}}}" for name in added)
    return (f"Added the path parameter{'s' if len(added) > 1 else ''} {', '.join(added)} (required text) for "
            f"{names} in the URL; change the schema below if it is not text.")


@bp.route("/<int:agent_id>/tools/new", methods=["GET", "POST"])
def new_tool(agent_id: int):
    return _edit(get_owned_or_404(Agent, agent_id), None)


@bp.route("/<int:agent_id>/tools/<int:tool_id>", methods=["GET", "POST"])
def edit_tool(agent_id: int, tool_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    return _edit(agent, _tool_of(agent, tool_id))


def _tool_of(agent: Agent, tool_id: int) -> CustomTool:
    tool = get_owned_or_404(CustomTool, tool_id)
    if tool.agent_id != agent.agent_id:
        abort(404)
    return tool


def _edit(agent: Agent, tool: CustomTool | None):
    form = _form(agent, tool, submitted=request.method == "POST")
    if request.method == "GET" or _edit_rows(form):
        return _render(agent, tool, form)
    if request.form.get("action") == "check_path_params":
        # The URL field changed (htmx): offer to add the rows its placeholders need, next to the field. Only a click
        # re-renders the form, so nothing typed meanwhile is replaced.
        return render_template("agents/_path_params_hint.html", missing_params=form.missing_path_params())
    if request.form.get("action") == "fill_path_params":
        return _render(agent, tool, form, added=form.add_missing_path_params())
    if request.form.get("action") == "save_json":
        # The raw JSON view: turned into the same fields, so it is validated exactly as the rows are.
        try:
            formdata = tools.formdata_from_json(request.form.get("raw_json", ""))
        except tools.InvalidToolJson as invalid:
            form.form_errors.append(str(invalid))
            return _render(agent, tool, form, 422, raw_json=request.form.get("raw_json", ""))
        formdata["csrf_token"] = request.form.get("csrf_token", "")
        form = ToolForm(formdata=formdata, taken_names=form.taken_names)
    added = form.add_missing_path_params()
    if not form.validate_on_submit():
        return _render(agent, tool, form, 422, raw_json=request.form.get("raw_json"), added=added)
    created = tool is None
    tool = tools.save_tool(agent, form, tool)
    db.session.commit()
    flash(f"Tool {tool.name} {'added' if created else 'saved'}.", "success")
    if added:
        flash(_added_message(added), "info")
    target = url_for("agents.edit_tool", agent_id=agent.agent_id, tool_id=tool.custom_tool_id)
    return hx_redirect(target)


@bp.post("/<int:agent_id>/tools/<int:tool_id>/delete")
def delete_tool(agent_id: int, tool_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    tool = _tool_of(agent, tool_id)
    tools.delete_tool(tool)
    db.session.commit()
    flash(f"Tool {tool.name} deleted.", "success")
    return redirect(url_for("agents.show", agent_id=agent.agent_id, _anchor="tools"))


@bp.post("/<int:agent_id>/tools/<int:tool_id>/test")
def test_tool(agent_id: int, tool_id: int):
    """Send the tool's request for real with the values typed in; shows the answer or why it was refused."""
    agent = get_owned_or_404(Agent, agent_id)
    tool = _tool_of(agent, tool_id)
    form = tool_test_form(tool, formdata=request.form)
    result = None
    if form.validate_on_submit():
        values = {param["name"]: getattr(form, f"param_{i}").parsed for i, param in enumerate(tool.dynamic_params)}
        result = tools.run_tool_test(tool, values)
    context = {"agent": agent, "tool": tool, "test_form": form, "result": result}
    return render_page_or_fragment(
        "agents/tool.html", "agents/_tool_test.html", context, status=200 if result else 422,
        page_context=lambda: {"form": _form(agent, tool, False), "raw_json": tools.tool_json(tool)})
