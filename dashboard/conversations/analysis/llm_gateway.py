"""The analyzer that asks an OpenAI-compatible chat completions endpoint (ANALYSIS_LLM_URL, ANALYSIS_LLM_API_KEY)."""
from __future__ import annotations

import json

import jsonschema
import requests
from flask import current_app

from dashboard import metrics
from dashboard.conversations.analysis import taxonomy
from dashboard.conversations.analysis.result import AnalysisResult, Turn

TIMEOUT = (5, 60)
MAX_TRANSCRIPT_CHARS = 24_000  # keeps long calls inside a small model's context

ANSWER_SCHEMA = {
    "type": "object",
    "required": ["call_summary", "intent", "sentiment", "sentiment_justification", "category", "action",
                 "sentiment_detailed"],
    "properties": {
        "call_summary": {"type": "string", "minLength": 1},
        "intent": {"type": "string"},
        "sentiment": {"type": "number", "minimum": -1, "maximum": 1},
        "sentiment_justification": {"type": "string"},
        "category": {"type": "string"},
        "action": {"type": "string"},
        "sentiment_detailed": {"type": "array", "items": {
            "type": "object", "required": ["index", "score"],
            "properties": {"index": {"type": "integer"}, "score": {"type": "number", "minimum": -1, "maximum": 1}},
        }},
    },
}


class AnalysisLLMError(Exception):
    """The endpoint failed or answered something unusable."""


def configured() -> bool:
    return bool(current_app.config.get("ANALYSIS_LLM_URL") and current_app.config.get("ANALYSIS_LLM_API_KEY"))


def _instructions() -> str:
    intents = "\n".join(f"- {i.name} (category {i.category})" for i in taxonomy.INTENTS.values())
    categories = "\n".join(f"- {c.name}: {c.description}" for c in taxonomy.CATEGORIES.values())
    return (
        "You analyse a finished conversation between a business's AI agent and a visitor. Answer with one JSON "
        "object with the keys call_summary (two sentences), intent, sentiment (the visitor's overall tone, -1 to 1), "
        "sentiment_justification (one sentence), category, action (what the business should do next), and "
        "sentiment_detailed (a list of {index, score} for each visitor message, using the [index] shown).\n"
        f"Intents (use {taxonomy.FALLBACK_INTENT} when none fits):\n{intents}\nCategories:\n{categories}"
    )


def _transcript(turns: list[Turn]) -> str:
    lines = [f"[{t.index}] {t.role}: {t.content}" for t in turns if t.role in ("visitor", "agent")]
    return "\n".join(lines)[-MAX_TRANSCRIPT_CHARS:]


def analyze(turns: list[Turn]) -> AnalysisResult:
    config = current_app.config
    try:
        with metrics.timed_call("llm"):
            response = requests.post(
                f"{config['ANALYSIS_LLM_URL']}/chat/completions",
                headers={"Authorization": f"Bearer {config['ANALYSIS_LLM_API_KEY']}"},
                json={
                    "model": config.get("ANALYSIS_LLM_MODEL") or "gpt-4o-mini",
                    "temperature": 0,
                    "response_format": {"type": "json_object"},
                    "messages": [{"role": "system", "content": _instructions()},
                                 {"role": "user", "content": _transcript(turns)}],
                },
                timeout=TIMEOUT,
            )
        response.raise_for_status()
        answer = json.loads(response.json()["choices"][0]["message"]["content"])
        jsonschema.validate(answer, ANSWER_SCHEMA)
    except (requests.RequestException, ValueError, KeyError, IndexError, TypeError,
            jsonschema.ValidationError) as error:
        raise AnalysisLLMError(f"The analysis model failed: {type(error).__name__}") from error
    return _result(answer, {t.index: t.role for t in turns})


def _result(answer: dict, roles: dict[int, str]) -> AnalysisResult:
    intent = answer["intent"] if answer["intent"] in taxonomy.INTENTS else taxonomy.FALLBACK_INTENT
    category = taxonomy.CATEGORIES.get(answer["category"]) or taxonomy.CATEGORIES[taxonomy.FALLBACK_CATEGORY]
    return AnalysisResult(
        call_summary=answer["call_summary"].strip(),
        intent=intent,
        sentiment=round(float(answer["sentiment"]), 2),
        sentiment_justification=answer["sentiment_justification"].strip(),
        category=category.name,
        category_description=category.description,
        action=answer["action"].strip(),
        sentiment_detailed=[{"index": d["index"], "role": roles[d["index"]], "score": round(float(d["score"]), 2)}
                            for d in answer["sentiment_detailed"] if roles.get(d["index"]) == "visitor"],
    )
