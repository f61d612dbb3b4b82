"""Custom tools: saving them, and testing one for real through the SSRF-safe client."""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from werkzeug.datastructures import MultiDict

from dashboard import safe_http
from dashboard.agents.models import Agent, CustomTool
from dashboard.agents.tools.forms import PLACEHOLDER, ToolForm, json_object
from dashboard.extensions import db

SHOWN_BODY_CHARS = 4000


def save_tool(agent: Agent, form: ToolForm, tool: CustomTool | None = None) -> CustomTool:
    """Create or update a tool from a validated form."""
    if tool is None:
        tool = CustomTool(agent_id=agent.agent_id)
        db.session.add(tool)
    tool.name = form.name.data
    tool.description = form.description.data
    tool.http_method = form.http_method.data
    tool.url = form.url.data.strip()
    tool.static_params = form.static_rows()
    tool.dynamic_params = form.dynamic_rows()
    db.session.flush()
    return tool


def delete_tool(tool: CustomTool) -> None:
    db.session.delete(tool)
    db.session.flush()


def tool_form_data(tool: CustomTool | None) -> dict:
    """The form's initial data for a tool (or a blank tool), with one empty row to fill in for each list."""
    if tool is None:
        return {"http_method": "GET", "static_params": [{}], "dynamic_params": [{}]}
    return {"name": tool.name, "description": tool.description, "http_method": tool.http_method, "url": tool.url,
            "static_params": list(tool.static_params or []) or [{}],
            "dynamic_params": [{**p, "schema": json.dumps(p.get("schema") or {})} for p in tool.dynamic_params or []]
            or [{}]}


def tool_json(tool: CustomTool | None) -> str:
    """The tool as editable JSON (the raw view of the form)."""
    if tool is None:
        return json.dumps({"name": "", "description": "", "http_method": "GET", "url": "https://",
                           "static_params": [], "dynamic_params": []}, indent=2)
    return json.dumps({"name": tool.name, "description": tool.description, "http_method": tool.http_method,
                       "url": tool.url, "static_params": tool.static_params or [],
                       "dynamic_params": tool.dynamic_params or []}, indent=2)


class InvalidToolJson(ValueError):
    """The raw JSON is not a tool object; the message says why."""


def formdata_from_json(text: str) -> MultiDict:
    """The form fields the raw JSON stands for, so it is validated exactly as the rows are."""
    try:
        data = json_object(text, "", "The tool must be a JSON object with name, url, http_method and parameter lists.")
    except ValueError as error:
        raise InvalidToolJson(str(error)) from None
    fields = MultiDict({key: str(data.get(key) or "") for key in ("name", "description", "http_method", "url")})
    for kind in ("static_params", "dynamic_params"):
        rows = data.get(kind) or []
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise InvalidToolJson(f"{kind} must be a list of objects.")
        for index, row in enumerate(rows):
            for key in ("name", "location", "value"):
                if key in row:
                    fields[f"{kind}-{index}-{key}"] = str(row[key])
            if kind == "dynamic_params":
                fields[f"{kind}-{index}-schema"] = json.dumps(row.get("schema", {"type": "string"}))
                if row.get("required", True):
                    fields[f"{kind}-{index}-required"] = "y"
    return fields


@dataclass
class ToolRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None


def build_request(tool: CustomTool, values: dict[str, object]) -> ToolRequest:
    """The HTTP request the agent would send with these dynamic values (and the tool's static ones)."""
    params = [(p, p.get("value")) for p in tool.static_params or []]
    params += [(p, values[p["name"]]) for p in tool.dynamic_params or [] if values.get(p["name"]) is not None]
    path_values, query, headers, body = {}, [], {}, {}
    for param, value in params:
        text = value if isinstance(value, str) else json.dumps(value)
        location = param["location"]
        if location == "path":
            path_values[param["name"]] = quote(text, safe="")
        elif location == "query":
            query.append((param["name"], text))
        elif location == "header":
            headers[param["name"]] = text
        else:
            body[param["name"]] = value
    url = PLACEHOLDER.sub(lambda m: path_values.get(m.group(1), ""), tool.url)
    if query:
        parts = urlsplit(url)
        url = urlunsplit(parts._replace(query="&".join(filter(None, [parts.query, urlencode(query)]))))
    payload = None
    if body or tool.http_method in {"POST", "PUT", "PATCH"}:
        payload = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    headers.setdefault("User-Agent", "AngelCX-ToolTest/1.0")
    return ToolRequest(tool.http_method, url, headers, payload)


# What went wrong in a test, by safe_http's `kind`: a heading and what to do about it.
FAILURES = {
    "refused": ("Refused by the safety check",
                "Tools may call only public internet addresses over https, without redirects: use the service's "
                "public URL (the final one, if it redirects)."),
    "dns": ("Host name not found",
            "Check the host name in the URL for typos, and that its domain's DNS records exist (a new domain can "
            "take a while to resolve everywhere)."),
    "connect": ("Could not connect",
                "Nothing accepted the connection: check the host and port, that the service is running, and that "
                "its firewall lets the internet in."),
    "timeout": ("No answer in time",
                "The service is reachable but too slow or busy: check it is healthy; the agent waits no longer "
                "than this either."),
    "tls": ("Certificate not trusted",
            "The server's TLS certificate could not be verified for this host name: renew or fix the certificate, "
            "or use the host name it was issued for."),
}


@dataclass
class ToolTestResult:
    request: ToolRequest
    response: safe_http.SafeResponse | None = None
    failure: safe_http.UnsafeURL | None = None

    @property
    def failure_title(self) -> str:
        return FAILURES.get(self.failure.kind, FAILURES["refused"])[0]

    @property
    def failure_advice(self) -> str:
        return FAILURES.get(self.failure.kind, FAILURES["refused"])[1]

    @property
    def shown_body(self) -> str:
        text = self.response.text if self.response else ""
        try:
            text = json.dumps(json.loads(text), indent=2)
        except ValueError:
            pass
        return text[:SHOWN_BODY_CHARS]

    @property
    def body_truncated(self) -> bool:
        return bool(self.response) and (self.response.truncated or len(self.response.text) > SHOWN_BODY_CHARS)


def run_tool_test(tool: CustomTool, values: dict[str, object]) -> ToolTestResult:
    """Send the tool's request for real; a refusal (SSRF, redirect) or a failure (DNS, connection, timeout, TLS)
    comes back as `failure`."""
    outgoing = build_request(tool, values)
    try:
        response = safe_http.request(outgoing.method, outgoing.url, headers=outgoing.headers, body=outgoing.body)
    except safe_http.UnsafeURL as failure:
        return ToolTestResult(outgoing, failure=failure)
    return ToolTestResult(outgoing, response=response)

