"""An agent compiled to Ultravox's create-call request (StartCallRequest)."""
from __future__ import annotations

from dashboard.agents import prompt_placeholders
from dashboard.agents.extensions import Extension, extensions_for
from dashboard.agents.models import Agent, CustomTool

LOCATIONS = {"query": "PARAMETER_LOCATION_QUERY", "path": "PARAMETER_LOCATION_PATH",
             "header": "PARAMETER_LOCATION_HEADER", "body": "PARAMETER_LOCATION_BODY"}


def system_prompt(agent: Agent, business_name: str | None = None, extensions: list[Extension] | None = None) -> str:
    """The effective prompt, with its placeholders ({business}, {agent}) filled in, the brand information, and
    what connected apps add (each app's prompt under its name)."""
    prompt = prompt_placeholders.fill(agent.effective_prompt, prompt_placeholders.values(business_name, agent.name))
    if agent.brand_info:
        prompt = f"{prompt}\n\nAbout the business: {agent.brand_info}".strip()
    for extension in extensions if extensions is not None else extensions_for(agent, reveal_secrets=False):
        if extension.prompt:
            prompt = f"{prompt}\n\n{extension.source}: {extension.prompt}".strip()
    return prompt


def temporary_tool(tool: CustomTool) -> dict:
    return {"temporaryTool": {
        "modelToolName": tool.name,
        "description": tool.description or "",
        "http": {"baseUrlPattern": tool.url, "httpMethod": tool.http_method},
        "dynamicParameters": [{"name": p["name"], "location": LOCATIONS[p["location"]], "schema": p.get("schema") or {},
                               "required": bool(p.get("required"))} for p in tool.dynamic_params or []],
        "staticParameters": [{"name": p["name"], "location": LOCATIONS[p["location"]], "value": p.get("value", "")}
                             for p in tool.static_params or []],
    }}


def extension_tool(tool: dict) -> dict:
    """A channel-neutral tool (signals.agent_extensions) as an Ultravox temporaryTool: arguments in the JSON
    body, its headers (the per-connection secret) as static header parameters Ultravox sends with each call."""
    return {"temporaryTool": {
        "modelToolName": tool["name"],
        "description": tool["description"],
        "http": {"baseUrlPattern": tool["url"], "httpMethod": tool.get("method", "POST")},
        "dynamicParameters": [{"name": p["name"], "location": LOCATIONS["body"],
                               "schema": {**p["schema"], "description": p["description"]}, "required": p["required"]}
                              for p in tool["parameters"]],
        "staticParameters": [{"name": name, "location": LOCATIONS["header"], "value": value}
                             for name, value in tool.get("headers", {}).items()],
    }}


def compile_call(agent: Agent, business_name: str | None = None, reveal_secrets: bool = True) -> dict:
    """The body of POST /api/calls that runs this agent; reveal_secrets false for showing it on a page."""
    extensions = extensions_for(agent, reveal_secrets=reveal_secrets)
    call = {"systemPrompt": system_prompt(agent, business_name, extensions),
            "temperature": round(float(agent.temperature or 0), 2)}
    if agent.voice:
        call["voice"] = agent.voice
    call["selectedTools"] = [temporary_tool(tool) for tool in agent.tools]
    call["selectedTools"] += [extension_tool(tool) for extension in extensions for tool in extension.tools]
    if agent.corpus_id:
        # Ultravox's built-in retrieval tool, pointed at the agent's knowledge.
        call["selectedTools"].append({"toolName": "queryCorpus",
                                      "parameterOverrides": {"corpus_id": agent.corpus_id, "max_results": 5}})
    call["metadata"] = {"agent_id": str(agent.agent_id)}
    return call
