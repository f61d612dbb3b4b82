"""An agent compiled to Ultravox's create-call request (StartCallRequest)."""
from __future__ import annotations

from dashboard.agents.models import Agent, CustomTool

LOCATIONS = {"query": "PARAMETER_LOCATION_QUERY", "path": "PARAMETER_LOCATION_PATH",
             "header": "PARAMETER_LOCATION_HEADER", "body": "PARAMETER_LOCATION_BODY"}


def system_prompt(agent: Agent, business_name: str | None = None) -> str:
    """The effective prompt, with the library's {business} placeholder filled in, and the brand information."""
    prompt = agent.effective_prompt
    if business_name:
        prompt = prompt.replace("{business}", business_name)
    if agent.brand_info:
        prompt = f"{prompt}\n\nAbout the business: {agent.brand_info}".strip()
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


def compile_call(agent: Agent, business_name: str | None = None) -> dict:
    """The body of POST /api/calls that runs this agent."""
    call = {"systemPrompt": system_prompt(agent, business_name), "temperature": round(float(agent.temperature or 0), 2)}
    if agent.voice:
        call["voice"] = agent.voice
    call["selectedTools"] = [temporary_tool(tool) for tool in agent.tools]
    if agent.corpus_id:
        # Ultravox's built-in retrieval tool, pointed at the agent's knowledge.
        call["selectedTools"].append({"toolName": "queryCorpus",
                                      "parameterOverrides": {"corpus_id": agent.corpus_id, "max_results": 5}})
    call["metadata"] = {"agent_id": str(agent.agent_id)}
    return call
